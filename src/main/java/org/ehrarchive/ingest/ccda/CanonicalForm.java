package org.ehrarchive.ingest.ccda;

import java.util.Arrays;
import java.util.function.Function;

/**
 * The content hash of a C-CDA record (ADR 0009): SHA-256 over a canonical form of its element tree, so that the
 * same fact written into two documents hashes the same. The form keeps every element, attribute and text; it
 * ignores what differs between documents without changing the fact: attribute order, runs of white space,
 * comments, the {@code ID} anchors of the narrative, and which narrative anchor a {@code reference} points at (the
 * referenced text is hashed instead).
 */
final class CanonicalForm {

    private CanonicalForm() {
    }

    static String sha256(XmlElement record, Function<String, String> narrativeText) {
        StringBuilder form = new StringBuilder(1024);
        append(record, narrativeText, form);
        return sha256(form.toString());
    }

    static String sha256(String text) {
        return org.ehrarchive.ingest.ContentHash.sha256(text);
    }

    private static void append(XmlElement element, Function<String, String> narrativeText, StringBuilder form) {
        form.append('<');
        if (element.namespace() != null && !HardenedXml.CDA_NS.equals(element.namespace())) {
            form.append('{').append(element.namespace()).append('}');
        }
        form.append(element.localName());
        String[] attributes = element.attributeQuadruples();
        if (attributes.length > 0) {
            String[] sorted = new String[attributes.length / 4];
            for (int i = 0; i < attributes.length; i += 4) {
                String name = attributes[i] == null ? attributes[i + 1] : "{" + attributes[i] + "}" + attributes[i + 1];
                String value = attributes[i + 3];
                if (attributes[i] == null && "ID".equals(attributes[i + 1])) {
                    value = null; // a narrative anchor: its name differs between documents, not the fact
                } else if (attributes[i] == null && "value".equals(attributes[i + 1]) && "reference".equals(element.localName())
                        && value.startsWith("#")) {
                    String referenced = narrativeText.apply(value.substring(1));
                    value = referenced == null ? value : "text:" + referenced;
                }
                sorted[i / 4] = value == null ? null : name + "=" + value;
            }
            Arrays.sort(sorted, java.util.Comparator.nullsLast(java.util.Comparator.naturalOrder()));
            for (String attribute : sorted) {
                if (attribute != null) {
                    form.append(' ').append(attribute);
                }
            }
        }
        form.append('>');
        for (Object node : element.nodes()) {
            if (node instanceof XmlElement child) {
                append(child, narrativeText, form);
            } else if (node instanceof String text) {
                String folded = CdaReader.fold(text);
                if (!folded.isEmpty()) {
                    form.append('"').append(folded.replace("\"", "\"\"")).append('"');
                }
            }
        }
        form.append("</>");
    }
}
