package org.ehrarchive.ingest;

import java.util.List;

import org.ehrarchive.record.Coded;

/**
 * A section of a document with its narrative and its reconciliation: {@code found} entries, of which
 * {@code archived} (mapped, or kept raw: {@code keptRaw} of them) and {@code quarantined};
 * {@code found == archived + quarantined} always holds. {@code kind} is the recognised section kind, or
 * {@code null} when the section is not recognised (its entries are then kept raw).
 */
public record ImportedSection(
        int ordinal,
        Integer parentOrdinal,
        String locator,
        Coded code,
        List<String> templateIds,
        String title,
        String kind,
        String narrative,
        int found,
        int archived,
        int quarantined,
        int keptRaw) {
}
