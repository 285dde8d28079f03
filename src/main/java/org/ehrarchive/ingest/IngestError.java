package org.ehrarchive.ingest;

/**
 * Catalogue of the reasons a file or an entry is quarantined. Ids are stable: reports, tests and operators
 * rely on them. A message says what was wrong and what to check next; it never quotes patient data.
 */
public enum IngestError {
    UNKNOWN_FORMAT("ING-001", "No importer recognises this file's format yet; the original is kept, and it is archived when an importer for it exists (supported now: C-CDA XML, HL7 v2 message archives, FHIR R4 JSON, NDJSON and XML; table dumps such as CSV with `ingest --profile`)",
            "Check the file is a clinical export at all; if it is a format the archive does not read yet, keep it quarantined (the original is kept) and record why in the stated counts"),
    TOO_LARGE("ING-002", "The file is larger than archive.ingest.max-file-bytes; raise the limit if it is genuine",
            "Raise archive.ingest.max-file-bytes and ingest the file again"),
    EMPTY_FILE("ING-003", "The file is empty",
            "Ask the old system's team whether the export job failed for this file; export it again, or accept it as empty"),
    XML_DOCTYPE_FORBIDDEN("ING-101", "The XML declares a DTD (DOCTYPE); neither C-CDA nor FHIR ever needs one and DTDs can read local files or exhaust memory, so the file was not parsed",
            "Export the document again without its DOCTYPE line (or remove the line from a copy) and ingest the copy"),
    XML_NOT_WELL_FORMED("ING-102", "The XML is not well-formed; the original is kept, repair the export and ingest it again",
            "Repair or re-export the file (a truncated transfer is the usual cause), then ingest it again"),
    NOT_A_CLINICAL_DOCUMENT("ING-103", "The XML root is not an HL7 CDA ClinicalDocument",
            "Check what the file is; if it belongs to the record, convert it or keep it quarantined with an explanation"),
    NO_PATIENT("ING-104", "The document has no recordTarget/patientRole, so it cannot be filed under a patient",
            "Re-export the document with its patient (recordTarget), then ingest it again"),
    XML_LIMIT_EXCEEDED("ING-105", "The XML exceeds a parser safety limit (entity expansion, depth or size); the file was not parsed",
            "Check the file is genuine; split it or have the old system export it again, then ingest it again"),
    NO_MESSAGES("ING-106", "The file starts like an HL7 v2 message archive but holds no message (only batch envelope segments)",
            "Check the interface engine's export for this file; export it again if messages are missing"),
    FHIR_UNREADABLE("ING-107", "The file starts like FHIR JSON but is not a FHIR resource, bundle or NDJSON export (malformed JSON, or no resourceType); the original is kept, repair the export and ingest it again",
            "Repair or re-export the file, then ingest it again"),
    TABLE_UNREADABLE("ING-108", "A table of a dump cannot be read as its mapping profile describes it (its header lacks columns the profile maps, or its bytes are not in the profile's encoding); the original is kept",
            "Correct the profile (check it with `profile validate PROFILE FOLDER`) or re-export the table, then ingest the folder again"),
    ENTRY_UNREADABLE("ING-201", "An entry could not be mapped; it is kept as a quarantined raw fragment of its document",
            "Review the fragment against the original; it stays archived raw with its document"),
    ATTACHMENT_UNREADABLE("ING-202", "A file embedded in the document could not be decoded; the body is kept as a quarantined raw fragment",
            "Re-export the document with its attachment intact, then ingest it again"),
    RECORD_TOO_LARGE("ING-203", "A record is larger than the archive maps in one piece; it is counted as quarantined and stays in the original at its locator",
            "Raise the limit if the record is genuine and ingest the file again; the record stays in the original meanwhile"),
    RECORD_UNSTORABLE("ING-204", "The database refused to store this record (for example a NUL character or a value too long for an index); it is kept as a quarantined raw fragment, and the rest of the file is archived",
            "Review the record in the original; it is kept as a quarantined raw fragment"),
    PARENT_UNSTORABLE("ING-205", "This record belongs to a record that could not be stored (see that record's reason); it is kept as a quarantined raw fragment",
            "Resolve the parent record's reason first"),
    MESSAGE_UNREADABLE("ING-206", "An HL7 v2 message could not be read into segments and fields; it is quarantined with its text (or, for bytes that are no message, its place in the original), and the rest of the file is archived",
            "Review the message text in the original; repair and ingest it again if it carries clinical content"),
    RESOURCE_UNREADABLE("ING-207", "A FHIR resource could not be read (malformed JSON, nesting deeper than any resource needs, an unknown resource type, a value of the wrong type); it is quarantined with its text, and the rest of the file is archived",
            "Repair the resource in the export (or re-export it), then ingest the file again"),
    PATIENT_NOT_FOUND("ING-208", "A FHIR resource names a patient that is not in its source (no Patient of its bundle or export matches the reference); it is quarantined rather than filed under a guess: ingest it together with its patients",
            "Ingest the resource together with the Patient it names (the whole export folder), in the same batch"),
    ROW_PATIENT_NOT_FOUND("ING-209", "A row of a table dump names a patient that is not in the dump's patients table; it is quarantined rather than filed under a guess",
            "Ingest the table together with the patients table it joins (the whole dump folder), or correct the join in the profile"),
    ROW_UNREADABLE("ING-210", "A row of a table dump could not be read as a row of its table (more or fewer fields than the header, or broken quoting); it is quarantined at its line, and the rest of the table is archived",
            "Review the line in the original; re-export the table if rows are broken, then ingest it again"),
    ROW_UNMAPPABLE("ING-211", "A row of a table dump could not be mapped as its profile says (a date that matches none of the profile's date formats, a value its kind rule does not know); it is quarantined with its text",
            "Add the date format or the value to the profile (check it with `profile validate`), then ingest the folder again"),
    READ_FAILED("ING-901", "The file could not be read",
            "Check the file's permissions and the disk it is on, then ingest it again"),
    RESOURCES_EXHAUSTED("ING-902", "Reading the file exhausted the memory or the stack; the original is kept: give the archive more heap, or split the file, and ingest it again",
            "Give the archive more heap (-Xmx) or split the file, then ingest it again");

    private final String id;
    private final String text;
    private final String remedy;

    /** {@code remedy}: what an admin does about it, shown beside the reason in the reconciliation. */
    IngestError(String id, String text, String remedy) {
        this.id = id;
        this.text = text;
        this.remedy = remedy;
    }

    public String remedy() {
        return remedy;
    }

    /** The error a stored reason names by its id ({@code "ING-102: ..."}), if any. */
    public static java.util.Optional<IngestError> ofReason(String reason) {
        if (reason == null) {
            return java.util.Optional.empty();
        }
        for (IngestError error : values()) {
            if (reason.startsWith(error.id + ":")) {
                return java.util.Optional.of(error);
            }
        }
        return java.util.Optional.empty();
    }

    public String id() {
        return id;
    }

    /** {@code ID: text (detail)}; the detail must not contain patient data. */
    public String message(String detail) {
        return detail == null || detail.isBlank() ? id + ": " + text : id + ": " + text + " (" + detail + ")";
    }
}
