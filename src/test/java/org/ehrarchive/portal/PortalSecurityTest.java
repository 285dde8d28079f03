package org.ehrarchive.portal;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

import jakarta.inject.Inject;

import org.ehrarchive.audit.AuditRecord;
import org.ehrarchive.ingest.IngestService;
import org.ehrarchive.indexing.SearchIndexer;
import org.ehrarchive.security.Roles;
import org.ehrarchive.support.ArchiveTestDatabase;
import org.ehrarchive.support.ArchivedFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/** Sign-in, roles and CSRF on every page, and the access audit of every page that shows patient data. */
@QuarkusTest
@WithTestResource(ArchiveTestDatabase.class)
class PortalSecurityTest {

    private static final String PASSWORD = "portal-test-password";

    @Inject
    IngestService ingest;
    @Inject
    SearchIndexer indexer;

    private long patientId;
    private long documentId;

    @BeforeEach
    void archiveAPatientAndCreateUsers() throws Exception {
        ArchivedFixture.usersOfEveryRole("portal-", PASSWORD);
        ArchivedFixture.Archived archived = ArchivedFixture.archive(ingest, indexer, "full-ccd.xml");
        patientId = archived.patientId();
        documentId = archived.documentId();
    }

    /** Every page that shows patient data, with the audit action it must record. Forms carry the CSRF token. */
    private Map<String, PortalRead> pagesWithPatientData() {
        Map<String, PortalRead> pages = new LinkedHashMap<>();
        pages.put("POST /", new PortalRead("SEARCH_PATIENTS", s -> s.session().formParam("name", "Testy Fixtur").post("/")));
        pages.put("GET /patients/{id}", new PortalRead("VIEW_CHART", s -> s.session().get("/patients/" + patientId)));
        pages.put("GET /documents/{id}", new PortalRead("VIEW_DOCUMENT", s -> s.session().get("/documents/" + documentId)));
        pages.put("GET /documents/{id}/original", new PortalRead("DOWNLOAD_ORIGINAL", s -> s.session().get("/documents/" + documentId + "/original")));
        pages.put("POST /search", new PortalRead("SEARCH_TEXT", s -> s.session().formParam("words", "thirst").post("/search")));
        return pages;
    }

    /** Pages that show no patient data. */
    private static final List<String> OTHER_PAGES = List.of("GET /", "GET /login", "POST /logout", "GET /search", "GET /audit");

    private record PortalRead(String auditAction, Function<Session, Response> call) {
    }

    @Test
    void everyPageIsAccountedForAndEachThatShowsPatientDataIsAudited() {
        var paths = given().queryParam("format", "json").get("/q/openapi").then().statusCode(200).extract().jsonPath().getMap("paths");
        TreeSet<String> published = new TreeSet<>();
        paths.forEach((path, operations) -> {
            if (!path.toString().startsWith("/api/")) {
                ((Map<?, ?>) operations).keySet().forEach(method -> published.add(method.toString().toUpperCase() + " " + path));
            }
        });
        TreeSet<String> known = new TreeSet<>(pagesWithPatientData().keySet());
        known.addAll(OTHER_PAGES);
        assertThat(published).as("every page is in this test's tables, so none can show patient data unaudited").isEqualTo(known);

        Session clinician = Session.signIn("portal-clinician", PASSWORD);
        for (Map.Entry<String, PortalRead> page : pagesWithPatientData().entrySet()) {
            long before = QuarkusTransaction.requiringNew().call(() -> AuditRecord.count("userName", "portal-clinician"));
            page.getValue().call().apply(clinician).then().statusCode(200);
            AuditRecord event = QuarkusTransaction.requiringNew().call(() -> AuditRecord.<AuditRecord>find("userName = ?1 order by id desc",
                    "portal-clinician").firstResult());
            assertThat(QuarkusTransaction.requiringNew().call(() -> AuditRecord.count("userName", "portal-clinician")))
                    .as(page.getKey() + " appended one event").isEqualTo(before + 1);
            assertThat(event.action).as(page.getKey()).isEqualTo(page.getValue().auditAction());
            assertThat(event.patientIds).as(page.getKey()).contains(Long.toString(patientId));
            assertThat(event.requestId).isNotBlank();
        }
    }

    @Test
    void pagesNeedASignedInUserWithTheRightRole() {
        // Every page but the sign-in page sends an anonymous visitor to sign in.
        for (String page : List.of("/", "/patients/" + patientId, "/documents/" + documentId, "/documents/" + documentId + "/original",
                "/search", "/audit")) {
            given().redirects().follow(false).get(page).then().statusCode(302).header("Location", containsString("/login"));
        }
        for (String form : List.of("/", "/search", "/logout")) {
            given().redirects().follow(false).formParam("name", "x").post(form).then().statusCode(302)
                    .header("Location", containsString("/login"));
        }
        Session admin = Session.signIn("portal-admin", PASSWORD);
        for (String page : List.of("/patients/" + patientId, "/documents/" + documentId, "/documents/" + documentId + "/original", "/search")) {
            admin.session().get(page).then().statusCode(403).body(containsString("Your role may not see this"));
        }
        admin.session().formParam("name", "Testy").post("/").then().statusCode(403);
        admin.session().get("/audit").then().statusCode(200).body(containsString("Access audit"));
        Session.signIn("portal-clinician", PASSWORD).session().get("/audit").then().statusCode(403);
        Session.signIn("portal-compliance", PASSWORD).session().get("/patients/" + patientId).then().statusCode(200);
        given().redirects().follow(false).formParam("j_username", "portal-clinician").formParam("j_password", "wrong")
                .post("/j_security_check").then().statusCode(302).header("Location", containsString("/login?error=true"));
    }

    @Test
    void aFormPostedWithoutItsCsrfTokenIsRejected() {
        Session clinician = Session.signIn("portal-clinician", PASSWORD);
        clinician.withoutCsrf().formParam("name", "Testy").post("/").then().statusCode(400);
        clinician.withoutCsrf().formParam("words", "thirst").post("/search").then().statusCode(400);
        clinician.withoutCsrf().post("/logout").then().statusCode(400);
        clinician.session().formParam("name", "Testy").post("/").then().statusCode(200);
        // The sign-in form has no token (Quarkus handles it); a sign-in posted from another site is refused.
        given().redirects().follow(false).header("Origin", "https://attacker.example").formParam("j_username", "portal-clinician")
                .formParam("j_password", PASSWORD).post("/j_security_check").then().statusCode(403);
    }

    @Test
    void pagesTellTheBrowserNotToFrameSniffOrLoadForeignContent() {
        given().get("/login").then().statusCode(200).header("X-Frame-Options", "DENY").header("X-Content-Type-Options", "nosniff")
                .header("Content-Security-Policy", containsString("default-src 'self'"));
    }

    @Test
    void anUnknownPatientGetsAnErrorPageWithoutInternals() {
        String page = Session.signIn("portal-clinician", PASSWORD).session().get("/patients/987654321").then().statusCode(404)
                .contentType(containsString("text/html")).extract().asString();
        assertThat(page).contains("Request id").doesNotContain("Exception").doesNotContain("at org.");
    }

    /** A signed-in browser session: the session cookie, and the CSRF cookie with its token. */
    record Session(String sessionCookie, String csrfCookie, String csrfToken) {

        static Session signIn(String user, String password) {
            Response login = given().redirects().follow(false).formParam("j_username", user).formParam("j_password", password)
                    .post("/j_security_check");
            String session = login.getCookie("archive-session");
            assertThat(session).as("signed in as " + user).isNotNull();
            Response form = given().cookie("archive-session", session).get("/"); // every page has the sign-out form
            String token = form.htmlPath().getString("**.find { it.@name == 'csrf-token' }.@value");
            return new Session(session, form.getCookie("csrf-token"), token);
        }

        RequestSpecification session() {
            return given().redirects().follow(false).cookie("archive-session", sessionCookie).cookie("csrf-token", csrfCookie)
                    .formParam("csrf-token", csrfToken);
        }

        RequestSpecification withoutCsrf() {
            return given().redirects().follow(false).cookie("archive-session", sessionCookie).cookie("csrf-token", csrfCookie);
        }
    }
}
