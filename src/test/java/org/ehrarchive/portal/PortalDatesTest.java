package org.ehrarchive.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import jakarta.inject.Inject;

import org.ehrarchive.chart.ClinicalDates;
import org.ehrarchive.indexing.SearchIndexer;
import org.ehrarchive.ingest.IngestService;
import org.ehrarchive.support.ArchiveTestDatabase;
import org.ehrarchive.support.ArchivedFixture;
import org.ehrarchive.support.PortalSession;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Every page writes dates as the chart does (issue 15): in the site's locale, at the precision the source had, the
 * exact value kept in a {@code <time datetime>} attribute; the audit's instants in the site's zone, to the second.
 */
@QuarkusTest
@WithTestResource(ArchiveTestDatabase.class)
class PortalDatesTest {

    private static final String PASSWORD = "portal-dates-password";
    /** The fixture patient's birth date: {@code <birthTime value="19750512"/>} in full-ccd.xml. */
    private static final String BIRTH_DATE = "1975-05-12";
    private static final String BIRTH_DATE_SHOWN = "May 12, 1975";
    /** The fixture document's time: {@code <effectiveTime value="20120806101500-0500"/>}. */
    private static final String DOCUMENT_TIME = "2012-08-06T10:15";
    private static final String DOCUMENT_TIME_SHOWN = "Aug 6, 2012, 10:15";

    @Inject
    IngestService ingest;
    @Inject
    SearchIndexer indexer;
    @Inject
    ClinicalDates dates;

    private ArchivedFixture.Archived fixture;

    @BeforeEach
    void archiveTheFixture() throws Exception {
        ArchivedFixture.usersOfEveryRole("dates-", PASSWORD);
        fixture = ArchivedFixture.archive(ingest, indexer, "full-ccd.xml");
    }

    @Test
    void patientSearchResultsShowTheBirthDateForPeopleAndKeepTheExactValue() {
        Document page = page(PortalSession.signIn("dates-clinician", PASSWORD).session().formParam("name", "Testy Fixtur").post("/"));
        Element row = page.select("#results tr").stream().filter(tr -> tr.selectFirst("a[href=/patients/" + fixture.patientId() + "]") != null)
                .findFirst().orElseThrow();
        Element born = row.selectFirst("time[datetime='" + BIRTH_DATE + "']");
        assertThat(born).as(row.outerHtml()).isNotNull();
        assertThat(born.text()).isEqualTo(BIRTH_DATE_SHOWN);
        assertThat(row.text()).doesNotContain(BIRTH_DATE);
    }

    @Test
    void theDemographicsBySourceTableShowsTheBirthDateForPeople() {
        Document chart = page(PortalSession.signIn("dates-clinician", PASSWORD).get("/patients/" + fixture.patientId()));
        Element source = chart.select("section[aria-labelledby=demographics-title] tbody tr").stream()
                .filter(tr -> tr.selectFirst("a[href=/documents/" + fixture.documentId() + "]") != null).findFirst().orElseThrow();
        assertThat(source.selectFirst("time[datetime='" + BIRTH_DATE + "']").text()).isEqualTo(BIRTH_DATE_SHOWN);
        Element listed = chart.select("#documents li").stream().filter(li -> li.selectFirst("a[href=/documents/" + fixture.documentId() + "]") != null)
                .findFirst().orElseThrow();
        assertThat(human(listed.selectFirst("time[datetime^='" + DOCUMENT_TIME + "']").text())).startsWith(DOCUMENT_TIME_SHOWN);
    }

    @Test
    void theDocumentPageAndTheTextSearchShowTheDocumentsTimeForPeople() {
        PortalSession clinician = PortalSession.signIn("dates-clinician", PASSWORD);
        Document document = page(clinician.get("/documents/" + fixture.documentId()));
        Element header = document.selectFirst("main p.small");
        assertThat(human(header.selectFirst("time[datetime^='" + DOCUMENT_TIME + "']").text())).startsWith(DOCUMENT_TIME_SHOWN);
        assertThat(header.text()).doesNotContain(DOCUMENT_TIME);

        Document hits = page(clinician.session().formParam("words", "thirst").post("/search"));
        Element hit = hits.select("ol.hits li").stream().filter(li -> li.selectFirst("a[href=/documents/" + fixture.documentId() + "]") != null)
                .findFirst().orElseThrow();
        assertThat(human(hit.selectFirst("time[datetime^='" + DOCUMENT_TIME + "']").text())).startsWith(DOCUMENT_TIME_SHOWN);
    }

    @Test
    void theAuditShowsWhenInTheSitesZoneToTheSecondWithTheExactInstantKept() {
        PortalSession compliance = PortalSession.signIn("dates-compliance", PASSWORD);
        compliance.get("/audit").then().statusCode(200);
        Document audit = page(compliance.get("/audit?user=dates-compliance"));
        Element when = audit.selectFirst("#audit-rows tbody tr td.when time");
        assertThat(when).as("each row's time is a <time>").isNotNull();
        Instant exact = Instant.parse(when.attr("datetime"));
        assertThat(exact).isBetween(Instant.now().minusSeconds(600), Instant.now());
        assertThat(when.text()).isEqualTo(dates.instant(exact).text());
        assertThat(human(when.text())).as("to the second, zone named").matches("[A-Z][a-z]{2} \\d{1,2}, \\d{4}, \\d{1,2}:\\d{2}:\\d{2} [AP]M \\S+");
    }

    private static Document page(Response response) {
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(200);
        return Jsoup.parse(response.asString());
    }

    /** Java 20 and later put a narrow no-break space before AM/PM (CLDR 42); Java 17 a plain one. */
    private static String human(String text) {
        return text.replace('\u202f', ' ');
    }
}
