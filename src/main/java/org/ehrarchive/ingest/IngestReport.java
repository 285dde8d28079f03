package org.ehrarchive.ingest;

import java.time.Instant;
import java.util.List;

import org.ehrarchive.record.Identifier;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The reconciliation of one batch (schema: {@code archive-schemas/ingest-report.schema.json}). For every file:
 * its outcome, and per section the entries found, archived, quarantined, and (for a duplicate file) found
 * already archived. Totals always satisfy {@code found = archived + quarantined + duplicates}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record IngestReport(long batchId, String sourcePath, String status, Instant startedAt, Instant finishedAt,
        int attempts, List<FileReport> files, Totals totals) {

    /** One file's outcome in the batch. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FileReport(String path, String sha256, String status, String reason, String format,
            List<Identifier> patientIdentifiers, List<SectionReport> sections, List<String> warnings,
            int found, int archived, int quarantined, int keptRaw, int duplicates) {
    }

    /** One section's entries. {@code found = archived + quarantined + duplicates}; keptRaw is part of archived. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SectionReport(String code, String codeSystem, String title, String kind, String locator,
            int found, int archived, int quarantined, int keptRaw, int duplicates) {
    }

    /** Sums over all files. */
    public record Totals(int files, int archivedFiles, int duplicateFiles, int quarantinedFiles,
            int found, int archived, int quarantined, int keptRaw, int duplicates) {
    }
}
