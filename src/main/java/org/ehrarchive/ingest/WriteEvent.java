package org.ehrarchive.ingest;

/** What the reader hands the writer, in source order: files, their records and sections, their outcome. */
sealed interface WriteEvent {

    /** How much memory an event holds until it is stored, in kibibytes (roughly): the writer's queue is bounded by it. */
    default int weight() {
        return 1;
    }

    /** A file whose records follow: new, or resumed after its checkpoint. */
    record Opened(FileState file) implements WriteEvent {
    }

    /** A record, numbered from 1 among the events of its file. */
    record Record(FileState file, int ordinal, ImportedRecord record, int weight) implements WriteEvent {
    }

    /** A section of a document, after its entries; numbered like records. */
    record Section(FileState file, int ordinal, ImportedRecord document, ImportedSection section, int weight) implements WriteEvent {
    }

    /**
     * Every record of the file was handed over. {@code quarantine} is null when the file is archived; otherwise the
     * file is quarantined with it, and what it still holds is counted as found and quarantined.
     */
    record Closed(FileState file, QuarantineException quarantine) implements WriteEvent {
    }

    /**
     * A file accounted for without records: a duplicate of archived content, one quarantined before any record was
     * read, one that cannot be read at all, or one an earlier attempt of this batch already recorded.
     */
    record Settled(FileState file, Kind kind, String reason, IngestReport.FileReport line) implements WriteEvent {
        enum Kind {
            ALREADY_RECORDED, DUPLICATE, QUARANTINED, UNREADABLE
        }
    }

    /** A warning about how the file was read, for its report line. */
    record Warning(FileState file, String warning) implements WriteEvent {
    }

    /** No more files. */
    record End() implements WriteEvent {
    }
}
