package org.ehrarchive.ingest.hl7v2;

import java.util.Map;

/** The few HL7 v2 tables whose codes the archive shows as words: message events, patient class, sex, document type. */
final class V2Tables {

    private V2Tables() {
    }

    private static final Map<String, String> MESSAGE_CODES = Map.ofEntries(Map.entry("ADT", "Patient administration"),
            Map.entry("ORU", "Observation result"), Map.entry("OUL", "Laboratory observation"), Map.entry("ORM", "Order"),
            Map.entry("OML", "Laboratory order"), Map.entry("ORL", "Laboratory order response"), Map.entry("RDE", "Pharmacy encoded order"),
            Map.entry("RAS", "Pharmacy administration"), Map.entry("RDS", "Pharmacy dispense"), Map.entry("VXU", "Vaccination record update"),
            Map.entry("MDM", "Medical document"), Map.entry("SIU", "Scheduling"), Map.entry("DFT", "Detailed financial transaction"),
            Map.entry("BAR", "Patient account"), Map.entry("PPR", "Patient problem"), Map.entry("REF", "Referral"),
            Map.entry("MFN", "Master file notification"), Map.entry("ACK", "Acknowledgement"), Map.entry("QRY", "Query"),
            Map.entry("ERP", "Event replay response"), Map.entry("RSP", "Query response"));

    private static final Map<String, String> EVENTS = Map.ofEntries(Map.entry("A01", "Admit/visit notification"),
            Map.entry("A02", "Transfer a patient"), Map.entry("A03", "Discharge/end visit"), Map.entry("A04", "Register a patient"),
            Map.entry("A05", "Pre-admit a patient"), Map.entry("A06", "Change an outpatient to an inpatient"),
            Map.entry("A07", "Change an inpatient to an outpatient"), Map.entry("A08", "Patient information updated"),
            Map.entry("A11", "Cancel admit/visit notification"), Map.entry("A13", "Cancel discharge/end visit"),
            Map.entry("A28", "Add person information"), Map.entry("A31", "Update person information"),
            Map.entry("A34", "Merge patient information: patient ID only"), Map.entry("A40", "Merge patient: patient identifier list"),
            Map.entry("R01", "Unsolicited observation result"), Map.entry("R22", "Unsolicited specimen-oriented observation"),
            Map.entry("O01", "Order message"), Map.entry("O21", "Laboratory order"), Map.entry("O11", "Pharmacy/treatment encoded order"),
            Map.entry("T01", "Original document notification"), Map.entry("T02", "Original document notification and content"),
            Map.entry("T03", "Document status change notification"), Map.entry("T04", "Document status change notification and content"),
            Map.entry("T05", "Document addendum notification"), Map.entry("T06", "Document addendum notification and content"),
            Map.entry("T07", "Document edit notification"), Map.entry("T08", "Document edit notification and content"),
            Map.entry("T09", "Document replacement notification"), Map.entry("T10", "Document replacement notification and content"),
            Map.entry("T11", "Document cancel notification"), Map.entry("S12", "New appointment booking"),
            Map.entry("S13", "Appointment rescheduling"), Map.entry("S14", "Appointment modification"),
            Map.entry("S15", "Appointment cancellation"), Map.entry("S26", "Patient did not show up for appointment"),
            Map.entry("V04", "Unsolicited vaccination record update"), Map.entry("P03", "Post detail financial transaction"),
            Map.entry("P01", "Add patient account"), Map.entry("PC1", "Problem add"));

    /** Words for a message type: the event's description, else the message code's. */
    static String describe(String code, String trigger) {
        String event = trigger == null ? null : EVENTS.get(trigger);
        if (event != null) {
            return event;
        }
        return code == null ? "HL7 v2 message" : MESSAGE_CODES.getOrDefault(code, "HL7 v2 " + code + " message");
    }

    /** Table 0004, patient class. */
    static String patientClass(String code) {
        return code == null ? null : switch (code) {
            case "E" -> "Emergency";
            case "I" -> "Inpatient";
            case "O" -> "Outpatient";
            case "P" -> "Preadmit";
            case "R" -> "Recurring patient";
            case "B" -> "Obstetrics";
            case "C" -> "Commercial account";
            default -> null;
        };
    }

    /** Table 0001, administrative sex. */
    static String sex(String code) {
        return code == null ? null : switch (code) {
            case "F" -> "Female";
            case "M" -> "Male";
            case "O" -> "Other";
            case "U" -> "Unknown";
            case "A" -> "Ambiguous";
            case "N" -> "Not applicable";
            default -> null;
        };
    }

    /** Table 0270, document type. */
    static String documentType(String code) {
        return code == null ? null : switch (code) {
            case "AR" -> "Autopsy report";
            case "CD" -> "Cardiodiagnostics";
            case "CN" -> "Consultation";
            case "DI" -> "Diagnostic imaging";
            case "DS" -> "Discharge summary";
            case "ED" -> "Emergency department report";
            case "HP" -> "History and physical examination";
            case "OP" -> "Operative report";
            case "PC" -> "Psychiatric consultation";
            case "PH" -> "Psychiatric history and physical examination";
            case "PN" -> "Procedure note";
            case "PR" -> "Progress note";
            case "SP" -> "Surgical pathology";
            case "TS" -> "Transfer summary";
            default -> null;
        };
    }

    /** Table 0085, observation result status. */
    static String resultStatus(String code) {
        return code == null ? null : switch (code) {
            case "F" -> "final";
            case "C" -> "corrected";
            case "P" -> "preliminary";
            case "R" -> "not verified";
            case "I" -> "pending";
            case "X" -> "cannot be obtained";
            case "D" -> "deleted";
            case "W" -> "wrong";
            case "S" -> "partial";
            case "A" -> "amended";
            case "U" -> "final (status changed)";
            case "N" -> "not asked";
            case "O" -> "order detail";
            default -> code;
        };
    }
}
