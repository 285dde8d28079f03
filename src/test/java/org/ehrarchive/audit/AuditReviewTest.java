package org.ehrarchive.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ehrarchive.support.IdentityDocuments.MRN_OID;
import static org.ehrarchive.support.IdentityDocuments.ccda;
import static org.ehrarchive.support.IdentityDocuments.fhir;

import java.io.StringReader;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.ehrarchive.audit.AuditReview.Filter;
import org.ehrarchive.audit.AuditReview.Report;
import org.ehrarchive.ingest.IngestProgress;
import org.ehrarchive.ingest.IngestService;
import org.ehrarchive.security.Roles;
import org.ehrarchive.support.ArchiveTestDatabase;
import org.ehrarchive.support.ArchivedFixture;
import org.ehrarchive.support.AuditRows;
import org.ehrarchive.support.IdentityDocuments;
import org.ehrarchive.support.IdentityDocuments.Person;
import org.ehrarchive.support.PortalSession;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Examining the access audit (docs/compliance.md, HIPAA 164.312(b)): each report of the audit page finds the accesses it
 * promises and no others, names the patients, pages through the whole log, and exports as CSV; viewing and exporting
 * are themselves audited with the patients shown. Events are written through the real chain, by users of their own.
 */
@QuarkusTest
@WithTestResource(ArchiveTestDatabase.class)
class AuditReviewTest {

    private static final String PASSWORD = "audit review test password";

    @Inject
    IngestService ingest;
    @Inject
    AccessAudit audit;
    @Inject
    AuditReview review;
    @Inject
    DataSource dataSource;
    @Inject
    ObjectMapper json;

    private Person person;
    private long ccdaPatient;
    private long fhirPatient;
    private long restrictedPatient;

    @BeforeEach
    void aPersonFromTwoLinkedSourcesAndARestrictedPatient(@TempDir Path folder) throws Exception {
        ArchivedFixture.usersOfEveryRole("auditreview-", PASSWORD);
        person = Person.fresh();
        IdentityDocuments.write(folder.resolve("ccda"), "c.xml", ccda(person.mrn(), person.given(), person.family(), "19700101", "F"));
        IdentityDocuments.write(folder.resolve("fhir"), "b.json",
                fhir(person.mrn(), "urn:oid:" + MRN_OID, person.given(), person.family(), "1970-01-01", "female"));
        Person restricted = Person.fresh();
        IdentityDocuments.write(folder.resolve("restricted"), "r.xml", ccda(restricted.mrn(), "Vera", restricted.family(), "19800101", "F")
                .replaceFirst("<recordTarget>", "<confidentialityCode code=\"R\" codeSystem=\"2.16.840.1.113883.5.25\"/><recordTarget>"));
        for (String source : List.of("ccda", "fhir", "restricted")) {
            ingest.ingest(folder.resolve(source), IngestProgress.NONE);
        }
        ccdaPatient = IdentityDocuments.archivedPatient(MRN_OID, person.mrn());
        fhirPatient = IdentityDocuments.archivedPatient("urn:oid:" + MRN_OID, person.mrn());
        restrictedPatient = IdentityDocuments.archivedPatient(MRN_OID, restricted.mrn());
    }

    @Test
    void whoAccessedThisPatientListsEveryLinkedSourcesAccessesWithTheUserAndPurposeAndNamesThePatient() throws Exception {
        String reader = "reader-" + UUID.randomUUID();
        read(reader, AuditAction.VIEW_CHART, ccdaPatient, "TREAT");
        read(reader, AuditAction.VIEW_DOCUMENT, fhirPatient, null);
        read(reader, AuditAction.VIEW_CHART, restrictedPatient, null);

        Document page = page(PortalSession.signIn("auditreview-compliance", PASSWORD).session().queryParam("report", "patient")
                .queryParam("patient", Long.toString(fhirPatient)).get("/audit"));
        List<List<String>> rows = rows(page).stream().filter(r -> r.get(2).equals(reader)).toList();
        assertThat(rows).as("both sources of the person, not the other patient").hasSize(2);
        assertThat(rows).extracting(r -> r.get(4)).containsExactly("VIEW_DOCUMENT", "VIEW_CHART");
        assertThat(rows.get(1).get(6)).contains(person.family()).contains("(" + ccdaPatient + ")");
        assertThat(rows.get(1).get(7)).isEqualTo("TREAT");
        assertThat(page.select("#report-title").text()).isEqualTo("Who accessed this patient");

        // a report that needs a patient says so rather than listing everyone
        Document missing = page(PortalSession.signIn("auditreview-compliance", PASSWORD).session().queryParam("report", "patient").get("/audit"));
        assertThat(missing.select("[role=alert]").text()).contains("give the patient id");
        assertThat(missing.select("#audit-rows")).isEmpty();
    }

    @Test
    void viewingTheAuditIsAuditedWithThePatientsItNamed() throws Exception {
        String reader = "reader-" + UUID.randomUUID();
        read(reader, AuditAction.VIEW_CHART, ccdaPatient, null);
        String request = "review-view-" + UUID.randomUUID();
        PortalSession.signIn("auditreview-compliance", PASSWORD).session().header("X-Request-Id", request).queryParam("user", reader)
                .get("/audit").then().statusCode(200);
        List<AuditRecord> viewed = AuditRows.withRequestId(request);
        assertThat(viewed).singleElement().satisfies(r -> {
            assertThat(r.action).isEqualTo("VIEW_AUDIT");
            assertThat(AuditReview.patientIdsOf(r)).containsExactly(ccdaPatient);
        });
    }

    @Test
    void oneUsersActivityPagesThroughTheWholeLogAHundredAtATime() throws Exception {
        String busy = "busy-" + UUID.randomUUID();
        for (int i = 0; i < 130; i++) {
            audit.record(new AccessEvent(busy, Roles.CLINICIAN, AuditAction.SEARCH_TEXT, "text-search", null, List.of(), "127.0.0.1",
                    "busy-" + i, null, null));
        }
        PortalSession compliance = PortalSession.signIn("auditreview-compliance", PASSWORD);
        Document first = page(compliance.session().queryParam("report", "user").queryParam("user", busy).get("/audit"));
        assertThat(rows(first)).hasSize(100);
        assertThat(rows(first).get(0).get(9)).isEqualTo("busy-129");
        String older = first.select("#older").attr("href");
        assertThat(older).contains("before=");
        Document second = page(compliance.session().get(older));
        assertThat(rows(second)).hasSize(30);
        assertThat(rows(second).get(29).get(9)).isEqualTo("busy-0");
        assertThat(second.select("#older")).as("the last page").isEmpty();
        assertThat(second.select("#newest")).isNotEmpty();

        Document nobody = page(compliance.session().queryParam("report", "user").get("/audit"));
        assertThat(nobody.select("[role=alert]").text()).contains("give the user name");
        Document badReport = page(compliance.session().queryParam("report", "everything").get("/audit"));
        assertThat(badReport.select("[role=alert]").text()).contains("There is no report \"everything\"");
        Document badDay = page(compliance.session().queryParam("from", "1.12.2026").get("/audit"));
        assertThat(badDay.select("[role=alert]").text()).contains("YYYY-MM-DD");
    }

    @Test
    void afterHoursListsAnAccessOutsideTheWorkingHoursAndNotOneWithinThem() throws Exception {
        String night = "night-" + UUID.randomUUID();
        read(night, AuditAction.VIEW_CHART, ccdaPatient, null);
        ZoneId zone = ZoneId.of("UTC");
        ZonedDateTime now = ZonedDateTime.now(zone);
        LocalTime noon = LocalTime.NOON;
        // Working hours that leave out the time of day it is now, then hours that hold it.
        AuditReview excluding = review(zone, now.toLocalTime().isBefore(noon) ? noon : LocalTime.MIN,
                now.toLocalTime().isBefore(noon) ? LocalTime.of(23, 59) : noon);
        AuditReview including = review(zone, now.toLocalTime().isBefore(noon) ? LocalTime.MIN : noon,
                now.toLocalTime().isBefore(noon) ? noon : LocalTime.of(23, 59, 59));
        Filter filter = new Filter(Report.AFTER_HOURS, night, List.of(), null, null, null);
        assertThat(excluding.page(filter, null, 10).entries()).hasSize(1);
        boolean weekend = now.getDayOfWeek() == DayOfWeek.SATURDAY || now.getDayOfWeek() == DayOfWeek.SUNDAY;
        assertThat(including.page(filter, null, 10).entries()).as("within the hours: after hours only at a weekend").hasSize(weekend ? 1 : 0);
    }

    @Test
    void massAccessListsAUserShownManyPatientsInOneWindowAndNotOneShownFew() throws Exception {
        String many = "many-" + UUID.randomUUID();
        String few = "few-" + UUID.randomUUID();
        audit.record(new AccessEvent(many, Roles.CLINICIAN, AuditAction.SEARCH_PATIENTS, "patient-search", null,
                List.of(ccdaPatient, fhirPatient, restrictedPatient), "127.0.0.1", null, null, null));
        audit.record(new AccessEvent(few, Roles.CLINICIAN, AuditAction.SEARCH_PATIENTS, "patient-search", null, List.of(ccdaPatient, fhirPatient),
                "127.0.0.1", null, null, null));
        AuditReview threeAnHour = new AuditReview(dataSource, json, ZoneId.of("UTC"), LocalTime.of(7, 0), LocalTime.of(19, 0), 3,
                Duration.ofHours(1));
        List<AuditReview.Burst> bursts = threeAnHour.bursts(new Filter(Report.MASS, null, List.of(), null, null, null));
        assertThat(bursts).filteredOn(b -> b.user().equals(many)).singleElement().satisfies(b -> {
            assertThat(b.patients()).isEqualTo(3);
            assertThat(Duration.between(b.windowStart(), b.windowEnd())).isEqualTo(Duration.ofHours(1));
        });
        assertThat(bursts).noneMatch(b -> b.user().equals(few));

        Document page = page(PortalSession.signIn("auditreview-compliance", PASSWORD).session().queryParam("report", "mass").get("/audit"));
        assertThat(page.select("#report-rule").text()).contains("at least 50 distinct patients within 60 minutes");
    }

    @Test
    void restrictedPatientsAndExportsEachListOnlyTheirAccesses() throws Exception {
        String user = "flag-" + UUID.randomUUID();
        read(user, AuditAction.VIEW_CHART, restrictedPatient, null);
        read(user, AuditAction.VIEW_CHART, ccdaPatient, null);
        read(user, AuditAction.PRINT, ccdaPatient, null);
        read(user, AuditAction.DOWNLOAD_ORIGINAL, ccdaPatient, null);

        List<AuditReview.Entry> flagged = review.page(new Filter(Report.FLAGGED, user, List.of(), null, null, null), null, 10).entries();
        assertThat(flagged).singleElement().satisfies(e -> assertThat(e.patients()).extracting(AuditReview.NamedPatient::id)
                .containsExactly(restrictedPatient));
        List<AuditReview.Entry> exports = review.page(new Filter(Report.EXPORTS, user, List.of(), null, null, null), null, 10).entries();
        assertThat(exports).extracting(e -> e.record().action).containsExactly("DOWNLOAD_ORIGINAL", "PRINT");
    }

    @Test
    void aReportDownloadsAsCsvWithEveryRowNamedAndTheExportIsAudited() throws Exception {
        String user = "csv-" + UUID.randomUUID();
        audit.record(new AccessEvent(user, Roles.CLINICIAN, AuditAction.SEARCH_TEXT, "text-search", null, List.of(ccdaPatient), "127.0.0.1",
                null, null, "=HYPERLINK(\"x\")"));
        for (int i = 0; i < 120; i++) {
            read(user, AuditAction.VIEW_CHART, ccdaPatient, null);
        }
        String request = "review-csv-" + UUID.randomUUID();
        var response = PortalSession.signIn("auditreview-compliance", PASSWORD).session().header("X-Request-Id", request)
                .queryParam("report", "user").queryParam("user", user).get("/audit/report.csv");
        response.then().statusCode(200).contentType(org.hamcrest.Matchers.containsString("text/csv"));
        List<CSVRecord> csv = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get()
                .parse(new StringReader(response.asString())).getRecords();
        assertThat(csv).as("every row, not a page").hasSize(121);
        assertThat(csv.get(0).get("patient_names")).contains(person.family());
        assertThat(csv.get(120).get("detail")).as("a formula is defused").isEqualTo("'=HYPERLINK(\"x\")");
        assertThat(AuditRows.withRequestId(request)).singleElement().satisfies(r -> {
            assertThat(r.action).isEqualTo("EXPORT");
            assertThat(AuditReview.patientIdsOf(r)).containsExactly(ccdaPatient);
        });
        PortalSession.signIn("auditreview-clinician", PASSWORD).session().get("/audit/report.csv").then().statusCode(403);
        PortalSession.signIn("auditreview-compliance", PASSWORD).session().queryParam("report", "nonsense").get("/audit/report.csv").then()
                .statusCode(400);
    }

    @Test
    void thePurposeOfUseAUserStatesIsRecordedWithTheirAccesses() {
        // The API: a header per request; one that names no purpose is refused, not recorded as none.
        String api = "review-api-" + UUID.randomUUID();
        io.restassured.RestAssured.given().auth().preemptive().basic("auditreview-clinician", PASSWORD).header("X-Request-Id", api)
                .header("X-Purpose-Of-Use", "treat").get("/api/patients/" + ccdaPatient).then().statusCode(200);
        assertThat(AuditRows.withRequestId(api)).singleElement().satisfies(r -> assertThat(r.purpose).isEqualTo("TREAT"));
        io.restassured.RestAssured.given().auth().preemptive().basic("auditreview-clinician", PASSWORD).header("X-Purpose-Of-Use", "curiosity")
                .get("/api/patients/" + ccdaPatient).then().statusCode(400)
                .body("type", org.hamcrest.Matchers.endsWith("purpose-of-use-unknown"));

        // The portal: stated once in the navigation bar, kept for the session, shown as chosen, cleared at sign-out.
        PortalSession clinician = PortalSession.signIn("auditreview-clinician", PASSWORD);
        var stated = clinician.session().header("Referer", "http://localhost/patients/" + ccdaPatient).formParam("purpose", "HLEGAL")
                .post("/purpose");
        stated.then().statusCode(303).header("Location", org.hamcrest.Matchers.endsWith("/patients/" + ccdaPatient));
        String cookie = stated.getCookie("archive-purpose");
        assertThat(cookie).isEqualTo("HLEGAL");
        String chart = "review-chart-" + UUID.randomUUID();
        var page = clinician.session().cookie("archive-purpose", cookie).header("X-Request-Id", chart).get("/patients/" + ccdaPatient);
        assertThat(page(page).select("#purpose option[selected]").attr("value")).isEqualTo("HLEGAL");
        assertThat(AuditRows.withRequestId(chart)).singleElement().satisfies(r -> assertThat(r.purpose).isEqualTo("HLEGAL"));
        clinician.session().formParam("purpose", "GOSSIP").post("/purpose").then().statusCode(400);
        var cleared = clinician.session().cookie("archive-purpose", cookie).formParam("purpose", "").post("/purpose");
        assertThat(cleared.getDetailedCookie("archive-purpose").getMaxAge()).as("\"not stated\" takes it back").isZero();
        var signedOut = clinician.session().cookie("archive-purpose", cookie).post("/logout");
        assertThat(signedOut.getDetailedCookie("archive-purpose").getMaxAge()).isZero();
    }

    @Test
    void theLogExportsAsFhirAuditEventsShapedAsIheBasicAuditLogPatterns() throws Exception {
        String user = "fhir-" + UUID.randomUUID();
        read(user, AuditAction.VIEW_CHART, ccdaPatient, "TREAT");
        audit.record(new AccessEvent(user, Roles.CLINICIAN, AuditAction.SEARCH_PATIENTS, "patient-search", null, List.of(ccdaPatient, fhirPatient),
                "127.0.0.1", "fhir-search", null, "name=Ottilie birthDate= identifier="));
        read(user, AuditAction.PRINT, ccdaPatient, null);
        String request = "review-fhir-" + UUID.randomUUID();
        var response = PortalSession.signIn("auditreview-compliance", PASSWORD).session().header("X-Request-Id", request)
                .queryParam("report", "user").queryParam("user", user).get("/audit/auditevents.ndjson");
        response.then().statusCode(200).contentType(org.hamcrest.Matchers.containsString("application/fhir+ndjson"));

        // Parsed strictly by HAPI's R4 structures: an unknown element, a wrong code of a bound enumeration or a bad value fails.
        ca.uhn.fhir.parser.IParser parser = ca.uhn.fhir.context.FhirContext.forR4Cached().newJsonParser()
                .setParserErrorHandler(new ca.uhn.fhir.parser.StrictErrorHandler());
        List<org.hl7.fhir.r4.model.AuditEvent> events = response.asString().lines()
                .map(line -> parser.parseResource(org.hl7.fhir.r4.model.AuditEvent.class, line)).toList();
        assertThat(events).hasSize(3);
        for (var event : events) {
            // the elements R4 requires of an AuditEvent
            assertThat(event.getType().getCode()).isNotNull();
            assertThat(event.getRecorded()).isNotNull();
            assertThat(event.getAgent()).isNotEmpty().allSatisfy(a -> assertThat(a.hasRequestor()).isTrue());
            assertThat(event.getSource().getObserver().isEmpty()).isFalse();
            assertThat(event.getAgentFirstRep().getName()).isEqualTo(user);
        }
        var print = events.get(0);
        assertThat(print.getType().getCode()).as("a disclosure").isEqualTo("110106");
        var search = events.get(1);
        assertThat(search.getSubtypeFirstRep().getCode()).as("a query").isEqualTo("search-type");
        assertThat(search.getEntity()).extracting(e -> e.getWhat().getReference()).contains("Patient/" + ccdaPatient, "Patient/" + fhirPatient);
        assertThat(search.getEntity().stream().flatMap(e -> e.getDetail().stream()).map(d -> d.getValue().primitiveValue()))
                .as("the query's terms").anySatisfy(terms -> assertThat(terms).contains("Ottilie"));
        var chart = events.get(2);
        assertThat(chart.getSubtypeFirstRep().getCode()).as("a read").isEqualTo("read");
        assertThat(chart.getAction().toCode()).isEqualTo("R");
        assertThat(chart.getAgentFirstRep().getPurposeOfUseFirstRep().getCodingFirstRep().getCode()).isEqualTo("TREAT");
        assertThat(chart.getEntityFirstRep().getRole().getCode()).as("the patient's role").isEqualTo("1");
        assertThat(chart.getExtensionByUrl(AuditEvents.CHAIN_EXTENSION).getValue().primitiveValue()).hasSize(64);

        assertThat(AuditRows.withRequestId(request)).singleElement().satisfies(r -> {
            assertThat(r.action).isEqualTo("EXPORT");
            assertThat(AuditReview.patientIdsOf(r)).containsExactlyInAnyOrder(ccdaPatient, fhirPatient);
        });
    }

    private AuditReview review(ZoneId zone, LocalTime start, LocalTime end) {
        return new AuditReview(dataSource, json, zone, start, end, 50, Duration.ofHours(1));
    }

    private void read(String user, AuditAction action, long patient, String purpose) {
        audit.record(new AccessEvent(user, Roles.CLINICIAN, action, "patient", Long.toString(patient), List.of(patient), "127.0.0.1", null,
                purpose, null));
    }

    private static Document page(io.restassured.response.Response response) {
        response.then().statusCode(200);
        return Jsoup.parse(response.asString());
    }

    /** The audit table's rows, cell texts in column order (#, When, User, Role, Action, Object, Patients, Purpose, From, Request). */
    private static List<List<String>> rows(Document page) {
        List<List<String>> rows = new ArrayList<>();
        page.select("#audit-rows tbody tr").forEach(tr -> rows.add(tr.select("td").stream().map(td -> td.text()).toList()));
        return rows;
    }
}
