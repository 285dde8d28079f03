package org.ehrarchive.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.ehrarchive.ingest.IngestReport.FileReport;
import org.ehrarchive.record.ChartService;
import org.ehrarchive.record.ClinicalEntry;
import org.ehrarchive.record.EntryKind;
import org.ehrarchive.record.SourceRecord;
import org.ehrarchive.support.ArchiveTestDatabase;
import org.ehrarchive.support.CcdaDocuments;
import org.ehrarchive.support.CcdaDocuments.Problem;
import org.ehrarchive.support.Ingesting;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Source records (ADR 0009): the same fact arriving twice is stored once; a new version of a fact supersedes the
 * one it replaces, never updates it, and both are kept; the chart shows the current one with its history. Every
 * test archives a patient of its own.
 */
@QuarkusTest
@Tag("storage")
@WithTestResource(ArchiveTestDatabase.class)
class RecordVersionsTest {

    private static final String DIABETES = "44054006";
    private static final String ASTHMA = "195967001";

    @Inject
    IngestService ingest;
    @Inject
    ChartService charts;

    @Test
    void theSameFactInASecondDocumentIsCountedAsADuplicateAndStoredOnce(@TempDir Path work) throws Exception {
        String problemId = UUID.randomUUID().toString();
        Problem diabetes = new Problem(problemId, DIABETES, "Diabetes mellitus type 2", "active", "20100301");
        CcdaDocuments first = CcdaDocuments.forNewPatient().effectiveTime("20150101120000+0000").problem(diabetes);
        CcdaDocuments second = CcdaDocuments.forPatientOf(first).effectiveTime("20160101120000+0000").problem(diabetes)
                .problem(new Problem(UUID.randomUUID().toString(), ASTHMA, "Asthma", "active", "20151101"));
        first.writeTo(work.resolve("a"), "visit-1.xml");
        second.writeTo(work.resolve("b"), "visit-2.xml");

        FileReport one = Ingesting.report(ingest, work.resolve("a")).files().get(0);
        FileReport two = Ingesting.report(ingest, work.resolve("b")).files().get(0);

        assertThat(one.records().get(RecordTypes.ENTRY)).isEqualTo(new IngestReport.Counts(1, 1, 0, 0, 0));
        assertThat(two.status()).isEqualTo("archived");
        assertThat(two.records().get(RecordTypes.ENTRY)).as("the repeated problem is a duplicate")
                .isEqualTo(new IngestReport.Counts(2, 1, 0, 0, 1));
        assertThat(two.sections()).singleElement().satisfies(problems -> {
            assertThat(problems.found()).isEqualTo(2);
            assertThat(problems.archived()).isEqualTo(1);
            assertThat(problems.duplicates()).isEqualTo(1);
        });
        QuarkusTransaction.requiringNew().run(() -> {
            List<SourceRecord> stored = SourceRecord.list("recordKey", "2.16.840.1.113883.19.5.99999.9^" + problemId);
            assertThat(stored).as("stored once").singleElement();
            assertThat(ClinicalEntry.count("sourceRecordId", stored.get(0).id)).isEqualTo(1);
        });
        ChartService.Chart chart = charts.chart(patientOf(one)).orElseThrow();
        assertThat(chart.entries().get(EntryKind.PROBLEM)).extracting(e -> e.code().code()).containsExactlyInAnyOrder(DIABETES, ASTHMA);
        assertThat(chart.documents()).hasSize(2);
    }

    @Test
    void aNewVersionOfAFactSupersedesTheOldOneAndTheChartShowsItWithItsHistory(@TempDir Path work) throws Exception {
        String problemId = UUID.randomUUID().toString();
        CcdaDocuments earlier = CcdaDocuments.forNewPatient().effectiveTime("20150101120000+0000")
                .problem(new Problem(problemId, DIABETES, "Diabetes mellitus type 2", "active", "20100301"));
        CcdaDocuments later = CcdaDocuments.forPatientOf(earlier).effectiveTime("20170101120000+0000")
                .problem(new Problem(problemId, DIABETES, "Diabetes mellitus type 2", "completed", "20100301"));
        earlier.writeTo(work.resolve("2015"), "summary.xml");
        later.writeTo(work.resolve("2017"), "summary.xml");

        FileReport first = Ingesting.report(ingest, work.resolve("2015")).files().get(0);
        FileReport second = Ingesting.report(ingest, work.resolve("2017")).files().get(0);

        assertThat(second.records().get(RecordTypes.ENTRY)).as("a new version is archived, not a duplicate")
                .isEqualTo(new IngestReport.Counts(1, 1, 0, 0, 0));
        List<SourceRecord> versions = versionsOf(problemId);
        assertThat(versions).extracting(r -> r.version).containsExactly(1, 2);
        assertThat(versions.get(1).supersedesId).isEqualTo(versions.get(0).id);
        assertThat(versions).noneMatch(r -> r.historical);
        assertChartShowsCurrentWithEarlier(patientOf(first), 2, "completed", "active");
    }

    @Test
    void anOlderVersionArrivingAfterANewerOneIsKeptAsHistory(@TempDir Path work) throws Exception {
        String problemId = UUID.randomUUID().toString();
        CcdaDocuments older = CcdaDocuments.forNewPatient().effectiveTime("20150101120000+0000")
                .problem(new Problem(problemId, DIABETES, "Diabetes mellitus type 2", "active", "20100301"));
        CcdaDocuments newer = CcdaDocuments.forPatientOf(older).effectiveTime("20170101120000+0000")
                .problem(new Problem(problemId, DIABETES, "Diabetes mellitus type 2", "completed", "20100301"));
        newer.writeTo(work.resolve("first-the-2017-export"), "summary.xml");
        older.writeTo(work.resolve("then-the-2015-export"), "summary.xml");

        FileReport first = Ingesting.report(ingest, work.resolve("first-the-2017-export")).files().get(0);
        Ingesting.report(ingest, work.resolve("then-the-2015-export"));

        List<SourceRecord> versions = versionsOf(problemId);
        assertThat(versions).hasSize(2);
        assertThat(versions.get(1).historical).as("arrived second, but is older").isTrue();
        assertThat(versions.get(1).supersedesId).isNull();
        // The current version is the newer fact, though it arrived first (version = arrival order).
        assertChartShowsCurrentWithEarlier(patientOf(first), 1, "completed", "active");
    }

    @Test
    void aReplacementDocumentSupersedesTheVersionItReplacesAndBothStayListed(@TempDir Path work) throws Exception {
        String setId = UUID.randomUUID().toString();
        CcdaDocuments original = CcdaDocuments.forNewPatient().version(setId, "1")
                .problem(new Problem(UUID.randomUUID().toString(), DIABETES, "Diabetes mellitus type 2", "active", "20100301"));
        CcdaDocuments replacement = CcdaDocuments.forPatientOf(original).version(setId, "2")
                .problem(new Problem(UUID.randomUUID().toString(), ASTHMA, "Asthma", "active", "20100301"));
        original.writeTo(work.resolve("v1"), "note.xml");
        replacement.writeTo(work.resolve("v2"), "note.xml");

        FileReport first = Ingesting.report(ingest, work.resolve("v1")).files().get(0);
        Ingesting.report(ingest, work.resolve("v2"));

        ChartService.Chart chart = charts.chart(patientOf(first)).orElseThrow();
        assertThat(chart.documents()).hasSize(2);
        assertThat(chart.documents()).filteredOn(ChartService.DocumentSummary::superseded).singleElement()
                .satisfies(replaced -> assertThat(replaced.version()).isEqualTo(1));
        assertThat(chart.documents()).filteredOn(d -> !d.superseded()).singleElement()
                .satisfies(current -> assertThat(current.version()).isEqualTo(2));
    }

    /**
     * Every read of the chart shows the current version with the earlier one: the whole chart, its outline made whole
     * (the portal's read), its first pages and a page of one kind (the API's reads, which select in SQL).
     */
    private void assertChartShowsCurrentWithEarlier(long patientId, int currentVersion, String currentStatus, String earlierStatus) {
        ChartService.Chart chart = charts.chart(patientId).orElseThrow();
        ChartService.EntryView outlined = charts.outline(patientId).orElseThrow().entries().get(EntryKind.PROBLEM).get(0);
        assertThat(outlined.details()).as("an outline leaves the details out").isNull();
        List<ChartService.EntryView> reads = List.of(chart.entries().get(EntryKind.PROBLEM).get(0),
                charts.complete(patientId, List.of(outlined)).get(outlined.id()),
                charts.firstPages(patientId, 10).orElseThrow().chart().entries().get(EntryKind.PROBLEM).get(0),
                charts.page(patientId, EntryKind.PROBLEM, 1, 10).orElseThrow().entries().get(0));
        assertThat(chart.entries().get(EntryKind.PROBLEM)).as("one fact, shown once").hasSize(1);
        assertThat(charts.page(patientId, EntryKind.PROBLEM, 1, 10).orElseThrow().total()).as("one fact, counted once").isEqualTo(1);
        assertThat(reads).allSatisfy(problem -> {
            assertThat(((java.util.Map<?, ?>) problem.details().get("concern")).get("status")).isEqualTo(currentStatus);
            assertThat(problem.version()).isEqualTo(currentVersion);
            assertThat(problem.earlierVersions()).singleElement().satisfies(earlier ->
                    assertThat(((java.util.Map<?, ?>) earlier.details().get("concern")).get("status")).isEqualTo(earlierStatus));
        });
    }

    private static List<SourceRecord> versionsOf(String problemId) {
        return QuarkusTransaction.requiringNew().call(() -> SourceRecord.<SourceRecord>list("recordKey = ?1 order by version",
                "2.16.840.1.113883.19.5.99999.9^" + problemId));
    }

    private static long patientOf(FileReport file) {
        return QuarkusTransaction.requiringNew().call(() -> SourceRecord.<SourceRecord>find("sourceSha256 = ?1 and recordType = ?2",
                file.sha256(), RecordTypes.DOCUMENT).firstResult().patientId);
    }
}
