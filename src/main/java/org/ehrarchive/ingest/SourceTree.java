package org.ehrarchive.ingest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What one ingest reads: a file, or a folder walked one directory at a time in name order, so that a folder of a
 * million files is never listed whole in memory and every attempt of a batch meets the files in the same order.
 * In each directory, importers may claim files that belong together as one unit ({@link Importer#units}).
 */
final class SourceTree {

    /** How many regular files, and bytes, the tree holds (for progress). */
    record Count(int files, long bytes) {
    }

    /** Receives each unit: its files (the deciding one first) and the importer that claimed them, or null. */
    interface UnitReader {
        void unit(List<Path> files, Importer claimedBy) throws SQLException;
    }

    private final Path root;
    private final Iterable<Importer> importers;

    SourceTree(Path root, Iterable<Importer> importers) {
        this.root = root;
        this.importers = importers;
    }

    Count count() throws IOException {
        if (Files.isRegularFile(root)) {
            return new Count(1, Files.size(root));
        }
        long[] totals = new long[2];
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(Files::isRegularFile).forEach(file -> {
                totals[0]++;
                try {
                    totals[1] += Files.size(file);
                } catch (IOException e) {
                    // counted, read later, and reported then
                }
            });
        }
        return new Count((int) totals[0], totals[1]);
    }

    void walk(UnitReader reader) throws IOException, SQLException {
        if (Files.isRegularFile(root)) {
            reader.unit(List.of(root), null);
            return;
        }
        walkDirectory(root, reader);
    }

    private void walkDirectory(Path directory, UnitReader reader) throws IOException, SQLException {
        List<Path> entries;
        try (Stream<Path> list = Files.list(directory)) {
            entries = list.sorted().toList();
        }
        List<Path> files = entries.stream().filter(Files::isRegularFile).toList();
        Set<Path> claimed = new HashSet<>();
        List<List<Path>> units = new ArrayList<>();
        List<Importer> claimers = new ArrayList<>();
        for (Importer importer : importers) {
            for (List<Path> unit : importer.units(directory, files)) {
                List<Path> fresh = unit.stream().filter(files::contains).filter(claimed::add).toList();
                if (!fresh.isEmpty()) {
                    units.add(fresh);
                    claimers.add(importer);
                }
            }
        }
        for (Path entry : entries) {
            if (Files.isDirectory(entry) && !Files.isSymbolicLink(entry)) {
                walkDirectory(entry, reader);
            } else if (Files.isRegularFile(entry)) {
                int unit = indexOfUnitStartingWith(units, entry);
                if (unit >= 0) {
                    reader.unit(units.get(unit), claimers.get(unit));
                } else if (!claimed.contains(entry)) {
                    reader.unit(List.of(entry), null);
                }
            }
        }
    }

    private static int indexOfUnitStartingWith(List<List<Path>> units, Path file) {
        for (int i = 0; i < units.size(); i++) {
            if (units.get(i).get(0).equals(file)) {
                return i;
            }
        }
        return -1;
    }
}
