package org.ehrarchive.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.ehrarchive.audit.AuditRecord;
import org.ehrarchive.ingest.IngestProgress;
import org.ehrarchive.ingest.IngestService;
import org.ehrarchive.indexing.SearchIndexer;
import org.ehrarchive.record.ClinicalDocument;
import org.ehrarchive.support.ArchiveTestDatabase;
import org.ehrarchive.support.ArchivedFixture;
import org.ehrarchive.support.AuditRows;
import org.ehrarchive.support.CcdaDocuments;
import org.ehrarchive.support.CcdaDocuments.Problem;
import org.ehrarchive.support.CcdaDocuments.Result;
import org.ehrarchive.support.PortalSession;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * The chart as a clinician reads it, page by page (issue 15): the banner, the summary with statuses decided from
 * the concern, flags and ranges, dose and reactions, repeats folded, history, trends with their plot, the encounter
 * timeline and its filters, print views audited as printing, and the empty states.
 */
@QuarkusTest
@WithTestResource(ArchiveTestDatabase.class)
class ChartPagesTest {

    private static final String PASSWORD = "chart-pages-password";
    private static final String CREATININE = "2160-0";

    @Inject
    IngestService ingest;
    @Inject
    SearchIndexer indexer;

    private PortalSession clinician;

    @BeforeEach
    void signIn() {
        ArchivedFixture.usersOfEveryRole("chart-", PASSWORD);
        clinician = PortalSession.signIn("chart-clinician", PASSWORD);
    }

    @Test
    void theChartOpensWithABannerAndASummaryThatReadsTheConcernNotTheActStatus() throws Exception {
        long patient = ArchivedFixture.archive(ingest, indexer, "full-ccd.xml").patientId();
        Document chart = page("/patients/" + patient);

        Element banner = chart.selectFirst("section.banner");
        // The newest source's name: other tests archive further documents of MRN-4711, some without the middle initial.
        assertThat(banner.selectFirst("h1").text()).matches("Testy (Q )?Fixture");
        assertThat(banner.text()).contains("Sex Female").contains("Born").contains("Age").contains("MRN-4711").contains("Built from C-CDA (");
        // The fixture's diabetes concern is active; its observation says "completed" (the act status), which must not show.
        assertThat(chart.selectFirst("#summary-problems").text()).contains("Diabetes mellitus type 2");
        assertThat(chart.selectFirst("#section-problem").text()).contains("active").doesNotContain("completed");
        assertThat(chart.selectFirst("#summary-medications").text()).contains("Metformin").contains("ORAL").contains("12");
        assertThat(chart.selectFirst("#summary-allergies").text()).contains("Penicillin G").contains("Hives").contains("severity Moderate");
        Element wbc = chart.select("#section-result tr").stream().filter(r -> r.text().contains("WBC")).findFirst().orElseThrow();
        assertThat(wbc.text()).as("flag in symbol and words, range beside it").contains("▲ H").contains("high").contains("4.3–10.8");
        assertThat(chart.select("svg.trend-plot")).as("a plot for a test with values").isNotEmpty();
        assertThat(chart.text()).doesNotContain("T09:00:00").as("dates are for people, not ISO");
    }

    @Test
    void aTrendPlotsEveryValueWithItsFlagsAndListsWhatItCannotPlot() throws Exception {
        CcdaDocuments visits = CcdaDocuments.forNewPatient();
        Path folder = Files.createTempDirectory("chart-trend-");
        String[][] values = { { "0.9", "N", "20180301" }, { "1.1", "N", "20190301" }, { "1.6", "H", "20200301" }, { "2.1", "H", "20210301" } };
        for (String[] value : values) {
            visits.result(new Result(UUID.randomUUID().toString(), CREATININE, "Creatinine", value[0], "mg/dL", "0.6", "1.3", value[1], value[2]));
        }
        // The same test in another unit: shown in the table, never converted or plotted on the same axis.
        visits.result(new Result(UUID.randomUUID().toString(), CREATININE, "Creatinine", "150", "umol/L", "53", "115", "H", "20220301"));
        visits.writeTo(folder, "creatinine.xml");
        ingest.ingest(folder, "Chart pages trend " + UUID.randomUUID(), IngestProgress.NONE);
        long patient = patientOf(visits);

        Document trend = page("/patients/" + patient + "/trends/loinc-" + CREATININE);
        assertThat(trend.selectFirst("#trend-title").text()).contains("Creatinine").contains("2160-0 (LOINC)").contains("mg/dL");
        Element plot = trend.selectFirst("svg.trend-plot");
        assertThat(plot.select("g.point")).as("the four values in mg/dL").hasSize(4);
        assertThat(plot.select("g.point.abnormal")).as("the two high values, drawn as a shape with a letter").hasSize(2);
        assertThat(plot.select("g.point.abnormal text").eachText()).containsOnly("H");
        assertThat(plot.select("rect.range")).as("the reference range band").hasSize(1);
        assertThat(plot.selectFirst("title").text()).contains("4 values in mg/dL").contains("2 flagged").contains("0.6–1.3");
        assertThat(trend.selectFirst("#not-plotted").text()).contains("1 in umol/L").contains("never converted");
        assertThat(trend.select("table.facts tbody tr")).as("every value in the table, plotted or not").hasSize(5);
        assertThat(trend.select("table.facts tbody tr").first().text()).as("newest first").contains("150 umol/L");
    }

    @Test
    void markupInATestsNameIsTextInThePlotNeverAnElement() throws Exception {
        CcdaDocuments visits = CcdaDocuments.forNewPatient();
        Path folder = Files.createTempDirectory("chart-hostile-");
        String hostile = "Potassium &lt;img src=x onerror=window.pwned=1&gt;"; // as the XML attribute carries it
        visits.result(new Result(UUID.randomUUID().toString(), "2823-3", hostile, "4.1", "mmol/L", "3.5", "5.1", "N", "20200301"));
        visits.result(new Result(UUID.randomUUID().toString(), "2823-3", hostile, "5.9", "mmol/L", "3.5", "5.1", "H", "20210301"));
        visits.writeTo(folder, "potassium.xml");
        ingest.ingest(folder, "Chart pages hostile " + UUID.randomUUID(), IngestProgress.NONE);
        Document trends = page("/patients/" + patientOf(visits) + "/trends");
        Element plot = trends.selectFirst("svg.trend-plot");
        assertThat(plot.select("img")).isEmpty();
        assertThat(plot.selectFirst("title").text()).startsWith("Potassium <img src=x onerror=window.pwned=1>: 2 values in mmol/L");
    }

    @Test
    void aFactRepeatedByTwoDocumentsShowsOnceWithBothSourcesAndACorrectedOneShowsItsHistory() throws Exception {
        Path folder = Files.createTempDirectory("chart-repeats-");
        CcdaDocuments first = CcdaDocuments.forNewPatient().effectiveTime("20150101120000+0000")
                .problem(new Problem(UUID.randomUUID().toString(), "38341003", "Hypertension", "active", "20100301"));
        CcdaDocuments second = CcdaDocuments.forPatientOf(first).effectiveTime("20160101120000+0000")
                .problem(new Problem(UUID.randomUUID().toString(), "38341003", "Hypertension", "active", "20100301"));
        first.writeTo(folder, "one.xml");
        second.writeTo(folder, "two.xml");
        ingest.ingest(folder, "Chart pages repeats " + UUID.randomUUID(), IngestProgress.NONE);
        long patient = patientOf(first);

        Document chart = page("/patients/" + patient);
        assertThat(chart.select("#section-problem tbody tr")).as("one row for the repeated problem").hasSize(1);
        assertThat(chart.selectFirst("#section-problem").text()).contains("said 2 times");
        String factLink = chart.selectFirst("#section-problem tbody a").attr("href");
        Document fact = page(factLink);
        assertThat(fact.select("#occurrences tbody tr")).hasSize(2);
        assertThat(fact.select("#occurrences a").eachAttr("href")).as("each occurrence opens its own document").hasSize(2).doesNotHaveDuplicates();
    }

    @Test
    void theEncounterTimelineFiltersAndSaysSoWhenAFilterIsNotADate() throws Exception {
        long patient = ArchivedFixture.archive(ingest, indexer, "full-ccd.xml").patientId();
        Document timeline = page("/patients/" + patient + "/encounters");
        assertThat(timeline.select("#timeline li.year")).isNotEmpty();
        String visit = timeline.selectFirst("#timeline a").attr("href");
        Document encounter = page(visit);
        assertThat(encounter.selectFirst("#encounter-title")).isNotNull();

        Document none = page("/patients/" + patient + "/encounters?from=2999-01-01");
        assertThat(none.text()).contains("No encounter matches these filters.");
        Document bad = page("/patients/" + patient + "/encounters?from=last-year");
        assertThat(bad.selectFirst("[role=alert]").text()).contains("\"last-year\" is not a date");
    }

    @Test
    void printViewsAreAuditedAsPrinting() throws Exception {
        long patient = ArchivedFixture.archive(ingest, indexer, "full-ccd.xml").patientId();
        Response print = clinician.get("/patients/" + patient + "/print");
        assertThat(print.statusCode()).isEqualTo(200);
        Document printed = Jsoup.parse(print.asString());
        assertThat(printed.selectFirst("header")).as("no navigation on paper").isNull();
        assertThat(printed.selectFirst(".printed").text()).contains("Printed by chart-clinician").contains("access audit");
        List<AuditRecord> rows = AuditRows.withRequestId(print.header("X-Request-Id"));
        assertThat(rows).extracting(r -> r.action).contains("PRINT");
    }

    @Test
    void aPageNumberThatIsNotANumberIsRefusedAndAnUnknownSectionIsNotFound() throws Exception {
        long patient = ArchivedFixture.archive(ingest, indexer, "full-ccd.xml").patientId();
        assertThat(clinician.get("/patients/" + patient + "/sections/result?page=abc").statusCode()).isEqualTo(400);
        assertThat(clinician.get("/patients/" + patient + "/sections/nonsense").statusCode()).isEqualTo(404);
        Document section = page("/patients/" + patient + "/sections/result");
        assertThat(section.text()).contains("Page 1 of 1");
    }

    private Document page(String path) {
        Response response = clinician.get(path);
        assertThat(response.statusCode()).as(path).isEqualTo(200);
        return Jsoup.parse(response.asString());
    }

    private static long patientOf(CcdaDocuments document) {
        return QuarkusTransaction.requiringNew().call(() -> ClinicalDocument.<ClinicalDocument>find(
                "patientId in (select i.patientId from PatientIdentifier i where i.value = ?1)", document.mrn()).firstResult().patientId);
    }
}
