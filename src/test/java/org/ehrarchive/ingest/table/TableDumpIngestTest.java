package org.ehrarchive.ingest.table;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.ehrarchive.indexing.SearchIndexer;
import org.ehrarchive.ingest.IngestReport;
import org.ehrarchive.ingest.IngestReport.FileReport;
import org.ehrarchive.ingest.IngestService;
import org.ehrarchive.record.ChartService;
import org.ehrarchive.record.EntryKind;
import org.ehrarchive.record.PatientIdentifier;
import org.ehrarchive.support.ArchiveTestDatabase;
import org.ehrarchive.support.ArchivedFixture;
import org.ehrarchive.support.Fixtures;
import org.ehrarchive.support.Ingesting;
import org.ehrarchive.support.PortalSession;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A table dump end to end (src/test/resources/fixtures/table-dump/README.md, {@code small-synthea}): ingested through
 * the shipped synthea-csv profile, every row accounted per table, the charts built from it, and a second, overlapping
 * dump of the same system adding only what is new: a changed row is a new version of its key, the rest duplicates.
 */
@QuarkusTest
@Tag("storage")
@WithTestResource(ArchiveTestDatabase.class)
class TableDumpIngestTest {

    private static final String SYNTHEA = "https://github.com/synthetichealth/synthea";
    private static final String ADA = "a1000000-0000-4000-8000-000000000001";
    private static final String CORA = "a1000000-0000-4000-8000-000000000003";
    private static final String PASSWORD = "table-dump-password";

    @Inject
    IngestService ingest;
    @Inject
    ChartService charts;
    @Inject
    SearchIndexer indexer;

    @Test
    void aDumpIsArchivedRowByRowAndASecondOverlappingDumpAddsOnlyWhatIsNew(@TempDir Path work) throws Exception {
        MappingProfile profile = MappingProfiles.shipped("synthea-csv").orElseThrow();
        Path first = copy(Path.of(Fixtures.class.getResource("/fixtures/table-dump/small-synthea").toURI()), work.resolve("first"));
        IngestReport report = Ingesting.report(ingest, first, profile);

        assertThat(report.files()).hasSize(16).allSatisfy(file -> {
            assertThat(file.format()).as(file.path()).isEqualTo("csv");
            assertThat(file.status()).as(file.path()).isEqualTo("archived");
            assertThat(file.quarantined()).as(file.path()).isZero();
        });
        assertThat(line(report, "observations.csv").records().get("observations").found()).isEqualTo(16);
        assertThat(line(report, "organizations.csv").records().get("organizations").archived()).as("reference rows are kept, counted archived")
                .isEqualTo(2);
        assertThat(report.totals().found()).as("the README's row counts: 3 patients, 6 reference rows, 47 entry rows").isEqualTo(56);
        assertThat(report.totals().archived()).isEqualTo(report.totals().found());

        ChartService.Chart ada = chartOf(ADA);
        assertThat(ada.encounters()).hasSize(2);
        assertThat(ada.encounters().get(0).details()).as("a reference table lends its name to the join").containsKey("organization");
        List<ChartService.EntryView> results = ada.entries().get(EntryKind.RESULT);
        assertThat(results.stream().filter(r -> r.code() != null && "4548-4".equals(r.code().code()))).as("HbA1c twice: a trend").hasSize(2);
        assertThat(results.stream().filter(r -> r.code() != null && "4548-4".equals(r.code().code())).findFirst().orElseThrow().values().get(0)
                .quantity().unit()).isEqualTo("%");
        assertThat(ada.entries().get(EntryKind.PROBLEM)).extracting(ChartService.EntryView::status).contains("active", "resolved");
        ChartService.Chart cora = chartOf(CORA);
        assertThat(cora.demographics()).singleElement().satisfies(d -> {
            assertThat(d.deceased()).isTrue();
            assertThat(d.deceasedTime().iso()).isEqualTo("2022-09-18");
        });

        // The same dump again: nothing new.
        IngestReport again = Ingesting.report(ingest, first, profile);
        assertThat(again.totals().archived()).isZero();

        // A later dump of the same system: one encounter corrected, one new observation, the rest as before.
        Path second = copy(first, work.resolve("second"));
        Path encounters = second.resolve("encounters.csv");
        Files.writeString(encounters, Files.readString(encounters).replace("General examination of patient (procedure),136.80,702.10",
                "General examination of patient (procedure),136.80,712.10"));
        Files.writeString(second.resolve("observations.csv"), "2024-10-01T09:00:00Z," + ADA
                + ",e1000000-0000-4000-8000-000000000102,laboratory,4548-4,Hemoglobin A1c/Hemoglobin.total in Blood,6.9,%,numeric\n",
                StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        IngestReport later = Ingesting.report(ingest, second, profile);
        assertThat(line(later, "observations.csv").records().get("observations").archived()).as("only the new row").isEqualTo(1);
        assertThat(line(later, "observations.csv").records().get("observations").duplicates()).isEqualTo(16);
        assertThat(line(later, "encounters.csv").records().get("encounters").archived()).as("the changed row, a new version").isEqualTo(1);
        assertThat(later.totals().archived()).isEqualTo(2);

        ChartService.Chart updated = chartOf(ADA);
        assertThat(updated.encounters()).as("the corrected encounter is shown once, its latest version").hasSize(2);
        assertThat(updated.encounters()).anySatisfy(e -> {
            assertThat(e.version()).isEqualTo(2);
            assertThat(e.earlierVersions()).hasSize(1);
        });
        assertThat(updated.entries().get(EntryKind.RESULT).stream().filter(r -> "4548-4".equals(r.code().code()))).hasSize(3);

        // The chart page names the table dump as a source and shows the unmapped columns of a row's fact.
        indexer.drain(done -> { });
        ArchivedFixture.usersOfEveryRole("dump-", PASSWORD);
        PortalSession clinician = PortalSession.signIn("dump-clinician", PASSWORD);
        Document page = Jsoup.parse(clinician.get("/patients/" + updated.patientId()).then().statusCode(200).extract().asString());
        assertThat(page.selectFirst("section.banner").text()).contains("Table dump");
        assertThat(page.text()).contains("Hemoglobin A1c");
    }

    private ChartService.Chart chartOf(String syntheaId) {
        long patient = QuarkusTransaction.requiringNew().call(() -> PatientIdentifier.<PatientIdentifier>find("system = ?1 and value = ?2",
                SYNTHEA, syntheaId).firstResult().patientId);
        return charts.chart(patient).orElseThrow();
    }

    private static Path copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path file : files.toList()) {
                Files.copy(file, to.resolve(file.getFileName()));
            }
        }
        return to;
    }

    private static FileReport line(IngestReport report, String name) {
        return report.files().stream().filter(f -> f.path().equals(name)).findFirst().orElseThrow(() -> new AssertionError("no line for " + name));
    }
}
