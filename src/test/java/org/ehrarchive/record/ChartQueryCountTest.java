package org.ehrarchive.record;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.inject.Inject;

import org.ehrarchive.bench.CcdaGenerator;
import org.ehrarchive.indexing.SearchIndexer;
import org.ehrarchive.ingest.IngestProgress;
import org.ehrarchive.ingest.IngestService;
import org.ehrarchive.security.Roles;
import org.ehrarchive.support.ArchiveTestDatabase;
import org.ehrarchive.support.ArchivedFixture;
import org.ehrarchive.support.ChartEntries;
import org.ehrarchive.support.PortalSession;
import org.ehrarchive.support.SqlStatements;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A chart is read in the same few SQL statements whatever its size (no statement per document or entry: an N+1 would
 * make the heavy patient's count grow), and none of them reads a source fragment the chart never shows; the API pages
 * a chart's entries in the database, every entry once, in the chart's order.
 */
@QuarkusTest
@Tag("storage")
@WithTestResource(ArchiveTestDatabase.class)
class ChartQueryCountTest {

    /**
     * The patient, documents, identifiers, demographics, source records and entries: one statement each; and the
     * sources linked into the chart, two (files, identifiers). The person's archived patients are one more statement,
     * through JDBC ({@code PatientLinks.members}), which this count does not see.
     */
    private static final int STATEMENTS_PER_CHART = 8;
    /**
     * The most a chart page takes on the chart's tables: the outline's statements but the patient's, and those making
     * whole the rows it shows (a fact's page: one more for its occurrences). The restrictions are read through JDBC
     * ({@code Restrictions}), which this count does not see either.
     */
    private static final int STATEMENTS_PER_CHART_PAGE = STATEMENTS_PER_CHART + 2;
    private static final String PASSWORD = "chart count password";
    /** The tables a chart reads, to tell its statements from the sign-in's and the audit's. */
    private static final List<String> CHART_TABLES = List.of("patient_identifier", "patient_demographics", "clinical_document",
            "clinical_entry", "source_record");

    @Inject
    IngestService ingest;
    @Inject
    SearchIndexer indexer;
    @Inject
    ChartService charts;

    @Test
    void aChartOfOneDocumentAndAChartOfManyTakeTheSameStatements(@TempDir Path light, @TempDir Path heavy) throws Exception {
        long lightPatient = patientOf(light, 1, 1);
        long heavyPatient = patientOf(heavy, 30, 5);

        SqlStatements.Recorded<ChartService.Chart> lightChart = SqlStatements.onThisThread(() -> charts.chart(lightPatient).orElseThrow());
        SqlStatements.Recorded<ChartService.Chart> heavyChart = SqlStatements.onThisThread(() -> charts.chart(heavyPatient).orElseThrow());
        SqlStatements.Recorded<ChartService.Chart> heavyOutline = SqlStatements.onThisThread(() -> charts.outline(heavyPatient).orElseThrow());

        assertThat(lightChart.result().documents()).hasSize(1);
        assertThat(heavyChart.result().documents()).hasSize(30);
        // Per document: the header encounter, 5 problems, 5 medications, 5 panels of two results.
        assertThat(heavyChart.result().entries().get(EntryKind.RESULT)).hasSize(30 * 10);
        assertThat(heavyChart.result().encounters()).hasSize(30);
        assertThat(heavyChart.result().demographics()).hasSize(30).allSatisfy(d -> assertThat(d.documentTitle()).isNotNull());
        assertThat(lightChart.statements()).hasSize(STATEMENTS_PER_CHART);
        assertThat(heavyChart.statements()).hasSize(STATEMENTS_PER_CHART);
        assertThat(heavyChart.statements()).noneSatisfy(sql -> assertThat(sql).containsAnyOf("source_fragment", "header_fragment"));
        assertThat(SqlStatements.onThisThread(() -> charts.chart(987_654_321L)).statements()).as("an unknown patient").hasSize(1);
        assertThat(heavyOutline.statements()).hasSize(STATEMENTS_PER_CHART);
        assertThat(heavyOutline.result().entries().get(EntryKind.RESULT)).hasSize(30 * 10)
                .allSatisfy(result -> assertThat(result.details()).isNull());
        List<ChartService.EntryView> outlined = heavyOutline.result().entries().get(EntryKind.RESULT);
        SqlStatements.Recorded<java.util.Map<Long, ChartService.EntryView>> completed = SqlStatements.onThisThread(
                () -> charts.complete(heavyPatient, outlined));
        assertThat(completed.statements()).as("every result made whole in one statement").hasSize(1);
        assertThat(outlined).allSatisfy(result -> assertThat(completed.result().get(result.id()))
                .isEqualTo(heavyChart.result().entries().get(EntryKind.RESULT).stream().filter(r -> r.id() == result.id()).findFirst().orElseThrow()));
    }

    @Test
    void theApiReadsAHeavyChartInTheSameStatementsAsALightOne(@TempDir Path light, @TempDir Path heavy) throws Exception {
        ArchivedFixture.usersOfEveryRole("chart-count-", PASSWORD);
        long lightPatient = patientOf(light, 1, 1);
        long heavyPatient = patientOf(heavy, 20, 3);
        indexer.drain(done -> { });

        List<String> lightSql = chartTableStatements("/api/patients/" + lightPatient);
        List<String> heavySql = chartTableStatements("/api/patients/" + heavyPatient);

        // The documents, identifiers, demographics, source records, the first page of each kind, and those entries whole.
        assertThat(lightSql).hasSize(STATEMENTS_PER_CHART);
        assertThat(heavySql).hasSize(STATEMENTS_PER_CHART);
        assertThat(heavySql).noneSatisfy(sql -> assertThat(sql).containsAnyOf("source_fragment", "header_fragment"));
    }

    @Test
    void theApiPagesEveryEntryOnceInTheChartsOrder(@TempDir Path heavy) throws Exception {
        ArchivedFixture.usersOfEveryRole("chart-count-", PASSWORD);
        long patient = patientOf(heavy, 12, 2);
        indexer.drain(done -> { });
        ChartService.Chart whole = charts.chart(patient).orElseThrow();
        io.restassured.path.json.JsonPath first = api().queryParam("size", 5).get("/api/patients/" + patient).then().statusCode(200)
                .extract().jsonPath();

        assertThat(first.getInt("pageSize")).isEqualTo(5);
        assertThat(first.getList("entries.RESULT")).hasSize(5);
        assertThat(first.getList("encounters")).hasSize(5);
        assertThat(first.getLong("totals.RESULT")).isEqualTo(whole.entries().get(EntryKind.RESULT).size());
        assertThat(first.getLong("totals.ENCOUNTER")).isEqualTo(12);
        for (EntryKind kind : List.of(EntryKind.RESULT, EntryKind.PROBLEM, EntryKind.ENCOUNTER)) {
            List<Long> expected = (kind == EntryKind.ENCOUNTER ? whole.encounters() : whole.entries().get(kind)).stream()
                    .map(ChartService.EntryView::id).toList();
            List<Long> paged = new java.util.ArrayList<>(ids(first.getList(kind == EntryKind.ENCOUNTER ? "encounters.id" : "entries." + kind + ".id")));
            String next = first.getString("next." + kind);
            int pages = 1;
            while (next != null) {
                io.restassured.path.json.JsonPath page = api().get(next).then().statusCode(200).extract().jsonPath();
                assertThat(page.getLong("total")).isEqualTo(expected.size());
                paged.addAll(ids(page.getList("entries.id")));
                next = page.getString("next");
                pages++;
            }
            assertThat(paged).as(kind + ": every entry once, in the chart's order").containsExactlyElementsOf(expected);
            assertThat(pages).as(kind + " pages of 5").isEqualTo((expected.size() + 4) / 5);
        }
        assertThat(chartTableStatements("/api/patients/" + patient + "/entries?kind=result&page=2"))
                .as("a later page: its ids with the count, those entries whole, the source records").hasSize(3);
        api().get("/api/patients/" + patient + "/entries?kind=result&page=999").then().statusCode(200)
                .body("entries", org.hamcrest.Matchers.empty()).body("next", org.hamcrest.Matchers.nullValue())
                .body("total", org.hamcrest.Matchers.equalTo(whole.entries().get(EntryKind.RESULT).size()));
        for (String bad : List.of("?kind=result&page=0", "?kind=result&size=1001", "?kind=result&page=two", "?kind=nonsense", "")) {
            api().get("/api/patients/" + patient + "/entries" + bad).then().statusCode(400)
                    .contentType(org.ehrarchive.api.Problems.MEDIA_TYPE).body("title", org.hamcrest.Matchers.not(org.hamcrest.Matchers.emptyString()));
        }
        api().get("/api/patients/987654321/entries?kind=result").then().statusCode(404);
    }

    private static io.restassured.specification.RequestSpecification api() {
        return given().auth().preemptive().basic("chart-count-" + Roles.CLINICIAN, PASSWORD);
    }

    private static List<Long> ids(List<Object> values) {
        return values.stream().map(v -> ((Number) v).longValue()).toList();
    }

    @Test
    void theChartPagesReadAHeavyChartInTheSameStatementsAsALightOne(@TempDir Path light, @TempDir Path heavy) throws Exception {
        ArchivedFixture.usersOfEveryRole("chart-count-", PASSWORD);
        long lightPatient = patientOf(light, 1, 1);
        long heavyPatient = patientOf(heavy, 20, 3);
        indexer.drain(done -> { }); // the search index's reads of new documents are not the pages'
        PortalSession clinician = PortalSession.signIn("chart-count-" + Roles.CLINICIAN, PASSWORD);
        List<String> lightPages = pagesOf(lightPatient);
        List<String> heavyPages = pagesOf(heavyPatient);
        for (int i = 0; i < lightPages.size(); i++) {
            String page = heavyPages.get(i);
            List<String> lightSql = pageStatements(clinician, lightPages.get(i));
            List<String> heavySql = pageStatements(clinician, page);
            // The outline's statements and those making whole what the page shows; never one
            // per document or entry.
            assertThat(heavySql).as("page " + page).hasSize(lightSql.size()).hasSizeLessThanOrEqualTo(STATEMENTS_PER_CHART_PAGE);
            assertThat(heavySql).as("page " + page).noneSatisfy(sql -> assertThat(sql).containsAnyOf("source_fragment", "header_fragment"));
        }
    }

    /** Every page of a patient's chart: the summary, trends, one trend, encounters, one visit, a section, a fact, print. */
    private List<String> pagesOf(long patientId) {
        String chart = "/patients/" + patientId;
        ChartService.EntryView result = charts.chart(patientId).orElseThrow().entries().get(EntryKind.RESULT).get(0);
        return List.of(chart, chart + "/trends", chart + "/trends/" + org.ehrarchive.chart.Trends.testKey(result), chart + "/encounters",
                chart + "/encounters/" + ChartEntries.first(patientId, EntryKind.ENCOUNTER), chart + "/sections/result",
                chart + "/facts/" + result.id(), chart + "/print");
    }

    private static List<String> pageStatements(PortalSession session, String path) {
        return SqlStatements.everywhere(() -> session.get(path).then().statusCode(200).extract().asString()).statements().stream()
                .filter(sql -> CHART_TABLES.stream().anyMatch(table -> sql.contains(" " + table + " ")))
                .toList();
    }

    /** The statements reading a chart's tables while an API call answers. */
    private List<String> chartTableStatements(String path) {
        return SqlStatements.everywhere(() -> api().get(path).then().statusCode(200).extract().asString()).statements().stream()
                .filter(sql -> CHART_TABLES.stream().anyMatch(table -> sql.contains(" " + table + " ")))
                .toList();
    }

    /** A new patient of {@code documents} generated documents, {@code entries} entries per section each. */
    private long patientOf(Path folder, int documents, int entries) throws Exception {
        long seed = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        new CcdaGenerator(seed, entries, "HEAVY-" + seed).writePatientHistories(folder, 1, documents);
        ingest.ingest(folder, "chart count " + seed, IngestProgress.NONE);
        return QuarkusTransaction.requiringNew().call(() -> PatientIdentifier.getEntityManager()
                .createQuery("select distinct i.patientId from PatientIdentifier i where i.value = :value", Long.class)
                .setParameter("value", "HEAVY-" + seed + "-0").getSingleResult());
    }
}
