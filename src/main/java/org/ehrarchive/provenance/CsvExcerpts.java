package org.ehrarchive.provenance;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Excerpts of table-dump originals, by the locator {@code TableReading} writes: {@code /line[N]}, the physical line a
 * row starts on (the header, when there is one, is line 1). The excerpt is the row's lines as they are in the file; a row
 * whose quoted field holds line breaks runs on until its quotes close. The first line is not shown beside it: in a table
 * without a header row it is another patient's row, which the reviewer of this one has no reason to see. The bytes are shown as UTF-8 when they are
 * valid UTF-8, else as windows-1252 (the other encoding dumps come in); the original stays downloadable byte-exact.
 */
final class CsvExcerpts {

    private static final Pattern LINE = Pattern.compile("/line\\[(\\d{1,18})\\]");

    private CsvExcerpts() {
    }

    static Optional<SourceExcerpts.Excerpt> excerpt(SourceExcerpts.Original original, String locator) throws IOException {
        Matcher matcher = LINE.matcher(locator);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        long wanted = Long.parseLong(matcher.group(1));
        if (wanted < 1) {
            return Optional.empty();
        }
        ByteArrayOutputStream row = new ByteArrayOutputStream();
        boolean truncated = false;
        try (InputStream in = new BufferedInputStream(original.open(), 1 << 16)) {
            long line = 1;
            int quotes = 0;
            boolean inRow = wanted == 1;
            for (int b = in.read(); b >= 0; b = in.read()) {
                if (inRow) {
                    if (row.size() >= SourceExcerpts.MAX_CHARACTERS) {
                        truncated = true;
                        break;
                    }
                    row.write(b);
                    if (b == '"') {
                        quotes++;
                    }
                }
                if (b == '\n') {
                    if (inRow && quotes % 2 == 0) {
                        break;
                    }
                    line++;
                    if (line == wanted) {
                        inRow = true;
                    }
                }
            }
            if (!inRow || row.size() == 0) {
                return Optional.empty();
            }
        }
        return Optional.of(new SourceExcerpts.Excerpt(decode(row.toByteArray()).stripTrailing(), "text", truncated, "the row at line " + wanted));
    }

    private static String decode(byte[] bytes) {
        int skip = bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB && (bytes[2] & 0xFF) == 0xBF ? 3 : 0;
        ByteBuffer buffer = ByteBuffer.wrap(bytes, skip, bytes.length - skip);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).decode(buffer).toString();
        } catch (CharacterCodingException e) {
            return new String(bytes, skip, bytes.length - skip, Charset.forName("windows-1252"));
        }
    }
}
