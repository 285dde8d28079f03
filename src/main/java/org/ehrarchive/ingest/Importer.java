package org.ehrarchive.ingest;

import java.nio.file.Path;
import java.util.List;

/**
 * The port every source format implements (ADR 0009): C-CDA now; HL7 v2, table dumps, FHIR and scanned documents
 * next. An importer reads a {@link SourceUnit} from streams and hands its records, one at a time and in source
 * order, to a {@link RecordSink}; the archive stores them in chunks, decides what is a duplicate or a new version,
 * and keeps the reconciliation. Memory is bounded by the largest single record, not by the file.
 * <p>
 * An importer never writes to the archive itself, never logs patient data, and reports a unit it cannot read at
 * all by throwing {@link QuarantineException} with a reason a person can act on, before it hands over any record.
 * A record it cannot map is handed over as quarantined raw content; the rest of the unit goes on. Reading the same
 * bytes again must hand over the same records in the same order (a resumed file skips the ones already stored).
 */
public interface Importer {

    /** Short stable name of the format, stored with every record ({@code ccda}, {@code hl7v2}, ...). */
    String format();

    /** Whether this importer reads the file, judged from its name and first bytes. */
    boolean accepts(SourceSniff sniff);

    /**
     * The files of one folder that this importer reads together as units (a dump's tables with their profile, an
     * export folder with its manifest), each unit's deciding file first. Files not claimed are read one by one.
     */
    default List<List<Path>> units(Path folder, List<Path> files) {
        return List.of();
    }

    /**
     * Whether the files it claims are read in pieces small whatever the file's size (a table row by row), so that
     * {@code archive.ingest.max-file-bytes} does not apply to them; the limit stays for files that hold large records.
     */
    default boolean readsAnySize() {
        return false;
    }

    /** Reads the unit, handing every record it holds to the sink. */
    void read(SourceUnit unit, RecordSink sink) throws QuarantineException;
}
