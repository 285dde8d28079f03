package org.ehrarchive.ingest.ccda;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

import org.ehrarchive.ingest.SourceUnit;

/**
 * The file a C-CDA {@code nonXMLBody/text} carries, written into the blob store as its text is read, so that a
 * large embedded PDF never sits in memory: base64 is decoded four characters at a time (characters outside the
 * base64 alphabet are ignored, as a MIME decoder does), plain text is stored trimmed, as UTF-8. A compressed body
 * ({@code compression="DF"} or {@code "GZ"}) is inflated afterwards, with the same size limit, so that a small
 * body cannot expand into an unbounded file; one that does not inflate is kept as decoded.
 */
final class EmbeddedFile {

    /** The body is not valid base64, or it decodes or inflates to more than the limit. */
    static final class Unreadable extends Exception {
        Unreadable(String detail) {
            super(detail);
        }
    }

    private static final int CHUNK = 8192;

    private final SourceUnit unit;
    private final boolean base64;
    private final long maxBytes;
    private final SourceUnit.BlobOutput out;
    private final char[] quads = new char[CHUNK];
    private int quadLength;
    private boolean sawText;
    private boolean ended;
    private boolean invalid;
    /** Plain text: white space not yet known to be trailing. */
    private final StringBuilder pendingSpace = new StringBuilder();
    private char pendingHighSurrogate;

    EmbeddedFile(SourceUnit unit, boolean base64, long maxBytes) throws IOException {
        this.unit = unit;
        this.base64 = base64;
        this.maxBytes = maxBytes;
        this.out = unit.newBlob(maxBytes);
    }

    /** Whether any text other than white space was seen. */
    boolean sawText() {
        return sawText;
    }

    void append(String text) throws IOException {
        if (base64) {
            appendBase64(text);
        } else {
            appendPlain(text);
        }
    }

    private void appendBase64(String text) throws IOException {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!Character.isWhitespace(c)) {
                sawText = true;
            }
            boolean alphabet = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
            if (c == '=') {
                ended = true;
                continue;
            }
            if (!alphabet) {
                continue;
            }
            if (ended) {
                invalid = true; // data after the padding that ends it
                continue;
            }
            quads[quadLength++] = c;
            if (quadLength == quads.length) {
                decode(quadLength);
            }
        }
    }

    private void decode(int length) throws IOException {
        int whole = length - length % 4;
        if (whole == 0) {
            return;
        }
        byte[] ascii = new String(quads, 0, whole).getBytes(StandardCharsets.US_ASCII);
        out.write(Base64.getDecoder().decode(ascii));
        System.arraycopy(quads, whole, quads, 0, length - whole);
        quadLength = length - whole;
    }

    private void appendPlain(String text) throws IOException {
        StringBuilder kept = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                if (sawText) {
                    pendingSpace.append(c); // kept only if more text follows: the body is stored trimmed
                }
                continue;
            }
            sawText = true;
            kept.append(pendingSpace);
            pendingSpace.setLength(0);
            kept.append(c);
        }
        writeUtf8(kept);
    }

    private void writeUtf8(CharSequence chars) throws IOException {
        if (chars.length() == 0) {
            return;
        }
        StringBuilder whole = new StringBuilder(chars.length() + 1);
        if (pendingHighSurrogate != 0) {
            whole.append(pendingHighSurrogate);
            pendingHighSurrogate = 0;
        }
        whole.append(chars);
        char last = whole.charAt(whole.length() - 1);
        if (Character.isHighSurrogate(last)) {
            // the parser may split a surrogate pair between two text events
            pendingHighSurrogate = last;
            whole.setLength(whole.length() - 1);
        }
        out.write(whole.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Keeps the file: decoded, and inflated when {@code compression} asks for it and the bytes inflate. */
    SourceUnit.StoredBlob store(String compression) throws IOException, Unreadable {
        try {
            if (base64) {
                if (invalid || quadLength % 4 == 1) {
                    throw new Unreadable("not valid base64");
                }
                decode(quadLength);
                if (quadLength > 0) {
                    out.write(Base64.getDecoder().decode(new String(quads, 0, quadLength).getBytes(StandardCharsets.US_ASCII)));
                    quadLength = 0;
                }
            } else if (pendingHighSurrogate != 0) {
                out.write(String.valueOf(pendingHighSurrogate).getBytes(StandardCharsets.UTF_8));
            }
        } catch (SourceUnit.BlobTooLargeException e) {
            out.discard();
            throw new Unreadable("larger than archive.ingest.max-file-bytes once decoded");
        } catch (IllegalArgumentException e) {
            out.discard();
            throw new Unreadable("not valid base64");
        }
        if (compression == null || !(compression.equals("DF") || compression.equals("GZ"))) {
            return out.store(); // unknown compression: keep the decoded bytes as they are
        }
        SourceUnit.BlobOutput inflated = unit.newBlob(maxBytes);
        try (InputStream compressed = out.readBack();
                InputStream in = compression.equals("DF") ? new InflaterInputStream(compressed) : new GZIPInputStream(compressed)) {
            in.transferTo(inflated);
        } catch (SourceUnit.BlobTooLargeException e) {
            inflated.discard();
            out.discard();
            throw new Unreadable("larger than archive.ingest.max-file-bytes once decompressed");
        } catch (IOException e) {
            inflated.discard();
            return out.store(); // not in the compression it names: keep the decoded bytes
        }
        out.discard();
        return inflated.store();
    }

    void discard() {
        out.discard();
    }
}
