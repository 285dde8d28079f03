package org.ehrarchive.ingest;

/**
 * Where an importer hands what it reads, one record at a time and in the order of the source, so that memory is
 * bounded by one record and not by the file (ADR 0009). The archive stores records in chunks as they come; a call
 * may block while the store catches up.
 */
public interface RecordSink {

    /** One source record of the unit's first (or only) file; its parent, if any, was handed over before it. */
    void record(ImportedRecord record);

    /** One source record of the given file of the unit (a table of a dump, a file of an export folder). */
    void record(SourceUnit.File from, ImportedRecord record);

    /** A section of a document, handed over after the last of its entries. */
    void section(ImportedRecord document, ImportedSection section);

    /** Something about how the unit was read that its report should say (never patient data). */
    void warning(String warning);

    /** Something about how one file of the unit was read, for that file's report (never patient data). */
    default void warning(SourceUnit.File from, String warning) {
        warning(warning);
    }

    /**
     * One file of a unit of several that cannot be read at all (not the format it claimed to be): it is quarantined
     * with the reason, after whatever it handed over, and the unit's other files go on.
     */
    void quarantine(SourceUnit.File file, QuarantineException reason);
}
