package org.ehrarchive.audit;

/**
 * What an access event records (ASTM E2147 action types). Reads of patient data are the point of the audit;
 * administrative acts that change what the archive holds or who may read it are recorded too.
 */
public enum AuditAction {
    /** A person signed in, or failed to. */
    LOGIN,
    LOGIN_FAILED,
    LOGOUT,
    /** Repeated failed sign-ins locked an account or a client address for a while. */
    LOCKOUT,
    /** A signed-in user asked for something their role may not see (HTTP 403). */
    ACCESS_REFUSED,
    /** Patient search (by name, birth date, identifier): the patients listed are the ones shown. */
    SEARCH_PATIENTS,
    /** Full-text search over archived content. */
    SEARCH_TEXT,
    /** A patient's chart was shown. */
    VIEW_CHART,
    /** A document (its sections, narrative) was shown. */
    VIEW_DOCUMENT,
    /** An original file was downloaded from the blob store. */
    DOWNLOAD_ORIGINAL,
    /** Patient data left the archive in an export or a release-of-information packet. */
    EXPORT,
    /** The access audit itself was searched or shown. */
    VIEW_AUDIT,
    /** A batch of legacy exports was ingested (an administrative change of what the archive holds). */
    INGEST_BATCH,
    /** Users, roles or settings were changed. */
    ADMIN_CHANGE,
    /** Every original was hashed again and compared with its record ({@code verify-fixity}, or its schedule). */
    FIXITY_CHECK,
    /** A sampling plan was drawn, or a record added to one (decommissioning, issue 13). */
    SAMPLING_PLAN,
    /** A sampled record was shown original beside normalized, for review. */
    VIEW_SAMPLED_RECORD,
    /** A reviewer marked a sampled record correct, or wrong with a note. */
    SAMPLE_DECISION,
    /** A decommission certificate was generated, or downloaded. */
    CERTIFICATE,
    /** A print view of patient data (chart summary, a trend, a document) was rendered for printing. */
    PRINT,
    /** Identity links were shown with their evidence (names, dates of the patients they pair). */
    VIEW_IDENTITY_LINKS,
    /** An identity link was confirmed, rejected, undone or drawn by an admin (who, when, why: docs/patient-identity.md). */
    IDENTITY_DECISION,
    /** A patient or a document was flagged restricted, or a flag lifted, by the privacy office (docs/compliance.md). */
    RESTRICTION,
    /** A reader broke the glass to open a restricted record: the reason they gave is the event's detail. */
    BREAK_GLASS,
    /** A privacy officer signed off or escalated a break-the-glass grant. */
    BREAK_GLASS_REVIEW,
    /** A release-of-information request was taken in, extended (with its notice letter) or closed without release. */
    RELEASE_REQUEST,
    /** A disclosure made outside the archive was logged, or an accounting entry suspended (45 CFR 164.528). */
    DISCLOSURE,
    /** A patient's disclosure log or accounting of disclosures was shown (the accounting's PDF and CSV are EXPORTs). */
    VIEW_DISCLOSURES;

    /**
     * Whether this action opens a patient's record (a chart page, a document, an original, a print view, a sampled
     * record): the reads a restriction holds back until the reader breaks the glass. Searches list patients and are
     * not held back.
     */
    public boolean opensRecord() {
        return this == VIEW_CHART || this == VIEW_DOCUMENT || this == DOWNLOAD_ORIGINAL || this == PRINT || this == VIEW_SAMPLED_RECORD;
    }
}
