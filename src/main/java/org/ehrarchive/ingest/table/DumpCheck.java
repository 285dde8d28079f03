package org.ehrarchive.ingest.table;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.ehrarchive.ingest.ImportedFragment;
import org.ehrarchive.ingest.ImportedRecord;
import org.ehrarchive.ingest.ImportedSection;
import org.ehrarchive.ingest.QuarantineException;
import org.ehrarchive.ingest.RecordContent;
import org.ehrarchive.ingest.RecordSink;
import org.ehrarchive.ingest.SourceUnit;
import org.ehrarchive.ingest.table.MappingProfiles.Problem;

/**
 * {@code profile validate PROFILE FOLDER}: reads the dump exactly as the ingest would, through the same importer, but
 * writes nothing, and reports every problem with its file and line (unknown columns, broken joins, rows whose patient
 * is missing, dates that do not parse, ragged rows), with the rows each table would archive, so that an admin mends the
 * profile before anything is stored.
 */
public final class DumpCheck {

    /** At most this many problems are listed per file; the rest are counted. */
    public static final int LISTED_PER_FILE = 50;

    /** What one table file would give: rows by outcome. */
    public record FileResult(String file, String table, long rows, long archived, long keptRaw, long quarantined, String fileProblem) {
    }

    public record Result(List<FileResult> files, List<Problem> problems, long problemsNotListed) {
        public boolean passed() {
            return problems.isEmpty();
        }
    }

    public static Result check(MappingProfile profile, Path folder) throws IOException {
        List<Path> files;
        try (Stream<Path> listed = Files.list(folder)) {
            files = listed.filter(Files::isRegularFile).sorted().toList();
        }
        TableDumpImporter importer = new TableDumpImporter(profile);
        List<List<Path>> units = importer.units(folder, files);
        List<Problem> problems = new ArrayList<>();
        for (MappingProfile.Table table : profile.tables()) {
            if (files.stream().noneMatch(f -> table.matches(f.getFileName().toString()))) {
                problems.add(new Problem(profile.source(), table.line(), "table " + table.name() + ": no file in " + folder + " matches "
                        + String.join(", ", table.files())));
            }
        }
        Map<String, List<Problem>> headerProblems = headers(profile, folder, files);
        headerProblems.values().forEach(problems::addAll);
        if (units.isEmpty()) {
            return new Result(List.of(), problems, 0);
        }
        FolderUnit unit = new FolderUnit(folder, units.get(0));
        Counting sink = new Counting();
        Map<String, Integer> listed = new LinkedHashMap<>();
        long[] notListed = {0};
        TableReading reading = new TableReading(profile, unit, sink, (file, line, message) -> {
            if (listed.merge(file, 1, Integer::sum) <= LISTED_PER_FILE) {
                problems.add(new Problem(file, (int) Math.min(Integer.MAX_VALUE, line), message));
            } else {
                notListed[0]++;
            }
        });
        try {
            reading.read();
        } catch (QuarantineException e) {
            sink.quarantine(unit.files().get(0), e);
        }
        List<FileResult> results = new ArrayList<>();
        for (SourceUnit.File file : unit.files()) {
            long[] counts = sink.counts.getOrDefault(file.path(), new long[4]);
            String fileProblem = sink.fileProblems.get(file.path());
            if (fileProblem != null && !headerProblems.containsKey(file.path())) {
                problems.add(new Problem(file.path(), 0, fileProblem));
            }
            results.add(new FileResult(file.path(), Optional.ofNullable(reading.tableOf(file)).map(MappingProfile.Table::name)
                    .orElse("(not in the profile: kept raw)"), counts[0], counts[1], counts[2], counts[3], fileProblem));
        }
        return new Result(results, problems, notListed[0]);
    }

    /**
     * Every column the profile names that a table file's header does not have, at the profile line that names it, by file;
     * usable on a profile that has other problems too ({@link MappingProfiles.Loaded#asRead}), so that all are said at once.
     */
    public static Map<String, List<Problem>> headers(MappingProfile profile, Path folder, List<Path> files) {
        Map<String, List<Problem>> found = new LinkedHashMap<>();
        for (Path path : files) {
            String name = path.getFileName().toString();
            MappingProfile.Table table = profile.tableOf(name).orElse(null);
            if (table == null || !table.dialect().header()) {
                continue;
            }
            List<String> header;
            try (InputStream in = Files.newInputStream(path);
                    org.apache.commons.csv.CSVParser parser = org.apache.commons.csv.CSVParser.builder()
                            .setReader(TableReading.reader(in, table.dialect().encoding())).setFormat(TableReading.format(table.dialect())).get()) {
                var rows = parser.iterator();
                if (!rows.hasNext()) {
                    continue;
                }
                header = rows.next().toList().stream().map(String::strip).toList();
            } catch (IOException | RuntimeException e) {
                continue; // reported by the reading, with its reason
            }
            Map<String, Integer> named = new LinkedHashMap<>(table.columnsUsed());
            table.joins().forEach(j -> named.putIfAbsent(j.column(), j.line()));
            table.key().forEach(k -> named.putIfAbsent(k, table.line()));
            named.forEach((column, line) -> {
                if (!header.contains(column)) {
                    // The header is not listed: when a file has no header row after all, its "header" is a patient's row.
                    String near = nearest(column, header);
                    found.computeIfAbsent(name, f -> new ArrayList<>()).add(new Problem(profile.source(), line, "table " + table.name()
                            + " maps column " + column + ", which the header of " + name + " does not have" + (near == null ? ""
                                    : " (did you mean " + near + "?)")));
                }
            });
        }
        return found;
    }

    /** The header name within two edits of {@code column} (a typo), or null: a name that close is a column name, not data. */
    static String nearest(String column, List<String> header) {
        String best = null;
        int bestDistance = 3;
        for (String name : header) {
            int distance = distance(column.toLowerCase(java.util.Locale.ROOT), name.toLowerCase(java.util.Locale.ROOT));
            if (distance < bestDistance) {
                best = name;
                bestDistance = distance;
            }
        }
        return best;
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /** The unit's files read from the folder itself: nothing is stored. */
    private static final class FolderUnit implements SourceUnit {
        private final Path folder;
        private final List<File> files = new ArrayList<>();

        FolderUnit(Path folder, List<Path> paths) throws IOException {
            this.folder = folder;
            for (Path path : paths) {
                files.add(new File(path.getFileName().toString(), "", Files.size(path)));
            }
        }

        @Override
        public List<File> files() {
            return files;
        }

        @Override
        public InputStream open(File file) throws IOException {
            return Files.newInputStream(folder.resolve(file.path()));
        }

        @Override
        public BlobOutput newBlob(long maxBytes) {
            throw new UnsupportedOperationException("a table dump carries no embedded files");
        }

        @Override
        public Optional<StoredBlob> storeReferenced(File from, String reference) {
            return Optional.empty();
        }

        @Override
        public long maxEmbeddedBytes() {
            return 0;
        }
    }

    /** Counts rows per file by outcome: found, archived, kept raw, quarantined. */
    private static final class Counting implements RecordSink {
        final Map<String, long[]> counts = new LinkedHashMap<>();
        final Map<String, String> fileProblems = new LinkedHashMap<>();

        @Override
        public void record(ImportedRecord record) {
            throw new IllegalStateException("a table row is always handed over with its file");
        }

        @Override
        public void record(SourceUnit.File from, ImportedRecord record) {
            long[] c = counts.computeIfAbsent(from.path(), f -> new long[4]);
            c[0]++;
            if (record.content() instanceof RecordContent.RawContent raw) {
                c[raw.status() == ImportedFragment.Status.QUARANTINED ? 3 : 2]++;
            } else {
                c[1]++;
            }
        }

        @Override
        public void section(ImportedRecord document, ImportedSection section) {
        }

        @Override
        public void warning(String warning) {
        }

        @Override
        public void quarantine(SourceUnit.File file, QuarantineException reason) {
            fileProblems.put(file.path(), reason.reason());
        }
    }

    private DumpCheck() {
    }
}
