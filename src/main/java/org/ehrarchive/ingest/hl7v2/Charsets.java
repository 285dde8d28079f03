package org.ehrarchive.ingest.hl7v2;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/** The character set a message's MSH-18 declares (HL7 table 0211), as a Java charset. */
final class Charsets {

    private static final Map<String, String> TABLE_0211 = Map.ofEntries(
            Map.entry("8859/1", "ISO-8859-1"), Map.entry("8859/2", "ISO-8859-2"), Map.entry("8859/3", "ISO-8859-3"),
            Map.entry("8859/4", "ISO-8859-4"), Map.entry("8859/5", "ISO-8859-5"), Map.entry("8859/6", "ISO-8859-6"),
            Map.entry("8859/7", "ISO-8859-7"), Map.entry("8859/8", "ISO-8859-8"), Map.entry("8859/9", "ISO-8859-9"),
            Map.entry("8859/15", "ISO-8859-15"), Map.entry("UNICODE UTF-8", "UTF-8"), Map.entry("UNICODE", "UTF-8"),
            Map.entry("UTF-8", "UTF-8"), Map.entry("GB 18030-2000", "GB18030"), Map.entry("KS X 1001", "EUC-KR"),
            Map.entry("BIG-5", "Big5"), Map.entry("ISO IR87", "ISO-2022-JP"), Map.entry("ISO IR159", "ISO-2022-JP"));

    private Charsets() {
    }

    /**
     * The charset MSH-18 names in this MSH segment, or null when it names none, names ASCII (a subset of what the
     * reader guesses anyway, and often declared for text that is not ASCII), or names one this reader does not know.
     */
    static Charset declared(byte[] msh, char fieldSeparator) {
        String text = new String(msh, StandardCharsets.ISO_8859_1);
        int field = 1; // MSH-1 is the separator itself
        int start = 3;
        for (int i = 3; i < text.length(); i++) {
            if (text.charAt(i) == fieldSeparator) {
                field++;
                if (field == 18) {
                    start = i + 1;
                } else if (field == 19) {
                    return forName(text.substring(start, i));
                }
            }
        }
        return field == 18 ? forName(text.substring(start)) : null;
    }

    private static Charset forName(String field) {
        String first = field;
        for (char separator : new char[] { '~', '^' }) {
            int cut = first.indexOf(separator);
            if (cut >= 0) {
                first = first.substring(0, cut);
            }
        }
        String name = TABLE_0211.get(first.strip().toUpperCase(Locale.ROOT));
        return name == null || !Charset.isSupported(name) ? null : Charset.forName(name);
    }
}
