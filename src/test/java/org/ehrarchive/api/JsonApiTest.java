package org.ehrarchive.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.net.InetAddress;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import jakarta.inject.Inject;

import org.ehrarchive.audit.AuditRecord;
import org.ehrarchive.blob.BlobStore;
import org.ehrarchive.ingest.IngestService;
import org.ehrarchive.indexing.SearchIndexer;
import org.ehrarchive.security.Roles;
import org.ehrarchive.support.ArchiveTestDatabase;
import org.ehrarchive.support.ArchivedFixture;
import org.ehrarchive.support.AuditRows;
import org.ehrarchive.support.Fixtures;
import org.ehrarchive.support.PublishedOperations;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

@QuarkusTest
@WithTestResource(ArchiveTestDatabase.class)
class JsonApiTest {

    private static final String PASSWORD = "correct horse battery staple";
    private static final String FIXTURE = "full-ccd.xml";

    @Inject
    IngestService ingest;
    @Inject
    SearchIndexer indexer;

    private long patientId;
    private long documentId;

    @BeforeEach
    void archiveAPatientAndCreateUsers() throws Exception {
        ArchivedFixture.usersOfEveryRole("api-", PASSWORD);
        ArchivedFixture.Archived archived = ArchivedFixture.archive(ingest, indexer, FIXTURE);
        patientId = archived.patientId();
        documentId = archived.documentId();
    }

    /**
     * Every operation of the API that shows patient data, with the event it must record: action, object, the
     * patients the answer showed, and the detail.
     */
    private Map<String, ApiRead> endpoints() {
        Map<String, ApiRead> endpoints = new LinkedHashMap<>();
        endpoints.put("GET /api/patients", new ApiRead("SEARCH_PATIENTS", "patient-search", null,
                "name= birthDate= identifier=MRN-4711", r -> r.queryParam("identifier", "MRN-4711").get("/api/patients"),
                JsonApiTest::patientsOfHits));
        endpoints.put("GET /api/patients/{id}", new ApiRead("VIEW_CHART", "patient", Long.toString(patientId), null,
                r -> r.get("/api/patients/" + patientId), answer -> Set.of(patientId)));
        endpoints.put("GET /api/patients/{id}/entries", new ApiRead("VIEW_CHART", "patient", Long.toString(patientId), "entries RESULT page 1",
                r -> r.queryParam("kind", "result").get("/api/patients/" + patientId + "/entries"), answer -> Set.of(answer.jsonPath().getLong("patientId"))));
        endpoints.put("GET /api/patients/{id}/facts", new ApiRead("VIEW_CHART", "patient", Long.toString(patientId), "facts RESULT page 1",
                r -> r.queryParam("kind", "result").get("/api/patients/" + patientId + "/facts"),
                answer -> Set.of(answer.jsonPath().getLong("patientId"))));
        endpoints.put("GET /api/documents/{id}", new ApiRead("VIEW_DOCUMENT", "document", Long.toString(documentId), null,
                r -> r.get("/api/documents/" + documentId), answer -> Set.of(answer.jsonPath().getLong("patientId"))));
        endpoints.put("GET /api/documents/{id}/original", new ApiRead("DOWNLOAD_ORIGINAL", "document", Long.toString(documentId),
                BlobStore.sha256Of(Fixtures.bytes("ccda", FIXTURE)), r -> r.get("/api/documents/" + documentId + "/original"),
                answer -> Set.of(patientId)));
        endpoints.put("GET /api/search", new ApiRead("SEARCH_TEXT", "text-search", null, "thirst",
                r -> r.queryParam("q", "thirst").get("/api/search"), JsonApiTest::patientsOfHits));
        return endpoints;
    }

    private record ApiRead(String action, String objectType, String objectId, String detail,
            Function<RequestSpecification, Response> call, Function<Response, Set<Long>> patientsShown) {
    }

    /** The patients a search answer lists (patient search and text search hits both carry patientId). */
    private static Set<Long> patientsOfHits(Response answer) {
        List<Number> ids = answer.jsonPath().getList("patientId");
        Set<Long> patients = new HashSet<>();
        ids.forEach(id -> patients.add(id.longValue()));
        return patients;
    }

    @Test
    void everyOperationIsInThisTestsTableSoNoneCanShipUnaudited() {
        Set<String> known = new java.util.TreeSet<>(endpoints().keySet());
        known.addAll(IdentityApiTest.OPERATIONS); // admins' identity links: audited there (VIEW_IDENTITY_LINKS, IDENTITY_DECISION)
        // restricted records and break-the-glass: audited there (BREAK_GLASS, BREAK_GLASS_REVIEW, RESTRICTION, VIEW_AUDIT)
        known.addAll(BreakGlassApiTest.OPERATIONS);
        // release of information and disclosures: audited there (RELEASE_REQUEST, EXPORT, DISCLOSURE, VIEW_DISCLOSURES)
        known.addAll(ReleaseOfInformationTest.OPERATIONS);
        assertThat(PublishedOperations.whosePath(path -> path.startsWith("/api/")))
                .as("every API operation (method and path) is in this test's table").containsExactlyInAnyOrderElementsOf(known);
    }

    @Test
    void everyReadOfPatientDataAppendsExactlyOneEventSayingWhoReadWhatOfWhom() throws Exception {
        for (Map.Entry<String, ApiRead> endpoint : endpoints().entrySet()) {
            String operation = endpoint.getKey();
            ApiRead read = endpoint.getValue();
            String requestId = "api-test-" + UUID.randomUUID();
            long before = AuditRows.countOfUser("api-clinician");

            Response answer = read.call().apply(as(Roles.CLINICIAN).header("X-Request-Id", requestId));

            answer.then().statusCode(200).header("X-Request-Id", requestId);
            assertThat(AuditRows.countOfUser("api-clinician")).as(operation + " appends exactly one event").isEqualTo(before + 1);
            List<AuditRecord> events = AuditRows.withRequestId(requestId);
            assertThat(events).as(operation + " events of its request").hasSize(1);
            AuditRecord event = events.get(0);
            assertThat(event.action).as(operation).isEqualTo(read.action());
            assertThat(event.userName).as(operation).isEqualTo("api-clinician");
            assertThat(event.userRole).as(operation).isEqualTo(Roles.CLINICIAN);
            assertThat(event.objectType).as(operation).isEqualTo(read.objectType());
            assertThat(event.objectId).as(operation).isEqualTo(read.objectId());
            assertThat(event.detail).as(operation).isEqualTo(read.detail());
            assertThat(event.purpose).as(operation).isNull();
            assertThat(InetAddress.getByName(event.clientAddress).isLoopbackAddress()).as(operation + " client address " + event.clientAddress)
                    .isTrue();
            Set<Long> shown = read.patientsShown().apply(answer);
            assertThat(shown).as(operation + " shows the archived patient").contains(patientId);
            assertThat(AuditRows.patientIds(event)).as(operation + " names exactly the patients it showed").isEqualTo(shown);
        }
    }

    @Test
    void aRequestWithoutAnIdGetsOneAndTheEventCarriesIt() {
        long before = AuditRows.countOfUser("api-compliance");
        String requestId = as(Roles.COMPLIANCE).get("/api/patients/" + patientId).then().statusCode(200).extract().header("X-Request-Id");
        assertThat(requestId).isNotBlank();
        assertThat(AuditRows.countOfUser("api-compliance")).isEqualTo(before + 1);
        List<AuditRecord> events = AuditRows.withRequestId(requestId);
        assertThat(events).hasSize(1);
        assertThat(events.get(0).userName).isEqualTo("api-compliance");
        assertThat(events.get(0).userRole).isEqualTo(Roles.COMPLIANCE);
        assertThat(AuditRows.patientIds(events.get(0))).isEqualTo(Set.of(patientId));
    }

    @Test
    void signInAndRolesAreEnforcedOnEveryEndpoint() throws Exception {
        int guess = 0;
        for (Map.Entry<String, ApiRead> endpoint : endpoints().entrySet()) {
            Function<RequestSpecification, Response> call = endpoint.getValue().call();
            long adminEvents = AuditRows.countOfUser("api-admin");
            call.apply(given()).then().statusCode(401);
            // A name of its own per guess: five wrong passwords for one name would lock it (SignInSecurityTest).
            call.apply(given().auth().preemptive().basic("api-guess-" + guess++, "wrong password")).then().statusCode(401);
            call.apply(as(Roles.ADMIN)).then().statusCode(403).contentType(Problems.MEDIA_TYPE).body("status", equalTo(403));
            List<AuditRecord> refused = AuditRows.awaitNewOfUser("api-admin", adminEvents, 1);
            assertThat(refused.get(0).action).as(endpoint.getKey() + ": a refused read records a refusal").isEqualTo("ACCESS_REFUSED");
            assertThat(refused.get(0).patientIds).as(endpoint.getKey() + ": and names no patient, as it showed none").isNull();
            call.apply(as(Roles.COMPLIANCE)).then().statusCode(200);
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
    void theOriginalIsServedByteExactWithTheDigestOfTheBytesServed() throws Exception {
        Response download = as(Roles.CLINICIAN).get("/api/documents/" + documentId + "/original");
        download.then().statusCode(200);
        byte[] served = download.asByteArray();
        assertThat(served).isEqualTo(Fixtures.bytes("ccda", FIXTURE));
        assertThat(download.header("Digest")).as("RFC 3230 digest of what was served")
                .isEqualTo("sha-256=" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(served)));
        assertThat(download.header("Content-Disposition")).as("named by the document, never by the original file name")
                .isEqualTo("attachment; filename=\"document-" + documentId + ".xml\"");
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
