package org.ehrarchive.provenance;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.ehrarchive.ingest.hl7v2.MessageReader;

/**
 * Excerpts of HL7 v2 message archives, by the locators the importer writes: {@code /message[N]} (from 1), a message it
 * could not read {@code /message[N]@OFFSET}, and a part {@code /message[N]/OBX[2]} (the second OBX of the message), or
 * deeper ({@code /message[N]/OBX[2]/OBX-5}). The file is split into messages by the importer's own {@link MessageReader},
 * so that the Nth message is the one the importer read as the Nth, and read no further than that message.
 * <p>
 * The excerpt is always the whole message, one segment a line: a segment means little without its MSH and PID. For a
 * part, the note names the segment and its line.
 */
final class Hl7v2Excerpts {

    private static final Pattern LOCATOR = Pattern.compile("/message\\[(\\d{1,9})\\](?:@(\\d{1,18})|/([^/\\[\\]]{1,3})\\[(\\d{1,9})\\](/.+)?)?");

    private Hl7v2Excerpts() {
    }

    static Optional<SourceExcerpts.Excerpt> excerpt(SourceExcerpts.Original original, String locator) throws IOException {
        Matcher m = LOCATOR.matcher(locator);
        if (!m.matches()) {
            return Optional.empty();
        }
        Optional<MessageReader.Located> found;
        try (InputStream in = original.open()) {
            found = MessageReader.locate(in, Integer.parseInt(m.group(1)));
        }
        if (found.isEmpty()) {
            return Optional.empty();
        }
        MessageReader.Located message = found.get();
        if (m.group(2) != null || message.segments().isEmpty()) {
            return m.group(3) != null ? Optional.empty() : unreadable(original, message, m.group(2));
        }
        String note = null;
        if (m.group(3) != null) {
            int line = lineOf(message.segments(), m.group(3), Integer.parseInt(m.group(4)));
            if (line < 0) {
                return Optional.empty();
            }
            String segment = m.group(3) + "[" + m.group(4) + "] (line " + line + ")";
            note = m.group(5) == null ? segment : m.group(5).substring(1) + " of " + segment;
        }
        CappedText text = new CappedText();
        // A segment can hold a line break of its own (a field the export re-wrapped): as it was read, it is one segment.
        text.write(String.join("\n", message.segments()));
        return Optional.of(text.excerpt("hl7v2", note));
    }

    /**
     * The line of the excerpt (from 1) where the segment starts that is the {@code occurrence}th of its name, counted as
     * the importer counts them (by the first three characters, MSH included); -1 when the message has no such segment.
     */
    private static int lineOf(List<String> segments, String name, int occurrence) {
        int seen = 0;
        int line = 1;
        for (String segment : segments) {
            String segmentName = segment.length() >= 3 ? segment.substring(0, 3) : segment;
            if (segmentName.equals(name) && ++seen == occurrence) {
                return line;
            }
            line += 1 + (int) segment.chars().filter(c -> c == '\n').count();
        }
        return -1;
    }

    /** What the importer could not read as a message (too large, NUL bytes, text before any MSH): its bytes, as text. */
    private static Optional<SourceExcerpts.Excerpt> unreadable(SourceExcerpts.Original original, MessageReader.Located message, String offset)
            throws IOException {
        if (offset != null && Long.parseLong(offset) != message.offset()) {
            return Optional.empty();
        }
        String note = "not readable as a message: bytes " + message.offset() + " to " + message.end() + " of the original, as they are";
        try (InputStream in = original.open()) {
            return Optional.of(CappedText.raw(in, message.offset(), message.end(), note));
        }
    }
}
