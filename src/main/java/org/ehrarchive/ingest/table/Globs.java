package org.ehrarchive.ingest.table;

import java.util.regex.Pattern;

/** File-name globs of a profile ({@code *}, {@code ?}), matched case-insensitively: exports change case across versions. */
final class Globs {

    static boolean matches(String glob, String fileName) {
        return compile(glob).matcher(fileName).matches();
    }

    static Pattern compile(String glob) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> regex.append("[^/]*");
                case '?' -> regex.append("[^/]");
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    }


    private Globs() {
    }
}
