package org.ehrarchive.ingest.table;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.ehrarchive.ingest.ImportedEntry;
import org.ehrarchive.ingest.ImportedPatient;
import org.ehrarchive.ingest.ImportedRecord;
import org.ehrarchive.ingest.QuarantineException;
import org.ehrarchive.ingest.RecordContent;
import org.ehrarchive.support.CollectingSink;
import org.ehrarchive.support.InMemoryUnit;

/**
 * Test helpers: read the table-dump fixtures (src/test/resources/fixtures/table-dump/README.md) the way ingest reads a
 * folder (the importer's one unit, in its order), or small dumps given inline, and look at what the importer handed over.
 */
final class TableDumpFixtures {

    private TableDumpFixtures() {
    }

    /** Everything one unit handed over, in order, with the unit's file names in the importer's order. */
    record Read(List<String> unit, CollectingSink sink) {

        List<ImportedRecord> records() {
            return sink.records;
        }

        List<ImportedRecord> ofType(String type) {
            return sink.records.stream().filter(r -> r.type().equals(type)).toList();
        }

        /** The locators of a table's records, in the order they were handed over. */
        List<String> locators(String type) {
            return ofType(type).stream().map(ImportedRecord::locator).toList();
        }

        ImportedRecord at(String type, int line) {
            return ofType(type).stream().filter(r -> r.locator().equals("/line[" + line + "]")).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + type + " record at line " + line));
        }

        ImportedRecord keyed(String type, String key) {
            return ofType(type).stream().filter(r -> key.equals(r.key())).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + type + " record " + key));
        }

        ImportedEntry entry(String type, int line) {
            return entryOf(at(type, line));
        }

        List<ImportedEntry> entries(String type) {
            return ofType(type).stream().filter(r -> r.content() instanceof RecordContent.EntriesContent).map(TableDumpFixtures::entryOf).toList();
        }

        ImportedPatient patient(String key) {
            return patientOf(keyed(patientsType(), key));
        }

        private String patientsType() {
            return sink.records.stream().filter(r -> r.content() instanceof RecordContent.DocumentContent).map(ImportedRecord::type).findFirst()
                    .orElseThrow(() -> new AssertionError("no patient record"));
        }

        RecordContent.RawContent raw(String type, int line) {
            return (RecordContent.RawContent) at(type, line).content();
        }

        /** Every reason and warning the reading gave: rows', files', the unit's and the patients' own. */
        List<String> reasonsAndWarnings() {
            List<String> all = new ArrayList<>(sink.warnings);
            all.addAll(sink.quarantinedFiles.values());
            for (ImportedRecord record : sink.records) {
                if (record.content() instanceof RecordContent.RawContent raw) {
                    all.add(raw.reason());
                } else if (record.content() instanceof RecordContent.DocumentContent document) {
                    all.addAll(document.warnings());
                }
            }
            return all;
        }
    }

    static ImportedEntry entryOf(ImportedRecord record) {
        if (!(record.content() instanceof RecordContent.EntriesContent entries)) {
            throw new AssertionError(record.type() + " " + record.locator() + " is no entry: " + record.content());
        }
        return entries.entries().get(0);
    }

    static ImportedPatient patientOf(ImportedRecord record) {
        return ((RecordContent.DocumentContent) record.content()).patient();
    }

    static Path folder(String name) {
        try {
            return Path.of(TableDumpFixtures.class.getResource("/fixtures/table-dump/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The fixture's own profile.yaml, or the shipped synthea-csv for small-synthea; it must load without problems. */
    static MappingProfile profile(String fixture) {
        MappingProfiles.Loaded loaded = fixture.equals("small-synthea") ? MappingProfiles.shipped("synthea-csv")
                : MappingProfiles.file(folder(fixture).resolve("profile.yaml"));
        return loaded.orElseThrow();
    }

    static byte[] bytes(String fixture, String file) {
        try {
            return Files.readAllBytes(folder(fixture).resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Path> sortedFiles(Path folder) throws IOException {
        try (Stream<Path> listed = Files.list(folder)) {
            return listed.filter(Files::isRegularFile).sorted().toList();
        }
    }

    /** A fixture folder read as ingest reads it, with its own profile. */
    static Read read(String fixture) throws IOException, QuarantineException {
        return read(folder(fixture), profile(fixture));
    }

    /** A folder read as ingest reads it: the importer's unit of its files, in the importer's order, through one reading. */
    static Read read(Path folder, MappingProfile profile) throws IOException, QuarantineException {
        TableDumpImporter importer = new TableDumpImporter(profile);
        List<List<Path>> units = importer.units(folder, sortedFiles(folder));
        if (units.size() != 1) {
            throw new AssertionError("a dump folder is one unit, not " + units.size());
        }
        Map<String, byte[]> contents = new LinkedHashMap<>();
        for (Path file : units.get(0)) {
            contents.put(file.getFileName().toString(), Files.readAllBytes(file));
        }
        return read(profile, contents);
    }

    /** Files given as they are, in the order given, read as one unit. */
    static Read read(MappingProfile profile, Map<String, byte[]> files) throws QuarantineException {
        CollectingSink sink = new CollectingSink();
        new TableDumpImporter(profile).read(new InMemoryUnit(files), sink);
        return new Read(List.copyOf(files.keySet()), sink);
    }

    /** A profile given inline, which must load without problems. */
    static MappingProfile parse(String yaml) {
        return MappingProfiles.parse(yaml, "inline.yaml").orElseThrow();
    }

    /** File name, bytes, file name, bytes... in unit order. */
    static Map<String, byte[]> files(Object... nameThenBytes) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (int i = 0; i < nameThenBytes.length; i += 2) {
            Object content = nameThenBytes[i + 1];
            files.put((String) nameThenBytes[i], content instanceof String text ? text.getBytes(java.nio.charset.StandardCharsets.UTF_8) : (byte[]) content);
        }
        return files;
    }
}
