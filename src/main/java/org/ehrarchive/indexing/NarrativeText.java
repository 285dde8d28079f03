package org.ehrarchive.indexing;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The words of a narrative (C-CDA {@code <text>} markup) for the index: markup removed, entities decoded. */
final class NarrativeText {

    private static final Pattern TAG = Pattern.compile("<[^>]*>");
    private static final Pattern ENTITY = Pattern.compile("&(#x?[0-9a-fA-F]+|amp|lt|gt|quot|apos);");

    private NarrativeText() {
    }

    static String of(String markup) {
        if (markup == null) {
            return null;
        }
        String text = TAG.matcher(markup).replaceAll(" ");
        Matcher entity = ENTITY.matcher(text);
        StringBuilder decoded = new StringBuilder();
        while (entity.find()) {
            String name = entity.group(1);
            String replacement = switch (name) {
                case "amp" -> "&";
                case "lt" -> "<";
                case "gt" -> ">";
                case "quot" -> "\"";
                case "apos" -> "'";
                default -> {
                    int code = name.startsWith("#x") ? Integer.parseInt(name.substring(2), 16) : Integer.parseInt(name.substring(1));
                    yield new String(Character.toChars(code));
                }
            };
            entity.appendReplacement(decoded, Matcher.quoteReplacement(replacement));
        }
        entity.appendTail(decoded);
        return decoded.toString().replaceAll("\\s+", " ").trim();
    }
}
