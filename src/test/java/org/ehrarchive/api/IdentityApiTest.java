package org.ehrarchive.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.ehrarchive.support.IdentityDocuments.MRN_OID;
import static org.ehrarchive.support.IdentityDocuments.ccda;
import static org.ehrarchive.support.IdentityDocuments.fhir;
import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.inject.Inject;

import org.ehrarchive.audit.AuditRecord;
import org.ehrarchive.ingest.IngestProgress;
import org.ehrarchive.ingest.IngestService;
import org.ehrarchive.security.Roles;
import org.ehrarchive.support.ArchiveTestDatabase;
import org.ehrarchive.support.ArchivedFixture;
import org.ehrarchive.support.AuditRows;
import org.ehrarchive.support.IdentityDocuments;
import org.ehrarchive.support.IdentityDocuments.Person;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/**
 * The identity API for admins (docs/patient-identity.md): every answer that shows links (their evidence names and
 * dates people) and every decision appends one access event naming the two patients; bad requests are problems.
 */
@QuarkusTest
@WithTestResource(ArchiveTestDatabase.class)
class IdentityApiTest {

    /** The identity operations; {@code JsonApiTest} checks that, with its own, they are every operation of the API. */
    static final Set<String> OPERATIONS = Set.of("GET /api/identity/links", "GET /api/identity/links/{id}",
            "POST /api/identity/links/{id}/decisions", "POST /api/identity/links", "GET /api/identity/systems",
            "PUT /api/identity/systems", "DELETE /api/identity/systems");

    private static final String PASSWORD = "identity api test password";

    @Inject
    IngestService ingest;

    private long ccdaPatient;
    private long fhirPatient;
    private long linkId;

    @BeforeEach
    void aPersonFromTwoSources(@TempDir Path folder) throws Exception {
        ArchivedFixture.usersOfEveryRole("idapi-", PASSWORD);
        Person person = Person.fresh();
        IdentityDocuments.write(folder.resolve("ccda"), "c.xml", ccda(person.mrn(), person.given(), person.family(), "19700101", "F"));
        IdentityDocuments.write(folder.resolve("fhir"), "b.json", fhir(person.mrn(), "urn:oid:" + MRN_OID, person.given(), person.family(), "1970-01-01", "female"));
        ingest.ingest(folder.resolve("ccda"), IngestProgress.NONE);
        ingest.ingest(folder.resolve("fhir"), IngestProgress.NONE);
        ccdaPatient = IdentityDocuments.archivedPatient(MRN_OID, person.mrn());
        fhirPatient = IdentityDocuments.archivedPatient("urn:oid:" + MRN_OID, person.mrn());
        linkId = as(Roles.ADMIN).queryParam("patient", ccdaPatient).get("/api/identity/links").then().statusCode(200)
                .extract().jsonPath().getLong("links[0].id");
    }

    @Test
    void showingLinksAndDecidingOnThemAreEachOneAuditedEventNamingBothPatients() {
        String read = "identity-api-" + UUID.randomUUID();
        as(Roles.ADMIN).header("X-Request-Id", read).get("/api/identity/links/" + linkId).then().statusCode(200)
                .body("state", equalTo("LINKED")).body("method", equalTo("IDENTIFIER"))
                .body("evidence.field", org.hamcrest.Matchers.hasItem("birthDate"));
        assertEvent(read, "VIEW_IDENTITY_LINKS", Long.toString(linkId), null);

        String undo = "identity-api-" + UUID.randomUUID();
        as(Roles.ADMIN).header("X-Request-Id", undo).contentType(ContentType.JSON)
                .body("{\"state\": \"UNDONE\", \"reason\": \"two people: the FHIR export reuses record numbers\"}")
                .post("/api/identity/links/" + linkId + "/decisions").then().statusCode(200).body("state", equalTo("UNDONE"))
                .body("decisions.size()", equalTo(2)).body("decisions[1].decidedBy", equalTo("idapi-admin"));
        assertEvent(undo, "IDENTITY_DECISION", Long.toString(linkId), "UNDONE");

        as(Roles.ADMIN).contentType(ContentType.JSON).body("{\"state\": \"UNDONE\", \"reason\": \"again\"}")
                .post("/api/identity/links/" + linkId + "/decisions").then().statusCode(409).body("type", org.hamcrest.Matchers.endsWith("decision-refused"));
        as(Roles.ADMIN).contentType(ContentType.JSON).body("{\"state\": \"LINKED\", \"reason\": \"  \"}")
                .post("/api/identity/links/" + linkId + "/decisions").then().statusCode(400);
        as(Roles.ADMIN).contentType(ContentType.JSON).body("{\"state\": \"MERGED\", \"reason\": \"x\"}")
                .post("/api/identity/links/" + linkId + "/decisions").then().statusCode(400);
        as(Roles.ADMIN).contentType(ContentType.JSON).body("{\"state\": \"LINKED\", \"reason\": \"x\"}")
                .post("/api/identity/links/999999999999/decisions").then().statusCode(404);
        as(Roles.ADMIN).queryParam("state", "sometimes").get("/api/identity/links").then().statusCode(400);
        as(Roles.ADMIN).contentType(ContentType.JSON).body("{\"patients\": [" + ccdaPatient + ", " + fhirPatient + "], \"reason\": \"x\"}")
                .post("/api/identity/links").then().statusCode(409);
        as(Roles.CLINICIAN).get("/api/identity/links").then().statusCode(403);
    }

    @Test
    void theChartJsonListsTheLinkedSourcesAndFoldsTheSameFactFromBothIntoOne() {
        var chart = as(Roles.CLINICIAN).get("/api/patients/" + fhirPatient).then().statusCode(200).extract().jsonPath();
        assertThat(chart.getList("sources.format")).containsExactlyInAnyOrder("ccda", "fhir");
        assertThat(chart.getList("sources.patientId", Long.class)).containsExactlyInAnyOrder(ccdaPatient, fhirPatient);
        assertThat(chart.getList("entries.RESULT")).as("the entries: every occurrence, each with its source").hasSize(2);
        assertThat(chart.getList("entries.RESULT.sourceSha256")).doesNotContainNull().doesNotHaveDuplicates();

        var facts = as(Roles.CLINICIAN).queryParam("kind", "result").get("/api/patients/" + fhirPatient + "/facts").then().statusCode(200)
                .extract().jsonPath();
        assertThat(facts.getList("facts")).as("the facts: the same glucose from both sources is one").hasSize(1);
        assertThat(facts.getList("facts[0].sources.format")).containsExactlyInAnyOrder("C-CDA", "FHIR");
        assertThat(facts.getList("facts[0].occurrences")).hasSize(2);
        assertThat(facts.getInt("total")).isEqualTo(1);
        assertThat(facts.getString("next")).isNull();
    }

    @Test
    void adminsKeepTheSpellingsOfAnAuthority() {
        String system = "urn:test:api:" + UUID.randomUUID();
        as(Roles.ADMIN).contentType(ContentType.JSON).body("{\"system\": \"" + system + "\", \"authority\": \"" + MRN_OID + "\", \"label\": \"old MRN\"}")
                .put("/api/identity/systems").then().statusCode(200).body("authority", equalTo(MRN_OID)).body("changedBy", equalTo("idapi-admin"));
        List<String> systems = as(Roles.ADMIN).get("/api/identity/systems").then().statusCode(200).extract().jsonPath().getList("system");
        assertThat(systems).contains(system, "http://hl7.org/fhir/sid/us-ssn");
        as(Roles.ADMIN).contentType(ContentType.JSON).body("{\"system\": \"\", \"authority\": \"x\"}").put("/api/identity/systems").then()
                .statusCode(400);
        as(Roles.ADMIN).queryParam("system", system).delete("/api/identity/systems").then().statusCode(204);
        as(Roles.ADMIN).queryParam("system", system).delete("/api/identity/systems").then().statusCode(404);
    }

    private void assertEvent(String requestId, String action, String objectId, String detail) {
        List<AuditRecord> events = AuditRows.withRequestId(requestId);
        assertThat(events).as(action).hasSize(1);
        AuditRecord event = events.get(0);
        assertThat(event.action).isEqualTo(action);
        assertThat(event.userName).isEqualTo("idapi-admin");
        assertThat(event.objectId).isEqualTo(objectId);
        assertThat(event.detail).isEqualTo(detail);
        assertThat(AuditRows.patientIds(event)).isEqualTo(Set.of(ccdaPatient, fhirPatient));
    }

    private static RequestSpecification as(String role) {
        return given().auth().preemptive().basic("idapi-" + role, PASSWORD);
    }
}
