package org.ehrarchive.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** What format detection sees of a source file: its name and its first bytes. */
public record SourceSniff(String fileName, byte[] head) {

    /** How much of a file format detection sees. */
    public static final int HEAD_BYTES = 4096;

    /** What detection sees of the file being read from {@code in} (its first {@link #HEAD_BYTES}). */
    public static SourceSniff read(String fileName, InputStream in) throws IOException {
        return new SourceSniff(fileName, in.readNBytes(HEAD_BYTES));
    }

    /** The importer the ingest chooses for the file: the first that accepts it. */
    public Optional<Importer> chooseFrom(Iterable<Importer> importers) {
        for (Importer importer : importers) {
            if (importer.accepts(this)) {
                return Optional.of(importer);
            }
        }
        return Optional.empty();
    }

    /**
     * The first bytes as text, in the encoding a byte order mark names (UTF-16 exports from Windows systems are
     * common), UTF-16 also when the zero bytes of its ASCII say so without a mark, else UTF-8; without the mark and
     * leading white space.
     */
    public String headText() {
        String text = new String(head, charsetOf(head));
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        return text.stripLeading();
    }

    private static java.nio.charset.Charset charsetOf(byte[] bytes) {
        if (bytes.length >= 2 && (bytes[0] & 0xFF) == 0xFE && (bytes[1] & 0xFF) == 0xFF) {
            return StandardCharsets.UTF_16BE;
        }
        if (bytes.length >= 2 && (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xFE) {
            return StandardCharsets.UTF_16LE;
        }
        // UTF-16 without a byte order mark: every other byte of ASCII text is zero.
        if (bytes.length >= 4 && bytes[0] != 0 && bytes[1] == 0 && bytes[2] != 0 && bytes[3] == 0) {
            return StandardCharsets.UTF_16LE;
        }
        if (bytes.length >= 4 && bytes[0] == 0 && bytes[1] != 0 && bytes[2] == 0 && bytes[3] != 0) {
            return StandardCharsets.UTF_16BE;
        }
        return StandardCharsets.UTF_8;
    }

    /** The file name's extension in lower case, without the dot ({@code ""} when there is none). */
    public String extension() {
        int dot = fileName.lastIndexOf('.');
        return dot < 0 ? "" : fileName.substring(dot + 1).toLowerCase(java.util.Locale.ROOT);
    }
}
