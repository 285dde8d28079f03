package org.ehrarchive.ingest;

/**
 * Source content kept as is because the model has no place for it ({@code KEPT}) or because mapping it failed
 * ({@code QUARANTINED}, with the reason). It stays attached to its document and patient and is viewable.
 */
public record ImportedFragment(Integer sectionOrdinal, String locator, Status status, String reason, String content) {

    /** Why a fragment is raw. */
    public enum Status {
        KEPT,
        QUARANTINED
    }
}
