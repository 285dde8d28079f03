package org.ehrarchive.ingest.hl7v2;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.ehrarchive.ingest.IngestReport;
import org.ehrarchive.ingest.IngestReport.Counts;
import org.ehrarchive.ingest.IngestReport.FileReport;
import org.ehrarchive.ingest.IngestService;
import org.ehrarchive.record.ChartService;
import org.ehrarchive.record.EntryKind;
import org.ehrarchive.record.PatientIdentifier;
import org.ehrarchive.search.SearchIndex;
import org.ehrarchive.indexing.SearchIndexer;
import org.ehrarchive.support.ArchiveTestDatabase;
import org.ehrarchive.support.Ingesting;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * HL7 v2 archives through the whole ingest: the reconciliation counts messages by type and their parts apart; an
 * update, a correction and a document edit are new versions that supersede (and an older message read later is kept
 * as history); the same messages again, inside a combined file, add nothing; the chart and the search show them.
 * Each test gives the fixtures' patients an assigning authority of its own, so that tests never share a patient.
 */
@QuarkusTest
@Tag("storage")
@WithTestResource(ArchiveTestDatabase.class)
class Hl7v2IngestTest {

    @Inject
    IngestService ingest;
    @Inject
    ChartService charts;
    @Inject
    SearchIndexer indexer;
    @Inject
    SearchIndex index;

    @Test
    void aFolderOfArchivesIsReconciledMessageByMessage(@TempDir Path folder) throws Exception {
        String authority = copy(folder, "adt-a04-then-a08.hl7", "oru-r01-values.hl7", "unmapped-and-z.hl7", "only-batch-header.hl7",
                "truncated-last.hl7");
        Files.writeString(folder.resolve("renamed-export.txt"), fixture("v23-adt.hl7", authority), StandardCharsets.ISO_8859_1);

        IngestReport report = Ingesting.report(ingest, folder);

        FileReport adt = file(report, "adt-a04-then-a08.hl7");
        assertThat(adt.format()).isEqualTo("hl7v2");
        assertThat(adt.records()).containsEntry("ADT^A04", new Counts(1, 1, 0, 0, 0)).containsEntry("ADT^A08", new Counts(1, 1, 0, 0, 0));
        assertThat(adt.found()).as("a file's records are its messages").isEqualTo(2);
        assertThat(adt.parts()).containsEntry("visit", new Counts(2, 2, 0, 0, 0));
        FileReport oru = file(report, "oru-r01-values.hl7");
        assertThat(oru.found()).isEqualTo(1);
        assertThat(oru.parts().get("result")).isEqualTo(new Counts(11, 11, 0, 0, 0));
        assertThat(oru.parts()).as("an ORU's PV1 names the visit, it is no version of it").doesNotContainKey("visit");
        FileReport unmapped = file(report, "unmapped-and-z.hl7");
        assertThat(unmapped.records().get("MFN^M02")).isEqualTo(new Counts(1, 1, 0, 1, 0));
        assertThat(unmapped.parts().get("segment")).isEqualTo(new Counts(2, 2, 0, 2, 0));
        assertThat(file(report, "only-batch-header.hl7").status()).isEqualTo("quarantined");
        assertThat(file(report, "only-batch-header.hl7").reason()).startsWith("ING-106");
        assertThat(file(report, "truncated-last.hl7").warnings()).anySatisfy(w -> assertThat(w).contains("segment terminator"));
        assertThat(file(report, "renamed-export.txt").format()).as("recognised by content").isEqualTo("hl7v2");
        assertThat(report.totals().records().get("ADT^A01").found()).isEqualTo(4);
        assertThat(report.totals().parts().get("result").archived()).isEqualTo(11);
        assertThat(report.totals().found()).isEqualTo(2 + 1 + 2 + 3 + 1);
    }

    @Test
    void updatesCorrectionsAndEditsSupersedeAndAnOlderMessageReadLaterIsHistory(@TempDir Path folder) throws Exception {
        // "corrected" sorts before "values": the correction (later MSH-7) is read first, the original after it
        String authority = copy(folder, "adt-a04-then-a08.hl7", "oru-r01-corrected.hl7", "oru-r01-values.hl7", "mdm-t02-then-t08.hl7");

        Ingesting.report(ingest, folder);

        ChartService.Chart chart = charts.chart(patient(authority, "100200")).orElseThrow();
        assertThat(chart.encounters()).hasSize(1);
        ChartService.EntryView visit = chart.encounters().get(0);
        assertThat(visit.version()).as("the A08 supersedes the A04's visit").isEqualTo(2);
        assertThat(visit.effective().high()).isNotNull();
        assertThat(visit.earlierVersions()).hasSize(1);
        List<ChartService.EntryView> glucose = chart.entries().get(EntryKind.RESULT).stream()
                .filter(r -> r.code() != null && "2345-7".equals(r.code().code())).toList();
        assertThat(glucose).as("one current glucose: the correction").hasSize(1);
        assertThat(glucose.get(0).status()).isEqualTo("corrected");
        assertThat(glucose.get(0).values().get(0).quantity().value()).isEqualTo("102");
        assertThat(glucose.get(0).earlierVersions()).extracting(v -> v.values().get(0).quantity().value()).containsExactly("98");

        ChartService.Chart mdm = charts.chart(patient(authority, "100410")).orElseThrow();
        List<ChartService.EntryView> notes = mdm.entries().get(EntryKind.NOTE);
        assertThat(notes).as("the T08's edit supersedes the T02's text").hasSize(1);
        assertThat(notes.get(0).status()).isEqualTo("LA");
        assertThat(notes.get(0).text()).contains("in 3 days");
        assertThat(notes.get(0).earlierVersions()).extracting(ChartService.EntryView::status).containsExactly("AU");
        assertThat(mdm.documents()).as("each message stays listed, with its text").hasSize(2)
                .allSatisfy(d -> assertThat(d.format()).isEqualTo("hl7v2"));

        indexer.drain(done -> {
        });
        assertThat(index.searchText("amoxicillin", 1000)).extracting(org.ehrarchive.search.TextHit::patientId).contains(mdm.patientId());
    }

    @Test
    void theSameMessagesAgainInsideACombinedFileAddNothing(@TempDir Path first, @TempDir Path second) throws Exception {
        String authority = copy(first, "adt-a04-then-a08.hl7", "oru-r01-values.hl7", "vxu-v04.hl7");
        Ingesting.report(ingest, first);
        long visits = entries(authority, "100200");

        // a monthly roll-up: the same messages, LF instead of CR, behind a batch header, with one new message
        String combined = "BHS|^~\\&|ROLLUP\n" + fixture("adt-a04-then-a08.hl7", authority).replace('\r', '\n')
                + fixture("oru-r01-values.hl7", authority) + fixture("vxu-v04.hl7", authority)
                + fixture("oru-r01-corrected.hl7", authority) + "BTS|5\n";
        Files.writeString(second.resolve("rollup.hl7"), combined, StandardCharsets.UTF_8);
        FileReport rollup = Ingesting.report(ingest, second).files().get(0);

        assertThat(rollup.status()).isEqualTo("archived");
        assertThat(rollup.found()).isEqualTo(5);
        assertThat(rollup.duplicates()).as("every message seen before").isEqualTo(4);
        assertThat(rollup.archived()).isEqualTo(1);
        assertThat(rollup.parts().get("result")).as("only the correction is new (11 results of the ORU, 1 of the VXU)")
                .isEqualTo(new Counts(13, 1, 0, 0, 12));
        assertThat(rollup.warnings()).isEmpty();
        assertThat(entries(authority, "100200")).isEqualTo(visits + 1);
    }

    private long entries(String authority, String mrn) {
        long patient = patient(authority, mrn);
        return QuarkusTransaction.requiringNew().call(() -> org.ehrarchive.record.ClinicalEntry.count("patientId", patient));
    }

    private static long patient(String authority, String mrn) {
        return QuarkusTransaction.requiringNew().call(() -> PatientIdentifier.<PatientIdentifier>find("system = ?1 and value = ?2",
                authority, mrn).firstResult().patientId);
    }

    /** Copies fixtures into the folder with their patients' authority made unique; returns it. */
    private static String copy(Path folder, String... names) throws IOException {
        String authority = "GH" + UUID.randomUUID().toString().substring(0, 8);
        for (String name : names) {
            Files.writeString(folder.resolve(name), fixture(name, authority), StandardCharsets.ISO_8859_1);
        }
        return authority;
    }

    /** A fixture's text with its authorities replaced (read and written as ISO 8859-1: every byte stays as it was). */
    private static String fixture(String name, String authority) {
        return new String(V2Fixtures.bytes(name), StandardCharsets.ISO_8859_1).replace("GOODHEALTH", authority)
                .replace("^SSA^", "^" + authority + "-SSA^");
    }

    private static FileReport file(IngestReport report, String path) {
        return report.files().stream().filter(f -> f.path().equals(path)).findFirst().orElseThrow();
    }
}
