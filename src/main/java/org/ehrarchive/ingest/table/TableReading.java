package org.ehrarchive.ingest.table;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.ehrarchive.ingest.ContentHash;
import org.ehrarchive.ingest.ImportedFragment;
import org.ehrarchive.ingest.ImportedRecord;
import org.ehrarchive.ingest.IngestError;
import org.ehrarchive.ingest.QuarantineException;
import org.ehrarchive.ingest.RecordContent;
import org.ehrarchive.ingest.RecordSink;
import org.ehrarchive.ingest.SourceUnit;
import org.ehrarchive.ingest.table.MappingProfile.Dialect;
import org.ehrarchive.ingest.table.MappingProfile.Join;
import org.ehrarchive.ingest.table.MappingProfile.Role;
import org.ehrarchive.ingest.table.MappingProfile.Table;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One reading of a table dump (docs/formats/table-dumps.md): its tables in the profile's reading order, each streamed
 * row by row, so that memory holds one row at a time plus what later rows join: one record per patient, the names of
 * reference rows, and a 64-bit hash per key of any table that rows join (an encounter's id), in a {@link LongSet}. Every data row is
 * one record of its table (the reconciliation's unit): a patient, an entry, a row kept raw, or a row quarantined with
 * its line and reason. Reasons and remarks name columns and lines, never values.
 */
final class TableReading {

    /** Reference names remembered per dump, at most (a few hundred bytes each); beyond it joins show the key as given. */
    static final int MAX_REFERENCE_NAMES = 500_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Each problem of a row, with its file and line, for {@code profile validate}; the ingest only counts them. */
    interface Problems {
        void problem(String file, long line, String message);
    }

    private final MappingProfile profile;
    private final SourceUnit unit;
    private final RecordSink sink;
    private final Problems problems;
    private final RowMapper mapper;
    /** Patients by the value of each patients-table column that a join targets. */
    private final Map<String, Map<String, ImportedRecord>> patients = new HashMap<>();
    /** Names of reference rows by {@code table.column} and key value. */
    private final Map<String, Map<String, String>> names = new HashMap<>();
    private int namesKept;
    /** Hashed keys of the other joined tables, by {@code table.column}. */
    private final Map<String, LongSet> keys = new HashMap<>();
    /** What a file's reading should say, counted per remark (never a value). */
    private final Map<String, Integer> remarks = new LinkedHashMap<>();
    /** The unit's file being read, for problems. */
    private String currentFile = "";

    TableReading(MappingProfile profile, SourceUnit unit, RecordSink sink, Problems problems) {
        this.profile = profile;
        this.unit = unit;
        this.sink = sink;
        this.problems = problems;
        this.mapper = new RowMapper(profile);
        for (Table table : profile.tables()) {
            for (Join join : table.joins()) {
                Table target = profile.table(join.table()).orElse(null);
                if (target == null) {
                    continue;
                }
                String targetKey = join.table() + "." + join.targetColumn();
                switch (target.role()) {
                    case PATIENTS -> patients.putIfAbsent(join.targetColumn(), new HashMap<>());
                    case REFERENCE -> {
                        names.putIfAbsent(targetKey, new HashMap<>());
                        keys.putIfAbsent(targetKey, new LongSet());
                    }
                    default -> keys.putIfAbsent(targetKey, new LongSet());
                }
            }
        }
    }

    void read() throws QuarantineException {
        List<SourceUnit.File> files = unit.files();
        for (SourceUnit.File file : files) {
            remarks.clear();
            try {
                readFile(file);
            } catch (QuarantineException e) {
                if (files.size() == 1) {
                    throw e;
                }
                sink.quarantine(file, e);
            } finally {
                remarks.forEach((remark, times) -> sink.warning(file, remark + (times > 1 ? " (" + times + " rows)" : "")));
            }
        }
    }

    /** The table a unit's file belongs to, or null when the profile names no table for it. */
    Table tableOf(SourceUnit.File file) {
        return profile.tableOf(fileName(file.path())).orElse(null);
    }

    static String fileName(String path) {
        int slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
        return path.substring(slash + 1);
    }

    /** The record type of rows of a table the profile does not name: its file name without the extension. */
    static String unnamedTable(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return (dot > 0 ? fileName.substring(0, dot) : fileName).toLowerCase(java.util.Locale.ROOT);
    }

    /** The record type of an unnamed table's rows: its file name's stem, unless a table of the profile has that name. */
    private String unnamedType(String fileName) {
        String stem = unnamedTable(fileName);
        return profile.table(stem).isPresent() ? stem + " (not in the profile)" : stem;
    }

    private void readFile(SourceUnit.File file) throws QuarantineException {
        currentFile = file.path();
        Table table = tableOf(file);
        Dialect dialect = table == null ? profile.defaults() : table.dialect();
        String type = table == null ? unnamedType(fileName(file.path())) : table.name();
        if (table == null) {
            remark("a table the profile does not name: every row is kept raw and counted");
        }
        if (looksLikeUtf8Under(dialect.encoding(), file)) {
            problem(file, 0, "the table's bytes are UTF-8 with non-ASCII characters, but the profile declares " + dialect.encoding().name()
                    + ": read as declared, an é shows as Ã©; check the table's encoding");
            remark("the table's bytes look like UTF-8, not the declared " + dialect.encoding().name() + ": check the encoding");
        }
        try (InputStream original = unit.open(file);
                CSVParser parser = CSVParser.builder().setReader(reader(original, dialect.encoding())).setFormat(format(dialect)).get()) {
            Iterator<CSVRecord> rows = parser.iterator();
            List<String> header = dialect.header() ? header(rows, file) : dialect.columns();
            // A table the profile does not name, in a dump without header rows: its columns have no names but their place.
            boolean byPosition = header != null && header.isEmpty();
            if (header == null) {
                return; // an empty file: no rows, said in its report
            }
            if (table != null) {
                List<String> missing = table.columnsUsed().keySet().stream().filter(c -> !header.contains(c)).sorted().toList();
                List<String> unknownJoins = table.joins().stream().map(Join::column).filter(c -> !header.contains(c)).toList();
                List<String> unknownKeys = table.key().stream().filter(c -> !header.contains(c)).toList();
                Set<String> all = new java.util.TreeSet<>(missing);
                all.addAll(unknownJoins);
                all.addAll(unknownKeys);
                if (!all.isEmpty()) {
                    throw new QuarantineException(IngestError.TABLE_UNREADABLE, "table " + table.name() + ": its header lacks column"
                            + (all.size() > 1 ? "s " : " ") + String.join(", ", all) + " that the profile maps");
                }
            }
            long lineBefore = parser.getCurrentLineNumber();
            // Blank lines are said when a row follows them; those that end the file (an editor's last empty line) are not.
            int blankLines = 0;
            while (true) {
                CSVRecord row;
                try {
                    if (!rows.hasNext()) {
                        break;
                    }
                    row = rows.next();
                } catch (UncheckedIOException e) {
                    if (e.getCause() instanceof CharacterCodingException) {
                        // The decoder reads ahead of the parser: the line is found by reading the file again.
                        throw notInEncoding(table, type, dialect.encoding(), undecodableLine(file, dialect.encoding()));
                    }
                    // Broken quoting that the parser cannot get past: the rest of the file is one unreadable record.
                    long line = lineBefore + 1;
                    handOver(file, new ImportedRecord(type, null, ContentHash.sha256(file.sha256() + "\u0001" + line), locator(line), null, null,
                            new RecordContent.RawContent(null, ImportedFragment.Status.QUARANTINED, IngestError.ROW_UNREADABLE.message(
                                    "from line " + line + " to the end of the file: the quoting cannot be read"), "")));
                    problem(file, line, "the quoting cannot be read from here to the end of the file");
                    remark("the file's quoting breaks off: its remaining lines are one quarantined record");
                    break;
                }
                long line = lineBefore + 1;
                lineBefore = parser.getCurrentLineNumber();
                if (row.size() == 1 && row.get(0).isEmpty()) {
                    blankLines++;
                    continue;
                }
                for (; blankLines > 0; blankLines--) {
                    remark("blank lines skipped (they are no rows)");
                }
                handOver(file, row(table, type, byPosition ? positions(row.size()) : header, row, line, dialect));
            }
        } catch (IOException | UncheckedIOException e) {
            Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
            if (cause instanceof CharacterCodingException) {
                throw notInEncoding(table, type, dialect.encoding(), undecodableLine(file, dialect.encoding()));
            }
            throw new QuarantineException(IngestError.READ_FAILED, cause.getClass().getSimpleName());
        }
    }

    private QuarantineException notInEncoding(Table table, String type, Charset encoding, long line) {
        return new QuarantineException(IngestError.TABLE_UNREADABLE, "table " + type + ": its bytes are not " + encoding.name()
                + (line > 0 ? " at line " + line : "") + "; declare the table's encoding in the profile (for example encoding: windows-1252)");
    }

    /**
     * The line (as the parser counts them: LF, CRLF or CR ends one) holding the file's first byte that its encoding
     * cannot decode, or 0 when it cannot be told. Reading the file again is only paid for a file that is quarantined.
     */
    private long undecodableLine(SourceUnit.File file, Charset declared) {
        try (InputStream original = unit.open(file)) {
            InputStream in = new BufferedInputStream(original, 1 << 16);
            CharsetDecoder decoder = skipByteOrderMark(in, declared).newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
            java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(1 << 16);
            java.nio.CharBuffer chars = java.nio.CharBuffer.allocate(1 << 16);
            long line = 1;
            boolean afterCr = false;
            boolean end = false;
            while (true) {
                int n = end ? -1 : in.read(bytes.array(), bytes.position(), bytes.remaining());
                end = n < 0;
                bytes.position(bytes.position() + Math.max(n, 0)).flip();
                java.nio.charset.CoderResult result = decoder.decode(bytes, chars, end);
                chars.flip();
                while (chars.hasRemaining()) {
                    char c = chars.get();
                    if (c == '\r' || (c == '\n' && !afterCr)) {
                        line++;
                    }
                    afterCr = c == '\r';
                }
                chars.clear();
                if (result.isError()) {
                    return line;
                }
                bytes.compact();
                if (end && result.isUnderflow()) {
                    return 0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private void handOver(SourceUnit.File file, ImportedRecord record) {
        sink.record(file, record);
    }

    /** The header row's column names, or null when the file has no row at all. */
    private List<String> header(Iterator<CSVRecord> rows, SourceUnit.File file) {
        if (!rows.hasNext()) {
            remark("the file is empty: no header and no rows");
            return null;
        }
        List<String> header = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String name : rows.next()) {
            String column = name.strip();
            if (!seen.add(column)) {
                String base = column;
                int copy = 2;
                while (!seen.add(base + "_" + copy)) {
                    copy++;
                }
                column = base + "_" + copy;
                remark("the header names a column more than once; later copies are read as " + base + "_2, " + base + "_3...");
            }
            header.add(column);
        }
        return header;
    }

    /** Column names by place ({@code COLUMN1}, {@code COLUMN2}...), for a table with neither header nor declared columns. */
    private static List<String> positions(int count) {
        List<String> names = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            names.add("COLUMN" + i);
        }
        return names;
    }

    private ImportedRecord row(Table table, String type, List<String> header, CSVRecord csv, long line, Dialect dialect) {
        String locator = locator(line);
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < Math.min(header.size(), csv.size()); i++) {
            String value = csv.get(i);
            values.put(header.get(i), dialect.nulls().contains(value) ? null : value);
        }
        String rowJson = json(values, csv, header);
        String hash = contentHash(type, values, csv, header.size());
        if (csv.size() != header.size()) {
            problem(line, "the row has " + csv.size() + " fields; the header has " + header.size());
            remark("rows with more or fewer fields than the header are quarantined (ING-210)");
            return new ImportedRecord(type, null, hash, locator, null, null, new RecordContent.RawContent(null, ImportedFragment.Status.QUARANTINED,
                    IngestError.ROW_UNREADABLE.message("line " + line + ": " + csv.size() + " fields, the header has " + header.size()), rowJson));
        }
        if (table == null) {
            return new ImportedRecord(type, null, hash, locator, null, null, new RecordContent.RawContent(null, ImportedFragment.Status.KEPT,
                    "a table the profile does not name: kept as its row", rowJson));
        }
        String key = key(table, values);
        rememberKeys(table, values);
        Joined joined = join(table, values, line);
        return switch (table.role()) {
            case REFERENCE -> {
                remember(table, values);
                yield new ImportedRecord(type, key, hash, locator, null, null, new RecordContent.RawContent(null, ImportedFragment.Status.KEPT,
                        "reference data: kept as its row", rowJson));
            }
            case PATIENTS -> patient(table, values, key, hash, locator, rowJson);
            case RAW -> new ImportedRecord(type, key, hash, locator, null, joined.patient, new RecordContent.RawContent(null,
                    ImportedFragment.Status.KEPT, "kept as its row: the profile keeps table " + table.name() + " raw", rowJson));
            case ENTRY -> entry(table, values, key, hash, locator, rowJson, joined, line);
        };
    }

    private ImportedRecord patient(Table table, Map<String, String> values, String key, String hash, String locator, String rowJson) {
        RowMapper.PatientRow mapped = mapper.patient(table, values, locator, rowJson);
        ImportedRecord record = new ImportedRecord(table.name(), key, hash, locator, null, null,
                new RecordContent.DocumentContent(mapped.document(), mapped.patient(), List.of(), mapped.warnings()));
        mapped.warnings().forEach(this::remark);
        patients.forEach((column, byValue) -> {
            String value = values.get(column);
            if (value != null) {
                byValue.put(value, record);
            }
        });
        return record;
    }

    private ImportedRecord entry(Table table, Map<String, String> values, String key, String hash, String locator, String rowJson, Joined joined,
            long line) {
        if (joined.patient == null) {
            String why = joined.patientProblem;
            problem(line, why);
            remark("rows whose patient is not in the patients table are quarantined (ING-209)");
            return new ImportedRecord(table.name(), key, hash, locator, null, null, new RecordContent.RawContent(null,
                    ImportedFragment.Status.QUARANTINED, IngestError.ROW_PATIENT_NOT_FOUND.message("line " + (line) + ": " + why), rowJson));
        }
        try {
            return new ImportedRecord(table.name(), key, hash, locator, null, joined.patient,
                    new RecordContent.EntriesContent(null, List.of(mapper.entry(table, values, joined.found, locator))));
        } catch (RowMapper.UnmappableException e) {
            problem(line, e.getMessage());
            remark("rows that cannot be mapped as the profile says are quarantined (ING-211): " + e.kind());
            return new ImportedRecord(table.name(), key, hash, locator, null, joined.patient, new RecordContent.RawContent(null,
                    ImportedFragment.Status.QUARANTINED, IngestError.ROW_UNMAPPABLE.message("line " + line + ": " + e.getMessage()), rowJson));
        }
    }

    /** What a row's joins found: its patient (or why none), and the names or keys its other joins point at. */
    private record Joined(ImportedRecord patient, String patientProblem, Map<String, String> found) {
    }

    private Joined join(Table table, Map<String, String> values, long line) {
        ImportedRecord patient = null;
        String patientProblem = null;
        Map<String, String> found = new HashMap<>();
        for (Join join : table.joins()) {
            Table target = profile.table(join.table()).orElse(null);
            String value = values.get(join.column());
            if (target == null) {
                continue;
            }
            if (target.role() == Role.PATIENTS) {
                if (value == null) {
                    patientProblem = "column " + join.column() + " is empty: the row names no patient";
                } else {
                    patient = patients.getOrDefault(join.targetColumn(), Map.of()).get(value);
                    if (patient == null) {
                        patientProblem = "column " + join.column() + " names a patient that " + join.table() + "." + join.targetColumn() + " does not hold";
                    }
                }
                continue;
            }
            if (value == null) {
                continue;
            }
            String targetKey = join.table() + "." + join.targetColumn();
            LongSet targetKeys = keys.get(targetKey);
            if (targetKeys == null || !targetKeys.contains(keyHash(value))) {
                brokenJoin(table, join, line);
            } else if (target.role() == Role.REFERENCE) {
                // Its name when remembered (names beyond the cap are not), else the key as given.
                found.put(join.column(), names.getOrDefault(targetKey, Map.of()).getOrDefault(value, value));
            } else {
                found.put(join.column(), value);
            }
        }
        return new Joined(patient, patientProblem, found);
    }

    private void brokenJoin(Table table, Join join, long line) {
        problem(line, "column " + join.column() + " names a row that " + join.table() + "." + join.targetColumn() + " does not hold");
        remark("rows whose " + join.column() + " is not in " + join.table() + "." + join.targetColumn()
                + " are archived without that link (a broken join in the dump)");
    }

    private void remember(Table table, Map<String, String> values) {
        String name = values.get(table.referenceName());
        names.forEach((targetKey, byValue) -> {
            if (targetKey.startsWith(table.name() + ".") && name != null && namesKept < MAX_REFERENCE_NAMES) {
                String value = values.get(targetKey.substring(table.name().length() + 1));
                if (value != null && byValue.put(value, name) == null) {
                    namesKept++;
                }
            }
        });
    }

    /** Keeps the hashed keys other tables join to, so that a broken join is found. */
    private void rememberKeys(Table table, Map<String, String> values) {
        keys.forEach((targetKey, hashes) -> {
            if (targetKey.startsWith(table.name() + ".")) {
                String value = values.get(targetKey.substring(table.name().length() + 1));
                if (value != null) {
                    hashes.add(keyHash(value));
                }
            }
        });
    }

    private static String key(Table table, Map<String, String> values) {
        if (table.key().isEmpty()) {
            return null;
        }
        StringBuilder key = new StringBuilder();
        for (String column : table.key()) {
            String value = values.get(column);
            if (value == null) {
                return null; // a row without its key is identified by its content
            }
            key.append(key.isEmpty() ? "" : "|").append(column).append('=').append(value);
        }
        return key.toString();
    }

    /** A 64-bit hash of a key (FNV-1a): collisions among a dump's keys are negligible, and 8 bytes a key keep memory low. */
    static long keyHash(String value) {
        long hash = 0xcbf29ce484222325L;
        for (int i = 0; i < value.length(); i++) {
            hash ^= value.charAt(i);
            hash *= 0x100000001b3L;
        }
        return hash;
    }

    /** The row's content in a canonical form (columns sorted, with the table): the same row in another dump is a duplicate. */
    private static String contentHash(String type, Map<String, String> values, CSVRecord csv, int headerSize) {
        StringBuilder text = new StringBuilder(type).append('\u0000');
        new TreeMap<>(values).forEach((column, value) -> text.append(column).append('\u0001').append(value == null ? "\u0002" : value).append('\u0000'));
        for (int i = headerSize; i < csv.size(); i++) {
            text.append('\u0003').append(csv.get(i)).append('\u0000'); // a ragged row's extra fields
        }
        return ContentHash.sha256(text.toString());
    }

    private static String json(Map<String, String> values, CSVRecord csv, List<String> header) {
        Map<String, Object> row = new LinkedHashMap<>(values);
        if (csv.size() > header.size()) {
            List<String> extra = new ArrayList<>();
            for (int i = header.size(); i < csv.size(); i++) {
                extra.add(csv.get(i));
            }
            row.put("(fields beyond the header)", extra);
        }
        try {
            return JSON.writeValueAsString(row);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a row could not be written as JSON", e);
        }
    }

    /** Where a row is in its original: the line it starts on (header = line 1). */
    static String locator(long line) {
        return "/line[" + line + "]";
    }

    private void problem(long line, String message) {
        if (problems != null) {
            problems.problem(currentFile, line, message);
        }
    }

    private void problem(SourceUnit.File file, long line, String message) {
        if (problems != null) {
            problems.problem(file.path(), line, message);
        }
    }


    private void remark(String remark) {
        remarks.merge(remark, 1, Integer::sum);
    }

    /** The table's text, decoded strictly (a byte that is not in the encoding stops the file, never becomes '?'). */
    /**
     * Whether a table declared in a single-byte encoding (windows-1252, ISO-8859-1) begins with bytes that are valid UTF-8
     * and not ASCII: every byte decodes in those encodings, so a UTF-8 file read as one is not refused, only garbled.
     */
    private boolean looksLikeUtf8Under(Charset declared, SourceUnit.File file) {
        if (declared.equals(StandardCharsets.UTF_8) || declared.name().startsWith("UTF-") || declared.newEncoder().maxBytesPerChar() > 1) {
            return false;
        }
        try (InputStream in = unit.open(file)) {
            byte[] head = in.readNBytes(1 << 16);
            boolean nonAscii = false;
            for (byte b : head) {
                nonAscii |= b < 0;
            }
            if (!nonAscii) {
                return false;
            }
            CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
            // Not the end of input: a character cut at the end of the sample is not malformed.
            return !utf8.decode(java.nio.ByteBuffer.wrap(head), java.nio.CharBuffer.allocate(head.length), false).isError();
        } catch (IOException e) {
            return false; // the reading says what is wrong with the file
        }
    }

    static Reader reader(InputStream original, Charset declared) throws IOException {
        InputStream in = new BufferedInputStream(original, 1 << 16);
        CharsetDecoder decoder = skipByteOrderMark(in, declared).newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        return new java.io.BufferedReader(new InputStreamReader(in, decoder), 1 << 16);
    }

    /** Skips a byte order mark, if {@code in} (which supports mark) starts with one; returns the charset it says, else {@code declared}. */
    private static Charset skipByteOrderMark(InputStream in, Charset declared) throws IOException {
        in.mark(3);
        byte[] bom = in.readNBytes(3);
        in.reset();
        Charset charset = declared;
        int skip = 0;
        if (bom.length >= 3 && (bom[0] & 0xFF) == 0xEF && (bom[1] & 0xFF) == 0xBB && (bom[2] & 0xFF) == 0xBF) {
            charset = StandardCharsets.UTF_8;
            skip = 3;
        } else if (bom.length >= 2 && (bom[0] & 0xFF) == 0xFE && (bom[1] & 0xFF) == 0xFF) {
            charset = StandardCharsets.UTF_16BE;
            skip = 2;
        } else if (bom.length >= 2 && (bom[0] & 0xFF) == 0xFF && (bom[1] & 0xFF) == 0xFE) {
            charset = StandardCharsets.UTF_16LE;
            skip = 2;
        }
        in.skipNBytes(skip);
        return charset;
    }

    static CSVFormat format(Dialect dialect) {
        return CSVFormat.DEFAULT.builder()
                .setDelimiter(dialect.delimiter())
                .setQuote(dialect.quote())
                .setEscape(dialect.escape())
                .setIgnoreEmptyLines(false) // blank lines are seen, so that every row's line number is exact
                .setTrim(dialect.trim())
                .setIgnoreSurroundingSpaces(dialect.trim())
                .setTrailingData(true)
                // An unclosed quote must not swallow the rest of the file into one value of one patient's row: without
                // lenient EOF the parser fails there, and the rest of the file is one quarantined record.
                .setLenientEof(false)
                .setNullString(null)
                .get();
    }
}
