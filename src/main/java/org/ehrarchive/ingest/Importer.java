package org.ehrarchive.ingest;

/**
 * The port every source format implements (C-CDA now; HL7 v2, table dumps, FHIR and scanned documents later).
 * An importer reads one source file into format-neutral {@link ImportedDocument}s and accounts for every
 * entry it found; the ingest pipeline stores the original, persists what the importer returns in one
 * transaction, and writes the reconciliation.
 * <p>
 * An importer never writes to the archive itself, never logs patient data, and reports unreadable input by
 * throwing {@link QuarantineException} with a reason a person can act on.
 */
public interface Importer {

    /** Short stable name of the format, stored with every record ({@code ccda}, {@code hl7v2}, ...). */
    String format();

    /** Whether this importer reads the file, judged from its name and first bytes. */
    boolean accepts(SourceSniff sniff);

    /**
     * Reads the whole file. Every entry found ends in the result as a normalized entry, a raw fragment, or a
     * quarantined fragment, and the per-section counts say so.
     */
    ImportResult read(SourceInput input) throws QuarantineException;
}
