package org.ehrarchive.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.BiFunction;

import jakarta.inject.Inject;

import org.ehrarchive.indexing.SearchIndexer;
import org.ehrarchive.ingest.IngestService;
import org.ehrarchive.ingest.SourceSystems;
import org.ehrarchive.record.EntryKind;
import org.ehrarchive.sampling.SampledFixtures;
import org.ehrarchive.sampling.SamplingPlans;
import org.ehrarchive.support.ArchiveTestDatabase;
import org.ehrarchive.support.ArchivedFixture;
import org.ehrarchive.support.ChartEntries;
import org.ehrarchive.support.PortalSession;
import org.ehrarchive.support.PublishedOperations;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;

/**
 * Every route (the portal's pages, the API, downloads, Quarkus's {@code /q/*}) against every role and an anonymous
 * caller, with the answer each must get. A route published in OpenAPI or registered under {@code /q} that is not in
 * this table fails the test, so a new endpoint cannot ship without a decision on who may call it.
 */
@QuarkusTest
@WithTestResource(ArchiveTestDatabase.class)
class AuthorizationMatrixTest {

    private static final String PASSWORD = "matrix-test-password";
    private static final List<String> CALLERS = List.of("anonymous", Roles.CLINICIAN, Roles.COMPLIANCE, Roles.ADMIN);

    @Inject
    IngestService ingest;
    @Inject
    SearchIndexer indexer;
    @Inject
    Router router;
    @Inject
    SamplingPlans plans;
    @Inject
    SourceSystems systems;
    @Inject
    org.ehrarchive.decommission.Certificates certificates;

    private long patientId;
    private long documentId;
    private long sourceSystemId;
    private SampledFixtures.Item sample;
    /** A small source system of its own, with one certificate (issuing one over the shared default system would be slow). */
    private static long certifiedSystemId;
    private static long certificateId;

    /** A route: how to call it, and the status each caller gets (anonymous, clinician, compliance, admin). */
    private record Expected(BiFunction<RequestSpecification, Ids, Response> call, int anonymous, int clinician, int compliance,
            int admin) {
        int of(String caller) {
            return switch (caller) {
                case "anonymous" -> anonymous;
                case Roles.CLINICIAN -> clinician;
                case Roles.COMPLIANCE -> compliance;
                default -> admin;
            };
        }
    }

    /**
     * What the routes name: an archived patient and document, the default source system and one of its originals, a
     * sampled record, and a small source system with a certificate.
     */
    private record Ids(long patient, long document, long sourceSystem, String original, SampledFixtures.Item sample, long certifiedSystem,
            long certificate) {
    }

    private static final int SIGN_IN = 302; // a page sends an anonymous visitor to the sign-in page
    private static final int CHALLENGE = 401; // the API and /q/* answer with an HTTP Basic challenge

    private static Map<String, Expected> routes() {
        Map<String, Expected> routes = new LinkedHashMap<>();
        // The portal: patient data for clinicians and compliance staff; the audit for compliance staff and admins.
        routes.put("GET /", new Expected((r, ids) -> r.get("/"), SIGN_IN, 200, 200, 200));
        routes.put("POST /", new Expected((r, ids) -> r.formParam("name", "Testy").post("/"), SIGN_IN, 200, 200, 403));
        routes.put("GET /patients/{id}", new Expected((r, ids) -> r.get("/patients/" + ids.patient()), SIGN_IN, 200, 200, 403));
        for (String page : List.of("sections/{kind}", "facts/{entryId}", "trends", "trends/{key}", "trends/{key}/print", "encounters",
                "encounters/{entryId}", "print")) {
            routes.put("GET /patients/{id}/" + page, new Expected((r, ids) -> r.get("/patients/" + ids.patient() + "/" + page
                    .replace("{kind}", "result").replace("{key}", ChartEntries.FIXTURE_TREND)
                    .replace("{entryId}", Long.toString(ChartEntries.first(ids.patient(), page.startsWith("facts") ? EntryKind.RESULT : EntryKind.ENCOUNTER)))),
                    SIGN_IN, 200, 200, 403));
        }
        routes.put("GET /documents/{id}", new Expected((r, ids) -> r.get("/documents/" + ids.document()), SIGN_IN, 200, 200, 403));
        routes.put("GET /documents/{id}/print", new Expected((r, ids) -> r.get("/documents/" + ids.document() + "/print"), SIGN_IN, 200, 200, 403));
        routes.put("GET /documents/{id}/original",
                new Expected((r, ids) -> r.get("/documents/" + ids.document() + "/original"), SIGN_IN, 200, 200, 403));
        routes.put("GET /search", new Expected((r, ids) -> r.get("/search"), SIGN_IN, 200, 200, 403));
        routes.put("POST /search", new Expected((r, ids) -> r.formParam("words", "thirst").post("/search"), SIGN_IN, 200, 200, 403));
        routes.put("GET /audit", new Expected((r, ids) -> r.get("/audit"), SIGN_IN, 403, 200, 200));
        routes.put("POST /purpose", new Expected((r, ids) -> r.formParam("purpose", "TREAT").post("/purpose"), SIGN_IN, 303, 303, 403));
        routes.put("GET /audit/auditevents.ndjson", new Expected((r, ids) -> r.get("/audit/auditevents.ndjson"), SIGN_IN, 403, 200, 200));
        routes.put("GET /audit/report.csv", new Expected((r, ids) -> r.get("/audit/report.csv"), SIGN_IN, 403, 200, 200));
        // Fixity checks name blob-store paths and hashes: for admins, who run them.
        routes.put("GET /fixity", new Expected((r, ids) -> r.get("/fixity"), SIGN_IN, 403, 403, 200));
        routes.put("GET /sources", new Expected((r, ids) -> r.get("/sources"), SIGN_IN, 403, 403, 200));
        routes.put("GET /sources/{id}", new Expected((r, ids) -> r.get("/sources/" + ids.sourceSystem()), SIGN_IN, 403, 403, 200));
        routes.put("POST /sources/{id}/counts", new Expected((r, ids) -> r.formParam("recordType", "patients").formParam("stated", "1")
                .post("/sources/" + ids.sourceSystem() + "/counts"), SIGN_IN, 403, 403, 303));
        routes.put("GET /sources/{id}/reconciliation.json",
                new Expected((r, ids) -> r.get("/sources/" + ids.sourceSystem() + "/reconciliation.json"), SIGN_IN, 403, 403, 200));
        routes.put("GET /sources/{id}/reconciliation.csv",
                new Expected((r, ids) -> r.get("/sources/" + ids.sourceSystem() + "/reconciliation.csv"), SIGN_IN, 403, 403, 200));
        routes.put("GET /sources/{id}/originals/{sha256}", new Expected((r, ids) -> r.get("/sources/" + ids.sourceSystem() + "/originals/"
                + ids.original()), SIGN_IN, 403, 403, 200));
        // Sampling (issue 13): admins draw plans, clinicians review; plan pages show no patient data, the review page does.
        routes.put("GET /sampling", new Expected((r, ids) -> r.get("/sampling"), SIGN_IN, 200, 403, 200));
        routes.put("POST /sampling", new Expected((r, ids) -> r.formParam("sourceSystem", ids.sample().sourceSystemId())
                .formParam("seed", "1").formParam("size", "fixed").formParam("perType", "1").post("/sampling"), SIGN_IN, 403, 403, 303));
        routes.put("GET /sampling/{plan}", new Expected((r, ids) -> r.get("/sampling/" + ids.sample().planId()), SIGN_IN, 200, 403, 200));
        // 400 for the clinician: past the role check, the form is checked (a record id is needed).
        routes.put("POST /sampling/{plan}/items", new Expected((r, ids) -> r.formParam("record", "").post("/sampling/" + ids.sample().planId()
                + "/items"), SIGN_IN, 400, 403, 403));
        routes.put("GET /sampling/{plan}/items/{item}", new Expected((r, ids) -> r.get("/sampling/" + ids.sample().planId() + "/items/"
                + ids.sample().itemId()), SIGN_IN, 200, 403, 403));
        routes.put("POST /sampling/{plan}/items/{item}", new Expected((r, ids) -> r.formParam("decision", "correct").post("/sampling/"
                + ids.sample().planId() + "/items/" + ids.sample().itemId()), SIGN_IN, 303, 403, 403));
        // Decommission certificates: for admins, who issue them; issuing is a form with its CSRF token.
        routes.put("GET /sources/{id}/certificates", new Expected((r, ids) -> r.get("/sources/" + ids.certifiedSystem() + "/certificates"), SIGN_IN, 403,
                403, 200));
        routes.put("POST /sources/{id}/certificates", new Expected((r, ids) -> r.post("/sources/" + ids.certifiedSystem() + "/certificates"), SIGN_IN,
                403, 403, 303));
        for (String kind : List.of("json", "pdf")) {
            routes.put("GET /sources/{id}/certificates/{cid}/certificate." + kind, new Expected((r, ids) -> r.get("/sources/" + ids.certifiedSystem()
                    + "/certificates/" + ids.certificate() + "/certificate." + kind), SIGN_IN, 403, 403, 200));
        }
        // Identity links (docs/patient-identity.md): for admins, who review them; the forms answer with a redirect. Link 0 is no link.
        routes.put("GET /identity", new Expected((r, ids) -> r.get("/identity"), SIGN_IN, 403, 403, 200));
        routes.put("GET /identity/links/{id}", new Expected((r, ids) -> r.get("/identity/links/0"), SIGN_IN, 403, 403, 404));
        routes.put("POST /identity/links/{id}", new Expected((r, ids) -> r.formParam("decision", "none").post("/identity/links/0"), SIGN_IN,
                403, 403, 303));
        routes.put("POST /identity/links", new Expected((r, ids) -> r.formParam("first", "x").post("/identity/links"), SIGN_IN, 403, 403, 303));
        routes.put("POST /identity/systems", new Expected((r, ids) -> r.formParam("system", "").post("/identity/systems"), SIGN_IN, 403, 403,
                303));
        routes.put("POST /identity/systems/remove", new Expected((r, ids) -> r.formParam("system", "urn:matrix:none")
                .post("/identity/systems/remove"), SIGN_IN, 403, 403, 303));
        routes.put("GET /login", new Expected((r, ids) -> r.get("/login"), 200, 200, 200, 200));
        routes.put("POST /login", new Expected((r, ids) -> r.formParam("username", "matrix-nobody").formParam("password", "x")
                .post("/login"), 401, 401, 401, 401));
        // Single sign-on is off in the tests' configuration: its path only leads back to the sign-in page.
        routes.put("GET /login/oidc", new Expected((r, ids) -> r.get("/login/oidc"), SIGN_IN, SIGN_IN, SIGN_IN, SIGN_IN));
        routes.put("POST /logout", new Expected((r, ids) -> r.post("/logout"), SIGN_IN, 303, 303, 303));
        // The API: the same roles as the portal's pages, by HTTP Basic.
        routes.put("GET /api/patients", new Expected((r, ids) -> r.queryParam("name", "Testy").get("/api/patients"), CHALLENGE, 200, 200, 403));
        routes.put("GET /api/patients/{id}", new Expected((r, ids) -> r.get("/api/patients/" + ids.patient()), CHALLENGE, 200, 200, 403));
        routes.put("GET /api/patients/{id}/entries", new Expected((r, ids) -> r.queryParam("kind", "PROBLEM")
                .get("/api/patients/" + ids.patient() + "/entries"), CHALLENGE, 200, 200, 403));
        routes.put("GET /api/patients/{id}/facts", new Expected((r, ids) -> r.queryParam("kind", "PROBLEM")
                .get("/api/patients/" + ids.patient() + "/facts"), CHALLENGE, 200, 200, 403));
        routes.put("GET /api/documents/{id}", new Expected((r, ids) -> r.get("/api/documents/" + ids.document()), CHALLENGE, 200, 200, 403));
        routes.put("GET /api/documents/{id}/original",
                new Expected((r, ids) -> r.get("/api/documents/" + ids.document() + "/original"), CHALLENGE, 200, 200, 403));
        routes.put("GET /api/search", new Expected((r, ids) -> r.queryParam("q", "thirst").get("/api/search"), CHALLENGE, 200, 200, 403));
        routes.put("GET /api/identity/links", new Expected((r, ids) -> r.get("/api/identity/links"), CHALLENGE, 403, 403, 200));
        routes.put("GET /api/identity/links/{id}", new Expected((r, ids) -> r.get("/api/identity/links/0"), CHALLENGE, 403, 403, 404));
        routes.put("POST /api/identity/links/{id}/decisions", new Expected((r, ids) -> r.contentType("application/json").body("{}")
                .post("/api/identity/links/0/decisions"), CHALLENGE, 403, 403, 400));
        routes.put("POST /api/identity/links", new Expected((r, ids) -> r.contentType("application/json").body("{}").post("/api/identity/links"),
                CHALLENGE, 403, 403, 400));
        routes.put("GET /api/identity/systems", new Expected((r, ids) -> r.get("/api/identity/systems"), CHALLENGE, 403, 403, 200));
        routes.put("PUT /api/identity/systems", new Expected((r, ids) -> r.contentType("application/json").body("{}").put("/api/identity/systems"),
                CHALLENGE, 403, 403, 400));
        routes.put("DELETE /api/identity/systems", new Expected((r, ids) -> r.queryParam("system", "urn:matrix:none").delete("/api/identity/systems"),
                CHALLENGE, 403, 403, 404));
        // Restricted records and break-the-glass (docs/compliance.md): clinicians break the glass (nothing of the fixture is
        // restricted, so the form goes straight back to the chart); compliance staff flag records and review grants. Grant
        // and flag 0 are none.
        routes.put("POST /break-glass", new Expected((r, ids) -> r.formParam("patient", ids.patient()).formParam("reason", "matrix: nothing restricted")
                .post("/break-glass"), SIGN_IN, 303, 403, 403));
        routes.put("GET /break-glass", new Expected((r, ids) -> r.get("/break-glass"), SIGN_IN, 403, 200, 403));
        routes.put("POST /break-glass/{id}/review", new Expected((r, ids) -> r.formParam("decision", "SIGNED_OFF").post("/break-glass/0/review"),
                SIGN_IN, 403, 404, 403));
        routes.put("POST /restrictions", new Expected((r, ids) -> r.formParam("category", "VIP").post("/restrictions"), SIGN_IN, 403, 400, 403));
        routes.put("POST /restrictions/{id}/lift", new Expected((r, ids) -> r.formParam("reason", "matrix").post("/restrictions/0/lift"),
                SIGN_IN, 403, 404, 403));
        routes.put("POST /api/break-glass", new Expected((r, ids) -> r.contentType("application/json").body("{}").post("/api/break-glass"),
                CHALLENGE, 400, 403, 403));
        routes.put("GET /api/break-glass", new Expected((r, ids) -> r.get("/api/break-glass"), CHALLENGE, 403, 200, 403));
        routes.put("POST /api/break-glass/{id}/reviews", new Expected((r, ids) -> r.contentType("application/json")
                .body("{\"decision\": \"SIGNED_OFF\"}").post("/api/break-glass/0/reviews"), CHALLENGE, 403, 404, 403));
        routes.put("GET /api/restrictions", new Expected((r, ids) -> r.queryParam("patient", ids.patient()).get("/api/restrictions"),
                CHALLENGE, 403, 200, 403));
        routes.put("POST /api/restrictions", new Expected((r, ids) -> r.contentType("application/json").body("{}").post("/api/restrictions"),
                CHALLENGE, 403, 400, 403));
        routes.put("POST /api/restrictions/{id}/lift", new Expected((r, ids) -> r.contentType("application/json").body("{\"reason\": \"matrix\"}")
                .post("/api/restrictions/0/lift"), CHALLENGE, 403, 404, 403));
        // Release of information and disclosures (docs/compliance.md): compliance staff only. Request and disclosure 0 are none.
        routes.put("GET /releases", new Expected((r, ids) -> r.get("/releases"), SIGN_IN, 403, 200, 403));
        routes.put("GET /releases/new", new Expected((r, ids) -> r.get("/releases/new"), SIGN_IN, 403, 200, 403));
        routes.put("POST /releases", new Expected((r, ids) -> r.multiPart("patient", "none").post("/releases"), SIGN_IN, 403, 400, 403));
        routes.put("GET /releases/{id}", new Expected((r, ids) -> r.get("/releases/0"), SIGN_IN, 403, 404, 403));
        for (String step : List.of("extension", "closing", "release")) {
            routes.put("POST /releases/{id}/" + step, new Expected((r, ids) -> r.formParam("reason", "matrix").post("/releases/0/" + step), SIGN_IN,
                    403, 404, 403));
        }
        routes.put("GET /releases/{id}/{file}", new Expected((r, ids) -> r.get("/releases/0/packet.pdf"), SIGN_IN, 403, 404, 403));
        routes.put("GET /disclosures", new Expected((r, ids) -> r.queryParam("patient", ids.patient()).get("/disclosures"), SIGN_IN, 403, 200, 403));
        for (String file : List.of("accounting.pdf", "accounting.csv")) {
            routes.put("GET /disclosures/" + file, new Expected((r, ids) -> r.queryParam("patient", ids.patient()).get("/disclosures/" + file), SIGN_IN,
                    403, 200, 403));
        }
        routes.put("POST /disclosures", new Expected((r, ids) -> r.formParam("patient", ids.patient()).post("/disclosures"), SIGN_IN, 403, 400, 403));
        routes.put("POST /disclosures/{id}/suspension", new Expected((r, ids) -> r.formParam("until", java.time.LocalDate.now().plusDays(9).toString())
                .post("/disclosures/0/suspension"), SIGN_IN, 403, 404, 403));
        routes.put("GET /api/releases", new Expected((r, ids) -> r.get("/api/releases"), CHALLENGE, 403, 200, 403));
        routes.put("POST /api/releases", new Expected((r, ids) -> r.contentType("application/json").body("{}").post("/api/releases"), CHALLENGE, 403,
                400, 403));
        routes.put("GET /api/releases/{id}", new Expected((r, ids) -> r.get("/api/releases/0"), CHALLENGE, 403, 404, 403));
        for (String step : List.of("extension", "closing", "release")) {
            routes.put("POST /api/releases/{id}/" + step, new Expected((r, ids) -> r.contentType("application/json").body("{\"reason\": \"matrix\"}")
                    .post("/api/releases/0/" + step), CHALLENGE, 403, 404, 403));
        }
        routes.put("GET /api/releases/{id}/{file}", new Expected((r, ids) -> r.get("/api/releases/0/packet.pdf"), CHALLENGE, 403, 404, 403));
        routes.put("GET /api/disclosures", new Expected((r, ids) -> r.queryParam("patient", ids.patient()).get("/api/disclosures"), CHALLENGE, 403,
                200, 403));
        routes.put("POST /api/disclosures", new Expected((r, ids) -> r.contentType("application/json").body("{}").post("/api/disclosures"), CHALLENGE,
                403, 400, 403));
        routes.put("POST /api/disclosures/{id}/suspensions", new Expected((r, ids) -> r.contentType("application/json")
                .body("{\"until\": \"" + java.time.LocalDate.now().plusDays(9) + "\"}").post("/api/disclosures/0/suspensions"), CHALLENGE, 403, 404, 403));
        routes.put("GET /api/disclosures/accounting", new Expected((r, ids) -> r.queryParam("patient", ids.patient()).get("/api/disclosures/accounting"),
                CHALLENGE, 403, 200, 403));
        // Quarkus's endpoints: health open for a load balancer; metrics for admins; the API description for users.
        for (String health : List.of("/q/health", "/q/health/live", "/q/health/ready", "/q/health/started", "/q/health/group",
                "/q/health/well")) {
            routes.put("GET " + health, new Expected((r, ids) -> r.get(health), 200, 200, 200, 200));
        }
        routes.put("GET /q", new Expected((r, ids) -> r.get("/q"), CHALLENGE, 404, 404, 404));
        routes.put("GET /q/metrics", new Expected((r, ids) -> r.get("/q/metrics"), CHALLENGE, 403, 403, 200));
        routes.put("GET /q/openapi", new Expected((r, ids) -> r.get("/q/openapi"), CHALLENGE, 200, 200, 200));
        routes.put("GET /portal.css", new Expected((r, ids) -> r.get("/portal.css"), 200, 200, 200, 200));
        return routes;
    }

    @BeforeEach
    void archiveAPatientAndCreateUsers() throws Exception {
        ArchivedFixture.usersOfEveryRole("matrix-", PASSWORD);
        ArchivedFixture.Archived archived = ArchivedFixture.archive(ingest, indexer, "full-ccd.xml");
        patientId = archived.patientId();
        documentId = archived.documentId();
        sourceSystemId = systems.named(SourceSystems.DEFAULT_NAME).id();
        sample = SampledFixtures.itemOfDocument(plans, systems, documentId);
        if (certificateId == 0) {
            java.nio.file.Path folder = java.nio.file.Files.createTempDirectory("matrix-source");
            org.ehrarchive.support.CcdaDocuments.forNewPatient().writeTo(folder, "matrix.xml");
            String name = "Matrix source " + java.util.UUID.randomUUID();
            ingest.ingest(folder, name, org.ehrarchive.ingest.IngestProgress.NONE);
            var system = systems.byName(name).orElseThrow();
            certifiedSystemId = system.id();
            certificateId = certificates.issue(system, "matrix-test").id();
        }
    }

    @Test
    void everyPublishedOperationAndEveryQuarkusEndpointHasADecision() {
        SortedSet<String> published = PublishedOperations.whosePath(path -> true);
        for (Route route : router.getRoutes()) {
            if (route.getPath() != null && route.getPath().startsWith("/q") && !route.getPath().contains("*")) {
                String path = route.getPath().endsWith("/") ? route.getPath().substring(0, route.getPath().length() - 1) : route.getPath();
                published.add("GET " + path);
            }
        }
        assertThat(new TreeSet<>(routes().keySet())).as("every route, with who may call it").containsAll(published);
    }

    @Test
    void everyCallerGetsExactlyTheAnswerTheTableSays() {
        Ids ids = new Ids(patientId, documentId, sourceSystemId, org.ehrarchive.blob.BlobStore.sha256Of(
                org.ehrarchive.support.Fixtures.bytes("ccda", "full-ccd.xml")), sample, certifiedSystemId, certificateId);
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, Expected> route : routes().entrySet()) {
            boolean machine = ArchiveAuthentication.isMachinePath(route.getKey().substring(route.getKey().indexOf(' ') + 1));
            for (String caller : CALLERS) {
                int status = route.getValue().call().apply(request(caller, machine), ids).statusCode();
                if (status != route.getValue().of(caller)) {
                    wrong.add(route.getKey() + " as " + caller + ": " + status + ", expected " + route.getValue().of(caller));
                }
            }
        }
        assertThat(wrong).isEmpty();
    }

    @Test
    void browserCredentialsDoNotOpenTheApiAndApiCredentialsDoNotOpenPages() {
        PortalSession clinician = PortalSession.signIn("matrix-clinician", PASSWORD);
        given().cookie(PortalSession.SESSION_COOKIE, clinician.sessionCookie()).get("/api/patients/" + patientId).then().statusCode(CHALLENGE);
        given().redirects().follow(false).auth().preemptive().basic("matrix-clinician", PASSWORD).get("/patients/" + patientId).then()
                .statusCode(SIGN_IN);
    }

    /** A request as this caller makes it: a fresh portal session with its CSRF token for pages, Basic for the rest. */
    private static RequestSpecification request(String caller, boolean machine) {
        if (caller.equals("anonymous") && machine) {
            return given().redirects().follow(false); // no form token: a JSON body goes with no form parameters
        }
        if (caller.equals("anonymous")) {
            Response page = given().get("/login"); // a CSRF cookie and token, so a form is judged on who sends it
            String token = page.htmlPath().getString("**.find { it.@name == 'csrf-token' }.@value");
            return given().redirects().follow(false).cookie(PortalSession.CSRF, Objects.requireNonNull(page.getCookie(PortalSession.CSRF)))
                    .formParam(PortalSession.CSRF, token);
        }
        if (machine) {
            return given().redirects().follow(false).auth().preemptive().basic("matrix-" + caller, PASSWORD);
        }
        return PortalSession.signIn("matrix-" + caller, PASSWORD).session();
    }
}
