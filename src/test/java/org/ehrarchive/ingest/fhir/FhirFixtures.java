package org.ehrarchive.ingest.fhir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.ehrarchive.ingest.ImportedEntry;
import org.ehrarchive.ingest.ImportedRecord;
import org.ehrarchive.ingest.QuarantineException;
import org.ehrarchive.ingest.RecordContent;
import org.ehrarchive.support.CollectingSink;
import org.ehrarchive.support.InMemoryUnit;

/** Test helpers: read FHIR fixtures (src/test/resources/fixtures/fhir/README.md) with the importer, and look at what it handed over. */
final class FhirFixtures {

    private FhirFixtures() {
    }

    /** Everything a unit handed over, in order. */
    record Read(List<ImportedRecord> records, CollectingSink sink, InMemoryUnit unit) {

        List<ImportedRecord> ofType(String type) {
            return records.stream().filter(r -> r.type().equals(type)).toList();
        }

        ImportedRecord keyed(String key) {
            return records.stream().filter(r -> key.equals(r.key())).findFirst().orElseThrow(() -> new AssertionError("no record " + key));
        }

        ImportedEntry entry(String key) {
            return ((RecordContent.EntriesContent) keyed(key).content()).entries().get(0);
        }

        RecordContent.RawContent raw(ImportedRecord record) {
            return (RecordContent.RawContent) record.content();
        }
    }

    static Path path(String name) {
        try {
            return Path.of(FhirFixtures.class.getResource("/fixtures/fhir/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] bytes(String name) {
        try {
            return Files.readAllBytes(path(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A folder read as ingest reads it: its FHIR files as one unit, in the order the importer chooses. */
    static Read folder(Path folder) throws IOException, QuarantineException {
        List<Path> files;
        try (Stream<Path> listed = Files.list(folder)) {
            files = listed.filter(Files::isRegularFile).sorted().toList();
        }
        List<List<Path>> units = new FhirImporter().units(folder, files);
        Map<String, byte[]> contents = new LinkedHashMap<>();
        for (Path file : units.isEmpty() ? files : units.get(0)) {
            contents.put(file.getFileName().toString(), Files.readAllBytes(file));
        }
        return read(new InMemoryUnit(contents));
    }

    static Read file(String name) throws QuarantineException {
        return read(new InMemoryUnit(name, bytes(name)));
    }

    static Read read(String name, byte[] bytes) throws QuarantineException {
        return read(new InMemoryUnit(name, bytes));
    }

    static Read read(InMemoryUnit unit) throws QuarantineException {
        CollectingSink sink = new CollectingSink();
        new FhirImporter().read(unit, sink);
        return new Read(sink.records, sink, unit);
    }
}
