package org.ehrarchive.ingest.ccda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.ehrarchive.ingest.ImportedDocument;
import org.ehrarchive.ingest.ImportedEntry;
import org.ehrarchive.ingest.ImportedFragment;
import org.ehrarchive.ingest.ImportedPatient;
import org.ehrarchive.ingest.ImportedRecord;
import org.ehrarchive.ingest.ImportedSection;
import org.ehrarchive.ingest.QuarantineException;
import org.ehrarchive.ingest.RecordContent;
import org.ehrarchive.ingest.RecordTypes;
import org.ehrarchive.support.CollectingSink;
import org.ehrarchive.support.InMemoryUnit;

/** Test helpers: read a C-CDA fixture by name, import it, and gather what the importer handed over. */
final class CcdaFixtures {

    private CcdaFixtures() {
    }

    /** A section as the importer handed it over, with the outcomes of the entry records that named it. */
    record Section(ImportedSection section, int found, int archived, int quarantined, int keptRaw) {
        int ordinal() {
            return section.ordinal();
        }

        String title() {
            return section.title();
        }

        String kind() {
            return section.kind();
        }

        String narrative() {
            return section.narrative();
        }

        String locator() {
            return section.locator();
        }
    }

    /** Everything one document handed over, in order, and gathered by kind. */
    record Read(List<ImportedRecord> records, List<Section> sections, List<String> unitWarnings, InMemoryUnit unit) {

        ImportedRecord documentRecord() {
            return records.stream().filter(r -> r.type().equals(RecordTypes.DOCUMENT)).findFirst().orElseThrow();
        }

        RecordContent.DocumentContent content() {
            return (RecordContent.DocumentContent) documentRecord().content();
        }

        ImportedDocument document() {
            return content().document();
        }

        ImportedPatient patient() {
            return content().patient();
        }

        List<String> warnings() {
            return content().warnings();
        }

        /** Every normalized entry, in document order (the header encounter first). */
        List<ImportedEntry> entries() {
            List<ImportedEntry> entries = new ArrayList<>();
            for (ImportedRecord record : records) {
                if (record.content() instanceof RecordContent.EntriesContent content) {
                    entries.addAll(content.entries());
                }
            }
            return entries;
        }

        /** Kept and quarantined fragments: the document's own, and every raw record's. */
        List<ImportedFragment> fragments() {
            List<ImportedFragment> fragments = new ArrayList<>(content().keptFragments());
            for (ImportedRecord record : records) {
                if (record.content() instanceof RecordContent.RawContent raw) {
                    fragments.add(new ImportedFragment(raw.sectionOrdinal(), record.locator(), raw.status(), raw.reason(), raw.content()));
                }
            }
            return fragments;
        }

        List<RecordContent.AttachmentContent> attachments() {
            return records.stream().filter(r -> r.content() instanceof RecordContent.AttachmentContent)
                    .map(r -> (RecordContent.AttachmentContent) r.content()).toList();
        }

        List<ImportedRecord> ofType(String type) {
            return records.stream().filter(r -> r.type().equals(type)).toList();
        }
    }

    static byte[] bytes(String name) {
        try (InputStream in = CcdaFixtures.class.getResourceAsStream("/fixtures/ccda/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("No fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Read importBytes(String name, byte[] bytes) throws QuarantineException {
        return importUnit(new InMemoryUnit(name, bytes));
    }

    static Read importUnit(InMemoryUnit unit) throws QuarantineException {
        return importUnit(new CcdaImporter(), unit);
    }

    static Read importUnit(CcdaImporter importer, InMemoryUnit unit) throws QuarantineException {
        CollectingSink sink = new CollectingSink();
        importer.read(unit, sink);
        List<ImportedRecord> records = sink.records;
        List<Section> sections = new ArrayList<>();
        for (ImportedSection section : sink.sections) {
            // a section's entries are the records that name its ordinal (all handed over before it)
            int found = 0;
            int quarantined = 0;
            int keptRaw = 0;
            for (ImportedRecord record : records) {
                Integer ordinal = record.content() instanceof RecordContent.EntriesContent e ? e.sectionOrdinal()
                        : record.content() instanceof RecordContent.RawContent r ? r.sectionOrdinal() : null;
                if (ordinal != null && ordinal == section.ordinal()) {
                    found++;
                    if (record.content() instanceof RecordContent.RawContent raw) {
                        if (raw.status() == ImportedFragment.Status.KEPT) {
                            keptRaw++;
                        } else {
                            quarantined++;
                        }
                    }
                }
            }
            sections.add(new Section(section, found, found - quarantined, quarantined, keptRaw));
        }
        List<String> warnings = sink.warnings;
        sections.sort(java.util.Comparator.comparingInt(Section::ordinal));
        return new Read(records, sections, warnings, unit);
    }

    static Read importFixture(String name) throws QuarantineException {
        return importBytes(name, bytes(name));
    }

    /** Referenced files beside a document, by the name it refers to them. */
    static Read importWithReferences(String name, Map<String, byte[]> referenced) throws QuarantineException {
        byte[] bytes = bytes(name);
        return importUnit(new InMemoryUnit(name, bytes, referenced, 1L << 30));
    }
}
