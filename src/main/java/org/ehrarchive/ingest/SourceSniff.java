package org.ehrarchive.ingest;

import java.nio.charset.StandardCharsets;

/** What format detection sees of a source file: its name and its first bytes. */
public record SourceSniff(String fileName, byte[] head) {

    /** The first bytes as text, skipping a UTF-8 byte order mark and leading white space. */
    public String headText() {
        String text = new String(head, StandardCharsets.UTF_8);
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        return text.stripLeading();
    }

    /** The file name's extension in lower case, without the dot ({@code ""} when there is none). */
    public String extension() {
        int dot = fileName.lastIndexOf('.');
        return dot < 0 ? "" : fileName.substring(dot + 1).toLowerCase(java.util.Locale.ROOT);
    }
}
