package org.ehrarchive.provenance;

import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

/**
 * The text of an excerpt as it is written, up to {@link SourceExcerpts#MAX_CHARACTERS}: what comes beyond is dropped and
 * the excerpt marked truncated. Writers (XML, JSON) write into it; their callers stop reading the original once it is
 * {@link #full()}.
 */
final class CappedText extends Writer {

    private final StringBuilder text = new StringBuilder(1024);
    private boolean full;

    @Override
    public void write(char[] chars, int offset, int length) {
        if (full) {
            return;
        }
        int room = SourceExcerpts.MAX_CHARACTERS - text.length();
        if (length > room) {
            text.append(chars, offset, room);
            full = true;
        } else {
            text.append(chars, offset, length);
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }

    /** Whether more was written than an excerpt holds. */
    boolean full() {
        return full;
    }

    SourceExcerpts.Excerpt excerpt(String syntax, String note) {
        int length = text.length();
        if (full && length > 0 && Character.isHighSurrogate(text.charAt(length - 1))) {
            length--; // never half a character
        }
        return new SourceExcerpts.Excerpt(text.substring(0, length), syntax, full, note);
    }

    /**
     * Bytes {@code from} to {@code to} of a stream (the whole rest when {@code to} is negative), as text: for what the
     * importer could not read as its format, which is shown as it is. Decoded as UTF-8 (what cannot be decoded shows as
     * U+FFFD), line ends as line feeds, other control characters (NUL, framing bytes) as U+FFFD.
     */
    static SourceExcerpts.Excerpt raw(InputStream in, long from, long to, String note) throws IOException {
        in.skipNBytes(from);
        long wanted = to < 0 ? Long.MAX_VALUE : to - from;
        byte[] bytes = in.readNBytes((int) Math.min(wanted, SourceExcerpts.MAX_CHARACTERS));
        boolean more = bytes.length == SourceExcerpts.MAX_CHARACTERS && (to >= 0 ? wanted > bytes.length : in.read() >= 0);
        String decoded = new String(bytes, StandardCharsets.UTF_8).replace("\r\n", "\n").replace('\r', '\n');
        StringBuilder shown = new StringBuilder(decoded.length());
        decoded.codePoints().forEach(c -> shown.appendCodePoint(c < 0x20 && c != '\n' && c != '\t' ? 0xFFFD : c));
        CappedText text = new CappedText();
        text.append(shown);
        text.full |= more;
        return text.excerpt("text", note);
    }
}
