package org.ehrarchive.ingest.fhir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The content hash of a FHIR resource (ADR 0014): SHA-256 over its JSON with every object's members in name order, no
 * white space, numbers as written, and without {@code meta.versionId} and {@code meta.lastUpdated}, which say when
 * and as what version a server stored the content, not what it is. So the same resource is the same content whether
 * it came pretty-printed in a bundle, compact on an NDJSON line, or as XML (read into JSON first), and whatever
 * version number the exporting server gave it.
 */
final class CanonicalJson {

    private static final JsonFactory FACTORY = new JsonFactory();

    private CanonicalJson() {
    }

    static String sha256(JsonNode resource) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java runtime has SHA-256", e);
        }
        try (JsonGenerator out = FACTORY.createGenerator(new DigestOutputStream(OutputStream.nullOutputStream(), digest))) {
            write(resource, out, true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void write(JsonNode node, JsonGenerator out, boolean root) throws IOException {
        if (node.isObject()) {
            List<Map.Entry<String, JsonNode>> members = new ArrayList<>();
            node.fields().forEachRemaining(members::add);
            members.sort(Map.Entry.comparingByKey());
            out.writeStartObject();
            for (Map.Entry<String, JsonNode> member : members) {
                JsonNode value = member.getValue();
                if (root && member.getKey().equals("meta") && value.isObject()) {
                    value = withoutVersion(value);
                    if (value.isEmpty()) {
                        continue;
                    }
                }
                out.writeFieldName(member.getKey());
                write(value, out, false);
            }
            out.writeEndObject();
        } else if (node.isArray()) {
            out.writeStartArray();
            for (JsonNode element : node) {
                write(element, out, false);
            }
            out.writeEndArray();
        } else if (node.isTextual()) {
            out.writeString(node.textValue());
        } else if (node.isNumber()) {
            out.writeNumber(node.decimalValue().toString());
        } else if (node.isBoolean()) {
            out.writeBoolean(node.booleanValue());
        } else {
            out.writeNull();
        }
    }

    private static JsonNode withoutVersion(JsonNode meta) {
        if (!meta.has("versionId") && !meta.has("lastUpdated")) {
            return meta;
        }
        com.fasterxml.jackson.databind.node.ObjectNode copy = ((com.fasterxml.jackson.databind.node.ObjectNode) meta).deepCopy();
        copy.remove("versionId");
        copy.remove("lastUpdated");
        return copy;
    }
}
