package org.ehrarchive.ingest.table;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.ehrarchive.ingest.Importer;
import org.ehrarchive.ingest.QuarantineException;
import org.ehrarchive.ingest.RecordSink;
import org.ehrarchive.ingest.SourceSniff;
import org.ehrarchive.ingest.SourceUnit;

/**
 * Table dumps (docs/formats/table-dumps.md, ADR 0020): a folder of delimited tables read as one unit through the mapping
 * profile that {@code ingest --profile} names. Not a bean: a table has no format of its own to be recognised by, so the
 * ingest builds one per run from the profile it was given.
 */
public final class TableDumpImporter implements Importer {

    /** Files of a dump folder that are tables even when the profile does not name them (archived raw and counted). */
    static final Set<String> TABLE_EXTENSIONS = Set.of("csv", "tsv", "psv", "tab", "dat");

    private final MappingProfile profile;

    public TableDumpImporter(MappingProfile profile) {
        this.profile = profile;
    }

    public MappingProfile profile() {
        return profile;
    }

    @Override
    public String format() {
        return "csv";
    }

    /** A file the profile names, given alone. */
    @Override
    public boolean accepts(SourceSniff sniff) {
        return profile.tableOf(TableReading.fileName(sniff.fileName())).isPresent();
    }

    /**
     * A folder holding any table the profile names is one unit: its tables in the profile's reading order (what rows
     * join is read before them), then the folder's other tables, which the profile does not name.
     */
    @Override
    public List<List<Path>> units(Path folder, List<Path> files) {
        record Ranked(Path path, int rank) {
        }
        List<Ranked> named = new ArrayList<>();
        List<Path> unnamed = new ArrayList<>();
        for (Path file : files) {
            String name = file.getFileName().toString();
            int rank = rankOf(name);
            if (rank >= 0) {
                named.add(new Ranked(file, rank));
            } else if (TABLE_EXTENSIONS.contains(extension(name))) {
                unnamed.add(file);
            }
        }
        if (named.isEmpty()) {
            return List.of();
        }
        List<Path> unit = new ArrayList<>(named.stream().sorted(Comparator.comparingInt(Ranked::rank).thenComparing(Ranked::path)).map(Ranked::path).toList());
        unnamed.stream().sorted().forEach(unit::add);
        return List.of(unit);
    }

    private int rankOf(String fileName) {
        for (int i = 0; i < profile.tables().size(); i++) {
            if (profile.tables().get(i).matches(fileName)) {
                return i;
            }
        }
        return -1;
    }

    private static String extension(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    /** A table is read row by row: a 2 GB table is no more in memory than a small one. */
    @Override
    public boolean readsAnySize() {
        return true;
    }

    @Override
    public void read(SourceUnit unit, RecordSink sink) throws QuarantineException {
        new TableReading(profile, unit, sink, null).read();
    }
}
