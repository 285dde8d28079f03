package org.ehrarchive.portal;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import java.net.InetAddress;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.ehrarchive.audit.AccessAudit;
import org.ehrarchive.audit.AccessEvent;
import org.ehrarchive.audit.AuditAction;
import org.ehrarchive.audit.AuditRecord;
import org.ehrarchive.blob.BlobStore;
import org.ehrarchive.indexing.SearchIndexer;
import org.ehrarchive.ingest.IngestService;
import org.ehrarchive.ingest.SourceSystems;
import org.ehrarchive.record.EntryKind;
import org.ehrarchive.sampling.SampledFixtures;
import org.ehrarchive.sampling.SamplingPlans;
import org.ehrarchive.security.Roles;
import org.ehrarchive.support.ArchiveTestDatabase;
import org.ehrarchive.support.ArchivedFixture;
import org.ehrarchive.support.AuditRows;
import org.ehrarchive.support.ChartEntries;
import org.ehrarchive.support.Fixtures;
import org.ehrarchive.support.PortalSession;
import org.ehrarchive.support.PublishedOperations;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Attribute;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/** Sign-in, roles and CSRF on every page, and the access audit of every page that shows patient data. */
@QuarkusTest
@WithTestResource(ArchiveTestDatabase.class)
class PortalSecurityTest {

    private static final String PASSWORD = "portal-test-password";
    private static final String FIXTURE = "full-ccd.xml";
    /** Names, titles and narratives full of markup a browser would run (see the file's comment). */
    private static final String HOSTILE_FIXTURE = "hostile-markup.xml";
    private static final Pattern PATIENT_OF_HIT = Pattern.compile("patient (\\d+)");

    @Inject
    IngestService ingest;
    @Inject
    SearchIndexer indexer;
    @Inject
    AccessAudit audit;
    @Inject
    SamplingPlans plans;
    @Inject
    SourceSystems systems;

    private long patientId;
    private long documentId;
    private SampledFixtures.Item sample;
    private long sampledRecord;

    @BeforeEach
    void archiveAPatientAndCreateUsers() throws Exception {
        ArchivedFixture.usersOfEveryRole("portal-", PASSWORD);
        ArchivedFixture.Archived archived = ArchivedFixture.archive(ingest, indexer, FIXTURE);
        patientId = archived.patientId();
        documentId = archived.documentId();
        sample = SampledFixtures.itemOfDocument(plans, systems, documentId);
        sampledRecord = plans.sourceRecordOfDocument(documentId).orElseThrow();
    }

    /**
     * Every page that shows patient data, with the event it must record: action, object, detail, and the patients
     * the page showed. Forms carry the CSRF token.
     */
    private Map<String, PortalRead> pagesWithPatientData() {
        Map<String, PortalRead> pages = new LinkedHashMap<>();
        pages.put("POST /", new PortalRead("SEARCH_PATIENTS", "patient-search", null, "name=Testy Fixtur birthDate= identifier=",
                r -> r.formParam("name", "Testy Fixtur").post("/"), PortalSecurityTest::patientsListed));
        pages.put("GET /patients/{id}", new PortalRead("VIEW_CHART", "patient", Long.toString(patientId), null,
                r -> r.get("/patients/" + patientId), page -> Set.of(patientId)));
        long result = ChartEntries.first(patientId, EntryKind.RESULT);
        long encounter = ChartEntries.first(patientId, EntryKind.ENCOUNTER);
        String trend = ChartEntries.FIXTURE_TREND;
        pages.put("GET /patients/{id}/sections/{kind}", new PortalRead("VIEW_CHART", "patient", Long.toString(patientId), "section result page 1",
                r -> r.get("/patients/" + patientId + "/sections/result"), page -> Set.of(patientId)));
        pages.put("GET /patients/{id}/facts/{entryId}", new PortalRead("VIEW_CHART", "patient", Long.toString(patientId), "fact " + result,
                r -> r.get("/patients/" + patientId + "/facts/" + result), page -> Set.of(patientId)));
        pages.put("GET /patients/{id}/trends", new PortalRead("VIEW_CHART", "patient", Long.toString(patientId), "trends",
                r -> r.get("/patients/" + patientId + "/trends"), page -> Set.of(patientId)));
        pages.put("GET /patients/{id}/trends/{key}", new PortalRead("VIEW_CHART", "patient", Long.toString(patientId), "trend " + trend,
                r -> r.get("/patients/" + patientId + "/trends/" + trend), page -> Set.of(patientId)));
        pages.put("GET /patients/{id}/trends/{key}/print", new PortalRead("PRINT", "patient", Long.toString(patientId), "print trend " + trend,
                r -> r.get("/patients/" + patientId + "/trends/" + trend + "/print"), page -> Set.of(patientId)));
        pages.put("GET /patients/{id}/encounters", new PortalRead("VIEW_CHART", "patient", Long.toString(patientId), "encounters",
                r -> r.get("/patients/" + patientId + "/encounters"), page -> Set.of(patientId)));
        pages.put("GET /patients/{id}/encounters/{entryId}", new PortalRead("VIEW_CHART", "patient", Long.toString(patientId),
                "encounter " + encounter, r -> r.get("/patients/" + patientId + "/encounters/" + encounter), page -> Set.of(patientId)));
        pages.put("GET /patients/{id}/print", new PortalRead("PRINT", "patient", Long.toString(patientId), "print summary",
                r -> r.get("/patients/" + patientId + "/print"), page -> Set.of(patientId)));
        pages.put("GET /documents/{id}", new PortalRead("VIEW_DOCUMENT", "document", Long.toString(documentId), null,
                r -> r.get("/documents/" + documentId), page -> Set.of(patientId)));
        pages.put("GET /documents/{id}/original", new PortalRead("DOWNLOAD_ORIGINAL", "document", Long.toString(documentId),
                BlobStore.sha256Of(Fixtures.bytes("ccda", FIXTURE)), r -> r.get("/documents/" + documentId + "/original"),
                page -> Set.of(patientId)));
        pages.put("GET /documents/{id}/print", new PortalRead("PRINT", "document", Long.toString(documentId), null,
                r -> r.get("/documents/" + documentId + "/print"), page -> Set.of(patientId)));
        pages.put("POST /search", new PortalRead("SEARCH_TEXT", "text-search", null, "thirst",
                r -> r.formParam("words", "thirst").post("/search"), PortalSecurityTest::patientsOfTextHits));
        pages.put("GET /sampling/{plan}/items/{item}", new PortalRead("VIEW_SAMPLED_RECORD", "source_record", Long.toString(sampledRecord),
                "plan " + sample.planId() + " item " + sample.itemId(), r -> r.get("/sampling/" + sample.planId() + "/items/" + sample.itemId()),
                page -> Set.of(patientId)));
        return pages;
    }

    /** Pages that show no patient data. */
    private static final List<String> OTHER_PAGES = List.of("GET /", "GET /login", "POST /login", "GET /login/oidc", "POST /logout", "GET /search",
            // the access audit and its reports, for compliance staff and admins: they name patients, and each view and
            // CSV export is audited with the patients it named (AuditReviewTest)
            "GET /audit", "GET /audit/report.csv", "GET /audit/auditevents.ndjson",
            // the purpose of use a reader states: a cookie and a redirect, no patient data (AuditReviewTest)
            "POST /purpose",
            "GET /fixity", // fixity: hashes and blob-store paths of the originals, for admins, no patient data
            // decommissioning, for admins: counts, reasons and paths; the original of a quarantined file is audited (ReconciliationTest)
            "GET /sources", "GET /sources/{id}", "POST /sources/{id}/counts", "GET /sources/{id}/reconciliation.json",
            "GET /sources/{id}/reconciliation.csv", "GET /sources/{id}/originals/{sha256}",
            // sampling: plans show record types and counts; the forms answer with a redirect (the review page is above)
            "GET /sampling", "POST /sampling", "GET /sampling/{plan}", "POST /sampling/{plan}/items", "POST /sampling/{plan}/items/{item}",
            // decommission certificates: the list shows hashes and dates; issuing and each download are audited (CERTIFICATE)
            "GET /sources/{id}/certificates", "POST /sources/{id}/certificates", "GET /sources/{id}/certificates/{cid}/certificate.json",
            "GET /sources/{id}/certificates/{cid}/certificate.pdf",
            // identity links, for admins: the evidence names people, and each page and decision is audited (IdentityBrowserTest)
            "GET /identity", "GET /identity/links/{id}", "POST /identity/links/{id}", "POST /identity/links", "POST /identity/systems",
            "POST /identity/systems/remove",
            // break-the-glass: the grant form redirects to the record (read and audited there); the review queue names
            // patients and is audited (VIEW_AUDIT); flags and reviews are audited changes (BreakGlassBrowserTest)
            "POST /break-glass", "GET /break-glass", "POST /break-glass/{id}/review", "POST /restrictions", "POST /restrictions/{id}/lift",
            // release of information and disclosures, for compliance staff: each page and file names its patient and is
            // audited (VIEW_DISCLOSURES, EXPORT, DOWNLOAD_ORIGINAL), each step too (ReleaseOfInformationTest)
            "GET /releases", "GET /releases/new", "POST /releases", "GET /releases/{id}", "POST /releases/{id}/extension", "POST /releases/{id}/closing",
            "POST /releases/{id}/release", "GET /releases/{id}/{file}", "GET /disclosures", "GET /disclosures/accounting.pdf",
            "GET /disclosures/accounting.csv", "POST /disclosures", "POST /disclosures/{id}/suspension");

    private record PortalRead(String action, String objectType, String objectId, String detail,
            Function<RequestSpecification, Response> call, Function<Response, Set<Long>> patientsShown) {
    }

    @Test
    void everyPageIsInThisTestsTablesSoNoneCanShowPatientDataUnaudited() {
        TreeSet<String> known = new TreeSet<>(pagesWithPatientData().keySet());
        known.addAll(OTHER_PAGES);
        assertThat(PublishedOperations.whosePath(path -> !path.startsWith("/api/")))
                .as("every page (method and path) is in this test's tables").isEqualTo(known);
    }

    @Test
    void everyPageThatShowsPatientDataAppendsExactlyOneEventSayingWhoReadWhatOfWhom() throws Exception {
        PortalSession clinician = PortalSession.signIn("portal-clinician", PASSWORD);
        for (Map.Entry<String, PortalRead> entry : pagesWithPatientData().entrySet()) {
            String page = entry.getKey();
            PortalRead read = entry.getValue();
            String requestId = "portal-test-" + UUID.randomUUID();
            long before = AuditRows.countOfUser("portal-clinician");

            Response shown = read.call().apply(clinician.session().header("X-Request-Id", requestId));

            shown.then().statusCode(200).header("X-Request-Id", requestId);
            assertThat(AuditRows.countOfUser("portal-clinician")).as(page + " appends exactly one event").isEqualTo(before + 1);
            List<AuditRecord> events = AuditRows.withRequestId(requestId);
            assertThat(events).as(page + " events of its request").hasSize(1);
            AuditRecord event = events.get(0);
            assertThat(event.action).as(page).isEqualTo(read.action());
            assertThat(event.userName).as(page).isEqualTo("portal-clinician");
            assertThat(event.userRole).as(page).isEqualTo(Roles.CLINICIAN);
            assertThat(event.objectType).as(page).isEqualTo(read.objectType());
            assertThat(event.objectId).as(page).isEqualTo(read.objectId());
            assertThat(event.detail).as(page).isEqualTo(read.detail());
            assertThat(InetAddress.getByName(event.clientAddress).isLoopbackAddress()).as(page + " client address " + event.clientAddress)
                    .isTrue();
            Set<Long> patients = read.patientsShown().apply(shown);
            assertThat(patients).as(page + " shows the archived patient").contains(patientId);
            assertThat(AuditRows.patientIds(event)).as(page + " names exactly the patients it showed").isEqualTo(patients);
        }
    }

    @Test
    void pagesNeedASignedInUserWithTheRightRole() throws Exception {
        // Every page but the sign-in page sends an anonymous visitor to sign in.
        for (String page : List.of("/", "/patients/" + patientId, "/documents/" + documentId, "/documents/" + documentId + "/original",
                "/search", "/audit")) {
            given().redirects().follow(false).get(page).then().statusCode(302).header("Location", containsString("/login"));
        }
        for (String form : List.of("/", "/search", "/logout")) {
            given().redirects().follow(false).formParam("name", "x").post(form).then().statusCode(302)
                    .header("Location", containsString("/login"));
        }
        PortalSession admin = PortalSession.signIn("portal-admin", PASSWORD);
        long adminEvents = AuditRows.countOfUser("portal-admin");
        for (String page : List.of("/patients/" + patientId, "/documents/" + documentId, "/documents/" + documentId + "/original", "/search")) {
            admin.session().get(page).then().statusCode(403).body(containsString("Your role may not see this"));
        }
        admin.session().formParam("name", "Testy").post("/").then().statusCode(403);
        // Each refusal is recorded, as a refusal: it names what was asked, and no patient (none was shown).
        List<AuditRecord> refusals = AuditRows.awaitNewOfUser("portal-admin", adminEvents, 5);
        assertThat(refusals).extracting(event -> event.action).containsOnly("ACCESS_REFUSED");
        assertThat(refusals).extracting(event -> event.detail).containsExactlyInAnyOrder("GET /patients/" + patientId,
                "GET /documents/" + documentId, "GET /documents/" + documentId + "/original", "GET /search", "POST /");
        assertThat(refusals).allSatisfy(event -> assertThat(event.patientIds).isNull());
        admin.session().get("/audit").then().statusCode(200).body(containsString("Access audit"));
        PortalSession.signIn("portal-clinician", PASSWORD).session().get("/audit").then().statusCode(403);
        PortalSession.signIn("portal-compliance", PASSWORD).session().get("/patients/" + patientId).then().statusCode(200);
        PortalSession.postSignIn("portal-clinician", "wrong").then().statusCode(401)
                .body(containsString("The user name or password is wrong."));
    }

    @Test
    void aFormPostedWithoutItsCsrfTokenIsRejected() {
        PortalSession clinician = PortalSession.signIn("portal-clinician", PASSWORD);
        clinician.withoutCsrf().formParam("name", "Testy").post("/").then().statusCode(400);
        clinician.withoutCsrf().formParam("words", "thirst").post("/search").then().statusCode(400);
        clinician.withoutCsrf().post("/logout").then().statusCode(400);
        clinician.session().formParam("name", "Testy").post("/").then().statusCode(200);
        // The sign-in form carries a token too: a sign-in posted from another site's page has none, and is refused
        // with the error page (its request id, what to do), not an empty 400.
        String refused = given().redirects().follow(false).header("Origin", "https://attacker.example").formParam("username", "portal-clinician")
                .formParam("password", PASSWORD).post("/login").then().statusCode(400).contentType(containsString("text/html"))
                .extract().asString();
        assertThat(refused).contains("reload the page").containsPattern("Request id: <code>[0-9a-f-]{36}</code>");
        clinician.withoutCsrf().post("/logout").then().body(containsString("reload the page"));
    }

    @Test
    void pagesTellTheBrowserNotToFrameSniffOrLoadForeignContent() {
        given().get("/login").then().statusCode(200).header("X-Frame-Options", "DENY").header("X-Content-Type-Options", "nosniff")
                .header("Content-Security-Policy", containsString("default-src 'self'"));
    }

    @Test
    void anUnknownPatientGetsAnErrorPageWithoutInternals() {
        String page = PortalSession.signIn("portal-clinician", PASSWORD).session().get("/patients/987654321").then().statusCode(404)
                .contentType(containsString("text/html")).extract().asString();
        assertThat(page).contains("Request id").doesNotContain("Exception").doesNotContain("at org.");
    }

    @Test
    void thePortalServesTheOriginalByteExactLikeTheApi() throws Exception {
        Response portal = PortalSession.signIn("portal-clinician", PASSWORD).session().get("/documents/" + documentId + "/original");
        portal.then().statusCode(200);
        byte[] served = portal.asByteArray();
        assertThat(served).isEqualTo(Fixtures.bytes("ccda", FIXTURE));
        assertThat(portal.header("Digest")).as("RFC 3230 digest of what was served")
                .isEqualTo("sha-256=" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(served)));
        assertThat(portal.header("Content-Disposition")).as("named by the document, never by the original file name")
                .isEqualTo("attachment; filename=\"document-" + documentId + ".xml\"");

        Response api = given().auth().preemptive().basic("portal-clinician", PASSWORD).get("/api/documents/" + documentId + "/original");
        api.then().statusCode(200);
        assertThat(api.asByteArray()).as("the API serves the same bytes").isEqualTo(served);
        assertThat(api.header("Digest")).isEqualTo(portal.header("Digest"));
        assertThat(api.contentType()).isEqualTo(portal.contentType());
    }

    @Test
    void markupInArchivedNamesTitlesAndNarrativesIsShownAsTextOrDroppedButNeverActive() throws Exception {
        ArchivedFixture.Archived hostile = ArchivedFixture.archive(ingest, indexer, HOSTILE_FIXTURE);
        PortalSession clinician = PortalSession.signIn("portal-clinician", PASSWORD);
        Map<String, Document> pages = new LinkedHashMap<>();
        pages.put("patient search", page(clinician.session().formParam("identifier", "MRN-HOSTILE-1").post("/")));
        pages.put("chart", page(clinician.session().get("/patients/" + hostile.patientId())));
        pages.put("document", page(clinician.session().get("/documents/" + hostile.documentId())));
        pages.put("trends", page(clinician.session().get("/patients/" + hostile.patientId() + "/trends")));
        pages.put("print", page(clinician.session().get("/patients/" + hostile.patientId() + "/print")));
        pages.put("text search", page(clinician.session().formParam("words", "zebrafinch").post("/search")));
        pages.forEach(PortalSecurityTest::assertNothingActive);

        // What the source system showed as text is shown as text, markup characters included.
        Element results = pages.get("patient search").selectFirst("#results");
        assertThat(results).as("the hostile patient is found").isNotNull();
        assertThat(results.select("a[href=/patients/" + hostile.patientId() + "]").text())
                .contains("Mallory").contains("<svg onload=window.pwned=1>").contains("Hostile<script>document.title='pwned'</script>");

        Element chart = pages.get("chart").selectFirst("main");
        assertThat(chart.text()).contains("MRN-HOSTILE-1").contains("<iframe src=javascript:window.pwned=1>")
                .contains("<img src=x onerror=window.pwned=1> 1 Payload Road")
                .contains("Pollen allergy <img src=x onerror=window.pwned=1>");
        assertThat(chart.select("#documents a").eachText()).contains("Hostile Fixture Summary <script>window.pwned=1</script>");

        Element document = pages.get("document").selectFirst("main");
        assertThat(document.selectFirst("#document-title").text()).isEqualTo("Hostile Fixture Summary <script>window.pwned=1</script>");
        assertThat(document.select("h2").eachText()).contains("Problems <img src=x onerror=window.pwned=1>",
                "<svg onload=window.pwned=1>History <style>main{display:none}</style>");
        // Narratives keep their words and their harmless structure; the active parts are gone.
        assertThat(document.select(".narrative-text p").eachText()).contains("Problem narrative stays readable.",
                "Patient reports a zebrafinch <img src=x onerror=window.pwned=1> in the garden.",
                "<img src=x onerror=window.pwned=1>after the character data");
        assertThat(document.select(".narrative-text li").eachText()).contains("Hostile pollen allergy");
        assertThat(document.select(".narrative-text td").eachText()).contains("table cell text");
        assertThat(document.select(".narrative-text").text()).contains("a link that must not run", "another link that must not run");

        Element hit = pages.get("text search").select("ol.hits li").stream()
                .filter(li -> li.selectFirst("a[href=/documents/" + hostile.documentId() + "]") != null).findFirst().orElse(null);
        assertThat(hit).as("the hostile narrative is found by a word beside its markup").isNotNull();
        Element snippet = hit.selectFirst(".snippet");
        assertThat(snippet.select("mark").eachText()).as("the word searched for is highlighted").contains("zebrafinch");
        assertThat(snippet.text()).contains("zebrafinch <img src=x onerror=window.pwned=1>");
    }

    @Test
    void complianceStaffSeeAClinicianReadInTheAuditAndFilterByUserAndByPatient() {
        String requestId = "audit-page-" + UUID.randomUUID();
        PortalSession.signIn("portal-clinician", PASSWORD).session().header("X-Request-Id", requestId).get("/patients/" + patientId)
                .then().statusCode(200);
        PortalSession compliance = PortalSession.signIn("portal-compliance", PASSWORD);

        List<Map<String, String>> byUser = auditRows(compliance.session().queryParam("user", "portal-clinician").get("/audit"));
        assertThat(byUser).as("the user filter shows that user's events only").isNotEmpty()
                .allSatisfy(row -> assertThat(row.get("User")).isEqualTo("portal-clinician"));
        assertThat(byUser).filteredOn(row -> requestId.equals(row.get("Request"))).singleElement().satisfies(row -> {
            assertThat(row.get("Role")).isEqualTo(Roles.CLINICIAN);
            assertThat(row.get("Action")).isEqualTo("VIEW_CHART");
            assertThat(row.get("Object")).isEqualTo("patient " + patientId);
            assertThat(ids(row.get("Patients"))).containsExactly(Long.toString(patientId));
            assertThat(row.get("Patients")).as("named, not only numbered").doesNotStartWith("(").doesNotStartWith("Patient ");
        });

        List<Map<String, String>> byPatient = auditRows(compliance.session().queryParam("patient", Long.toString(patientId)).get("/audit"));
        assertThat(byPatient).as("the patient filter shows events naming that patient only").isNotEmpty()
                .allSatisfy(row -> assertThat(ids(row.get("Patients"))).contains(Long.toString(patientId)));
        assertThat(byPatient).filteredOn(row -> requestId.equals(row.get("Request"))).hasSize(1);

        List<Map<String, String>> both = auditRows(compliance.session().queryParam("user", "portal-clinician")
                .queryParam("patient", Long.toString(patientId)).get("/audit"));
        assertThat(both).isNotEmpty().allSatisfy(row -> {
            assertThat(row.get("User")).isEqualTo("portal-clinician");
            assertThat(ids(row.get("Patients"))).contains(Long.toString(patientId));
        });

        compliance.session().queryParam("user", "nobody-" + UUID.randomUUID()).get("/audit").then().statusCode(200)
                .body(containsString("No access matches."));
        PortalSession.signIn("portal-clinician", PASSWORD).session().get("/audit").then().statusCode(403);
    }

    @Test
    void thePatientFilterMatchesThatPatientIdExactlyNotAsPartOfAnother() {
        // Synthetic events naming ids that contain one another as text: 9xxx, 9xxx0 and 19xxx.
        String user = "filter-" + UUID.randomUUID();
        long id = 900_000_000L + (System.nanoTime() % 99_999_999L);
        for (long patient : List.of(id, id * 10, Long.parseLong("1" + id))) {
            audit.record(new AccessEvent(user, Roles.CLINICIAN, AuditAction.VIEW_CHART, "patient", Long.toString(patient), List.of(patient),
                    "127.0.0.1", "filter-" + patient, null, null));
        }
        audit.record(new AccessEvent(user, Roles.CLINICIAN, AuditAction.SEARCH_PATIENTS, "patient-search", null, List.of(3L, id, id * 10),
                "127.0.0.1", "filter-search", null, "name=x birthDate= identifier="));

        List<Map<String, String>> rows = auditRows(PortalSession.signIn("portal-compliance", PASSWORD).session()
                .queryParam("user", user).queryParam("patient", Long.toString(id)).get("/audit"));

        assertThat(rows).extracting(row -> row.get("Request")).containsExactly("filter-search", "filter-" + id);
    }

    @Test
    void aPatientFilterThatIsNotAnIdIsExplainedInsteadOfIgnored() {
        PortalSession compliance = PortalSession.signIn("portal-compliance", PASSWORD);
        long before = AuditRows.countOfUser("portal-compliance");
        Document page = page(compliance.session().queryParam("patient", "Fixture").get("/audit"));
        assertThat(page.select("[role=alert]").text()).isEqualTo("A patient id is a number: the archive patient id a chart shows.");
        assertThat(page.select("#audit-rows")).as("no rows are shown for a filter that was not applied").isEmpty();
        assertThat(page.select("input[name=patient]").attr("value")).as("what was typed stays in the form").isEqualTo("Fixture");
        assertThat(AuditRows.countOfUser("portal-compliance")).as("nothing of the audit was shown").isEqualTo(before);
    }

    /** The patient ids of an audit row's Patients cell ("Name (12), Other Name (15)"). */
    private static List<String> ids(String patients) {
        return java.util.regex.Pattern.compile("\\((\\d+)\\)").matcher(patients).results().map(m -> m.group(1)).toList();
    }

    /** The page, after checking it was answered. */
    private static Document page(Response response) {
        response.then().statusCode(200).contentType(containsString("text/html"));
        return Jsoup.parse(response.asString());
    }

    /** Nothing in the page can run a script, load a frame or object, or restyle the page. */
    private static void assertNothingActive(String name, Document page) {
        // The portal's own parts: the print views' button script (a file of ours, no inline code) and the trend plots,
        // drawn by the portal from shapes and text only; archived text inside them is escaped (no element of its own).
        page.select("script[src=/print.js]").forEach(script -> {
            assertThat(script.html()).as(name + ": the print script carries no inline code").isEmpty();
            script.remove();
        });
        page.select("svg.trend-plot").forEach(plot -> {
            assertThat(plot.select("*").stream().map(Element::tagName).distinct())
                    .as(name + ": a trend plot is drawn from shapes and text").isSubsetOf("svg", "g", "path", "rect", "circle", "line", "text", "title");
            plot.remove();
        });
        assertThat(page.select("script, iframe, frame, object, embed, svg, math, style, base, img, meta[http-equiv]").outerHtml())
                .as(name + ": elements that run, load or restyle").isEmpty();
        for (Element element : page.getAllElements()) {
            for (Attribute attribute : element.attributes()) {
                String key = attribute.getKey().toLowerCase(Locale.ROOT);
                String where = name + ": " + key + " on <" + element.tagName() + ">";
                assertThat(key).as(where).doesNotStartWith("on").isNotEqualTo("style");
                assertThat(attribute.getValue().replaceAll("[\\s\\x00-\\x1f]", "").toLowerCase(Locale.ROOT)).as(where)
                        .doesNotContain("javascript:");
            }
        }
    }

    /** The patients a patient search listed: its result links. */
    private static Set<Long> patientsListed(Response page) {
        return Jsoup.parse(page.asString()).select("#results a[href^=/patients/]").stream()
                .map(a -> Long.valueOf(a.attr("href").substring("/patients/".length()))).collect(Collectors.toSet());
    }

    /** The patients a text search listed: each hit names its patient. */
    private static Set<Long> patientsOfTextHits(Response page) {
        return Jsoup.parse(page.asString()).select("ol.hits li > span.small").stream().map(span -> {
            Matcher patient = PATIENT_OF_HIT.matcher(span.text());
            assertThat(patient.find()).as(span.text()).isTrue();
            return Long.valueOf(patient.group(1));
        }).collect(Collectors.toSet());
    }

    /** The audit page's rows, each as column heading to cell text. */
    private static List<Map<String, String>> auditRows(Response response) {
        Document page = page(response);
        List<String> headings = page.select("#audit-rows thead th").eachText();
        List<Map<String, String>> rows = new ArrayList<>();
        for (Element tr : page.select("#audit-rows tbody tr")) {
            List<String> cells = tr.select("td").stream().map(Element::text).toList(); // eachText() would skip empty cells
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < headings.size(); i++) {
                row.put(headings.get(i), cells.get(i));
            }
            rows.add(row);
        }
        return rows;
    }
}
