package org.ehrarchive.support;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Two sources' records of one person, built by tests of identity links (docs/patient-identity.md): a C-CDA document
 * and a FHIR bundle, each with a glucose result on the same day. Each test's person is new to the shared test
 * database: a fresh record number and a family name of random letters.
 */
public final class IdentityDocuments {

    /** The OID the C-CDA documents name their record numbers under; a FHIR bundle may spell it {@code urn:oid:}. */
    public static final String MRN_OID = "2.16.840.1.113883.19.5.99999.2";

    private IdentityDocuments() {
    }

    /** Writes one source file into a folder of its own, for one ingest. */
    public static void write(java.nio.file.Path folder, String name, String content) throws java.io.IOException {
        java.nio.file.Files.createDirectories(folder);
        java.nio.file.Files.writeString(folder.resolve(name), content, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The archived patient carrying this identifier, as written (one spelling of its system). */
    public static long archivedPatient(String system, String value) {
        return io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().call(() -> org.ehrarchive.record.PatientIdentifier
                .<org.ehrarchive.record.PatientIdentifier>find("system = ?1 and value = ?2", system, value).firstResult().patientId);
    }

    /** A person nobody else in the shared test database has. */
    public record Person(String mrn, String given, String family) {
        public static Person fresh() {
            return new Person("MRN-" + UUID.randomUUID(), "Ottilie", "Q" + letters(7));
        }
    }

    public static String letters(int n) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < n; i++) {
            out.append((char) ('a' + ThreadLocalRandom.current().nextInt(26)));
        }
        return out.toString();
    }

    /** A C-CDA document of one patient with one glucose result (100 mg/dL on 2015-01-01). */
    public static String ccda(String mrn, String given, String family, String birth, String sex) {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
                <templateId root="2.16.840.1.113883.10.20.22.1.2"/>
                <id root="2.16.840.1.113883.19.5.99999.1" extension="%s"/>
                <code code="34133-9" codeSystem="2.16.840.1.113883.6.1" displayName="Summarization of Episode Note"/>
                <title>Identity test document</title>
                <effectiveTime value="20150101120000+0000"/>
                <recordTarget><patientRole><id root="%s" extension="%s"/>
                <patient><name><given>%s</given><family>%s</family></name>
                <administrativeGenderCode code="%s" codeSystem="2.16.840.1.113883.5.1"/><birthTime value="%s"/></patient>
                </patientRole></recordTarget>
                <component><structuredBody>
                <component><section><code code="30954-2" codeSystem="2.16.840.1.113883.6.1"/><title>Results</title><text>Results</text>
                <entry><observation classCode="OBS" moodCode="EVN"><templateId root="2.16.840.1.113883.10.20.22.4.2"/>
                <id root="2.16.840.1.113883.19.5.99999.9" extension="%s"/>
                <code code="2345-7" codeSystem="2.16.840.1.113883.6.1" displayName="Glucose"/>
                <statusCode code="completed"/><effectiveTime value="20150101120000+0000"/>
                <value xsi:type="PQ" value="100" unit="mg/dL"/></observation></entry>
                </section></component>
                </structuredBody></component>
                </ClinicalDocument>
                """.formatted(UUID.randomUUID(), MRN_OID, mrn, given, family, sex, birth, UUID.randomUUID());
    }

    /** A FHIR collection bundle of one patient (without a birth date when {@code birth} is null) with the same glucose result. */
    public static String fhir(String mrn, String system, String given, String family, String birth, String gender) {
        String patient = UUID.randomUUID().toString();
        return """
                {"resourceType": "Bundle", "type": "collection", "entry": [
                 {"fullUrl": "urn:uuid:%1$s", "resource": {"resourceType": "Patient", "id": "%1$s",
                   "identifier": [{"system": "%2$s", "value": "%3$s"}],
                   "name": [{"family": "%4$s", "given": ["%5$s"]}], "gender": "%6$s"%7$s}},
                 {"fullUrl": "urn:uuid:%8$s", "resource": {"resourceType": "Observation", "id": "%8$s", "status": "final",
                   "code": {"coding": [{"system": "http://loinc.org", "code": "2345-7", "display": "Glucose"}]},
                   "subject": {"reference": "urn:uuid:%1$s"}, "effectiveDateTime": "2015-01-01T12:00:00+00:00",
                   "valueQuantity": {"value": 100, "unit": "mg/dL", "system": "http://unitsofmeasure.org", "code": "mg/dL"}}}
                ]}
                """.formatted(patient, system, mrn, family, given, gender, birth == null ? "" : ", \"birthDate\": \"" + birth + "\"",
                UUID.randomUUID());
    }
}
