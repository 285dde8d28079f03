package org.ehrarchive.ingest;

import java.util.List;

import org.ehrarchive.record.Coded;

/**
 * A section of a document with its narrative (source markup). {@code kind} is the recognised section kind, or
 * {@code null} when the section is not recognised (its entries are then kept raw). The archive counts its entries
 * (found, archived, quarantined, kept raw, duplicates) from the entry records that name its ordinal.
 */
public record ImportedSection(
        int ordinal,
        Integer parentOrdinal,
        String locator,
        Coded code,
        List<String> templateIds,
        String title,
        String kind,
        String narrative) {
}
