package org.ehrarchive.ingest;

import java.util.List;
import java.util.Map;

/**
 * A source unit that cannot be archived as is. Its originals are still kept; its files are recorded as quarantined
 * with {@link #reason()}, and the batch goes on.
 */
public class QuarantineException extends Exception {

    /** A section of a readable but unarchivable file, with how many entries it holds. */
    public record FoundSection(ImportedSection section, int entries) {
    }

    private final IngestError error;
    private final Map<String, Integer> recordsFound;
    private final List<FoundSection> sectionsFound;

    public QuarantineException(IngestError error, String detail) {
        this(error, detail, Map.of(), List.of());
    }

    /**
     * A unit that could be read but not archived: {@code recordsFound} (per record type) and {@code sectionsFound}
     * still account for what it holds, each record counted as found and quarantined, so that the reconciliation shows
     * what the quarantined file contains.
     */
    public QuarantineException(IngestError error, String detail, Map<String, Integer> recordsFound, List<FoundSection> sectionsFound) {
        super(error.message(detail));
        this.error = error;
        this.recordsFound = Map.copyOf(recordsFound);
        this.sectionsFound = List.copyOf(sectionsFound);
    }

    public IngestError error() {
        return error;
    }

    /** Records of a readable but unarchivable unit, by record type. */
    public Map<String, Integer> recordsFound() {
        return recordsFound;
    }

    /** Sections of a readable but unarchivable unit, with their entries. */
    public List<FoundSection> sectionsFound() {
        return sectionsFound;
    }

    /** The reason recorded with the quarantined file: stable id, then what went wrong and what to do. */
    public String reason() {
        return getMessage();
    }
}
