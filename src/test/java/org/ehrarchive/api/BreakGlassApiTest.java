package org.ehrarchive.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.ehrarchive.support.IdentityDocuments.MRN_OID;
import static org.ehrarchive.support.IdentityDocuments.ccda;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.ehrarchive.audit.AuditRecord;
import org.ehrarchive.audit.AuditReview;
import org.ehrarchive.ingest.IngestProgress;
import org.ehrarchive.ingest.IngestService;
import org.ehrarchive.restriction.BreakGlass;
import org.ehrarchive.restriction.Restrictions;
import org.ehrarchive.security.Roles;
import org.ehrarchive.support.ArchiveTestDatabase;
import org.ehrarchive.support.ArchivedFixture;
import org.ehrarchive.support.AuditRows;
import org.ehrarchive.support.IdentityDocuments;
import org.ehrarchive.support.IdentityDocuments.Person;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

/**
 * Restricted records and breaking the glass through the API (docs/compliance.md#break-the-glass): a flag or a source's
 * confidentiality mark holds a clinician back with the reasons; compliance staff are not held back; a stated reason
 * opens the person's record for the configured time, every read under it names the grant, and an expired grant opens
 * nothing; a lifted flag restricts nothing; the privacy officer's queue signs off and escalates; all of it is in the
 * access audit, and the rows are append-only. The portal's notice and queue are driven in a browser by
 * BreakGlassBrowserTest.
 */
@QuarkusTest
@WithTestResource(ArchiveTestDatabase.class)
class BreakGlassApiTest {

    /** The API operations this test covers (JsonApiTest checks that every published operation is covered somewhere). */
    public static final Set<String> OPERATIONS = Set.of("POST /api/break-glass", "GET /api/break-glass", "POST /api/break-glass/{id}/reviews",
            "GET /api/restrictions", "POST /api/restrictions", "POST /api/restrictions/{id}/lift");

    private static final String PASSWORD = "break glass test password";
    private static final String CLINICIAN = "glass-" + Roles.CLINICIAN;
    private static final String COMPLIANCE = "glass-" + Roles.COMPLIANCE;

    @Inject
    IngestService ingest;
    @Inject
    BreakGlass breakGlass;
    @Inject
    AuditReview review;
    @Inject
    DataSource dataSource;

    private long patient;
    private long document;
    private long markedPatient;
    private String markedFamily;

    @BeforeEach
    void aPatientAndAPatientWhoseDocumentItsSourceMarkedRestricted(@TempDir Path folder) throws Exception {
        ArchivedFixture.usersOfEveryRole("glass-", PASSWORD);
        ArchivedFixture.usersOfEveryRole("glass-other-", PASSWORD);
        Person person = Person.fresh();
        Person marked = Person.fresh();
        IdentityDocuments.write(folder.resolve("plain"), "p.xml", ccda(person.mrn(), person.given(), person.family(), "19610203", "M"));
        IdentityDocuments.write(folder.resolve("marked"), "m.xml", ccda(marked.mrn(), marked.given(), marked.family(), "19720304", "F")
                .replaceFirst("<recordTarget>", "<confidentialityCode code=\"V\" codeSystem=\"2.16.840.1.113883.5.25\"/><recordTarget>"));
        ingest.ingest(folder.resolve("plain"), IngestProgress.NONE);
        ingest.ingest(folder.resolve("marked"), IngestProgress.NONE);
        patient = IdentityDocuments.archivedPatient(MRN_OID, person.mrn());
        markedPatient = IdentityDocuments.archivedPatient(MRN_OID, marked.mrn());
        markedFamily = marked.family();
        document = QuarkusTransaction.requiringNew().call(() -> org.ehrarchive.record.ClinicalDocument
                .<org.ehrarchive.record.ClinicalDocument>find("patientId", patient).firstResult().id);
    }

    @Test
    void aFlaggedPatientHoldsTheClinicianBackUntilTheyStateWhyAndThenEveryReadNamesTheGrant() throws Exception {
        as(CLINICIAN).get("/api/patients/" + patient).then().statusCode(200);
        flag(Map.of("patient", patient, "category", "VIP", "reason", "Member of the hospital board"));

        long before = AuditRows.countOfUser(CLINICIAN);
        JsonPath refused = as(CLINICIAN).get("/api/patients/" + patient).then().statusCode(403).extract().jsonPath();
        assertThat(refused.getString("type")).isEqualTo("urn:ehrarchive:problem:restricted");
        assertThat(refused.getString("title")).contains("POST /api/break-glass").contains("\"patient\": " + patient);
        assertThat(refused.getString("detail")).contains("flagged VIP by " + COMPLIANCE).contains("Member of the hospital board");
        as(CLINICIAN).get("/api/documents/" + document).then().statusCode(403); // the patient's flag covers each document
        as(CLINICIAN).get("/api/documents/" + document + "/original").then().statusCode(403);
        List<AuditRecord> refusals = AuditRows.awaitNewOfUser(CLINICIAN, before, 3);
        assertThat(refusals).allSatisfy(r -> {
            assertThat(r.action).isEqualTo("ACCESS_REFUSED");
            assertThat(AuditRows.patientIds(r)).as("a refusal names the patient, once").containsExactly(patient);
        });

        as(COMPLIANCE).get("/api/patients/" + patient).then().statusCode(200); // the privacy office is not held back

        JsonPath tooShort = breakTheGlass(patient, null, "ED").then().statusCode(400).extract().jsonPath();
        assertThat(tooShort.getString("title")).contains("at least 10 characters");
        JsonPath grant = breakTheGlass(patient, null, "Covering the emergency department: chest pain").then().statusCode(201).extract().jsonPath();
        long grantId = grant.getLong("id");
        assertThat(Duration.between(Instant.parse(grant.getString("grantedAt")), Instant.parse(grant.getString("expiresAt"))))
                .isEqualTo(Duration.ofMinutes(60));
        assertThat(grant.getList("patientIds", Number.class)).extracting(Number::longValue).containsExactly(patient);
        assertThat(grant.getString("restrictions")).contains("Member of the hospital board");
        assertThat(grant.getString("state")).isEqualTo("PENDING");
        AuditRecord broke = AuditRows.newest();
        assertThat(broke.action).isEqualTo("BREAK_GLASS");
        assertThat(broke.detail).isEqualTo("Covering the emergency department: chest pain");
        assertThat(AuditRows.patientIds(broke)).containsExactly(patient);

        as(CLINICIAN).get("/api/patients/" + patient).then().statusCode(200);
        assertThat(AuditRows.newest().detail).isEqualTo("under break-the-glass grant " + grantId);
        as(CLINICIAN).get("/api/documents/" + document).then().statusCode(200);
        assertThat(AuditRows.newest().detail).isEqualTo("under break-the-glass grant " + grantId);

        // the flagged-access report lists both the refusals and the reads under the grant
        List<AuditReview.Entry> flagged = review.page(new AuditReview.Filter(AuditReview.Report.FLAGGED, CLINICIAN, List.of(patient), null,
                null, null), null, 50).entries();
        assertThat(flagged).extracting(e -> e.record().action).contains("VIEW_CHART", "VIEW_DOCUMENT", "ACCESS_REFUSED", "BREAK_GLASS");
    }

    @Test
    void aDocumentItsSourceMarkedVeryRestrictedHoldsBackItsChartAndAnExpiredGrantOpensNothing() throws SQLException {
        JsonPath refused = as(CLINICIAN).get("/api/patients/" + markedPatient).then().statusCode(403).extract().jsonPath();
        assertThat(refused.getString("detail")).contains("marked very restricted (confidentiality V) by its source");
        // a search lists the patient: it is not a read of the record, and is not held back
        assertThat(as(CLINICIAN).queryParam("name", markedFamily).get("/api/patients").then().statusCode(200).extract().jsonPath()
                .getList("patientId", Number.class)).extracting(Number::longValue).contains(markedPatient);

        try (Connection connection = dataSource.getConnection(); PreparedStatement expired = connection.prepareStatement("insert into break_glass"
                + " (id, username, user_role, patient_id, patient_ids, reason, restrictions, granted_at, expires_at) values"
                + " (nextval('restriction_id_seq'), ?, 'clinician', ?, ?, 'An hour ago, for the test', 'marked', ?, ?)")) {
            Instant twoHoursAgo = Instant.now().minus(Duration.ofHours(2));
            expired.setString(1, CLINICIAN);
            expired.setLong(2, markedPatient);
            expired.setArray(3, connection.createArrayOf("bigint", new Object[] { markedPatient }));
            expired.setTimestamp(4, Timestamp.from(twoHoursAgo));
            expired.setTimestamp(5, Timestamp.from(twoHoursAgo.plus(Duration.ofHours(1))));
            expired.executeUpdate();
        }
        as(CLINICIAN).get("/api/patients/" + markedPatient).then().statusCode(403);
        // the grant of another reader opens nothing for this one
        breakTheGlass(markedPatient, null, "Asked by the patient's surgeon").then().statusCode(201);
        as(CLINICIAN).get("/api/patients/" + markedPatient).then().statusCode(200);
        given().auth().preemptive().basic("glass-other-clinician", PASSWORD).get("/api/patients/" + markedPatient).then().statusCode(403);
    }

    @Test
    void aLiftedFlagRestrictsNothingAndAFlagIsLiftedOnce() {
        long flag = flag(Map.of("document", document, "category", "PART2", "reason", "Substance-use treatment program note"));
        assertThat(as(CLINICIAN).get("/api/patients/" + patient).then().statusCode(403).extract().jsonPath().getString("detail"))
                .contains("Document " + document + " is flagged Substance-use treatment (42 CFR Part 2)");
        as(COMPLIANCE).contentType(ContentType.JSON).body(Map.of()).post("/api/restrictions/" + flag + "/lift").then().statusCode(400);
        JsonPath lifted = as(COMPLIANCE).contentType(ContentType.JSON).body(Map.of("reason", "Flagged the wrong document"))
                .post("/api/restrictions/" + flag + "/lift").then().statusCode(200).extract().jsonPath();
        assertThat(lifted.getString("liftedBy")).isEqualTo(COMPLIANCE);
        as(COMPLIANCE).contentType(ContentType.JSON).body(Map.of("reason", "Again")).post("/api/restrictions/" + flag + "/lift").then()
                .statusCode(409);
        as(CLINICIAN).get("/api/patients/" + patient).then().statusCode(200);
        assertThat(AuditRows.newest().detail).as("no grant was needed").isNull();

        List<Map<String, Object>> flags = as(COMPLIANCE).queryParam("patient", patient).get("/api/restrictions").then().statusCode(200)
                .extract().jsonPath().getList("$");
        assertThat(flags).singleElement().satisfies(f -> assertThat(f).containsEntry("liftReason", "Flagged the wrong document"));
        as(COMPLIANCE).contentType(ContentType.JSON).body(Map.of("patient", patient, "category", "FAMOUS", "reason", "x"))
                .post("/api/restrictions").then().statusCode(400);
        as(CLINICIAN).contentType(ContentType.JSON).body(Map.of("patient", patient, "category", "VIP", "reason", "x"))
                .post("/api/restrictions").then().statusCode(403);
    }

    @Test
    void thePrivacyOfficerSignsOffOrEscalatesEachGrantAndNobodyReviewsTheirOwn() {
        flag(Map.of("patient", patient, "category", "EMPLOYEE", "reason", "Works in radiology"));
        long grant = breakTheGlass(patient, null, "Reviewing the scan I was asked about").then().statusCode(201).extract().jsonPath().getLong("id");
        as(CLINICIAN).get("/api/patients/" + patient).then().statusCode(200);

        JsonPath open = as(COMPLIANCE).queryParam("limit", 500).get("/api/break-glass").then().statusCode(200).extract().jsonPath();
        Map<String, Object> listed = open.<Map<String, Object>>getList("grants").stream()
                .filter(g -> ((Number) g.get("id")).longValue() == grant).findFirst().orElseThrow();
        assertThat(listed).containsEntry("state", "PENDING").containsEntry("username", CLINICIAN);
        assertThat(((Number) listed.get("reads")).longValue()).as("the read under the grant").isEqualTo(1);
        assertThat(AuditRows.newest().action).as("the queue names patients: viewing it is audited").isEqualTo("VIEW_AUDIT");

        assertThatThrownBy(() -> breakGlass.review(grant, BreakGlass.Decision.SIGNED_OFF, null, CLINICIAN))
                .isInstanceOf(Restrictions.Refused.class).hasMessageContaining("someone other than the reader");
        reviewOf(grant, Map.of("decision", "ESCALATED")).then().statusCode(400);
        assertThat(reviewOf(grant, Map.of("decision", "ESCALATED", "note", "Radiology colleague: ask the manager")).then().statusCode(200)
                .extract().jsonPath().getString("state")).isEqualTo("ESCALATED");
        assertThat(idsIn("open")).contains(grant);
        JsonPath signed = reviewOf(grant, Map.of("decision", "SIGNED_OFF")).then().statusCode(200).extract().jsonPath();
        assertThat(signed.getString("state")).isEqualTo("SIGNED_OFF");
        assertThat(signed.getList("reviews.decision")).containsExactly("ESCALATED", "SIGNED_OFF");
        assertThat(AuditRows.newest().action).isEqualTo("BREAK_GLASS_REVIEW");
        reviewOf(grant, Map.of("decision", "SIGNED_OFF")).then().statusCode(409);
        assertThat(idsIn("open")).doesNotContain(grant);
        assertThat(idsIn("signed-off")).contains(grant);
        as(COMPLIANCE).queryParam("state", "closed").get("/api/break-glass").then().statusCode(400);
    }

    @Test
    void grantsReviewsAndFlagsCannotBeChangedOrRemoved() throws SQLException {
        long flag = flag(Map.of("patient", patient, "category", "RESTRICTED", "reason", "At the patient's request"));
        breakTheGlass(patient, null, "Follow-up of the discharge plan").then().statusCode(201);
        for (String change : List.of("update break_glass set reason = 'changed' where patient_id = " + patient,
                "delete from access_restriction where id = " + flag, "truncate break_glass_review")) {
            // the archive's own role may only read and add rows; even the schema's owner is refused by the triggers
            try (Connection application = dataSource.getConnection(); Connection owner = ArchiveTestDatabase.superuserConnection()) {
                assertThatThrownBy(() -> application.createStatement().execute(change)).as(change).isInstanceOf(SQLException.class)
                        .hasMessageContaining("permission denied");
                assertThatThrownBy(() -> owner.createStatement().execute(change)).as(change).isInstanceOf(SQLException.class)
                        .hasMessageContaining("append-only");
            }
        }
    }

    private long flag(Map<String, Object> body) {
        return as(COMPLIANCE).contentType(ContentType.JSON).body(body).post("/api/restrictions").then().statusCode(201).extract().jsonPath()
                .getLong("id");
    }

    private static io.restassured.response.Response breakTheGlass(long patientId, Long documentId, String reason) {
        Map<String, Object> body = documentId == null ? Map.of("patient", patientId, "reason", reason)
                : Map.of("patient", patientId, "document", documentId, "reason", reason);
        return as(CLINICIAN).contentType(ContentType.JSON).body(body).post("/api/break-glass");
    }

    private static io.restassured.response.Response reviewOf(long grant, Map<String, Object> body) {
        return as(COMPLIANCE).contentType(ContentType.JSON).body(body).post("/api/break-glass/" + grant + "/reviews");
    }

    private static List<Long> idsIn(String state) {
        return as(COMPLIANCE).queryParam("state", state).queryParam("limit", 500).get("/api/break-glass").then().statusCode(200).extract()
                .jsonPath().getList("grants.id", Number.class).stream().map(Number::longValue).toList();
    }

    private static RequestSpecification as(String user) {
        return given().auth().preemptive().basic(user, PASSWORD);
    }
}
