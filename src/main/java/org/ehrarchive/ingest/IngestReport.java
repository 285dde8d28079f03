package org.ehrarchive.ingest;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.ehrarchive.record.Identifier;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The reconciliation of one batch (schema: {@code archive-schemas/ingest-report.schema.json}, version 2). For every
 * file: its outcome, its source records per record type, and (for documents) per section the entries found,
 * archived, quarantined, kept raw and already archived. Every count satisfies
 * {@code found = archived + quarantined + duplicates}, with {@code keptRaw} a part of {@code archived}.
 * {@code sourceSystem} names the legacy system the batch came from ({@link SourceSystems}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record IngestReport(String schema, long batchId, String sourcePath, String sourceSystem, String status, Instant startedAt, Instant finishedAt,
        int attempts, List<FileReport> files, Totals totals) {

    /** The {@code $id} of the schema this report follows. */
    public static final String SCHEMA = "urn:ehrarchive:archive-schemas:ingest-report:2";

    /** Source records found, and what became of them. */
    public record Counts(int found, int archived, int quarantined, int keptRaw, int duplicates) {

        public static final Counts NONE = new Counts(0, 0, 0, 0, 0);

        /** Every record found is accounted for once: {@code found = archived + quarantined + duplicates}, kept raw within archived. */
        public boolean balanced() {
            return found == archived + quarantined + duplicates && keptRaw >= 0 && keptRaw <= archived;
        }

        public Counts plus(Counts other) {
            return new Counts(found + other.found, archived + other.archived, quarantined + other.quarantined,
                    keptRaw + other.keptRaw, duplicates + other.duplicates);
        }
    }

    /**
     * One file's outcome in the batch; {@code records} by record type, and the file-level counts are their sums.
     * {@code parts} (omitted when there are none) counts the parts records were split into, by part type
     * ({@link RecordTypes#PARTS}: an HL7 v2 message's visit, results...), outside those sums.
     * {@code patientIdentifiers} lists at most {@link #MAX_LISTED_IDENTIFIERS} identifiers.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FileReport(String path, String sha256, String status, String reason, String format,
            List<Identifier> patientIdentifiers, Map<String, Counts> records, @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, Counts> parts,
            List<SectionReport> sections, List<String> warnings, int found, int archived, int quarantined, int keptRaw, int duplicates) {

        public static final int MAX_LISTED_IDENTIFIERS = 50;

        public Counts counts() {
            return new Counts(found, archived, quarantined, keptRaw, duplicates);
        }
    }

    /** One section's entries (C-CDA {@code <entry>} elements). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SectionReport(String code, String codeSystem, String title, String kind, String locator,
            int found, int archived, int quarantined, int keptRaw, int duplicates) {
    }

    /** Sums over all files; {@code records} by record type, {@code parts} by part type (omitted when there are none). */
    public record Totals(int files, int archivedFiles, int duplicateFiles, int quarantinedFiles,
            int found, int archived, int quarantined, int keptRaw, int duplicates, Map<String, Counts> records,
            @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, Counts> parts) {

        public static final Totals NONE = new Totals(0, 0, 0, 0, 0, 0, 0, 0, 0, Map.of(), Map.of());

        public Counts counts() {
            return new Counts(found, archived, quarantined, keptRaw, duplicates);
        }

        /** These totals and another batch's, as one: what a source system's reconciliation adds up. */
        public Totals plus(Totals other) {
            return new Totals(files + other.files, archivedFiles + other.archivedFiles, duplicateFiles + other.duplicateFiles,
                    quarantinedFiles + other.quarantinedFiles, found + other.found, archived + other.archived,
                    quarantined + other.quarantined, keptRaw + other.keptRaw, duplicates + other.duplicates,
                    merged(records, other.records), merged(parts, other.parts));
        }

        private static Map<String, Counts> merged(Map<String, Counts> one, Map<String, Counts> other) {
            Map<String, Counts> sum = new java.util.TreeMap<>(one == null ? Map.of() : one);
            (other == null ? Map.<String, Counts>of() : other).forEach((type, counts) -> sum.merge(type, counts, Counts::plus));
            return java.util.Collections.unmodifiableMap(sum);
        }
    }
}
