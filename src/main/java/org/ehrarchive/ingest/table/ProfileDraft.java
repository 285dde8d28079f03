package org.ehrarchive.ingest.table;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParsePosition;
import java.time.format.DateTimeFormatter;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * The engine of {@code profile draft FOLDER}: proposes a starting mapping profile for a folder of table dumps (the
 * grammar of {@code archive-schemas/mappings/synthea-csv.yaml}) from each file's header and a sample of its values,
 * so that an admin never begins from nothing.
 *
 * <p>Each file (extension csv, tsv, txt, psv or dat, directly in the folder) is read only as far as its first
 * {@value #SAMPLE_ROWS} data rows (and never more than {@value #SAMPLE_BYTES} bytes), whatever its size. Of that
 * sample the draft guesses the encoding (UTF-8 when the sample is valid UTF-8, else windows-1252; a byte order mark
 * is skipped), the delimiter (among {@code , ; | tab}, the one giving the same field count, above one, on every row),
 * whether the first row is a header, the columns, the table's key, its joins to other tables, which table holds the
 * patients, which columns are dates and under which patterns, and for the other tables the entry kind and the columns
 * of code, display, dates and value. What it guessed carries a {@code # TODO} comment; what it left unmapped is listed
 * in a comment (the importer keeps unmapped columns raw).
 *
 * <p>The text is written line by line (no YAML library), and quotes every string that needs it; the same folder gives
 * the same text. {@link #draft} returns the text; {@link #propose} returns it with notes, one line each, about what was
 * guessed or skipped (for the command to print).
 *
 * <p>Grammar points the draft decides (beyond what the shipped profile shows): a table whose format differs from
 * {@code defaults} repeats the setting under the table ({@code delimiter}, {@code encoding}, {@code header},
 * {@code nulls}, {@code date-formats}); a table without a header row has {@code header: false} and
 * {@code columns: [COLUMN1, ...]}; a table of patients' rows whose kind could not be guessed has {@code raw: true} in
 * place of {@code entry}; a reference table without a column that names its rows has {@code reference: {}}; a name
 * held in one column is {@code {use: official, text: NAME}}; an address of two line columns has
 * {@code line: [ADDRESS1, ADDRESS2]}.
 */
public final class ProfileDraft {

    /** The draft's text, and notes about what it guessed or skipped (one line each, in the order found). */
    public record Draft(String yaml, List<String> notes) {
        public Draft {
            notes = List.copyOf(notes);
        }
    }

    /** At most this many data rows of each file are read. */
    public static final int SAMPLE_ROWS = 1_000;
    /** And at most this many bytes (a sample of long rows is cut at the last whole line). */
    public static final int SAMPLE_BYTES = 16 << 20;
    /** The extensions of the files a draft reads (in any case). */
    public static final List<String> EXTENSIONS = List.of("csv", "tsv", "txt", "psv", "dat");
    /** The date patterns a draft recognises, in the order it prefers them (the first that parses a column wins). */
    public static final List<String> DATE_PATTERNS = List.of(
            "yyyy-MM-dd'T'HH:mm:ssX", "yyyy-MM-dd'T'HH:mm:ssXXX", "yyyy-MM-dd'T'HH:mm:ss.SSSX",
            "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.SSS", "yyyy-MM-dd'T'HH:mm",
            "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.SSS", "yyyy-MM-dd HH:mm", "yyyy-MM-dd",
            "yyyy/MM/dd HH:mm:ss", "yyyy/MM/dd",
            "MM/dd/yyyy HH:mm:ss", "MM/dd/yyyy HH:mm", "MM/dd/yyyy", "M/d/yyyy H:mm:ss", "M/d/yyyy H:mm", "M/d/yyyy",
            "dd/MM/yyyy HH:mm:ss", "dd/MM/yyyy HH:mm", "dd/MM/yyyy",
            "dd.MM.yyyy HH:mm:ss", "dd.MM.yyyy HH:mm", "dd.MM.yyyy", "d.M.yyyy",
            "yyyyMMddHHmmss", "yyyyMMddHHmm", "yyyyMMdd");

    static final String IDENTIFIER_SYSTEM_TODO = "TODO: the identifier's system (OID or URI)";
    static final String CODE_SYSTEM_TODO = "TODO: the code system (OID or URI)";
    static final String US_SSN = "http://hl7.org/fhir/sid/us-ssn";
    static final Charset WINDOWS_1252 = Charset.forName("windows-1252");

    private static final char[] DELIMITERS = {',', ';', '|', '\t'};
    private static final Set<String> NULL_TOKENS = Set.of("NULL", "null", "\\N");
    private static final Pattern NUMBER = Pattern.compile("[-+]?(\\d+([.,]\\d*)?|[.,]\\d+)([eE][-+]?\\d+)?");
    private static final Pattern INTEGER = Pattern.compile("[-+]?\\d+");
    private static final Pattern DATE_CHARS = Pattern.compile("\\d[\\d\\-/.:TZ+ ]{5,34}");
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z_][A-Za-z0-9_.\\-/]*");
    private static final Set<String> YAML_WORDS = Set.of("true", "false", "yes", "no", "on", "off", "y", "n", "null",
            "nan", "inf");
    private static final Map<String, DateTimeFormatter> FORMATTERS = new HashMap<>();
    private static final int LINE_WIDTH = 116;

    static {
        for (String pattern : DATE_PATTERNS) {
            FORMATTERS.put(pattern, DateTimeFormatter.ofPattern(pattern.replace("yyyy", "uuuu"), Locale.ROOT)
                    .withResolverStyle(ResolverStyle.STRICT));
        }
    }

    private ProfileDraft() {
    }

    /** The draft profile for the files of {@code folder}, as YAML text ({@link #propose} gives it with its notes). */
    public static String draft(Path folder, String profileName) {
        return propose(folder, profileName).yaml();
    }

    /**
     * The draft profile for the files of {@code folder}, named {@code profileName} (when blank, after the folder), and
     * notes about what it guessed. A file that cannot be drafted (empty, unreadable, not a delimited table) is named in
     * a comment and a note, not thrown.
     *
     * @throws IllegalArgumentException when {@code folder} is not a folder
     * @throws UncheckedIOException when the folder cannot be listed
     */
    public static Draft propose(Path folder, String profileName) {
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException("Not a folder: " + folder);
        }
        List<Path> files = new ArrayList<>();
        List<String> ignored = new ArrayList<>();
        try (Stream<Path> listing = Files.list(folder)) {
            for (Path path : listing.sorted(Comparator.comparing(p -> p.getFileName().toString())).toList()) {
                String name = path.getFileName().toString();
                if (name.startsWith(".") || !Files.isRegularFile(path)) {
                    continue;
                }
                if (EXTENSIONS.contains(extension(name))) {
                    files.add(path);
                } else {
                    ignored.add(name);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not list " + folder, e);
        }
        String folderName = folder.toAbsolutePath().normalize().getFileName() == null ? "/"
                : folder.toAbsolutePath().normalize().getFileName().toString();
        String name = profileName == null || profileName.isBlank() ? slug(folderName) : profileName.strip();
        return new Drafting(folderName, name, files, ignored).run();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Reading a file's sample

    /** What a file's sample shows: its format, columns and rows, or why it cannot be drafted ({@link #problem}). */
    static final class Sample {
        final String file;
        String problem;
        String encoding = "UTF-8";
        boolean bom;
        char delimiter = ',';
        String delimiterDoubt;
        boolean header = true;
        String headerDoubt;
        List<String> columns = List.of();
        List<List<String>> rows = List.of();
        boolean more;
        final Set<String> nullTokens = new TreeSet<>();

        Sample(String file) {
            this.file = file;
        }
    }

    private record Prefix(byte[] bytes, boolean complete) {
    }

    private record Parsed(char delimiter, List<List<String>> records, boolean failed) {
        int constantWidth() {
            int width = -1;
            for (List<String> record : records) {
                if (width == -1) {
                    width = record.size();
                } else if (width != record.size()) {
                    return -1;
                }
            }
            return width;
        }

        /** The most common field count, and the share of the records that have it. */
        int[] mode() {
            Map<Integer, Integer> counts = new TreeMap<>();
            for (List<String> record : records) {
                counts.merge(record.size(), 1, Integer::sum);
            }
            int best = -1;
            int seen = 0;
            for (Map.Entry<Integer, Integer> count : counts.entrySet()) {
                if (count.getValue() > seen || (count.getValue() == seen && count.getKey() > best)) {
                    best = count.getKey();
                    seen = count.getValue();
                }
            }
            return new int[] {best, records.isEmpty() ? 0 : seen * 100 / records.size()};
        }
    }

    static Sample sample(Path path) {
        String fileName = path.getFileName().toString();
        Sample sample = new Sample(fileName);
        Prefix prefix;
        try {
            prefix = readPrefix(path);
        } catch (IOException e) {
            sample.problem = "could not be read (" + e.getMessage() + ")";
            return sample;
        }
        byte[] bytes = prefix.bytes();
        int offset = 0;
        Charset charset;
        if (bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB && (bytes[2] & 0xFF) == 0xBF) {
            charset = StandardCharsets.UTF_8;
            offset = 3;
            sample.bom = true;
        } else if (bytes.length >= 2 && (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xFE) {
            charset = StandardCharsets.UTF_16LE;
            offset = 2;
            sample.bom = true;
        } else if (bytes.length >= 2 && (bytes[0] & 0xFF) == 0xFE && (bytes[1] & 0xFF) == 0xFF) {
            charset = StandardCharsets.UTF_16BE;
            offset = 2;
            sample.bom = true;
        } else {
            charset = validUtf8(bytes, prefix.complete()) ? StandardCharsets.UTF_8 : WINDOWS_1252;
        }
        sample.encoding = charset.name();
        String text = new String(bytes, offset, bytes.length - offset, charset);
        if (text.isBlank()) {
            sample.problem = bytes.length == 0 ? "empty" : "empty (no rows, only white space)";
            return sample;
        }
        boolean truncated = !prefix.complete();

        Parsed chosen = null;
        int chosenWidth = 0;
        for (char delimiter : DELIMITERS) {
            Parsed parsed = parse(text, delimiter, false, truncated);
            int width = parsed.failed() ? -1 : parsed.constantWidth();
            if (width > 1 && width > chosenWidth) {
                chosen = parsed;
                chosenWidth = width;
            }
        }
        if (chosen == null) {
            int bestShare = 0;
            for (char delimiter : DELIMITERS) {
                Parsed parsed = parse(text, delimiter, true, truncated);
                int[] mode = parsed.mode();
                if (mode[0] > 1 && mode[1] >= 90 && mode[1] > bestShare) {
                    chosen = parsed;
                    bestShare = mode[1];
                }
            }
            if (chosen != null) {
                sample.delimiterDoubt = "TODO: not every row has the same number of fields; " + describe(chosen.delimiter())
                        + " gives the same on " + bestShare + " % of the sampled rows";
            }
        }
        if (chosen == null) {
            String extension = extension(fileName);
            if (extension.equals("txt") || extension.equals("dat")) {
                sample.problem = "not a delimited table (no delimiter among , ; | tab gives the same number of fields,"
                        + " more than one, on every row)";
                return sample;
            }
            char delimiter = extension.equals("tsv") ? '\t' : extension.equals("psv") ? '|' : ',';
            chosen = parse(text, delimiter, true, truncated);
            sample.delimiterDoubt = "TODO: no delimiter among , ; | tab gives the same number of fields (more than one)"
                    + " on every row; " + describe(delimiter) + " is only the extension's";
        }
        sample.delimiter = chosen.delimiter();
        List<List<String>> records = chosen.records();
        if (records.isEmpty()) {
            sample.problem = "no whole row in its first " + SAMPLE_BYTES / (1 << 20) + " MiB";
            return sample;
        }

        sample.header = looksLikeHeader(records);
        List<List<String>> rows;
        if (sample.header) {
            sample.columns = List.copyOf(records.get(0));
            rows = records.subList(1, Math.min(records.size(), SAMPLE_ROWS + 1));
            sample.more = records.size() > SAMPLE_ROWS + 1 || truncated;
        } else {
            int width = records.stream().mapToInt(List::size).max().orElse(0);
            List<String> generated = new ArrayList<>();
            for (int i = 1; i <= width; i++) {
                generated.add("COLUMN" + i);
            }
            sample.columns = List.copyOf(generated);
            rows = records.subList(0, Math.min(records.size(), SAMPLE_ROWS));
            sample.more = records.size() > SAMPLE_ROWS || truncated;
            sample.headerDoubt = "TODO: the first row looks like data, not a header; name the columns";
        }
        sample.rows = List.copyOf(rows);
        if (sample.header && !sample.rows.isEmpty() && !headerConfirmed(sample)) {
            sample.headerDoubt = "TODO: check that the first row is a header (no column's values tell it from the data)";
        }
        return sample;
    }

    /** The file's first bytes: up to twice the sample's rows in lines (quoted line breaks), at most {@link #SAMPLE_BYTES}. */
    private static Prefix readPrefix(Path path) throws IOException {
        int linesWanted = 2 * (SAMPLE_ROWS + 1);
        try (InputStream in = Files.newInputStream(path)) {
            byte[] buffer = new byte[SAMPLE_BYTES];
            int length = 0;
            int lines = 0;
            while (length < buffer.length) {
                int read = in.read(buffer, length, Math.min(64 * 1024, buffer.length - length));
                if (read < 0) {
                    return new Prefix(Arrays.copyOf(buffer, length), true);
                }
                for (int i = length; i < length + read; i++) {
                    if (buffer[i] == '\n' && ++lines >= linesWanted) {
                        boolean complete = i + 1 == length + read && in.read() < 0;
                        return new Prefix(Arrays.copyOf(buffer, i + 1), complete);
                    }
                }
                length += read;
            }
            if (in.read() < 0) {
                return new Prefix(buffer, true);
            }
            int end = length;
            while (end > 0 && buffer[end - 1] != '\n') {
                end--;
            }
            return new Prefix(Arrays.copyOf(buffer, end > 0 ? end : length), false);
        }
    }

    static boolean validUtf8(byte[] bytes, boolean complete) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        if (decoder.decode(ByteBuffer.wrap(bytes), out, complete).isError()) {
            return false;
        }
        return !complete || !decoder.flush(out).isError();
    }

    private static Parsed parse(String text, char delimiter, boolean lenient, boolean truncated) {
        CSVFormat.Builder builder = CSVFormat.Builder.create().setDelimiter(delimiter).setQuote('"')
                .setIgnoreEmptyLines(true);
        if (lenient) {
            builder.setTrailingData(true).setLenientEof(true);
        }
        List<List<String>> records = new ArrayList<>();
        boolean failed = false;
        boolean cut = false;
        try (CSVParser parser = CSVParser.parse(text, builder.get())) {
            Iterator<CSVRecord> iterator = parser.iterator();
            while (records.size() <= SAMPLE_ROWS + 1) {
                try {
                    if (!iterator.hasNext()) {
                        break;
                    }
                    records.add(iterator.next().toList());
                } catch (RuntimeException e) {
                    // A sample cut inside a quoted value ends at the last whole row; anything else is not this format.
                    cut = truncated && String.valueOf(e.getMessage()).contains("EOF");
                    failed = !cut;
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            failed = true;
        }
        if (truncated && !cut && records.size() <= SAMPLE_ROWS + 1 && !records.isEmpty()) {
            records.remove(records.size() - 1); // the sample may end inside it
        }
        return new Parsed(delimiter, records, failed);
    }

    /** A header: every value non-empty, not a number, not a date, unique, and not seen again in its column. */
    private static boolean looksLikeHeader(List<List<String>> records) {
        List<String> first = records.get(0);
        Set<String> seen = new HashSet<>();
        for (String value : first) {
            if (value.isBlank() || NUMBER.matcher(value.strip()).matches() || !datePatternsOf(value).isEmpty()
                    || !seen.add(value)) {
                return false;
            }
        }
        for (int row = 1; row < records.size(); row++) {
            List<String> record = records.get(row);
            for (int i = 0; i < Math.min(first.size(), record.size()); i++) {
                if (record.get(i).equals(first.get(i))) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether some column's values are all numbers or dates (its first row is then surely a name, not data). */
    private static boolean headerConfirmed(Sample sample) {
        for (Column column : Column.of(sample)) {
            if (!column.values.isEmpty() && (column.numeric || !column.datePatterns.isEmpty())) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Columns and their values

    static final class Column {
        final String name;
        final String norm;
        final List<String> values = new ArrayList<>();
        final Set<String> distinct = new LinkedHashSet<>();
        int rows;
        boolean numeric;
        boolean integer;
        List<String> datePatterns = List.of();
        boolean dayMonthAmbiguous;

        Column(String name) {
            this.name = name;
            this.norm = norm(name);
        }

        static List<Column> of(Sample sample) {
            List<Column> columns = new ArrayList<>();
            for (String name : sample.columns) {
                columns.add(new Column(name));
            }
            for (List<String> row : sample.rows) {
                for (int i = 0; i < columns.size(); i++) {
                    Column column = columns.get(i);
                    column.rows++;
                    String value = i < row.size() ? row.get(i) : "";
                    if (NULL_TOKENS.contains(value)) {
                        sample.nullTokens.add(value);
                        continue;
                    }
                    if (!value.isBlank()) {
                        column.values.add(value);
                        column.distinct.add(value);
                    }
                }
            }
            for (Column column : columns) {
                column.analyse();
            }
            return columns;
        }

        private void analyse() {
            numeric = !values.isEmpty() && distinct.stream().allMatch(v -> NUMBER.matcher(v.strip()).matches());
            integer = numeric && distinct.stream().allMatch(v -> INTEGER.matcher(v.strip()).matches());
            if (values.isEmpty()) {
                return;
            }
            for (String pattern : DATE_PATTERNS) {
                if (distinct.stream().allMatch(v -> parses(pattern, v))) {
                    datePatterns = List.of(pattern);
                    dayMonthAmbiguous = pattern.startsWith("M") && distinct.stream()
                            .allMatch(v -> parses(pattern.replace("MM/dd", "dd/MM").replace("M/d", "d/M"), v));
                    return;
                }
            }
            // No one pattern parses every value: the fewest patterns (that do not contradict each other) that do.
            Set<String> left = new LinkedHashSet<>(distinct);
            List<String> chosen = new ArrayList<>();
            while (!left.isEmpty() && chosen.size() < 3) {
                String best = null;
                long parsed = 0;
                for (String pattern : DATE_PATTERNS) {
                    if (chosen.stream().anyMatch(c -> conflict(c, pattern))) {
                        continue;
                    }
                    long count = left.stream().filter(v -> parses(pattern, v)).count();
                    if (count > parsed) {
                        best = pattern;
                        parsed = count;
                    }
                }
                if (best == null) {
                    return;
                }
                String pattern = best;
                chosen.add(pattern);
                left.removeIf(v -> parses(pattern, v));
            }
            if (left.isEmpty()) {
                chosen.sort(Comparator.comparingInt(DATE_PATTERNS::indexOf));
                datePatterns = List.copyOf(chosen);
            }
        }

        boolean complete() {
            return rows > 0 && values.size() == rows;
        }

        boolean unique() {
            return distinct.size() == values.size();
        }

        boolean isDate() {
            return !datePatterns.isEmpty();
        }
    }

    static boolean parses(String pattern, String value) {
        DateTimeFormatter formatter = FORMATTERS.get(pattern);
        if (formatter == null || !DATE_CHARS.matcher(value).matches()) {
            return false;
        }
        ParsePosition position = new ParsePosition(0);
        if (formatter.parseUnresolved(value, position) == null || position.getIndex() != value.length()) {
            return false;
        }
        try {
            TemporalAccessor parsed = formatter.parse(value);
            if (pattern.startsWith("yyyyMMdd")) { // digits only: keep to plausible years, not codes that look like dates
                int year = parsed.get(ChronoField.YEAR);
                return year >= 1800 && year <= 2200;
            }
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static List<String> datePatternsOf(String value) {
        return DATE_PATTERNS.stream().filter(p -> parses(p, value)).toList();
    }

    /** Two patterns contradict each other when they read the same text with day and month the other way round. */
    static boolean conflict(String a, String b) {
        return skeleton(a).equals(skeleton(b)) && !order(a).equals(order(b));
    }

    private static String skeleton(String pattern) {
        return pattern.replaceAll("d+|M+", "N");
    }

    private static String order(String pattern) {
        return pattern.replaceAll("[^dM]", "").replaceAll("d+", "d").replaceAll("M+", "M");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Tables and what they are

    enum Role {
        REFERENCE, PATIENTS, ENTRY
    }

    record Join(Table target, String comment) {
    }

    static final class Table {
        final String name;
        final List<Sample> files = new ArrayList<>();
        final List<Column> columns;
        Column key;
        String keyComment;
        final Map<Column, Join> joins = new LinkedHashMap<>();
        Role role;
        String roleComment;
        final Set<String> dateFormats = new TreeSet<>(Comparator.comparingInt(DATE_PATTERNS::indexOf));
        boolean dayMonthAmbiguous;

        Table(String name, Sample sample) {
            this.name = name;
            this.files.add(sample);
            this.columns = Column.of(sample);
        }

        Sample format() {
            return files.get(0);
        }

        String singular() {
            return ProfileDraft.singular(name);
        }

        List<String> nulls() {
            List<String> nulls = new ArrayList<>(List.of(""));
            for (Sample file : files) {
                for (String token : file.nullTokens) {
                    if (!nulls.contains(token)) {
                        nulls.add(token);
                    }
                }
            }
            return nulls;
        }

        /** The first column (in the candidates' order) whose normalised name is a candidate and that is not used. */
        Column find(Set<Column> used, String... candidates) {
            for (String candidate : candidates) {
                for (Column column : columns) {
                    if (column.norm.equals(candidate) && !used.contains(column)) {
                        return column;
                    }
                }
            }
            return null;
        }
    }

    /** One run of the draft over a folder's files. */
    private static final class Drafting {
        private final String folderName;
        private final String profileName;
        private final List<Path> paths;
        private final List<String> ignored;
        private final List<String> notes = new ArrayList<>();
        private final List<String> skipped = new ArrayList<>();
        private final Map<String, Table> tables = new TreeMap<>();
        private Table patients;
        private int sampledOnly;

        Drafting(String folderName, String profileName, List<Path> paths, List<String> ignored) {
            this.folderName = folderName;
            this.profileName = profileName;
            this.paths = paths;
            this.ignored = ignored;
        }

        Draft run() {
            for (Path path : paths) {
                Sample sample = sample(path);
                if (sample.problem != null) {
                    skipped.add(sample.file + ": " + sample.problem);
                    notes.add(sample.file + " is " + sample.problem + ": no table drafted for it");
                    continue;
                }
                if (sample.more) {
                    sampledOnly++;
                }
                addTable(sample);
            }
            for (Table table : tables.values()) {
                findKey(table);
                for (Column column : table.columns) {
                    if (column.isDate()) {
                        table.dateFormats.addAll(column.datePatterns);
                        table.dayMonthAmbiguous |= column.dayMonthAmbiguous;
                    }
                }
            }
            findPatients();
            for (Table table : tables.values()) {
                findJoins(table);
            }
            assignRoles();
            return new Draft(new Writer(this).write(), notes);
        }

        private void addTable(Sample sample) {
            String name = tableName(sample.file);
            Table existing = tables.get(name);
            if (existing != null && existing.format().columns.equals(sample.columns)
                    && existing.format().delimiter == sample.delimiter && existing.format().header == sample.header
                    && existing.format().encoding.equals(sample.encoding)) {
                existing.files.add(sample);
                notes.add(sample.file + " has the columns of " + existing.format().file + ": both files of table " + name);
                return;
            }
            String unique = name;
            for (int i = 2; tables.containsKey(unique); i++) {
                unique = name + "_" + i;
            }
            if (!unique.equals(name)) {
                notes.add(sample.file + ": table " + unique + " (" + name + " is another file's, with other columns)");
            }
            tables.put(unique, new Table(unique, sample));
        }

        private void findKey(Table table) {
            String plural = norm(table.name);
            String singular = norm(table.singular());
            Column key = table.find(Set.of(), "id", plural + "id", singular + "id");
            if (key == null) {
                return;
            }
            if (key.rows == 0) {
                table.key = key;
                table.keyComment = "TODO: guessed from the name alone (no data rows to check it)";
            } else if (key.complete() && key.unique()) {
                table.key = key;
            } else {
                notes.add(table.name + ": " + key.name + " is not a key (its sampled values are "
                        + (key.complete() ? "not unique" : "not all filled") + "); no key drafted");
            }
        }

        private void findJoins(Table table) {
            for (Column column : table.columns) {
                if (column == table.key || column.isDate()) {
                    continue;
                }
                Table byName = null;
                for (Table other : tables.values()) {
                    if (other != table && other.key != null && (namesTable(column, other)
                            || other == patients && PATIENT_COLUMNS.contains(column.norm))) {
                        byName = other;
                        break;
                    }
                }
                if (byName != null && !column.distinct.isEmpty() && !byName.key.distinct.isEmpty()
                        && column.distinct.stream().noneMatch(byName.key.distinct::contains)
                        && (column.integer != byName.key.integer || !byName.format().more)) {
                    byName = null; // values of another kind (a count, not a reference), or none of the whole table's
                }
                if (byName != null) {
                    String comment = null;
                    if (!column.distinct.isEmpty() && !byName.key.distinct.isEmpty()
                            && column.distinct.stream().noneMatch(byName.key.distinct::contains)) {
                        comment = "TODO: guessed from the name; none of its sampled values is among the sampled "
                                + byName.name + "." + byName.key.name;
                    }
                    table.joins.put(column, new Join(byName, comment));
                    continue;
                }
                if (column.distinct.isEmpty() || column.norm.equals("id")) {
                    continue;
                }
                List<Table> byValues = new ArrayList<>();
                for (Table other : tables.values()) {
                    if (other == table || other.key == null || other.key.distinct.isEmpty()) {
                        continue;
                    }
                    boolean hinted = column.norm.endsWith("id") || column.norm.contains(norm(other.singular()));
                    if ((column.integer || other.key.integer) && !hinted) {
                        continue; // small numbers are in every numbered table: not evidence enough
                    }
                    if (other.key.distinct.containsAll(column.distinct)) {
                        byValues.add(other);
                    }
                }
                if (!byValues.isEmpty()) {
                    Table target = byValues.contains(patients) && column.norm.matches("pat.*|person.*|subject.*")
                            ? patients : byValues.get(0);
                    String comment = "TODO: guessed from the values (all among the sampled " + target.name + "."
                            + target.key.name + ")";
                    if (byValues.size() > 1) {
                        comment += "; they are also among " + String.join(", ", byValues.stream().filter(t -> t != target)
                                .map(t -> t.name + "." + t.key.name).toList());
                    }
                    table.joins.put(column, new Join(target, comment));
                    notes.add(table.name + "." + column.name + " joins " + target.name + "." + target.key.name
                            + ": guessed from the values");
                }
            }
        }

        private static boolean namesTable(Column column, Table other) {
            String singular = other.singular();
            String s = norm(singular);
            String p = norm(other.name);
            if (s.length() < 3) {
                return false;
            }
            String n = column.norm;
            if (n.equals(s) || n.equals(s + "id") || n.equals(p + "id")) { // not the plural: ENCOUNTERS counts them
                return true;
            }
            String lower = column.name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
            return lower.endsWith("_" + singular) || lower.endsWith("_" + singular + "_id");
        }

        private void findPatients() {
            Table best = null;
            int bestScore = 0;
            for (Table table : tables.values()) {
                boolean birth = table.find(Set.of(), BIRTH) != null;
                boolean names = table.find(Set.of(), GIVEN) != null || table.find(Set.of(), FAMILY) != null
                        || table.find(Set.of(), FULL_NAME) != null;
                boolean named = PATIENT_TABLES.contains(norm(table.name));
                int score = (birth && names ? 10 : 0) + (named ? 5 : 0) + (birth ? 1 : 0) + (names ? 1 : 0);
                if ((birth && names || named) && score > bestScore) {
                    best = table;
                    bestScore = score;
                }
            }
            patients = best;
            if (best == null) {
                notes.add("no table looks like the patients' (a birth date and name columns): add the patients role");
                return;
            }
            if (bestScore < 10) {
                best.roleComment = "TODO: guessed from the table's name alone (no birth date and name columns found)";
            }
            notes.add(best.name + ": the patients table" + (bestScore < 10 ? " (guessed from its name)" : ""));
        }

        private void assignRoles() {
            Set<Table> pointedAt = new HashSet<>();
            for (Table table : tables.values()) {
                for (Join join : table.joins.values()) {
                    if (join.target() != table) {
                        pointedAt.add(join.target());
                    }
                }
            }
            for (Table table : tables.values()) {
                if (table == patients) {
                    table.role = Role.PATIENTS;
                } else if (patients != null && table.joins.values().stream().anyMatch(j -> j.target() == patients)) {
                    table.role = Role.ENTRY;
                } else if (pointedAt.contains(table)) {
                    table.role = Role.REFERENCE;
                } else if (patients == null || kindOf(table.name) != null) {
                    table.role = Role.ENTRY;
                    table.roleComment = patients == null
                            ? "TODO: no patients table: add one, and a join from this table to it"
                            : "TODO: no column of this table joins the patients table (" + patients.name + "): add the join";
                } else {
                    table.role = Role.REFERENCE;
                    table.roleComment = "TODO: nothing points at this table and it names no patient: drafted as a reference"
                            + " table. If its rows are patients' records, join it to " + patients.name + " and map an entry";
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Names of columns the draft recognises (normalised: lower case, letters and digits only)

    static final String[] BIRTH = {"birthdate", "dob", "dateofbirth", "birthdatetime", "birthdt", "birthday", "bdate"};
    static final String[] DEATH = {"deathdate", "dod", "dateofdeath", "deathdatetime", "deathdt", "deceaseddate",
        "deceaseddatetime"};
    static final String[] GIVEN = {"first", "firstname", "given", "givenname", "givennames", "fname", "forename",
        "forenames"};
    static final String[] MIDDLE = {"middle", "middlename", "middlenames", "mname", "middleinitial"};
    static final String[] FAMILY = {"last", "lastname", "family", "familyname", "surname", "lname"};
    static final String[] FULL_NAME = {"name", "fullname", "patientname", "patname"};
    static final String[] PREFIX = {"prefix", "nameprefix", "salutation"};
    static final String[] SUFFIX = {"suffix", "namesuffix"};
    static final String[] MAIDEN = {"maiden", "maidenname", "birthname", "birthsurname"};
    static final String[] SEX = {"gender", "sex", "administrativegender", "administrativesex", "gendercode", "sexcode"};
    static final String[] MARITAL = {"marital", "maritalstatus", "maritalstatuscode"};
    static final String[] RACE = {"race", "racecode"};
    static final String[] ETHNICITY = {"ethnicity", "ethnicitycode", "ethnicgroup"};
    static final String[] LINE = {"address", "address1", "addressline", "addressline1", "street", "streetaddress",
        "addr", "addr1"};
    static final String[] LINE2 = {"address2", "addressline2", "addr2"};
    static final String[] CITY = {"city", "town", "municipality"};
    static final String[] STATE = {"state", "statecode", "province", "region"};
    static final String[] POSTAL = {"zip", "zipcode", "postalcode", "postcode", "zip5"};
    static final String[] COUNTY = {"county"};
    static final String[] COUNTRY = {"country", "countrycode"};
    static final String[] SSN = {"ssn", "socialsecuritynumber", "socialsecurityno", "socialsecurity", "ssnumber"};
    static final String[] MRN = {"mrn", "medicalrecordnumber", "medicalrecordno", "medrecno", "mrno", "chartnumber",
        "patientnumber", "patientno"};
    static final String[] DRIVERS = {"drivers", "driverslicense", "driverlicense", "driverslicence", "driverlicence",
        "driverslicensenumber", "dl"};
    static final String[] PASSPORT = {"passport", "passportnumber", "passportno"};
    static final String[] START = {"start", "startdate", "startdatetime", "starttime", "onset", "onsetdate",
        "onsetdatetime", "begin", "begindate", "fromdate", "admitdate", "admissiondate", "periodstart"};
    static final String[] END = {"stop", "stopdate", "stopdatetime", "end", "enddate", "enddatetime", "endtime",
        "abatement", "abatementdate", "abatementdatetime", "resolved", "resolveddate", "resolutiondate", "todate",
        "dischargedate", "periodend"};
    static final String[] DATE = {"date", "datetime", "effectivedate", "effectivedatetime", "recordeddate",
        "observationdate", "resultdate", "administrationdate", "administereddate", "servicedate", "dateofservice",
        "performeddate", "issued", "timestamp"};
    static final String[] DISPLAY = {"description", "desc", "display", "codedescription", "name", "text", "title",
        "label"};
    static final String[] VALUE = {"value", "result", "resultvalue", "observationvalue", "valuenum", "numericvalue"};
    static final String[] UNIT = {"units", "unit", "uom", "resultunits", "valueunits"};
    static final String[] SYSTEM = {"system", "codesystem", "codingsystem", "vocabulary", "codesystemname"};
    static final String[] CATEGORY = {"category"};
    static final String[] REFERENCE_NAME = {"name", "displayname", "fullname", "description", "title", "label"};
    /** Columns that name the patient a row is of, whatever the patients table is called. */
    static final Set<String> PATIENT_COLUMNS = Set.of("patient", "patientid", "patid", "patientkey", "person",
        "personid", "subject", "subjectid");
    /** Columns named after the code system of their codes. */
    static final Map<String, String> CODE_COLUMNS = Map.ofEntries(
            Map.entry("icd10", "http://hl7.org/fhir/sid/icd-10-cm"), Map.entry("icd10code", "http://hl7.org/fhir/sid/icd-10-cm"),
            Map.entry("icd10cm", "http://hl7.org/fhir/sid/icd-10-cm"), Map.entry("icd9", "http://hl7.org/fhir/sid/icd-9-cm"),
            Map.entry("icd9code", "http://hl7.org/fhir/sid/icd-9-cm"), Map.entry("snomed", "http://snomed.info/sct"),
            Map.entry("snomedcode", "http://snomed.info/sct"), Map.entry("sctid", "http://snomed.info/sct"),
            Map.entry("loinc", "http://loinc.org"), Map.entry("loinccode", "http://loinc.org"),
            Map.entry("cvx", "http://hl7.org/fhir/sid/cvx"), Map.entry("cvxcode", "http://hl7.org/fhir/sid/cvx"),
            Map.entry("rxnorm", "http://www.nlm.nih.gov/research/umls/rxnorm"),
            Map.entry("rxcui", "http://www.nlm.nih.gov/research/umls/rxnorm"),
            Map.entry("ndc", "http://hl7.org/fhir/sid/ndc"), Map.entry("ndccode", "http://hl7.org/fhir/sid/ndc"),
            Map.entry("cpt", "http://www.ama-assn.org/go/cpt"), Map.entry("cptcode", "http://www.ama-assn.org/go/cpt"));
    static final Set<String> PATIENT_TABLES = Set.of("patients", "patient", "persons", "person", "people",
        "demographics", "clients", "members");

    /** The entry kinds the words of a table's name give (its last word first: "lab_results" are results). */
    private static final Map<String, String> KINDS = new LinkedHashMap<>();

    static {
        kinds("PROBLEM", "conditions", "condition", "problems", "problem", "diagnoses", "diagnosis", "diagnosises", "dx");
        kinds("MEDICATION", "medications", "medication", "meds", "prescriptions", "prescription", "rx", "drugs");
        kinds("ALLERGY", "allergies", "allergy", "intolerances");
        kinds("RESULT", "observations", "observation", "results", "result", "labs", "lab", "laboratory");
        kinds("VITAL_SIGN", "vitals", "vital_signs", "vitalsigns");
        kinds("IMMUNIZATION", "immunizations", "immunization", "vaccinations", "vaccination", "vaccines");
        kinds("PROCEDURE", "procedures", "procedure");
        kinds("ENCOUNTER", "encounters", "encounter", "visits", "visit", "admissions");
        kinds("PLAN_OF_CARE", "careplans", "careplan", "care_plans", "care_plan");
        kinds("MEDICAL_EQUIPMENT", "devices", "device", "supplies", "supply", "equipment");
        kinds("COVERAGE", "payer_transitions", "coverage", "coverages", "insurance", "insurances");
        kinds("NOTE", "notes", "note", "clinical_notes");
        kinds("GOAL", "goals");
        kinds("FAMILY_HISTORY", "family_history", "family_histories");
        kinds("SOCIAL_HISTORY", "social_history", "social_histories");
    }

    private static void kinds(String kind, String... words) {
        for (String word : words) {
            KINDS.put(word, kind);
        }
    }

    /** The entry kind a table's name suggests, or null. */
    static String kindOf(String tableName) {
        if (KINDS.containsKey(tableName)) {
            return KINDS.get(tableName);
        }
        String[] words = tableName.split("_+");
        for (int i = words.length - 1; i >= 0; i--) {
            if (i > 0 && KINDS.containsKey(words[i - 1] + "_" + words[i])) {
                return KINDS.get(words[i - 1] + "_" + words[i]);
            }
            if (KINDS.containsKey(words[i])) {
                return KINDS.get(words[i]);
            }
        }
        return null;
    }

    /** Kinds by an observation category's value (normalised), as FHIR's observation categories name them. */
    private static final Map<String, String> CATEGORY_KINDS = Map.ofEntries(
            Map.entry("vitalsigns", "VITAL_SIGN"), Map.entry("vitalsign", "VITAL_SIGN"), Map.entry("vitals", "VITAL_SIGN"),
            Map.entry("laboratory", "RESULT"), Map.entry("lab", "RESULT"), Map.entry("labs", "RESULT"),
            Map.entry("socialhistory", "SOCIAL_HISTORY"), Map.entry("activity", "SOCIAL_HISTORY"),
            Map.entry("survey", "ASSESSMENT"), Map.entry("assessment", "ASSESSMENT"), Map.entry("exam", "RESULT"),
            Map.entry("imaging", "RESULT"), Map.entry("procedure", "RESULT"), Map.entry("therapy", "RESULT"));

    /** Code systems by the names dumps give them (normalised: upper case, letters and digits only). */
    private static final Map<String, String> SYSTEMS = Map.ofEntries(
            Map.entry("SNOMEDCT", "http://snomed.info/sct"), Map.entry("SNOMED", "http://snomed.info/sct"),
            Map.entry("SCT", "http://snomed.info/sct"), Map.entry("SNOMEDCTUS", "http://snomed.info/sct"),
            Map.entry("RXNORM", "http://www.nlm.nih.gov/research/umls/rxnorm"),
            Map.entry("LOINC", "http://loinc.org"), Map.entry("LN", "http://loinc.org"),
            Map.entry("CVX", "http://hl7.org/fhir/sid/cvx"), Map.entry("ICD10CM", "http://hl7.org/fhir/sid/icd-10-cm"),
            Map.entry("ICD10", "http://hl7.org/fhir/sid/icd-10"), Map.entry("ICD9CM", "http://hl7.org/fhir/sid/icd-9-cm"),
            Map.entry("ICD9", "http://hl7.org/fhir/sid/icd-9-cm"), Map.entry("CPT", "http://www.ama-assn.org/go/cpt"),
            Map.entry("CPT4", "http://www.ama-assn.org/go/cpt"), Map.entry("NDC", "http://hl7.org/fhir/sid/ndc"),
            Map.entry("UCUM", "http://unitsofmeasure.org"));

    // ---------------------------------------------------------------------------------------------------------------
    // Writing the YAML

    /** The draft's text, written line by line. */
    private static final class Writer {
        private final Drafting run;
        private final StringBuilder out = new StringBuilder();
        private char delimiter = ',';
        private String encoding = "UTF-8";
        private boolean header = true;
        private List<String> nulls = List.of("");
        private final Set<String> dateFormats = new TreeSet<>(Comparator.comparingInt(DATE_PATTERNS::indexOf));
        private boolean groupStarted;

        Writer(Drafting run) {
            this.run = run;
        }

        String write() {
            chooseDefaults();
            Collection<Table> tables = run.tables.values();
            comment(0, "DRAFT mapping profile, proposed by `profile draft` from the files of the folder " + run.folderName
                    + " and a sample of each (its first " + String.format(Locale.ROOT, "%,d", SAMPLE_ROWS)
                    + " rows at most).");
            comment(0, "It is a starting point to review, not a finished profile: every TODO marks a guess or a gap."
                    + " Review it, then check it against the files with `profile validate FILE FOLDER` (FILE this"
                    + " profile, FOLDER the files' folder).");
            comment(0, "Columns a table does not map are listed under it; the importer keeps them raw.");
            if (run.sampledOnly > 0) {
                comment(0, run.sampledOnly + " of the " + tables.size() + " tables' files "
                        + (run.sampledOnly == 1 ? "holds" : "hold") + " more rows than were sampled: what the sample"
                        + " did not show the draft could not see.");
            }
            if (!run.skipped.isEmpty()) {
                comment(0, "Files not drafted: " + String.join("; ", run.skipped) + ".");
            }
            if (!run.ignored.isEmpty()) {
                comment(0, "Files not read (not " + String.join(", ", EXTENSIONS) + "): " + String.join(", ", run.ignored)
                        + ".");
            }
            line(0, "profile: " + scalar(run.profileName));
            line(0, "description: " + scalar("TODO: the system these files come from, and how they were exported"));
            line(0, "defaults:");
            line(1, "delimiter: " + scalar(String.valueOf(delimiter)));
            line(1, "quote: " + scalar("\""));
            line(1, "header: " + header);
            line(1, "encoding: " + scalar(encoding));
            line(1, "nulls: " + flow(nulls), nullsComment(nulls));
            boolean ambiguous = tables.stream().anyMatch(t -> t.dayMonthAmbiguous && dateFormats.containsAll(t.dateFormats));
            line(1, "date-formats: " + flow(dateFormats), ambiguous ? AMBIGUOUS : null);
            out.append('\n');
            if (tables.isEmpty()) {
                line(0, "tables: {}", "TODO: no file of the folder could be drafted as a table");
                return out.toString();
            }
            out.append("tables:\n");
            groupStarted = true;
            if (run.patients == null) {
                comment(1, "TODO: no table looks like the patients' (a birth date and name columns). One table needs"
                        + " a patients: block, and the others joins to it.");
            }
            List<Table> references = ordered(tables, Role.REFERENCE);
            List<Table> entries = ordered(tables, Role.ENTRY);
            if (!references.isEmpty()) {
                group("Reference tables: their rows are kept as they are, and lend their names to the rows that"
                        + " point at them.");
                references.forEach(this::table);
            }
            if (run.patients != null) {
                group("The patients.");
                table(run.patients);
            }
            if (!entries.isEmpty()) {
                group("The patients' entries: one row, one entry.");
                entries.forEach(this::table);
            }
            return out.toString();
        }

        /** The settings most tables share; a table that differs says so itself. */
        private void chooseDefaults() {
            Collection<Table> tables = run.tables.values();
            delimiter = mostCommon(tables.stream().map(t -> t.format().delimiter).toList(),
                    List.of(',', ';', '|', '\t'));
            encoding = mostCommon(tables.stream().map(t -> t.format().encoding).toList(),
                    List.of("UTF-8", "windows-1252"));
            header = mostCommon(tables.stream().map(t -> t.format().header).toList(), List.of(true, false));
            nulls = mostCommon(tables.stream().map(Table::nulls).toList(), List.of(List.of("")));
            // Every pattern a table uses, but of two that read day and month the other way round, the one more use.
            Map<String, Integer> uses = new HashMap<>();
            for (Table table : tables) {
                table.dateFormats.forEach(p -> uses.merge(p, 1, Integer::sum));
            }
            uses.keySet().stream()
                    .sorted(Comparator.comparing((String p) -> -uses.get(p)).thenComparing(DATE_PATTERNS::indexOf))
                    .forEach(p -> {
                        if (dateFormats.stream().noneMatch(d -> conflict(d, p))) {
                            dateFormats.add(p);
                        }
                    });
        }

        /** The tables of a role, each after those it joins (and then by name). */
        private List<Table> ordered(Collection<Table> tables, Role role) {
            List<Table> left = new ArrayList<>(tables.stream().filter(t -> t.role == role).toList());
            List<Table> ordered = new ArrayList<>();
            while (!left.isEmpty()) {
                Table next = left.stream()
                        .filter(t -> t.joins.values().stream().noneMatch(j -> j.target() != t && left.contains(j.target())))
                        .findFirst().orElse(left.get(0)); // a cycle: by name
                ordered.add(next);
                left.remove(next);
            }
            return ordered;
        }

        private void group(String comment) {
            if (!groupStarted) {
                out.append('\n');
            }
            comment(1, comment);
            groupStarted = true;
        }

        private void table(Table table) {
            Sample format = table.format();
            if (!groupStarted) {
                out.append('\n');
            }
            groupStarted = false;
            line(1, scalar(table.name) + ":");
            line(2, "files: " + flow(table.files.stream().map(f -> f.file).toList()));
            if (format.bom) {
                comment(2, format.file + " starts with a byte order mark (skipped).");
            }
            if (format.delimiter != delimiter || format.delimiterDoubt != null) {
                line(2, "delimiter: " + scalar(String.valueOf(format.delimiter)), format.delimiterDoubt);
            }
            if (!format.encoding.equals(encoding)) {
                line(2, "encoding: " + scalar(format.encoding));
            }
            if (format.header != header) {
                line(2, "header: " + format.header, format.header ? format.headerDoubt : null);
            } else if (format.header && format.headerDoubt != null) {
                comment(2, format.headerDoubt);
            }
            if (!format.header) {
                line(2, "columns: " + flow(format.columns), format.headerDoubt);
            }
            if (!table.nulls().equals(nulls)) {
                line(2, "nulls: " + flow(table.nulls()), nullsComment(table.nulls()));
            }
            if (!dateFormats.containsAll(table.dateFormats)) {
                line(2, "date-formats: " + flow(table.dateFormats), table.dayMonthAmbiguous ? AMBIGUOUS : null);
            }
            if (format.rows.isEmpty()) {
                comment(2, "TODO: " + format.file + " holds no data rows: the draft guessed from the column names alone.");
            }
            if (table.key != null) {
                line(2, "key: " + flow(List.of(table.key.name)), table.keyComment);
            }
            if (!table.joins.isEmpty()) {
                line(2, "joins:");
                for (Map.Entry<Column, Join> join : table.joins.entrySet()) {
                    Table target = join.getValue().target();
                    line(3, scalar(join.getKey().name) + ": " + scalar(target.name + "." + target.key.name),
                            join.getValue().comment());
                }
            }
            if (table.roleComment != null) {
                comment(2, table.roleComment);
            }
            Set<Column> used = new HashSet<>();
            if (table.key != null) {
                used.add(table.key);
            }
            used.addAll(table.joins.keySet());
            switch (table.role) {
                case REFERENCE -> reference(table, used);
                case PATIENTS -> patients(table, used);
                case ENTRY -> entry(table, used);
            }
        }

        private void reference(Table table, Set<Column> used) {
            Column name = table.find(used, REFERENCE_NAME);
            if (name == null) {
                line(2, "reference: {}", "TODO: name: the column that names a row (no column looks like one)");
            } else {
                line(2, "reference:");
                line(3, "name: " + scalar(name.name));
            }
        }

        private void patients(Table table, Set<Column> used) {
            line(2, "patients:");
            List<String> identifiers = new ArrayList<>();
            List<String> comments = new ArrayList<>();
            Column mrn = table.find(used, MRN);
            if (table.key != null) {
                identifiers.add(identifier(table.key, IDENTIFIER_SYSTEM_TODO, mrn != null ? "PI" : "MR"));
                comments.add("the table's key");
            }
            Object[][] kinds = {{SSN, US_SSN, "SS"}, {MRN, IDENTIFIER_SYSTEM_TODO, "MR"},
                {DRIVERS, IDENTIFIER_SYSTEM_TODO, "DL"}, {PASSPORT, IDENTIFIER_SYSTEM_TODO, "PPN"}};
            for (Object[] kind : kinds) {
                Column column = table.find(used, (String[]) kind[0]);
                if (column != null) {
                    used.add(column);
                    identifiers.add(identifier(column, (String) kind[1], (String) kind[2]));
                    comments.add(null);
                }
            }
            if (identifiers.isEmpty()) {
                line(3, "identifiers: []", "TODO: no column looks like a patient's identifier (a key, SSN, MRN...)");
            } else {
                line(3, "identifiers:");
                for (int i = 0; i < identifiers.size(); i++) {
                    line(4, "- " + identifiers.get(i), comments.get(i));
                }
            }

            Column given = table.find(used, GIVEN);
            Column middle = table.find(used, MIDDLE);
            Column family = table.find(used, FAMILY);
            Column prefix = table.find(used, PREFIX);
            Column suffix = table.find(used, SUFFIX);
            Column maiden = table.find(used, MAIDEN);
            List<String> names = new ArrayList<>();
            if (given != null || family != null) {
                List<String> parts = new ArrayList<>(List.of("use: official"));
                if (prefix != null) {
                    parts.add("prefix: " + scalar(prefix.name));
                }
                List<String> givens = Stream.of(given, middle).filter(c -> c != null).map(c -> c.name).toList();
                if (!givens.isEmpty()) {
                    parts.add("given: " + flow(givens));
                }
                if (family != null) {
                    parts.add("family: " + scalar(family.name));
                }
                if (suffix != null) {
                    parts.add("suffix: " + scalar(suffix.name));
                }
                names.add("{" + String.join(", ", parts) + "}");
                if (maiden != null) {
                    names.add("{use: maiden" + (given != null ? ", given: " + flow(List.of(given.name)) : "")
                            + ", family: " + scalar(maiden.name) + "}");
                }
                Stream.of(given, middle, family, prefix, suffix, maiden).filter(c -> c != null).forEach(used::add);
            }
            Column fullName = names.isEmpty() ? table.find(used, FULL_NAME) : null;
            if (fullName != null) {
                used.add(fullName);
                line(3, "names:");
                line(4, "- {use: official, text: " + scalar(fullName.name) + "}",
                        "TODO: one column holds the whole name; split it if the importer needs given and family");
            } else if (names.isEmpty()) {
                line(3, "names: []", "TODO: no column looks like a name (FIRST, LAST, given, family...)");
            } else {
                line(3, "names:");
                names.forEach(n -> line(4, "- " + n));
            }

            Column birth = table.find(used, BIRTH);
            if (birth != null) {
                used.add(birth);
                line(3, "birth-date: " + scalar(birth.name), dateDoubt(birth));
            } else {
                comment(3, "TODO: birth-date: no column looks like the birth date (BIRTHDATE, DOB...)");
            }
            Column death = table.find(used, DEATH);
            if (death != null) {
                used.add(death);
                line(3, "death-date: " + scalar(death.name), dateDoubt(death));
            }
            Column sex = table.find(used, SEX);
            if (sex != null) {
                used.add(sex);
                Set<String> values = upper(sex.distinct);
                Set<String> lower = lower(sex.distinct);
                String system;
                String doubt = null;
                if (!values.isEmpty() && Set.of("M", "F", "UN").containsAll(values)) {
                    system = "2.16.840.1.113883.5.1";
                } else if (!values.isEmpty() && Set.of("male", "female", "other", "unknown").containsAll(lower)) {
                    system = "http://hl7.org/fhir/administrative-gender";
                } else {
                    system = CODE_SYSTEM_TODO;
                    doubt = values.isEmpty() ? null : "TODO: its values (" + abbreviate(sex.distinct)
                            + ") are not HL7 AdministrativeGender codes";
                }
                line(3, "sex: {column: " + scalar(sex.name) + ", system: " + scalar(system) + "}", doubt);
            }
            Column marital = table.find(used, MARITAL);
            if (marital != null) {
                used.add(marital);
                boolean hl7 = !marital.distinct.isEmpty()
                        && Set.of("A", "D", "I", "L", "M", "P", "S", "T", "U", "W").containsAll(upper(marital.distinct));
                line(3, "marital-status: {column: " + scalar(marital.name) + ", system: "
                        + scalar(hl7 ? "2.16.840.1.113883.5.2" : CODE_SYSTEM_TODO) + "}");
            }
            Column race = table.find(used, RACE);
            if (race != null) {
                used.add(race);
                line(3, "race: " + scalar(race.name));
            }
            Column ethnicity = table.find(used, ETHNICITY);
            if (ethnicity != null) {
                used.add(ethnicity);
                line(3, "ethnicity: " + scalar(ethnicity.name));
            }
            List<String> address = new ArrayList<>();
            Column line1 = table.find(used, LINE);
            Column line2 = table.find(used, LINE2);
            if (line1 != null && line2 != null) {
                address.add("line: " + flow(List.of(line1.name, line2.name)));
            } else if (line1 != null || line2 != null) {
                address.add("line: " + scalar((line1 != null ? line1 : line2).name));
            }
            Stream.of(line1, line2).filter(c -> c != null).forEach(used::add);
            Object[][] parts = {{"city", CITY}, {"state", STATE}, {"postal-code", POSTAL}, {"county", COUNTY},
                {"country", COUNTRY}};
            for (Object[] part : parts) {
                Column column = table.find(used, (String[]) part[1]);
                if (column != null) {
                    used.add(column);
                    address.add(part[0] + ": " + scalar(column.name));
                }
            }
            if (!address.isEmpty()) {
                line(3, "address: {" + String.join(", ", address) + "}");
            }
            unmapped(table, used);
        }

        private String identifier(Column column, String system, String type) {
            return "{column: " + scalar(column.name) + ", system: " + scalar(system) + ", type: " + type + "}";
        }

        private void entry(Table table, Set<Column> used) {
            String kind = kindOf(table.name);
            if (kind == null) {
                comment(2, "TODO: no entry kind guessed from the name " + table.name + ": its rows are kept raw. To map"
                        + " them, put an entry: block (kind, code, display, start or date...) in place of raw: true.");
                line(2, "raw: true");
                run.notes.add(table.name + ": no entry kind guessed from its name; its rows are kept raw");
                unmapped(table, used);
                return;
            }
            String singular = norm(table.singular());
            String plural = norm(table.name);
            line(2, "entry:");
            kind(table, kind, used);

            Column code = table.find(used, "code", singular + "code", plural + "code");
            Column named = code != null ? null : table.find(used, new TreeSet<>(CODE_COLUMNS.keySet()).toArray(String[]::new));
            if (code != null) {
                used.add(code);
                code(table, code, kind, used);
            } else if (named != null) {
                used.add(named);
                line(3, "code: {column: " + scalar(named.name) + ", system: " + scalar(CODE_COLUMNS.get(named.norm)) + "}",
                        "TODO: guessed from the column's name");
            } else {
                comment(3, "TODO: code: {column: ..., system: ...}: no column looks like the entry's code");
            }
            Column display = table.find(used, concat(DISPLAY, singular + "description", singular + "name",
                    singular + "display"));
            if (display != null) {
                used.add(display);
                line(3, "display: " + scalar(display.name));
            } else {
                String joined = table.joins.entrySet().stream()
                        .filter(j -> j.getValue().target().role == Role.REFERENCE
                                && j.getValue().target().find(Set.of(), REFERENCE_NAME) != null)
                        .map(j -> "{join: " + scalar(j.getKey().name) + "} (the name of the " + j.getValue().target().name
                                + " row it points at)")
                        .findFirst().map(j -> ", or " + j).orElse("");
                comment(3, "TODO: display: no column looks like the entry's description" + joined);
            }
            Column start = table.find(used, concat(START, singular + "start", singular + "startdate"));
            Column end = start == null ? null : table.find(used, concat(END, singular + "end", singular + "enddate"));
            Column date = start != null ? null
                    : table.find(used, concat(DATE, singular + "date", singular + "datetime", singular + "time"));
            String dateGuess = null;
            if (start == null && date == null) {
                date = table.columns.stream().filter(c -> c.isDate() && !used.contains(c)).findFirst().orElse(null);
                dateGuess = "TODO: guessed: the table's first date column";
            }
            if (start != null) {
                used.add(start);
                line(3, "start: " + scalar(start.name), dateDoubt(start));
                if (end != null) {
                    used.add(end);
                    line(3, "end: " + scalar(end.name), dateDoubt(end));
                }
            } else if (date != null) {
                used.add(date);
                line(3, "date: " + scalar(date.name), dateGuess != null ? dateGuess : dateDoubt(date));
            } else {
                comment(3, "TODO: start and end, or date: no column looks like the entry's date");
            }
            if (end != null) {
                comment(3, "TODO: status, e.g. {if-empty: " + scalar(end.name) + ", then: active, otherwise: "
                        + (kind.equals("PROBLEM") || kind.equals("ALLERGY") ? "resolved" : "completed")
                        + "}, or {constant: ...}");
            } else {
                comment(3, "TODO: status, e.g. {constant: " + switch (kind) {
                    case "RESULT", "VITAL_SIGN" -> "final";
                    case "ENCOUNTER" -> "finished";
                    default -> "completed";
                } + "}");
            }
            Column value = table.find(used, concat(VALUE, singular + "value"));
            if (value != null) {
                used.add(value);
                Column unit = table.find(used, concat(UNIT, singular + "unit", singular + "units"));
                if (unit != null) {
                    used.add(unit);
                }
                line(3, "value: {column: " + scalar(value.name) + (unit != null ? ", unit: " + scalar(unit.name) : "")
                        + "}");
            }
            unmapped(table, used);
        }

        private void kind(Table table, String kind, Set<Column> used) {
            Column category = kind.equals("RESULT") || kind.equals("VITAL_SIGN") ? table.find(used, CATEGORY) : null;
            if (category != null && category.distinct.size() <= 20) {
                Map<String, String> values = new TreeMap<>();
                List<String> unknown = new ArrayList<>();
                for (String value : category.distinct) {
                    String mapped = CATEGORY_KINDS.get(norm(value));
                    if (mapped != null) {
                        values.put(value, mapped);
                    } else {
                        unknown.add(value);
                    }
                }
                if (values.values().stream().anyMatch(k -> !k.equals(kind))) {
                    used.add(category);
                    line(3, "kind:", "TODO: guessed from the sampled values of " + category.name);
                    line(4, "column: " + scalar(category.name));
                    line(4, "values: {" + String.join(", ", values.entrySet().stream()
                            .map(e -> scalar(e.getKey()) + ": " + e.getValue()).toList()) + "}");
                    line(4, "otherwise: " + kind, unknown.isEmpty() ? null
                            : "TODO: the sample also shows " + abbreviate(new TreeSet<>(unknown)));
                    return;
                }
            }
            line(3, "kind: " + kind, "TODO: guessed from the table's name");
        }

        private void code(Table table, Column code, String kind, Set<Column> used) {
            Column system = table.find(used, concat(SYSTEM, norm(table.singular()) + "system"));
            if (system != null) {
                used.add(system);
                Set<String> names = new TreeSet<>(system.distinct);
                boolean uris = names.stream().allMatch(v -> v.contains(":") || v.matches("\\d+(\\.\\d+)+"));
                if (uris || names.size() > 20) {
                    line(3, "code: {column: " + scalar(code.name) + ", system-column: " + scalar(system.name) + "}",
                            uris ? null : "TODO: systems: {NAME: URI...}: its values are not URIs");
                    return;
                }
                List<String> systems = new ArrayList<>();
                boolean unknown = false;
                for (String name : names) {
                    String uri = SYSTEMS.get(name.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", ""));
                    unknown |= uri == null;
                    systems.add(scalar(name) + ": " + scalar(uri != null ? uri : CODE_SYSTEM_TODO));
                }
                line(3, "code:");
                line(4, "column: " + scalar(code.name));
                line(4, "system-column: " + scalar(system.name));
                line(4, "systems: {" + String.join(", ", systems) + "}",
                        unknown ? "TODO: guessed from the names; give the systems of those not recognised" : "TODO: guessed from the names");
                return;
            }
            String[] guess = guessSystem(kind, code.distinct);
            line(3, "code: {column: " + scalar(code.name) + ", system: " + scalar(guess != null ? guess[0] : CODE_SYSTEM_TODO)
                    + "}", guess != null ? "TODO: guessed: " + guess[1] : null);
        }

        private static String dateDoubt(Column column) {
            if (column.values.isEmpty() || column.isDate()) {
                return null;
            }
            String best = null;
            long parsed = 0;
            for (String pattern : DATE_PATTERNS) {
                long count = column.distinct.stream().filter(v -> parses(pattern, v)).count();
                if (count > parsed) {
                    best = pattern;
                    parsed = count;
                }
            }
            if (best == null) {
                return "TODO: its sampled values (" + abbreviate(column.distinct) + ") match none of the date formats";
            }
            String pattern = best;
            List<String> failing = column.distinct.stream().filter(v -> !parses(pattern, v)).toList();
            return "TODO: not all its sampled values are dates: " + abbreviate(failing) + " (the others read as " + pattern
                    + ")";
        }

        private void unmapped(Table table, Set<Column> used) {
            List<String> rest = table.columns.stream().filter(c -> !used.contains(c)).map(c -> c.name).toList();
            if (!rest.isEmpty()) {
                comment(2, "Not mapped (the importer keeps them raw): " + String.join(", ", rest));
            }
        }

        private static String nullsComment(List<String> nulls) {
            return nulls.size() > 1 ? "TODO: the sample holds " + String.join(", ", nulls.subList(1, nulls.size()))
                    + " as values: are they empty?" : null;
        }

        private static final String AMBIGUOUS = "TODO: some dates read month first as well as day first: check which";

        private void line(int indent, String text) {
            line(indent, text, null);
        }

        private void line(int indent, String text, String comment) {
            out.append("  ".repeat(indent)).append(text);
            if (comment != null) {
                out.append("  # ").append(oneLine(comment));
            }
            out.append('\n');
        }

        private void comment(int indent, String text) {
            String prefix = "  ".repeat(indent) + "# ";
            StringBuilder lineSoFar = new StringBuilder(prefix);
            for (String word : oneLine(text).split(" ")) {
                if (lineSoFar.length() > prefix.length() && lineSoFar.length() + 1 + word.length() > LINE_WIDTH) {
                    out.append(lineSoFar.toString().stripTrailing()).append('\n');
                    lineSoFar = new StringBuilder(prefix + "  ");
                }
                if (lineSoFar.length() > prefix.length() && !lineSoFar.toString().endsWith("  ")) {
                    lineSoFar.append(' ');
                }
                lineSoFar.append(word);
            }
            out.append(lineSoFar.toString().stripTrailing()).append('\n');
        }
    }

    /**
     * A code system guessed from the form of the codes: [system, why], or null. SNOMED CT concept identifiers have 6
     * to 18 digits, of which the second and third last (the partition) are 00 or 10; LOINC codes are digits, a hyphen
     * and a check digit; the others by the kind.
     */
    static String[] guessSystem(String kind, Set<String> codes) {
        if (codes.isEmpty()) {
            return null;
        }
        boolean snomedKind = Set.of("PROBLEM", "PROCEDURE", "ENCOUNTER", "PLAN_OF_CARE", "ALLERGY", "MEDICAL_EQUIPMENT")
                .contains(kind);
        if ((codes.size() >= 3 || snomedKind) && codes.stream().allMatch(c -> c.matches("\\d{4,15}(00|10)\\d"))) {
            return new String[] {"http://snomed.info/sct", "the codes have the form of SNOMED CT concepts' identifiers"};
        }
        long loinc = codes.stream().filter(c -> c.matches("\\d{1,7}-\\d")).count();
        if (loinc * 10 >= codes.size() * 8L) {
            List<String> others = codes.stream().filter(c -> !c.matches("\\d{1,7}-\\d")).sorted().toList();
            return new String[] {"http://loinc.org", "the codes have LOINC's form (digits, hyphen, check digit)"
                    + (others.isEmpty() ? "" : ", but for " + abbreviate(others))};
        }
        if (kind.equals("IMMUNIZATION") && codes.stream().allMatch(c -> c.matches("\\d{1,3}"))) {
            return new String[] {"http://hl7.org/fhir/sid/cvx", "vaccines coded in 1 to 3 digits, like CVX"};
        }
        if (kind.equals("MEDICATION") && codes.stream().allMatch(c -> c.matches("\\d{1,8}"))) {
            return new String[] {"http://www.nlm.nih.gov/research/umls/rxnorm", "medicines coded in digits, like RxNorm"};
        }
        if (kind.equals("PROBLEM") && codes.stream().allMatch(c -> c.matches("[A-TV-Z]\\d[0-9A-Z](\\.?[0-9A-Z]{1,4})?"))) {
            return new String[] {"http://hl7.org/fhir/sid/icd-10-cm", "the codes have ICD-10's form (ICD-10-CM or WHO's?)"};
        }
        return null;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Small helpers

    /** {@code value} as a YAML scalar: plain when that reads back as the same string, else double-quoted. */
    static String scalar(String value) {
        if (PLAIN.matcher(value).matches() && !YAML_WORDS.contains(value.toLowerCase(Locale.ROOT))) {
            return value;
        }
        StringBuilder quoted = new StringBuilder("\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                case '\r' -> quoted.append("\\r");
                case '\t' -> quoted.append("\\t");
                default -> {
                    if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == '\uFEFF' || c == '\u2028' || c == '\u2029'
                            || (Character.isSurrogate(c) && !validSurrogateAt(value, i))) {
                        quoted.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        quoted.append(c);
                    }
                }
            }
        }
        return quoted.append('"').toString();
    }

    private static boolean validSurrogateAt(String value, int i) {
        char c = value.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(value.charAt(i - 1));
    }

    /** A flow sequence of scalars: {@code [a, "b c"]}. */
    static String flow(Collection<String> values) {
        return "[" + String.join(", ", values.stream().map(ProfileDraft::scalar).toList()) + "]";
    }

    /** A comment's text on one line: no line breaks or other control characters. */
    static String oneLine(String text) {
        StringBuilder clean = new StringBuilder(text.length());
        text.codePoints().forEach(c -> clean.appendCodePoint(Character.isISOControl(c) || c == 0x2028 || c == 0x2029
                || c == 0x85 ? ' ' : c));
        return clean.toString();
    }

    private static String abbreviate(Collection<String> values) {
        List<String> shown = values.stream().limit(5).map(v -> v.length() > 30 ? v.substring(0, 30) + "..." : v).toList();
        return String.join(", ", shown) + (values.size() > 5 ? ", ..." : "");
    }

    private static Set<String> upper(Set<String> values) {
        Set<String> upper = new HashSet<>();
        values.forEach(v -> upper.add(v.strip().toUpperCase(Locale.ROOT)));
        return upper;
    }

    private static Set<String> lower(Set<String> values) {
        Set<String> lower = new HashSet<>();
        values.forEach(v -> lower.add(v.strip().toLowerCase(Locale.ROOT)));
        return lower;
    }

    private static String[] concat(String[] names, String... more) {
        String[] all = Arrays.copyOf(names, names.length + more.length);
        System.arraycopy(more, 0, all, names.length, more.length);
        return all;
    }

    private static <T> T mostCommon(List<T> values, List<T> preferred) {
        Map<T, Integer> counts = new LinkedHashMap<>();
        for (T value : values) {
            counts.merge(value, 1, Integer::sum);
        }
        T best = null;
        int seen = 0;
        List<T> candidates = new ArrayList<>(preferred);
        values.stream().filter(v -> !candidates.contains(v)).forEach(candidates::add);
        for (T candidate : candidates) {
            int count = counts.getOrDefault(candidate, 0);
            if (count > seen) {
                best = candidate;
                seen = count;
            }
        }
        return best != null ? best : preferred.get(0);
    }

    private static String describe(char delimiter) {
        return delimiter == '\t' ? "tab" : "\"" + delimiter + "\"";
    }

    /** A column's or table's name for comparison: lower case, letters and digits only. */
    static String norm(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    }

    /** The table a file gives: its stem in lower case, every character but a-z, 0-9 and _ made _. */
    static String tableName(String fileName) {
        int dot = fileName.lastIndexOf('.');
        String stem = (dot > 0 ? fileName.substring(0, dot) : fileName).toLowerCase(Locale.ROOT);
        String name = stem.replaceAll("[^a-z0-9_]", "_");
        return name.isEmpty() ? "table" : name;
    }

    /** An English plural's singular, near enough for table names: encounters, allergies, diagnoses. */
    static String singular(String name) {
        if (name.endsWith("ies") && name.length() > 3) {
            return name.substring(0, name.length() - 3) + "y";
        }
        if (name.endsWith("sses") || name.endsWith("xes") || name.endsWith("ches") || name.endsWith("shes")) {
            return name.substring(0, name.length() - 2);
        }
        if (name.endsWith("s") && !name.endsWith("ss") && name.length() > 1) {
            return name.substring(0, name.length() - 1);
        }
        return name;
    }

    private static String slug(String name) {
        String slug = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]+", "-").replaceAll("^-+|-+$", "");
        return slug.isEmpty() ? "draft" : slug;
    }

    static String extension(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot < 0 ? "" : fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
