package org.ehrarchive.ingest.hl7v2;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

import org.ehrarchive.ingest.ImportedEntry;
import org.ehrarchive.ingest.ImportedRecord;
import org.ehrarchive.ingest.ImportedSection;
import org.ehrarchive.ingest.QuarantineException;
import org.ehrarchive.ingest.RecordContent;
import org.ehrarchive.ingest.RecordTypes;
import org.ehrarchive.support.CollectingSink;
import org.ehrarchive.support.InMemoryUnit;

/** Test helpers: read an HL7 v2 fixture, import it, and gather what the importer handed over. */
final class V2Fixtures {

    private V2Fixtures() {
    }

    /** Everything one file handed over, in order. */
    record Read(List<ImportedRecord> records, List<ImportedSection> sections, List<String> fileWarnings, InMemoryUnit unit) {

        /** The records the reconciliation counts as the file's: one per message. */
        List<ImportedRecord> messages() {
            return records.stream().filter(r -> !RecordTypes.isPart(r.type())).toList();
        }

        List<ImportedRecord> parts(String type) {
            return records.stream().filter(r -> r.type().equals(type)).toList();
        }

        RecordContent.DocumentContent message(int index) {
            return (RecordContent.DocumentContent) messages().get(index).content();
        }

        /** The one entry of each part of this type, in message order. */
        List<ImportedEntry> entries(String type) {
            return parts(type).stream().map(r -> ((RecordContent.EntriesContent) r.content()).entries().get(0)).toList();
        }
    }

    static byte[] bytes(String name) {
        try (InputStream in = V2Fixtures.class.getResourceAsStream("/fixtures/hl7v2/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("No fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Read read(String name) throws QuarantineException {
        return read(name, bytes(name));
    }

    static Read read(String name, byte[] bytes) throws QuarantineException {
        InMemoryUnit unit = new InMemoryUnit(name, bytes);
        CollectingSink sink = new CollectingSink();
        new Hl7v2Importer().read(unit, sink);
        return new Read(sink.records, sink.sections, sink.warnings, unit);
    }
}
