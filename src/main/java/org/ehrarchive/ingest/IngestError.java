package org.ehrarchive.ingest;

/**
 * Catalogue of the reasons a file or an entry is quarantined. Ids are stable: reports, tests and operators
 * rely on them. A message says what was wrong and what to check next; it never quotes patient data.
 */
public enum IngestError {
    UNKNOWN_FORMAT("ING-001", "No importer recognises this file's format yet; the original is kept, and it is archived when an importer for it exists (supported now: C-CDA XML, HL7 v2 message archives, FHIR R4 JSON, NDJSON and XML)"),
    TOO_LARGE("ING-002", "The file is larger than archive.ingest.max-file-bytes; raise the limit if it is genuine"),
    EMPTY_FILE("ING-003", "The file is empty"),
    XML_DOCTYPE_FORBIDDEN("ING-101", "The XML declares a DTD (DOCTYPE); neither C-CDA nor FHIR ever needs one and DTDs can read local files or exhaust memory, so the file was not parsed"),
    XML_NOT_WELL_FORMED("ING-102", "The XML is not well-formed; the original is kept, repair the export and ingest it again"),
    NOT_A_CLINICAL_DOCUMENT("ING-103", "The XML root is not an HL7 CDA ClinicalDocument"),
    NO_PATIENT("ING-104", "The document has no recordTarget/patientRole, so it cannot be filed under a patient"),
    XML_LIMIT_EXCEEDED("ING-105", "The XML exceeds a parser safety limit (entity expansion, depth or size); the file was not parsed"),
    NO_MESSAGES("ING-106", "The file starts like an HL7 v2 message archive but holds no message (only batch envelope segments)"),
    FHIR_UNREADABLE("ING-107", "The file starts like FHIR JSON but is not a FHIR resource, bundle or NDJSON export (malformed JSON, or no resourceType); the original is kept, repair the export and ingest it again"),
    ENTRY_UNREADABLE("ING-201", "An entry could not be mapped; it is kept as a quarantined raw fragment of its document"),
    ATTACHMENT_UNREADABLE("ING-202", "A file embedded in the document could not be decoded; the body is kept as a quarantined raw fragment"),
    RECORD_TOO_LARGE("ING-203", "A record is larger than the archive maps in one piece; it is counted as quarantined and stays in the original at its locator"),
    RECORD_UNSTORABLE("ING-204", "The database refused to store this record (for example a NUL character or a value too long for an index); it is kept as a quarantined raw fragment, and the rest of the file is archived"),
    PARENT_UNSTORABLE("ING-205", "This record belongs to a record that could not be stored (see that record's reason); it is kept as a quarantined raw fragment"),
    MESSAGE_UNREADABLE("ING-206", "An HL7 v2 message could not be read into segments and fields; it is quarantined with its text (or, for bytes that are no message, its place in the original), and the rest of the file is archived"),
    RESOURCE_UNREADABLE("ING-207", "A FHIR resource could not be read (malformed JSON, nesting deeper than any resource needs, an unknown resource type, a value of the wrong type); it is quarantined with its text, and the rest of the file is archived"),
    PATIENT_NOT_FOUND("ING-208", "A FHIR resource names a patient that is not in its source (no Patient of its bundle or export matches the reference); it is quarantined rather than filed under a guess: ingest it together with its patients"),
    READ_FAILED("ING-901", "The file could not be read"),
    RESOURCES_EXHAUSTED("ING-902", "Reading the file exhausted the memory or the stack; the original is kept: give the archive more heap, or split the file, and ingest it again");

    private final String id;
    private final String text;

    IngestError(String id, String text) {
        this.id = id;
        this.text = text;
    }

    public String id() {
        return id;
    }

    /** {@code ID: text (detail)}; the detail must not contain patient data. */
    public String message(String detail) {
        return detail == null || detail.isBlank() ? id + ": " + text : id + ": " + text + " (" + detail + ")";
    }
}
