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
 * make the heavy patient's count grow), and none of them reads a source fragment the chart never shows.
 */
@QuarkusTest
@Tag("storage")
@WithTestResource(ArchiveTestDatabase.class)
class ChartQueryCountTest {

    /** The patient, documents, identifiers, demographics, source records and entries: one statement each. */
    private static final int STATEMENTS_PER_CHART = 6;
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
    }

    @Test
    void theApiReadsAHeavyChartInTheSameStatementsAsALightOne(@TempDir Path light, @TempDir Path heavy) throws Exception {
        ArchivedFixture.usersOfEveryRole("chart-count-", PASSWORD);
        long lightPatient = patientOf(light, 1, 1);
        long heavyPatient = patientOf(heavy, 20, 3);
        indexer.drain(done -> { });

        List<String> lightSql = chartTableStatements(lightPatient, 1);
        List<String> heavySql = chartTableStatements(heavyPatient, 20);

        assertThat(lightSql).hasSize(STATEMENTS_PER_CHART - 1);
        assertThat(heavySql).hasSize(STATEMENTS_PER_CHART - 1);
        assertThat(heavySql).noneSatisfy(sql -> assertThat(sql).containsAnyOf("source_fragment", "header_fragment"));
    }

    @Test
    void theChartPagesReadAHeavyChartInTheSameStatementsAsALightOne(@TempDir Path light, @TempDir Path heavy) throws Exception {
        ArchivedFixture.usersOfEveryRole("chart-count-", PASSWORD);
        long lightPatient = patientOf(light, 1, 1);
        long heavyPatient = patientOf(heavy, 20, 3);
        PortalSession clinician = PortalSession.signIn("chart-count-" + Roles.CLINICIAN, PASSWORD);
        for (String page : List.of("", "/trends", "/encounters", "/sections/result", "/print")) {
            List<String> lightSql = pageStatements(clinician, "/patients/" + lightPatient + page);
            List<String> heavySql = pageStatements(clinician, "/patients/" + heavyPatient + page);
            // The chart's statements and the restricted flag's; never one per document or entry.
            assertThat(heavySql).as("page " + page).hasSize(lightSql.size()).hasSize(STATEMENTS_PER_CHART);
        }
    }

    private static List<String> pageStatements(PortalSession session, String path) {
        return SqlStatements.everywhere(() -> session.get(path).then().statusCode(200).extract().asString()).statements().stream()
                .filter(sql -> CHART_TABLES.stream().anyMatch(table -> sql.contains(" " + table + " ")))
                .toList();
    }

    /** The statements reading a chart's tables while {@code GET /api/patients/{id}} answers. */
    private List<String> chartTableStatements(long patientId, int documents) {
        return SqlStatements.everywhere(() -> given().auth().preemptive().basic("chart-count-" + Roles.CLINICIAN, PASSWORD)
                .get("/api/patients/" + patientId).then().statusCode(200)
                .extract().jsonPath().getList("documents")).statements().stream()
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
