package org.ehrarchive.provenance;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.ehrarchive.ingest.ccda.XmlLocator;
import org.ehrarchive.ingest.fhir.FhirImporter;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;

/**
 * Excerpts of FHIR originals, by the locators {@code FhirReading} writes:
 * <ul>
 *   <li>NDJSON: {@code /line[N]} (from 1, blank lines counted), and within a line a JSON pointer
 *       ({@code /line[N]/entry/I/resource} for a bundle on one line);</li>
 *   <li>a JSON document: a JSON pointer, {@code /} for a single resource, {@code /entry/I/resource} or {@code /entry/I}
 *       (from 0) in a bundle;</li>
 *   <li>XML: {@code /} for a single resource, {@code /Bundle/entry[I]/resource} (from 1, as XPath counts) in a bundle;</li>
 *   <li>an attachment a resource carries: the resource's locator with a JSON pointer after it
 *       ({@code /content/0/attachment}, {@code /presentedForm/0}), in XML too.</li>
 * </ul>
 * JSON is read as a stream (Jackson), skipping what comes before the node; the node alone is written out pretty-printed,
 * numbers as written. What the importer could not read as JSON (a line cut off mid-resource) is shown as the text it is.
 */
final class FhirExcerpts {

    static final String FHIR_NS = "http://hl7.org/fhir";

    private static final Pattern LINE = Pattern.compile("/line\\[(\\d{1,18})\\](/.*)?");
    private static final Pattern INDEX = Pattern.compile("\\d{1,9}");
    private static final JsonFactory JSON = FhirImporter.jsonFactory()
            .disable(JsonGenerator.Feature.AUTO_CLOSE_JSON_CONTENT).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    private FhirExcerpts() {
    }

    static Optional<SourceExcerpts.Excerpt> excerpt(SourceExcerpts.Original original, String locator) throws IOException {
        Matcher line = LINE.matcher(locator);
        if (line.matches()) {
            return line(original, Long.parseLong(line.group(1)), pointer(line.group(2) == null ? "" : line.group(2)));
        }
        if (!locator.startsWith("/")) {
            return Optional.empty();
        }
        if (isXml(original)) {
            List<XmlLocator.Step> path = xmlPath(locator);
            return path.isEmpty() ? Optional.empty() : XmlExcerpts.excerpt(original, path, FHIR_NS, false, null);
        }
        return document(original, pointer(locator));
    }

    // ---- NDJSON ---------------------------------------------------------------------------------------------------

    private static Optional<SourceExcerpts.Excerpt> line(SourceExcerpts.Original original, long number, List<String> pointer)
            throws IOException {
        if (number < 1 || pointer == null) {
            return Optional.empty();
        }
        try (InputStream content = FhirImporter.content(original.open()); InputStream line = Lines.line(content, number)) {
            if (line == null) {
                return Optional.empty();
            }
            try (JsonParser parser = JSON.createParser(line)) {
                return new Walk().to(parser, pointer) ? Optional.of(copy(parser)) : Optional.empty();
            } catch (JsonProcessingException e) {
                if (!pointer.isEmpty()) {
                    return Optional.empty(); // a part of a line that is no JSON names nothing the importer read
                }
            }
        }
        // The importer quarantined this line as it is: it is shown as it is.
        try (InputStream content = FhirImporter.content(original.open()); InputStream line = Lines.line(content, number)) {
            return Optional.of(CappedText.raw(line, 0, -1, "not readable as JSON: the line as it is in the original"));
        }
    }

    // ---- JSON documents -------------------------------------------------------------------------------------------

    private static Optional<SourceExcerpts.Excerpt> document(SourceExcerpts.Original original, List<String> pointer) throws IOException {
        if (pointer == null) {
            return Optional.empty();
        }
        Walk walk = new Walk();
        try (InputStream content = FhirImporter.content(original.open()); JsonParser parser = JSON.createParser(content)) {
            return walk.to(parser, pointer) ? Optional.of(copy(parser)) : Optional.empty();
        } catch (JsonProcessingException e) {
            if (walk.nodeStart < 0) {
                return Optional.empty(); // broken before the node: the locator names nothing the importer read
            }
            // The importer quarantined what it could not read from here on as one record, at this locator: shown as it is.
            JsonLocation at = e.getLocation();
            String note = "not readable as JSON" + (at == null ? "" : " from line " + at.getLineNr() + ", column " + at.getColumnNr())
                    + ": the original's text from here on, as it is";
            try (InputStream content = FhirImporter.content(original.open())) {
                return Optional.of(CappedText.raw(content, walk.nodeStart, -1, note));
            }
        }
    }

    /** A JSON pointer's reference tokens; null when the text is no pointer ({@code /} alone is the whole document). */
    private static List<String> pointer(String text) {
        if (text.isEmpty() || text.equals("/")) {
            return List.of();
        }
        if (!text.startsWith("/")) {
            return null;
        }
        List<String> tokens = new ArrayList<>();
        for (String token : text.substring(1).split("/", -1)) {
            tokens.add(token.replace("~1", "/").replace("~0", "~"));
        }
        return tokens;
    }

    /**
     * Walks a parser to the first token of the node a pointer names, skipping every other member and item whole. Keeps
     * where the node starts in the bytes (from where its first token is read), for a document that breaks there.
     */
    private static final class Walk {
        long nodeStart = -1;

        boolean to(JsonParser parser, List<String> pointer) throws IOException {
            if (pointer.isEmpty()) {
                nodeStart = 0;
            }
            JsonToken token = parser.nextToken();
            for (int i = 0; i < pointer.size() && token != null; i++) {
                String name = pointer.get(i);
                boolean last = i == pointer.size() - 1;
                if (token == JsonToken.START_OBJECT) {
                    token = member(parser, name, last);
                } else if (token == JsonToken.START_ARRAY && INDEX.matcher(name).matches()) {
                    token = item(parser, Integer.parseInt(name), last);
                } else {
                    return false;
                }
            }
            if (token == null) {
                return false;
            }
            nodeStart = parser.currentTokenLocation().getByteOffset();
            return true;
        }

        private JsonToken member(JsonParser parser, String name, boolean last) throws IOException {
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                boolean wanted = name.equals(parser.currentName());
                if (wanted && last) {
                    nodeStart = parser.currentLocation().getByteOffset();
                }
                JsonToken value = parser.nextToken();
                if (wanted) {
                    return value;
                }
                parser.skipChildren();
            }
            return null;
        }

        private JsonToken item(JsonParser parser, int index, boolean last) throws IOException {
            for (int i = 0; ; i++) {
                if (i == index && last) {
                    nodeStart = parser.currentLocation().getByteOffset();
                }
                JsonToken value = parser.nextToken();
                if (value == null || value == JsonToken.END_ARRAY) {
                    nodeStart = -1;
                    return null;
                }
                if (i == index) {
                    return value;
                }
                parser.skipChildren();
            }
        }
    }

    /** Writes the node the parser stands on, pretty-printed, token by token; stops reading when it ends or the excerpt is full. */
    private static SourceExcerpts.Excerpt copy(JsonParser parser) throws IOException {
        CappedText text = new CappedText();
        try (JsonGenerator generator = JSON.createGenerator(text).useDefaultPrettyPrinter()) {
            int depth = 0;
            do {
                JsonToken token = parser.currentToken();
                // exact: 105.50 stays 105.50, as the original wrote it and as a reviewer compares it
                generator.copyCurrentEventExact(parser);
                depth += token.isStructStart() ? 1 : token.isStructEnd() ? -1 : 0;
                generator.flush();
            } while (depth > 0 && !text.full() && parser.nextToken() != null);
        }
        return text.excerpt("json", null);
    }

    // ---- XML ------------------------------------------------------------------------------------------------------

    /** Whether the content (inflated) starts with markup rather than JSON, after a byte order mark and white space. */
    private static boolean isXml(SourceExcerpts.Original original) throws IOException {
        try (InputStream content = FhirImporter.content(original.open())) {
            byte[] head = content.readNBytes(1024);
            for (int i = 0; i < head.length; i++) {
                int b = head[i] & 0xFF;
                if (b == '<') {
                    return true;
                }
                boolean bom = i < 3 && (b == 0xEF || b == 0xBB || b == 0xBF);
                if (!bom && !Character.isWhitespace(b)) {
                    return false;
                }
            }
            return false;
        }
    }

    /**
     * The steps of an XML locator: the XPath part the importer writes ({@code /Bundle/entry[I]/resource}; nothing for a
     * single resource), then the resource element itself (named by its type, which the locator does not say), then the
     * JSON pointer of an attachment, {@code content/0} read as {@code content[1]}. Empty when it is no such locator.
     */
    static List<XmlLocator.Step> xmlPath(String locator) {
        List<String> names = locator.equals("/") ? List.of() : List.of(locator.substring(1).split("/", -1));
        List<XmlLocator.Step> path = new ArrayList<>();
        int next = 0;
        if (!names.isEmpty() && names.get(0).equals("Bundle")) {
            next = Math.min(names.size(), names.size() > 2 && names.get(2).equals("resource") ? 3 : 2);
            Optional<List<XmlLocator.Step>> bundle = XmlLocator.steps("/" + String.join("/", names.subList(0, next)), FHIR_NS);
            if (bundle.isEmpty()) {
                return List.of();
            }
            path.addAll(bundle.get());
            if (next == 3) {
                path.add(XmlExcerpts.ANY_ELEMENT);
            }
        } else {
            path.add(XmlExcerpts.ANY_ELEMENT);
        }
        for (String name : names.subList(next, names.size())) {
            if (INDEX.matcher(name).matches() && path.size() > 1 && path.get(path.size() - 1) != XmlExcerpts.ANY_ELEMENT) {
                XmlLocator.Step repeated = path.remove(path.size() - 1);
                path.add(new XmlLocator.Step(FHIR_NS, repeated.localName(), Integer.parseInt(name) + 1));
            } else if (name.matches("[A-Za-z][A-Za-z0-9]*")) {
                path.add(new XmlLocator.Step(FHIR_NS, name, 1));
            } else {
                return List.of();
            }
        }
        return path;
    }

    // ---- lines ----------------------------------------------------------------------------------------------------

    /**
     * One line of a stream as a stream of its own, numbered as the importer numbers NDJSON lines (from 1, split at line
     * feeds): the lines before it are scanned in chunks and held nowhere, and the line ends at its line feed.
     */
    static final class Lines extends InputStream {
        private final InputStream in;
        private final byte[] chunk = new byte[1 << 16];
        private int position;
        private int filled;
        private boolean ended;

        private Lines(InputStream in) {
            this.in = in;
        }

        /** Line {@code number} of the stream; null when the stream holds fewer lines. */
        static InputStream line(InputStream in, long number) throws IOException {
            Lines lines = new Lines(in);
            for (long before = number - 1; before > 0; ) {
                if (!lines.fill()) {
                    return null;
                }
                while (lines.position < lines.filled && before > 0) {
                    if (lines.chunk[lines.position++] == '\n') {
                        before--;
                    }
                }
            }
            return lines.fill() ? lines : null;
        }

        @Override
        public int read() throws IOException {
            if (ended || !fill()) {
                return -1;
            }
            byte b = chunk[position++];
            if (b == '\n') {
                ended = true;
                return -1;
            }
            return b & 0xFF;
        }

        @Override
        public int read(byte[] into, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            if (ended || !fill()) {
                return -1;
            }
            int n = 0;
            while (n < length && position < filled) {
                byte b = chunk[position++];
                if (b == '\n') {
                    ended = true;
                    break;
                }
                into[offset + n++] = b;
            }
            return n == 0 ? -1 : n;
        }

        /** Whether a byte is there to read, reading the next chunk when the last one is used up. */
        private boolean fill() throws IOException {
            if (position < filled) {
                return true;
            }
            filled = in.read(chunk);
            position = 0;
            if (filled <= 0) {
                filled = 0;
                return false;
            }
            return true;
        }
    }
}
