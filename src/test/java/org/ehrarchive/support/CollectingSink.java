package org.ehrarchive.support;

import java.util.ArrayList;
import java.util.List;

import org.ehrarchive.ingest.ImportedRecord;
import org.ehrarchive.ingest.ImportedSection;
import org.ehrarchive.ingest.RecordSink;
import org.ehrarchive.ingest.SourceUnit;

/** For importer tests: a sink that keeps everything an importer hands over, in order. */
public final class CollectingSink implements RecordSink {

    public final List<ImportedRecord> records = new ArrayList<>();
    public final List<ImportedSection> sections = new ArrayList<>();
    public final List<String> warnings = new ArrayList<>();
    /** Files of a unit quarantined alone, with their reasons. */
    public final java.util.Map<SourceUnit.File, String> quarantinedFiles = new java.util.LinkedHashMap<>();

    @Override
    public void record(ImportedRecord record) {
        records.add(record);
    }

    @Override
    public void record(SourceUnit.File from, ImportedRecord record) {
        records.add(record);
    }

    @Override
    public void section(ImportedRecord document, ImportedSection section) {
        sections.add(section);
    }

    @Override
    public void warning(String warning) {
        warnings.add(warning);
    }

    @Override
    public void quarantine(SourceUnit.File file, org.ehrarchive.ingest.QuarantineException reason) {
        quarantinedFiles.put(file, reason.reason());
    }
}
