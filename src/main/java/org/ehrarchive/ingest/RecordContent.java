package org.ehrarchive.ingest;

import java.util.List;

/** What a source record carries into the normalized store; one shape per kind of record. */
public sealed interface RecordContent {

    /**
     * A clinical document's header and the patient it is about; the patient's identifiers decide which archived
     * patient the document and every record below it belong to. {@code keptFragments} are header parts the model
     * has no place for (additional recordTargets); {@code warnings} are about how the source was read.
     */
    record DocumentContent(ImportedDocument document, ImportedPatient patient, List<ImportedFragment> keptFragments,
            List<String> warnings) implements RecordContent {
    }

    /** Normalized entries read from one source record (an organizer yields one per component). */
    record EntriesContent(Integer sectionOrdinal, List<ImportedEntry> entries) implements RecordContent {
    }

    /**
     * A record kept as source markup: KEPT when the model has no place for it (counted archived and kept raw),
     * QUARANTINED when it could not be mapped (counted quarantined), with the reason.
     */
    record RawContent(Integer sectionOrdinal, ImportedFragment.Status status, String reason, String content)
            implements RecordContent {
    }

    /**
     * A file carried by a document, already in the blob store under {@code sha256} (null when only referenced and
     * not found beside the document).
     */
    record AttachmentContent(String mediaType, String sha256, Long sizeBytes, String reference) implements RecordContent {
    }
}
