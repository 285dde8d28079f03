package org.ehrarchive.audit;

import java.io.IOException;
import java.io.Writer;
import java.util.Date;
import java.util.Map;
import java.util.Set;

import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAction;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAgentComponent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAgentNetworkType;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventEntityComponent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventOutcome;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;

/**
 * The access audit as FHIR R4 AuditEvent resources, one JSON line each (NDJSON), shaped as IHE's Basic Audit Log
 * Patterns (BALP) shape them, for a SIEM or another archive to read (docs/compliance.md):
 * <ul>
 *   <li><b>Read</b> (a chart, a document, an original, a sampled record): type {@code rest}, subtype {@code read}, action R;</li>
 *   <li><b>Query</b> (patient and text search, the audit and identity links shown): type {@code rest}, subtype
 *       {@code search-type}, action E, the search terms as the query entity's detail;</li>
 *   <li><b>Disclosure</b> (exports, print views): DICOM {@code 110106} Export, action R;</li>
 *   <li>sign-in and sign-out: DICOM {@code 110114} User Authentication with {@code 110122}/{@code 110123};</li>
 *   <li>everything else the archive records (ingest, fixity, admin changes): DICOM {@code 110100} Application Activity.</li>
 * </ul>
 * Each event names the user as the requesting agent (with role, network address and the purpose of use they stated),
 * the archive as the source, each patient as a {@code Patient/ID} entity of role patient, and the object acted on. The
 * row's place in the hash chain is kept as an extension, so that an event can be checked against {@code verify-audit}.
 */
public final class AuditEvents {

    static final String CHAIN_EXTENSION = "https://ehr-archive.org/fhir/StructureDefinition/audit-chain-hash";
    private static final String EVENT_TYPE = "http://terminology.hl7.org/CodeSystem/audit-event-type";
    private static final String RESTFUL = "http://hl7.org/fhir/restful-interaction";
    private static final String DICOM = "http://dicom.nema.org/resources/ontology/DCM";
    private static final String ENTITY_TYPE = "http://terminology.hl7.org/CodeSystem/audit-entity-type";
    private static final String OBJECT_ROLE = "http://terminology.hl7.org/CodeSystem/object-role";
    private static final String PURPOSE = "http://terminology.hl7.org/CodeSystem/v3-ActReason";
    private static final String ARCHIVE_ROLES = "https://ehr-archive.org/fhir/CodeSystem/role";

    private static final Set<String> READS = Set.of("VIEW_CHART", "VIEW_DOCUMENT", "DOWNLOAD_ORIGINAL", "VIEW_SAMPLED_RECORD");
    private static final Set<String> QUERIES = Set.of("SEARCH_PATIENTS", "SEARCH_TEXT", "VIEW_AUDIT", "VIEW_IDENTITY_LINKS", "VIEW_DISCLOSURES");
    private static final Set<String> DISCLOSURES = Set.of("EXPORT", "PRINT", "CERTIFICATE");
    private static final Map<String, String> AUTHENTICATION = Map.of("LOGIN", "110122", "LOGIN_FAILED", "110122", "LOGOUT", "110123",
            "LOCKOUT", "110122");
    private static final Set<String> FAILURES = Set.of("LOGIN_FAILED", "LOCKOUT", "ACCESS_REFUSED");

    private final IParser parser;

    public AuditEvents() {
        this.parser = FhirContext.forR4Cached().newJsonParser().setPrettyPrint(false);
    }

    /** Writes the row as one AuditEvent on one line. */
    public void write(AuditReview.Entry entry, Writer out) throws IOException {
        out.write(parser.encodeResourceToString(of(entry.record())));
        out.write('\n');
    }

    /** The AuditEvent of one row of the access audit. */
    public static AuditEvent of(AuditRecord r) {
        AuditEvent event = new AuditEvent();
        event.setId(Long.toString(r.id));
        event.addExtension(CHAIN_EXTENSION, new StringType(r.hash));
        event.setRecorded(Date.from(r.occurredAt));
        event.setOutcome(FAILURES.contains(r.action) ? AuditEventOutcome._4 : AuditEventOutcome._0);
        event.setOutcomeDesc(r.action);
        if (READS.contains(r.action)) {
            event.setType(new Coding(EVENT_TYPE, "rest", "Restful Operation"));
            event.addSubtype(new Coding(RESTFUL, "read", "read"));
            event.setAction(AuditEventAction.R);
        } else if (QUERIES.contains(r.action)) {
            event.setType(new Coding(EVENT_TYPE, "rest", "Restful Operation"));
            event.addSubtype(new Coding(RESTFUL, "search-type", "search type"));
            event.setAction(AuditEventAction.E);
        } else if (DISCLOSURES.contains(r.action)) {
            event.setType(new Coding(DICOM, "110106", "Export"));
            event.setAction(AuditEventAction.R);
        } else if (AUTHENTICATION.containsKey(r.action)) {
            event.setType(new Coding(DICOM, "110114", "User Authentication"));
            String sub = AUTHENTICATION.get(r.action);
            event.addSubtype(new Coding(DICOM, sub, sub.equals("110122") ? "Login" : "Logout"));
            event.setAction(AuditEventAction.E);
        } else {
            event.setType(new Coding(DICOM, "110100", "Application Activity"));
            event.setAction(AuditEventAction.E);
        }
        event.addSubtype(new Coding("https://ehr-archive.org/fhir/CodeSystem/audit-action", r.action, null));

        AuditEventAgentComponent user = event.addAgent();
        user.setRequestor(true);
        user.setWho(new Reference().setIdentifier(new Identifier().setValue(r.userName)).setDisplay(r.userName));
        user.setName(r.userName);
        if (r.userRole != null) {
            user.addRole(new CodeableConcept(new Coding(ARCHIVE_ROLES, r.userRole, r.userRole)));
        }
        if (r.clientAddress != null) {
            user.getNetwork().setAddress(r.clientAddress).setType(r.clientAddress.contains(".") || r.clientAddress.contains(":")
                    ? AuditEventAgentNetworkType._2 : AuditEventAgentNetworkType._1);
        }
        if (r.purpose != null) {
            user.addPurposeOfUse(new CodeableConcept(new Coding(PURPOSE, r.purpose, PurposeOfUse.CODES.get(r.purpose))));
        }
        if (r.requestId != null) {
            user.setAltId(r.requestId);
        }

        event.getSource().setObserver(new Reference().setDisplay("ehr-archive")).addType(
                new Coding("http://terminology.hl7.org/CodeSystem/security-source-type", "4", "Application Server"));

        for (Long patient : AuditReview.patientIdsOf(r)) {
            AuditEventEntityComponent entity = event.addEntity();
            entity.setWhat(new Reference("Patient/" + patient));
            entity.setType(new Coding(ENTITY_TYPE, "1", "Person"));
            entity.setRole(new Coding(OBJECT_ROLE, "1", "Patient"));
        }
        if (r.objectType != null || r.detail != null) {
            AuditEventEntityComponent object = event.addEntity();
            object.setType(new Coding(ENTITY_TYPE, "2", "System Object"));
            if (r.objectType != null) {
                object.setWhat(new Reference().setIdentifier(new Identifier().setSystem("https://ehr-archive.org/fhir/object/" + r.objectType)
                        .setValue(r.objectId == null ? r.objectType : r.objectId)));
                object.setName(r.objectType);
            }
            if (QUERIES.contains(r.action)) {
                object.setRole(new Coding(OBJECT_ROLE, "24", "Query"));
            }
            if (r.detail != null) {
                object.addDetail().setType(QUERIES.contains(r.action) ? "query" : "detail").setValue(new StringType(r.detail));
            }
        }
        return event;
    }
}
