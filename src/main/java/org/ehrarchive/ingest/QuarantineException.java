package org.ehrarchive.ingest;

import java.util.List;

/**
 * A source file that cannot be archived as is. The file's original is still kept; the file is recorded as
 * quarantined with {@link #reason()}, and the batch goes on.
 */
public class QuarantineException extends Exception {

    private final IngestError error;
    private final List<ImportedSection> sectionsFound;

    public QuarantineException(IngestError error, String detail) {
        this(error, detail, List.of());
    }

    /**
     * A file that could be read but not archived: {@code sectionsFound} still accounts for the entries it holds
     * (each counted as found and quarantined), so the reconciliation shows what the quarantined file contains.
     */
    public QuarantineException(IngestError error, String detail, List<ImportedSection> sectionsFound) {
        super(error.message(detail));
        this.error = error;
        this.sectionsFound = List.copyOf(sectionsFound);
    }

    public QuarantineException(IngestError error, String detail, Throwable cause) {
        super(error.message(detail), cause);
        this.error = error;
        this.sectionsFound = List.of();
    }

    /** Sections of a readable but unarchivable file, with their entries counted as quarantined. */
    public List<ImportedSection> sectionsFound() {
        return sectionsFound;
    }

    public IngestError error() {
        return error;
    }

    /** The reason recorded with the quarantined file: stable id, then what went wrong and what to do. */
    public String reason() {
        return getMessage();
    }
}
