package org.ehrarchive.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;

import jakarta.inject.Inject;

import org.ehrarchive.audit.AuditRecord;
import org.ehrarchive.ingest.IngestService;
import org.ehrarchive.indexing.SearchIndexer;
import org.ehrarchive.security.Roles;
import org.ehrarchive.support.ArchiveTestDatabase;
import org.ehrarchive.support.ArchivedFixture;
import org.ehrarchive.support.Fixtures;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

@QuarkusTest
@WithTestResource(ArchiveTestDatabase.class)
class JsonApiTest {

    private static final String PASSWORD = "correct horse battery staple";

    @Inject
    IngestService ingest;
    @Inject
    SearchIndexer indexer;

    private long patientId;
    private long documentId;

    @BeforeEach
    void archiveAPatientAndCreateUsers() throws Exception {
        ArchivedFixture.usersOfEveryRole("api-", PASSWORD);
        ArchivedFixture.Archived archived = ArchivedFixture.archive(ingest, indexer, "full-ccd.xml");
        patientId = archived.patientId();
        documentId = archived.documentId();
    }

    /** Every GET of the API that shows patient data, with the audit action it must record. */
    private Map<String, Endpoint> endpoints() {
        Map<String, Endpoint> endpoints = new LinkedHashMap<>();
        endpoints.put("/api/patients", new Endpoint("SEARCH_PATIENTS", r -> r.queryParam("identifier", "MRN-4711").get("/api/patients")));
        endpoints.put("/api/patients/{id}", new Endpoint("VIEW_CHART", r -> r.get("/api/patients/" + patientId)));
        endpoints.put("/api/documents/{id}", new Endpoint("VIEW_DOCUMENT", r -> r.get("/api/documents/" + documentId)));
        endpoints.put("/api/documents/{id}/original", new Endpoint("DOWNLOAD_ORIGINAL", r -> r.get("/api/documents/" + documentId + "/original")));
        endpoints.put("/api/search", new Endpoint("SEARCH_TEXT", r -> r.queryParam("q", "thirst").get("/api/search")));
        return endpoints;
    }

    private record Endpoint(String auditAction, Function<RequestSpecification, Response> call) {
    }

    @Test
    void everyEndpointThatReturnsPatientDataAppendsAnAccessEvent() {
        JsonPath openApi = given().queryParam("format", "json").get("/q/openapi").then().statusCode(200).extract().jsonPath();
        TreeSet<String> published = new TreeSet<>(openApi.getMap("paths").keySet().stream().map(Object::toString)
                .filter(path -> path.startsWith("/api/")).toList());
        assertThat(published).as("every API path is in this test's table, so none can ship unaudited")
                .containsExactlyInAnyOrderElementsOf(endpoints().keySet());

        for (Map.Entry<String, Endpoint> endpoint : endpoints().entrySet()) {
            String requestId = "test-" + UUID.randomUUID();
            endpoint.getValue().call().apply(as(Roles.CLINICIAN).header("X-Request-Id", requestId))
                    .then().statusCode(200).header("X-Request-Id", requestId);
            AuditRecord event = QuarkusTransaction.requiringNew().call(() -> AuditRecord.<AuditRecord>find("requestId", requestId).firstResult());
            assertThat(event).as(endpoint.getKey() + " recorded nothing").isNotNull();
            assertThat(event.action).as(endpoint.getKey()).isEqualTo(endpoint.getValue().auditAction());
            assertThat(event.userName).isEqualTo("api-clinician");
            assertThat(event.userRole).isEqualTo(Roles.CLINICIAN);
            assertThat(event.clientAddress).isNotBlank();
            assertThat(event.patientIds).as(endpoint.getKey()).contains(Long.toString(patientId));
        }
    }

    @Test
    void signInAndRolesAreEnforcedOnEveryEndpoint() {
        for (Map.Entry<String, Endpoint> endpoint : endpoints().entrySet()) {
            endpoint.getValue().call().apply(given()).then().statusCode(401);
            endpoint.getValue().call().apply(given().auth().preemptive().basic("api-clinician", "wrong password"))
                    .then().statusCode(401);
            endpoint.getValue().call().apply(as(Roles.ADMIN)).then().statusCode(403)
                    .contentType(Problems.MEDIA_TYPE).body("status", equalTo(403));
            endpoint.getValue().call().apply(as(Roles.COMPLIANCE)).then().statusCode(200);
        }
    }

    @Test
    void theFirstAdminComesFromConfiguration() {
        given().auth().preemptive().basic("admin", "test-admin-password").get("/api/search?q=thirst").then().statusCode(403);
        given().auth().preemptive().basic("admin", "another password").get("/api/search?q=thirst").then().statusCode(401);
    }

    @Test
    void theChartHasEverySectionAndTheDocumentItsNarratives() {
        as(Roles.CLINICIAN).get("/api/patients/" + patientId).then().statusCode(200)
                .body("identifiers.value", hasItem("MRN-4711"))
                .body("demographics[0].names[0].family[0]", equalTo("Fixture"))
                .body("entries.PROBLEM.code.code", hasItem("44054006"))
                .body("entries.RESULT.code.code", hasItem("6690-2"))
                .body("encounters.code.code", hasItem("AMB"))
                .body("documents.id", hasItem((int) documentId));
        as(Roles.CLINICIAN).get("/api/documents/" + documentId).then().statusCode(200)
                .body("sections.title", hasItem("History of Present Illness"))
                .body("sections.find { it.title == 'History of Present Illness' }.narrative", org.hamcrest.Matchers.containsString("thirst"));
    }

    @Test
    void theOriginalIsServedByteExact() {
        byte[] original = as(Roles.CLINICIAN).get("/api/documents/" + documentId + "/original").then().statusCode(200)
                .extract().asByteArray();
        assertThat(original).isEqualTo(Fixtures.bytes("ccda", "full-ccd.xml"));
    }

    @Test
    void errorsAreProblemDocumentsWithoutInternals() {
        String body = as(Roles.CLINICIAN).header("X-Request-Id", "req-404").get("/api/patients/987654321").then().statusCode(404)
                .contentType(Problems.MEDIA_TYPE).body("status", equalTo(404)).body("requestId", equalTo("req-404"))
                .extract().asString();
        assertThat(body).doesNotContain("Exception").doesNotContain("at org.");
        as(Roles.CLINICIAN).get("/api/patients").then().statusCode(400).contentType(Problems.MEDIA_TYPE)
                .body("type", equalTo("urn:ehrarchive:problem:empty-query"));
    }

    private static RequestSpecification as(String role) {
        return given().auth().preemptive().basic("api-" + role, PASSWORD);
    }
}
