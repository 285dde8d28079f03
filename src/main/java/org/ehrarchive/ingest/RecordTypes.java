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

    /**
     * An HL7 v2 message is one record, of its message type ({@code ADT^A08}, {@code ORU^R01}: {@link #messageType}); text
     * before a message that is no message is one record of this type, quarantined; so is a FHIR line or entry whose
     * resource type cannot be read.
     */
    public static final String UNREADABLE_MESSAGE = "unreadable";

    /**
     * The parts a record is split into when its facts version on their own (an HL7 v2 message's visit, results,
     * immunizations...): each is a source record with its own key, content and versions, counted in a file's
     * {@code parts} and not in its records, whose unit (the message) is what the source holds.
     */
    public static final java.util.Set<String> PARTS = java.util.Set.of("visit", "result", "order", "medication", "immunization",
            "appointment", "diagnosis", "procedure", "allergy", "problem", "charge", "note", "embedded-document", "segment");

    /** The record type of an HL7 v2 message: its MSH-9 message code and trigger event ({@code ADT^A08}). */
    public static String messageType(String code, String trigger) {
        return (code == null ? "?" : code) + (trigger == null ? "" : "^" + trigger);
    }

    public static boolean isPart(String type) {
        return PARTS.contains(type);
    }

    private RecordTypes() {
    }
}
