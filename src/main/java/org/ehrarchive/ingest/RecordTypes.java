package org.ehrarchive.ingest;

/**
 * The record types the reconciliation counts, one name per kind of source record across formats, so that an
 * auditor reads messages, rows, resources, entries, attachments and pages alike.
 */
public final class RecordTypes {

    /** A clinical document's header and patient (C-CDA ClinicalDocument). */
    public static final String DOCUMENT = "document";
    /** One {@code <entry>} of a document's section. */
    public static final String ENTRY = "entry";
    /** The encounter a document belongs to, from its header (C-CDA componentOf/encompassingEncounter). */
    public static final String HEADER_ENCOUNTER = "header-encounter";
    /** A file carried in or referenced by a document (C-CDA nonXMLBody). */
    public static final String ATTACHMENT = "attachment";
    /** Header content found after a document's body, where no header belongs; kept raw. */
    public static final String DOCUMENT_PART = "document-part";

    private RecordTypes() {
    }
}
