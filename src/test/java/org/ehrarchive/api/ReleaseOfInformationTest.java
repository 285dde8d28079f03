package org.ehrarchive.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.ehrarchive.support.IdentityDocuments.MRN_OID;
import static org.ehrarchive.support.IdentityDocuments.ccda;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.ehrarchive.blob.BlobStore;
import org.ehrarchive.ingest.IngestProgress;
import org.ehrarchive.ingest.IngestService;
import org.ehrarchive.security.Roles;
import org.ehrarchive.support.ArchiveTestDatabase;
import org.ehrarchive.support.ArchivedFixture;
import org.ehrarchive.support.AuditRows;
import org.ehrarchive.support.IdentityDocuments;
import org.ehrarchive.support.IdentityDocuments.Person;
import org.ehrarchive.support.PortalSession;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DocumentReference;
import org.jsoup.Jsoup;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ca.uhn.fhir.context.FhirContext;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

/**
 * Release of information from intake to packet, and the accounting of disclosures (docs/compliance.md): the 30-day clock,
 * its one extension with the notice letter, overdue shown; the packet (stamp and page number on every page, contents
 * with the right pages, what was withheld and why, the fees); psychotherapy notes withheld unless the authorization
 * covers them; the machine-readable copy with the originals byte-exact; the disclosure each release writes, the
 * kinds the accounting leaves out, the six years, a law-enforcement suspension; every step in the access audit.
 */
@QuarkusTest
@WithTestResource(ArchiveTestDatabase.class)
class ReleaseOfInformationTest {

    /** The API operations this test covers (JsonApiTest checks that every published operation is covered somewhere). */
    public static final Set<String> OPERATIONS = Set.of("GET /api/releases", "POST /api/releases", "GET /api/releases/{id}",
            "POST /api/releases/{id}/extension", "POST /api/releases/{id}/closing", "POST /api/releases/{id}/release", "GET /api/releases/{id}/{file}",
            "GET /api/disclosures", "POST /api/disclosures", "POST /api/disclosures/{id}/suspensions", "GET /api/disclosures/accounting");

    private static final String PASSWORD = "release test password";
    private static final String COMPLIANCE = "roi-" + Roles.COMPLIANCE;

    @Inject
    IngestService ingest;
    @Inject
    BlobStore blobs;
    @Inject
    DataSource dataSource;

    private long patient;
    private long therapyNote;

    @BeforeEach
    void aPatientWithADischargeSummaryAndATherapyNote(@TempDir Path folder) throws Exception {
        ArchivedFixture.usersOfEveryRole("roi-", PASSWORD);
        Person person = Person.fresh();
        String document = ccda(person.mrn(), person.given(), person.family(), "19660505", "F");
        IdentityDocuments.write(folder, "discharge.xml", document.replace("<title>Identity test document</title>", "<title>Discharge summary</title>")
                .replace("<text>Results</text>", "<text>Discharge narrative to be released</text>"));
        IdentityDocuments.write(folder, "therapy.xml", ccda(person.mrn(), person.given(), person.family(), "19660505", "F")
                .replace("<title>Identity test document</title>", "<title>Therapy session</title>")
                .replace("<text>Results</text>", "<text>Session narrative kept private</text>"));
        ingest.ingest(folder, IngestProgress.NONE);
        patient = IdentityDocuments.archivedPatient(MRN_OID, person.mrn());
        therapyNote = QuarkusTransaction.requiringNew().call(() -> org.ehrarchive.record.ClinicalDocument
                .<org.ehrarchive.record.ClinicalDocument>find("patientId = ?1 and title = ?2", patient, "Therapy session").firstResult().id);
        as().contentType(ContentType.JSON).body(Map.of("document", therapyNote, "category", "PSYCHOTHERAPY", "reason", "Psychotherapy notes"))
                .post("/api/restrictions").then().statusCode(201);
    }

    @Test
    void theClockRunsThirtyDaysFromReceiptExtendsOnceWithANoticeAndOverdueIsUnmistakable() throws Exception {
        LocalDate today = LocalDate.now();
        JsonPath late = intake(Map.of("receivedOn", today.minusDays(40).toString())).then().statusCode(201).extract().jsonPath();
        assertThat(late.getString("dueOn")).isEqualTo(today.minusDays(10).toString());
        as().contentType(ContentType.JSON).body(Map.of("reason", "Records are on microfilm")).post("/api/releases/" + late.getLong("id") + "/extension")
                .then().statusCode(409);

        JsonPath fresh = intake(Map.of("receivedOn", today.minusDays(10).toString())).then().statusCode(201).extract().jsonPath();
        long id = fresh.getLong("id");
        assertThat(fresh.getString("dueOn")).isEqualTo(today.plusDays(20).toString());
        as().contentType(ContentType.JSON).body(Map.of()).post("/api/releases/" + id + "/extension").then().statusCode(400);
        JsonPath extended = as().contentType(ContentType.JSON).body(Map.of("reason", "The records are stored off site"))
                .post("/api/releases/" + id + "/extension").then().statusCode(200).extract().jsonPath();
        assertThat(extended.getString("dueOn")).isEqualTo(today.plusDays(50).toString());
        as().contentType(ContentType.JSON).body(Map.of("reason", "Again")).post("/api/releases/" + id + "/extension").then().statusCode(409);
        String letter = text(as().get("/api/releases/" + id + "/extension-letter.pdf").then().statusCode(200).extract().asByteArray());
        assertThat(letter).contains("The records are stored off site").contains(today.plusDays(50).toString()).contains("Dana Example");

        // the work queue: due first on top, the overdue one marked so
        List<Long> queue = as().get("/api/releases").then().statusCode(200).extract().jsonPath().getList("id", Number.class).stream()
                .map(Number::longValue).toList();
        assertThat(queue.indexOf(late.getLong("id"))).isLessThan(queue.indexOf(id));
        var page = Jsoup.parse(PortalSession.signIn(COMPLIANCE, PASSWORD).get("/releases").then().statusCode(200).extract().asString());
        assertThat(page.select("#request-" + late.getLong("id")).hasClass("overdue")).isTrue();
        assertThat(page.select("#request-" + late.getLong("id")).text()).contains("OVERDUE by 10 days");
        assertThat(page.select("#request-" + id).text()).contains("50 days left (extended)");
        assertThat(page.select("#overdue-count").text()).contains("overdue");
    }

    @Test
    void thePacketIsStampedPagedAndListedAndWithholdsPsychotherapyNotesTheAuthorizationDoesNotCover() throws Exception {
        long id = intake(Map.of("receivedOn", LocalDate.now().toString(), "delivery", "MACHINE_READABLE")).then().statusCode(201).extract().jsonPath()
                .getLong("id");
        JsonPath released = as().contentType(ContentType.JSON).body(Map.of("labourMinutes", 30, "postage", "0"))
                .post("/api/releases/" + id + "/release").then().statusCode(200).extract().jsonPath();
        assertThat(released.getString("state")).isEqualTo("RELEASED");
        byte[] packet = as().get("/api/releases/" + id + "/packet.pdf").then().statusCode(200).contentType("application/pdf").extract().asByteArray();
        assertThat(BlobStore.sha256Of(packet)).isEqualTo(released.getString("events[0].packetSha256"));
        String stamp = "Released to Dana Example on " + LocalDate.now() + ", request " + id;
        try (PDDocument pdf = Loader.loadPDF(packet)) {
            int pages = pdf.getNumberOfPages();
            List<String> texts = new ArrayList<>();
            for (int i = 1; i <= pages; i++) {
                PDFTextStripper stripper = new PDFTextStripper();
                stripper.setStartPage(i);
                stripper.setEndPage(i);
                texts.add(stripper.getText(pdf));
            }
            for (int i = 0; i < pages; i++) {
                assertThat(texts.get(i)).as("page " + (i + 1)).contains(stamp).contains("Page " + (i + 1) + " of " + pages);
            }
            String all = String.join("\n", texts);
            assertThat(all).contains("Discharge narrative to be released").doesNotContain("Session narrative kept private");
            assertThat(texts.get(0)).contains("Withheld").contains("psychotherapy notes").contains("Document " + therapyNote)
                    .contains("Labour for copying").contains("$12.50").doesNotContainIgnoringCase("retrieval fee");
            // the contents give each part's first page, and that page starts it
            String contents = texts.stream().filter(t -> t.contains("Contents")).findFirst().orElseThrow();
            for (String part : List.of("Chart summary", "Document: Discharge summary")) {
                java.util.regex.Matcher line = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(part) + ".*?(\\d+)\\s*$",
                        java.util.regex.Pattern.MULTILINE).matcher(contents);
                assertThat(line.find()).as(part + " in the contents").isTrue();
                assertThat(texts.get(Integer.parseInt(line.group(1)) - 1)).as(part + " on its page").contains(part);
            }
        }
        Bundle copy = FhirContext.forR4Cached().newJsonParser().parseResource(Bundle.class,
                as().get("/api/releases/" + id + "/copy.json").then().statusCode(200).extract().asString());
        List<DocumentReference> documents = copy.getEntry().stream().map(Bundle.BundleEntryComponent::getResource)
                .filter(DocumentReference.class::isInstance).map(DocumentReference.class::cast).toList();
        assertThat(documents).as("the therapy note is not in the copy either").singleElement().satisfies(d -> {
            byte[] original = d.getContentFirstRep().getAttachment().getData();
            assertThat(new String(original, StandardCharsets.UTF_8)).contains("Discharge narrative to be released");
            assertThat(d.getIdentifierFirstRep().getValue()).isEqualTo("sha-256:" + BlobStore.sha256Of(original));
        });
        long events = AuditRows.countOfUser(COMPLIANCE);
        as().contentType(ContentType.JSON).body(Map.of()).post("/api/releases/" + id + "/release").then().statusCode(409);
        assertThat(AuditRows.countOfUser(COMPLIANCE)).as("a refused second release exported nothing").isEqualTo(events);

        // an authorization that names psychotherapy notes releases them
        Map<String, Object> authorized = new HashMap<>(Map.of("receivedOn", LocalDate.now().toString(), "legalBasis", "AUTHORIZATION",
                "authorizationCovers", List.of("PSYCHOTHERAPY"), "authorization", Base64.getEncoder().encodeToString("signed authorization".getBytes()),
                "authorizationName", "authorization.pdf", "authorizationType", "application/pdf"));
        long covered = intake(authorized).then().statusCode(201).extract().jsonPath().getLong("id");
        as().contentType(ContentType.JSON).body(Map.of()).post("/api/releases/" + covered + "/release").then().statusCode(200);
        assertThat(text(as().get("/api/releases/" + covered + "/packet.pdf").then().statusCode(200).extract().asByteArray()))
                .contains("Session narrative kept private").contains("Nothing was withheld from this release.");
        assertThat(as().get("/api/releases/" + covered + "/authorization").then().statusCode(200).extract().asString()).isEqualTo("signed authorization");
        // covering needs an authorization
        intake(Map.of("receivedOn", LocalDate.now().toString(), "authorizationCovers", List.of("PSYCHOTHERAPY"))).then().statusCode(400);
    }

    @Test
    void eachReleaseWritesItsDisclosureAndTheAccountingListsSixYearsWithoutExcludedOrSuspendedEntries() throws Exception {
        long toPatient = intake(Map.of("receivedOn", LocalDate.now().toString())).then().statusCode(201).extract().jsonPath().getLong("id");
        as().contentType(ContentType.JSON).body(Map.of()).post("/api/releases/" + toPatient + "/release").then().statusCode(200);
        long toCourt = intake(Map.of("receivedOn", LocalDate.now().toString(), "requesterKind", "COURT", "requesterName", "Superior Court",
                "legalBasis", "REQUIRED_BY_LAW", "purpose", "Court order 42")).then().statusCode(201).extract().jsonPath().getLong("id");
        as().contentType(ContentType.JSON).body(Map.of()).post("/api/releases/" + toCourt + "/release").then().statusCode(200);
        record(LocalDate.now().minusYears(7), "State registry", "PUBLIC_HEALTH");
        long police = record(LocalDate.now().minusDays(3), "County police", "LAW_ENFORCEMENT");

        List<Map<String, Object>> log = as().queryParam("patient", patient).get("/api/disclosures").then().statusCode(200).extract().jsonPath()
                .getList("$");
        assertThat(log).hasSize(4);
        Map<String, Object> toThePatient = log.stream().filter(d -> d.get("releaseRequestId") instanceof Number n && n.longValue() == toPatient)
                .findFirst().orElseThrow();
        assertThat(toThePatient).containsEntry("accountable", false);
        assertThat((String) toThePatient.get("excludedBecause")).contains("to the individual");
        assertThat(recipients()).as("oldest first; not the patient's own, not the one of seven years ago").containsExactly("County police",
                "Superior Court");

        JsonPath suspended = as().contentType(ContentType.JSON).body(Map.of("agency", "County police", "statement", "An accounting would impede"
                + " the investigation", "until", LocalDate.now().plusDays(90).toString())).post("/api/disclosures/" + police + "/suspensions").then()
                .statusCode(200).extract().jsonPath();
        assertThat(suspended.getList("suspensions")).hasSize(1);
        assertThat(recipients()).containsExactly("Superior Court");
        long excluded = ((Number) toThePatient.get("id")).longValue();
        as().contentType(ContentType.JSON).body(Map.of("agency", "x", "statement", "y", "until", LocalDate.now().plusDays(9).toString()))
                .post("/api/disclosures/" + excluded + "/suspensions").then().statusCode(409);

        PortalSession session = PortalSession.signIn(COMPLIANCE, PASSWORD);
        String csv = session.get("/disclosures/accounting.csv?patient=" + patient).then().statusCode(200).extract().asString();
        assertThat(csv.lines().toList()).hasSize(2).last().asString().contains("Superior Court").contains("Court order 42");
        String pdf = text(session.get("/disclosures/accounting.pdf?patient=" + patient).then().statusCode(200).extract().asByteArray());
        assertThat(pdf).contains("Accounting of disclosures").contains("Superior Court").doesNotContain("County police").doesNotContain("State registry");
        assertThat(AuditRows.newest().action).isEqualTo("EXPORT");
        var page = Jsoup.parse(session.get("/disclosures?patient=" + patient).then().statusCode(200).extract().asString());
        assertThat(page.select("#disclosure-" + police).text()).contains("suspended").contains("impede");
        assertThat(page.select("#disclosure-" + excluded).text()).contains("no: a disclosure to the individual");
    }

    @Test
    void theWorkIsDoneInThePortalFromIntakeWithTheAuthorizationToTheReleasedPacket() {
        PortalSession session = PortalSession.signIn(COMPLIANCE, PASSWORD);
        var missing = session.withoutCsrf().multiPart(PortalSession.CSRF, session.csrfToken()).multiPart("patient", Long.toString(patient))
                .multiPart("requesterKind", "ATTORNEY").multiPart("requesterName", "").post("/releases");
        assertThat(missing.statusCode()).isEqualTo(400);
        var again = Jsoup.parse(missing.asString());
        assertThat(again.select("#problem").text()).contains("Legal basis is one of");
        assertThat(again.select("#requester-kind option[selected]").val()).as("what was sent is kept").isEqualTo("ATTORNEY");

        var created = session.withoutCsrf().multiPart(PortalSession.CSRF, session.csrfToken()).multiPart("patient", Long.toString(patient))
                .multiPart("requesterKind", "ATTORNEY").multiPart("requesterName", "Lee and Partners").multiPart("requesterAddress", "9 Court Row")
                .multiPart("legalBasis", "AUTHORIZATION").multiPart("purpose", "Personal injury claim").multiPart("delivery", "PAPER")
                .multiPart("recordTypes", "DOCUMENTS").multiPart("receivedOn", LocalDate.now().minusDays(2).toString())
                .multiPart("authorization", "authorization.pdf", "%PDF-1.4 signed".getBytes(), "application/pdf").post("/releases");
        assertThat(created.statusCode()).as(created.asString()).isEqualTo(303);
        String location = created.header("Location");
        long id = Long.parseLong(location.substring(location.lastIndexOf('/') + 1));
        var page = Jsoup.parse(session.get("/releases/" + id).then().statusCode(200).extract().asString());
        assertThat(page.select("#clock").text()).contains("28 days left");
        assertThat(page.select("#request-facts").text()).contains("Lee and Partners").contains("An attorney").contains("authorization.pdf");
        assertThat(session.get("/releases/" + id + "/authorization").then().statusCode(200).extract().asString()).isEqualTo("%PDF-1.4 signed");

        session.session().formParam("labourMinutes", "15").formParam("postage", "1.50").post("/releases/" + id + "/release").then().statusCode(303);
        page = Jsoup.parse(session.get("/releases/" + id).then().statusCode(200).extract().asString());
        assertThat(page.select("#request-title").text()).contains("released");
        assertThat(page.select("#withheld").text()).contains("psychotherapy notes");
        assertThat(page.select("#fees").text()).as("labour 6.25, paper, postage 1.50").contains("Total $");
        assertThat(page.select("#file-packet\\.pdf")).hasSize(1);
        assertThat(page.select("#release-form")).as("a released request takes no further step").isEmpty();
        assertThat(session.get("/releases/" + id + "/packet.pdf").then().statusCode(200).extract().asByteArray()).startsWith("%PDF".getBytes());
    }

    @Test
    void scannedAndAttachedPagesArePrintedAsImages(@TempDir Path folder) throws Exception {
        Person person = Person.fresh();
        java.awt.image.BufferedImage picture = new java.awt.image.BufferedImage(300, 200, java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(picture, "png", png);
        java.io.ByteArrayOutputStream scan = new java.io.ByteArrayOutputStream();
        try (PDDocument consent = new PDDocument()) {
            for (int i = 0; i < 2; i++) {
                consent.addPage(new org.apache.pdfbox.pdmodel.PDPage());
            }
            consent.save(scan);
        }
        IdentityDocuments.write(folder, "photo.xml", unstructured(person, "image/png", png.toByteArray()));
        IdentityDocuments.write(folder, "consent.xml", unstructured(person, "application/pdf", scan.toByteArray()));
        ingest.ingest(folder, IngestProgress.NONE);
        long owner = IdentityDocuments.archivedPatient(MRN_OID, person.mrn());
        Map<String, Object> body = new HashMap<>(Map.of("patient", owner, "requesterKind", "PATIENT", "requesterName", "Dana Example",
                "legalBasis", "RIGHT_OF_ACCESS", "purpose", "Personal records", "delivery", "ELECTRONIC", "receivedOn", LocalDate.now().toString()));
        long id = as().contentType(ContentType.JSON).body(body).post("/api/releases").then().statusCode(201).extract().jsonPath().getLong("id");
        as().contentType(ContentType.JSON).body(Map.of()).post("/api/releases/" + id + "/release").then().statusCode(200);
        byte[] packet = as().get("/api/releases/" + id + "/packet.pdf").then().statusCode(200).extract().asByteArray();
        int images = 0;
        try (PDDocument pdf = Loader.loadPDF(packet)) {
            for (var page : pdf.getPages()) {
                for (var name : page.getResources().getXObjectNames()) {
                    if (page.getResources().getXObject(name) instanceof org.apache.pdfbox.pdmodel.graphics.image.PDImageXObject) {
                        images++;
                    }
                }
            }
        }
        assertThat(images).as("the attached image and both pages of the attached scan").isEqualTo(3);
        assertThat(text(packet)).contains("Attached file 1 (image/png)").contains("Attached file 1 (PDF), page 2 of 2");
    }

    /** A C-CDA document of the person whose body is one embedded file (nonXMLBody). */
    private static String unstructured(Person person, String mediaType, byte[] bytes) {
        return ccda(person.mrn(), person.given(), person.family(), "19800101", "F").replaceFirst("(?s)<component><structuredBody>.*</structuredBody></component>",
                "<component><nonXMLBody><text mediaType=\"" + mediaType + "\" representation=\"B64\">" + Base64.getEncoder().encodeToString(bytes)
                        + "</text></nonXMLBody></component>");
    }

    @Test
    void requestsEventsAndDisclosuresCannotBeChangedOrRemoved() throws SQLException {
        long id = intake(Map.of("receivedOn", LocalDate.now().toString())).then().statusCode(201).extract().jsonPath().getLong("id");
        as().contentType(ContentType.JSON).body(Map.of("reason", "Withdrawn by the patient")).post("/api/releases/" + id + "/closing").then().statusCode(200);
        for (String change : List.of("update release_request set purpose = 'x' where id = " + id, "delete from release_event where request_id = " + id,
                "truncate disclosure_suspension, disclosure", "delete from disclosure_suspension")) {
            try (Connection owner = ArchiveTestDatabase.superuserConnection()) {
                assertThatThrownBy(() -> owner.createStatement().execute(change)).as(change).isInstanceOf(SQLException.class)
                        .hasMessageContaining("append-only");
            }
        }
        as().contentType(ContentType.JSON).body(Map.of()).post("/api/releases/" + id + "/release").then().statusCode(409);
    }

    private List<String> recipients() {
        return as().queryParam("patient", patient).get("/api/disclosures/accounting").then().statusCode(200).extract().jsonPath()
                .getList("disclosures.recipientName");
    }

    private long record(LocalDate on, String recipient, String basis) {
        return as().contentType(ContentType.JSON).body(Map.of("patient", patient, "disclosedOn", on.toString(), "recipientName", recipient,
                "description", "Laboratory results", "purpose", "Reporting", "legalBasis", basis)).post("/api/disclosures").then().statusCode(201)
                .extract().jsonPath().getLong("id");
    }

    private io.restassured.response.Response intake(Map<String, Object> overrides) {
        Map<String, Object> body = new HashMap<>(Map.of("patient", patient, "requesterKind", "PATIENT", "requesterName", "Dana Example",
                "requesterAddress", "1 Main Street, Springfield", "legalBasis", "RIGHT_OF_ACCESS", "purpose", "Personal records", "delivery", "ELECTRONIC"));
        body.putAll(overrides);
        return as().contentType(ContentType.JSON).body(body).post("/api/releases");
    }

    private static String text(byte[] pdf) throws java.io.IOException {
        try (PDDocument document = Loader.loadPDF(pdf)) {
            return new PDFTextStripper().getText(document);
        }
    }

    private static RequestSpecification as() {
        return given().auth().preemptive().basic(COMPLIANCE, PASSWORD);
    }
}
