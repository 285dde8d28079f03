package org.ehrarchive.ingest.hl7v2;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Splits an HL7 v2 message archive into messages, as a stream: memory is bounded by the largest message
 * ({@code maxMessageBytes}), not by the file. Real archives are untidy, and this reader takes them as they come:
 * <ul>
 *   <li>segments end with CR (as the standard says), LF, CRLF or a mix; blank lines between messages are ignored;</li>
 *   <li>MLLP framing bytes (0x0B before a message, 0x1C 0x0D after) are dropped;</li>
 *   <li>a UTF-8 byte order mark before the first segment is dropped;</li>
 *   <li>UTF-16 files (little or big endian, with a byte order mark or without one, as Windows tools write
 *       "Unicode" text) are read character by character, and their messages decoded as UTF-16 whatever MSH-18 says;
 *       offsets stay those of the original bytes;</li>
 *   <li>batch envelopes (FHS, BHS, BTS, FTS) separate messages and are not messages themselves; a BTS message count
 *       that disagrees with the messages read is reported;</li>
 *   <li>a message on one line whose segments are separated by spaces (" PID|") is split before each standard segment
 *       name, and reported;</li>
 *   <li>a line that does not start like a segment (text re-wrapped by an editor or a mail system) is kept as part of the
 *       segment before it, joined by a line break, and reported;</li>
 *   <li>each message is decoded in the character set its MSH-18 names; without one, UTF-8 when the bytes are valid
 *       UTF-8, else Windows-1252 (a superset of ISO 8859-1, what older systems wrote), reported.</li>
 * </ul>
 * A message over the size limit, one holding NUL bytes, and text before the first message are handed over with a
 * {@link Message#problem() problem} and no segments, so that they are counted and quarantined while the rest of the
 * file goes on.
 */
public final class MessageReader {

    /**
     * One message: its position in the file, its segments (decoded, without terminators), or why it cannot be read
     * ({@code tooLarge} when that is its size).
     */
    record Message(int index, long offset, List<String> segments, String problem, boolean tooLarge, List<String> warnings) {

        /** The message in its canonical form: segments joined by CR, as the standard writes them. */
        String text() {
            return String.join("\r", segments);
        }
    }

    /**
     * Bytes of a line kept even when the message they belong to is already over its limit: enough to hold the next
     * message's MSH segment whole, however little of the budget is left.
     */
    private static final int LINE_KEPT_ANYWAY = 64 * 1024;
    private static final int MLLP_START = 0x0B;
    private static final int MLLP_END = 0x1C;

    private final InputStream in;
    private final int maxMessageBytes;
    private final byte[] buffer = new byte[64 * 1024];
    private int position;
    private int limit;
    private long consumed;
    private boolean atStart = true;
    /** The file is UTF-16: lines are read a code unit at a time and held as UTF-8. */
    private boolean utf16;
    private boolean bigEndian;
    private boolean endedWithTerminator = true;
    /** An MLLP frame just ended: what follows before the next MSH belongs to no message. */
    private boolean frameEnded;

    /** A line read ahead: the first of the next message, or an envelope segment. */
    private Line pending;
    private int messages;
    private final List<String> fileWarnings = new ArrayList<>();
    private int batchDeclared = -1;
    private int messagesInBatch;

    MessageReader(InputStream in, int maxMessageBytes) {
        this.in = in;
        this.maxMessageBytes = maxMessageBytes;
    }

    /**
     * A message of a file as the importer read it, for showing it beside what the archive made of it: its segments
     * (decoded, without terminators; none when it could not be read), where its bytes start, and where the bytes of what
     * follows it start (the file's length after the last message).
     */
    public record Located(List<String> segments, long offset, long end) {
    }

    /**
     * Message {@code number} (from 1, as locators number them) of a file, split exactly as the importer splits it;
     * empty when the file holds fewer. Reads no further than that message and the first line after it.
     */
    public static Optional<Located> locate(InputStream in, int number) throws IOException {
        MessageReader reader = new MessageReader(in, Hl7v2Importer.MAX_MESSAGE_BYTES);
        for (Message message = reader.next(); message != null; message = reader.next()) {
            if (message.index() + 1 == number) {
                long end = reader.pending != null ? reader.pending.offset : reader.consumed;
                return Optional.of(new Located(message.segments(), message.offset(), end));
            }
        }
        return Optional.empty();
    }

    /** Warnings about the file as a whole (envelopes, its end), complete once {@link #next()} returned null. */
    List<String> fileWarnings() {
        return fileWarnings;
    }

    /** The next message, or null at the end of the file. */
    Message next() throws IOException {
        Line first = pending != null ? pending : readLine(Math.max(maxMessageBytes, LINE_KEPT_ANYWAY));
        pending = null;
        // What comes before a message: blank lines, envelopes, or text that is no message at all.
        long strayOffset = -1;
        int strayBytes = 0;
        while (first != null && !first.startsWith("MSH")) {
            if (first.isBlank()) {
                // nothing: blank lines between messages are common
            } else if (first.isEnvelope()) {
                envelope(first);
            } else {
                if (strayOffset < 0) {
                    strayOffset = first.offset;
                }
                strayBytes += first.length;
            }
            first = readLine(Math.max(maxMessageBytes, LINE_KEPT_ANYWAY));
            if (strayOffset >= 0 && (first == null || first.startsWith("MSH") || first.isEnvelope())) {
                pending = first;
                return new Message(messages++, strayOffset, List.of(), strayBytes + " bytes that are not an HL7 v2 message (no MSH"
                        + " segment before them)", false, List.of());
            }
        }
        if (first == null) {
            finish();
            return null;
        }
        messagesInBatch++;
        int index = messages++;
        List<byte[]> lines = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        lines.add(first.bytes);
        long size = first.length;
        boolean tooLarge = first.truncated || first.length > maxMessageBytes;
        frameEnded = false;
        boolean rewrapped = false;
        char fieldSeparator = first.length > 3 ? (char) (first.bytes[3] & 0xFF) : '|';
        while (true) {
            boolean afterFrame = frameEnded;
            Line line = readLine((int) Math.max(LINE_KEPT_ANYWAY, maxMessageBytes - size));
            if (line == null || line.startsWith("MSH") || line.isEnvelope()) {
                pending = line;
                break;
            }
            if (line.isBlank()) {
                continue;
            }
            if (afterFrame) {
                pending = line; // bytes after an MLLP frame and before the next: no part of this message
                break;
            }
            size += line.length;
            if (tooLarge || line.truncated || size > maxMessageBytes) {
                tooLarge = true;
                lines.clear();
                continue;
            }
            if (line.startsLikeSegment(fieldSeparator)) {
                lines.add(line.bytes);
            } else {
                // A line break inside a field: the line belongs to the segment before it.
                byte[] previous = lines.get(lines.size() - 1);
                byte[] joined = new byte[previous.length + 1 + line.bytes.length];
                System.arraycopy(previous, 0, joined, 0, previous.length);
                joined[previous.length] = '\n';
                System.arraycopy(line.bytes, 0, joined, previous.length + 1, line.bytes.length);
                lines.set(lines.size() - 1, joined);
                rewrapped = true;
            }
        }
        if (tooLarge) {
            return new Message(index, first.offset, List.of(), "the message is larger than " + maxMessageBytes
                    + " bytes, the most the archive maps in one piece", true, List.of());
        }
        if (rewrapped) {
            warnings.add("lines that do not start a segment were read as the continuation of the segment before them"
                    + " (line breaks inside a field)");
        }
        for (byte[] line : lines) {
            for (int i = 0; i < line.length; i++) {
                if (line[i] == 0) {
                    return new Message(index, first.offset, List.of(), "the message holds a NUL byte, which no HL7 v2 text may"
                            + " contain (a binary file, or a damaged export)", false, List.of());
                }
            }
        }
        // A UTF-16 file's lines are already re-encoded as UTF-8; what MSH-18 names there ("UNICODE UTF-16") is its bytes.
        Charset charset = utf16 ? StandardCharsets.UTF_8 : Charsets.declared(first.bytes, fieldSeparator);
        List<String> segments = new ArrayList<>(lines.size());
        if (charset == null) {
            charset = StandardCharsets.UTF_8;
            if (!allValidUtf8(lines)) {
                charset = Charset.forName("windows-1252");
                warnings.add("no character set declared (MSH-18) and the bytes are not UTF-8: read as Windows-1252");
            }
        }
        for (byte[] line : lines) {
            segments.add(new String(line, charset));
        }
        if (segments.size() == 1) {
            List<String> split = splitAtSpaces(segments.get(0), fieldSeparator);
            if (split.size() > 1) {
                warnings.add("the message's segments were separated by spaces, not by segment terminators: it was split before"
                        + " each standard segment name");
                segments = split;
            }
        }
        return new Message(index, first.offset, segments, null, false, warnings);
    }

    /**
     * Standard segments that may follow an MSH. A message whose segments were joined by spaces on one line (an export
     * through a tool that folded white space) is split before " PID|" and the like, and only when it names a PID.
     */
    private static final java.util.Set<String> SEGMENT_NAMES = java.util.Set.of("EVN", "PID", "PD1", "ROL", "NK1", "PV1", "PV2",
            "DB1", "OBX", "AL1", "IAM", "DG1", "DRG", "PR1", "GT1", "IN1", "IN2", "IN3", "ACC", "UB1", "UB2", "MRG", "ORC", "OBR",
            "NTE", "SPM", "TQ1", "TXA", "SCH", "RGS", "AIS", "AIG", "AIL", "AIP", "RXA", "RXR", "RXE", "RXO", "RXD", "RXG", "RXC",
            "FT1", "PRB", "MSA", "ERR", "QRD", "QPD", "RCP", "SFT", "UAC");

    /** The one line of a message split before each " XXX|" that names a standard segment; the line alone otherwise. */
    static List<String> splitAtSpaces(String line, char fieldSeparator) {
        if (!line.contains(" PID" + fieldSeparator)) {
            return List.of(line);
        }
        List<String> segments = new ArrayList<>();
        int start = 0;
        for (int i = line.indexOf(' '); i >= 0 && i + 4 < line.length(); i = line.indexOf(' ', i + 1)) {
            if (line.charAt(i + 4) == fieldSeparator && SEGMENT_NAMES.contains(line.substring(i + 1, i + 4))) {
                segments.add(line.substring(start, i));
                start = i + 1;
            }
        }
        segments.add(line.substring(start));
        return segments;
    }

    private void envelope(Line line) {
        String head = line.head(3);
        if (head.equals("BHS")) {
            messagesInBatch = 0;
            batchDeclared = -1;
        } else if (head.equals("BTS")) {
            String text = new String(line.bytes, StandardCharsets.ISO_8859_1);
            String[] fields = text.length() > 3 ? text.substring(4).split(java.util.regex.Pattern.quote(String.valueOf(text.charAt(3))), -1)
                    : new String[0];
            if (fields.length > 0 && fields[0].strip().matches("\\d{1,9}")) {
                batchDeclared = Integer.parseInt(fields[0].strip());
                if (batchDeclared != messagesInBatch) {
                    fileWarnings.add("a batch trailer (BTS-1) declares " + batchDeclared + " messages; " + messagesInBatch
                            + " were read in that batch");
                }
            }
            messagesInBatch = 0;
        }
    }

    private void finish() {
        if (!endedWithTerminator) {
            fileWarnings.add("the file does not end with a segment terminator: its last message may be truncated");
        }
    }

    private static boolean allValidUtf8(List<byte[]> lines) {
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        for (byte[] line : lines) {
            boolean ascii = true;
            for (byte b : line) {
                if (b < 0) {
                    ascii = false;
                    break;
                }
            }
            if (ascii) {
                continue;
            }
            try {
                decoder.reset().decode(ByteBuffer.wrap(line));
            } catch (CharacterCodingException e) {
                return false;
            }
        }
        return true;
    }

    // ---- lines ----------------------------------------------------------------------------------------------------

    /** One line of the file without its terminator; {@code truncated} when it was longer than it was allowed to be. */
    private record Line(long offset, byte[] bytes, int length, boolean truncated) {

        /** Whether the line is a segment of this name (compared byte by byte: every line is asked several times). */
        boolean startsWith(String segment) {
            return bytes.length >= 3 && bytes[0] == segment.charAt(0) && bytes[1] == segment.charAt(1) && bytes[2] == segment.charAt(2)
                    && (bytes.length == 3 || !Character.isLetterOrDigit(bytes[3] & 0xFF));
        }

        boolean isEnvelope() {
            return startsWith("FHS") || startsWith("BHS") || startsWith("BTS") || startsWith("FTS");
        }

        boolean isBlank() {
            for (byte b : bytes) {
                if (b != ' ' && b != '\t') {
                    return false;
                }
            }
            return !truncated;
        }

        /** Three letters or digits, then the field separator or the end: a segment ID such as PID, OBX or ZPI. */
        boolean startsLikeSegment(char fieldSeparator) {
            if (bytes.length < 3) {
                return false;
            }
            for (int i = 0; i < 3; i++) {
                int c = bytes[i] & 0xFF;
                if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
                    return false;
                }
            }
            return bytes.length == 3 || (bytes[3] & 0xFF) == fieldSeparator;
        }

        String head(int n) {
            return new String(bytes, 0, Math.min(n, bytes.length), StandardCharsets.ISO_8859_1);
        }
    }

    /**
     * Reads up to the next segment terminator, keeping at most {@code keep} bytes of the line (the rest is read and
     * dropped, so that a 100 MB line costs no memory); null at the end of the file.
     */
    private Line readLine(int keep) throws IOException {
        long offset = consumed;
        int kept = Math.max(keep, 8); // enough to recognise the next MSH after a message too large to keep
        ByteSink line = new ByteSink(Math.min(kept, 256));
        int length = 0;
        boolean truncated = false;
        boolean any = false;
        if (atStart) {
            atStart = false;
            detectEncoding();
            offset = consumed;
        }
        while (true) {
            int b = read();
            if (b < 0) {
                if (!any) {
                    return null;
                }
                endedWithTerminator = false;
                break;
            }
            if (b == '\r' || b == '\n') {
                endedWithTerminator = true;
                if (b == '\r' && peek() == '\n') {
                    read();
                }
                if (!any) {
                    offset = consumed;
                    return new Line(offset, new byte[0], 0, false);
                }
                break;
            }
            if (b == MLLP_START || b == MLLP_END) {
                // framing: a 0x1C ends a message (its CR follows), a 0x0B starts one
                frameEnded = b == MLLP_END;
                if (any) {
                    endedWithTerminator = true;
                    break;
                }
                offset = consumed;
                continue;
            }
            any = true;
            if (b < 0x80 || !utf16) {
                length++;
                if (length <= kept) {
                    line.add((byte) b);
                }
            } else {
                // A character of a UTF-16 file, held as its UTF-8 bytes (what the rest of the reader works on).
                byte[] utf8 = new String(Character.toChars(b)).getBytes(StandardCharsets.UTF_8);
                for (byte u : utf8) {
                    length++;
                    if (length <= kept) {
                        line.add(u);
                    }
                }
            }
            truncated |= length > keep;
        }
        return new Line(offset, line.toArray(), length, truncated);
    }

    /**
     * At the start of the file: drops a UTF-8 byte order mark, and tells UTF-16 (little or big endian, after its byte
     * order mark or without one) by its zero bytes, since an HL7 v2 file starts with ASCII ("MSH", "FHS", "BHS", MLLP
     * or white space). A UTF-16 mark before anything else is not taken for one: it is then bytes of no message.
     */
    private void detectEncoding() throws IOException {
        fill(6);
        if (at(0) == 0xEF && at(1) == 0xBB && at(2) == 0xBF) {
            skip(3);
            return;
        }
        boolean mark = (at(0) == 0xFF && at(1) == 0xFE) || (at(0) == 0xFE && at(1) == 0xFF);
        int from = mark ? 2 : 0;
        boolean little = at(from) > 0 && at(from + 1) == 0 && at(from + 2) > 0 && at(from + 3) == 0;
        boolean big = at(from) == 0 && at(from + 1) > 0 && at(from + 2) == 0 && at(from + 3) > 0;
        if ((little && (!mark || at(0) == 0xFF)) || (big && (!mark || at(0) == 0xFE))) {
            utf16 = true;
            bigEndian = big;
            skip(from);
        }
    }

    /** The byte {@code i} places ahead, or -1 past the end of what is buffered. */
    private int at(int i) {
        return position + i < limit ? buffer[position + i] & 0xFF : -1;
    }

    private void skip(int bytes) {
        position += bytes;
        consumed += bytes;
    }

    /** The next byte, or in a UTF-16 file the next character (a code point); -1 at the end of the file. */
    private int read() throws IOException {
        if (!utf16) {
            return readByte();
        }
        int unit = readUnit();
        if (unit < 0 || !Character.isSurrogate((char) unit)) {
            return unit;
        }
        if (Character.isHighSurrogate((char) unit)) {
            int low = peekUnit();
            if (low >= 0 && Character.isLowSurrogate((char) low)) {
                readUnit();
                return Character.toCodePoint((char) unit, (char) low);
            }
        }
        return 0xFFFD; // a lone surrogate: not a character; shown as the replacement character
    }

    /** What {@link #read()} would return next, as far as a line terminator needs to know (surrogates not joined). */
    private int peek() throws IOException {
        return utf16 ? peekUnit() : peekByte();
    }

    private int readUnit() throws IOException {
        int unit = peekUnit();
        if (unit >= 0) {
            skip(2);
        } else if (peekByte() >= 0) {
            readByte(); // an odd byte at the end: half a character
            return 0xFFFD;
        }
        return unit;
    }

    private int peekUnit() throws IOException {
        if (!fill(2)) {
            return -1;
        }
        int first = buffer[position] & 0xFF;
        int second = buffer[position + 1] & 0xFF;
        return bigEndian ? first << 8 | second : second << 8 | first;
    }

    private int readByte() throws IOException {
        if (position == limit && !fill(1)) {
            return -1;
        }
        consumed++;
        return buffer[position++] & 0xFF;
    }

    private int peekByte() throws IOException {
        if (position == limit && !fill(1)) {
            return -1;
        }
        return buffer[position] & 0xFF;
    }

    /** Makes at least {@code n} bytes available (fewer at the end of the file: then false). */
    private boolean fill(int n) throws IOException {
        if (limit - position >= n) {
            return true;
        }
        System.arraycopy(buffer, position, buffer, 0, limit - position);
        limit -= position;
        position = 0;
        while (limit < n) {
            int read = in.read(buffer, limit, buffer.length - limit);
            if (read < 0) {
                return false;
            }
            limit += read;
        }
        return true;
    }

    /** A growable byte array. */
    private static final class ByteSink {
        private byte[] bytes;
        private int size;

        ByteSink(int capacity) {
            bytes = new byte[Math.max(16, capacity)];
        }

        void add(byte b) {
            if (size == bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, bytes.length * 2);
            }
            bytes[size++] = b;
        }

        byte[] toArray() {
            return java.util.Arrays.copyOf(bytes, size);
        }
    }
}
