package org.ehrarchive.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import org.ehrarchive.ingest.IngestReport.Counts;
import org.ehrarchive.ingest.IngestReport.FileReport;
import org.ehrarchive.ingest.lines.LineRecordsImporter;
import org.ehrarchive.record.ClinicalEntry;
import org.ehrarchive.record.RawFragment;
import org.ehrarchive.record.SourceRecord;
import org.ehrarchive.support.ArchiveTestDatabase;
import org.ehrarchive.support.Ingesting;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The ingest core's contract for every format (ADR 0009), proven with the test-only {@link LineRecordsImporter}:
 * one record the database refuses is quarantined while its neighbours are archived; a file larger than a chunk is
 * stored in several with exact counts; the files of a unit keep their own records; the same record twice in a batch
 * is stored once. Every test archives patients of its own.
 */
@QuarkusTest
@Tag("storage")
@WithTestResource(ArchiveTestDatabase.class)
class IngestCoreTest {

    @Inject
    IngestService ingest;
    @Inject
    EntityManager entityManager;

    @Test
    void aRecordTheDatabaseRefusesIsQuarantinedWithItsReasonAndItsNeighboursAreArchived(@TempDir Path folder) throws Exception {
        String patient = "P-" + UUID.randomUUID();
        write(folder.resolve("a.lines"), "patient " + patient, "entry e1 - first note", "entry e2 - second note",
                "entry e3 - a NUL \u0000 that PostgreSQL refuses", "entry e4 - fourth note", "entry e5 - fifth note");
        write(folder.resolve("b.lines"), "patient P-" + UUID.randomUUID(), "entry e1 - a note of the next file");

        IngestReport report = Ingesting.report(ingest, folder);

        FileReport a = file(report, "a.lines");
        assertThat(a.status()).isEqualTo("archived");
        assertThat(a.records().get(RecordTypes.ENTRY)).isEqualTo(new Counts(5, 4, 1, 0, 0));
        assertThat(file(report, "b.lines").records().get(RecordTypes.ENTRY)).as("the batch went on").isEqualTo(new Counts(1, 1, 0, 0, 0));
        QuarkusTransaction.requiringNew().run(() -> {
            List<SourceRecord> stored = SourceRecord.list("sourceSha256 = ?1 order by ordinal", a.sha256());
            assertThat(stored).extracting(r -> r.status).containsExactly(SourceRecord.Status.ARCHIVED, SourceRecord.Status.ARCHIVED,
                    SourceRecord.Status.ARCHIVED, SourceRecord.Status.QUARANTINED, SourceRecord.Status.ARCHIVED, SourceRecord.Status.ARCHIVED);
            SourceRecord refused = stored.get(3);
            assertThat(refused.reason).startsWith("ING-204");
            assertThat(refused.locator).isEqualTo("/line[5]");
            RawFragment kept = RawFragment.find("sourceRecordId", refused.id).firstResult();
            assertThat(kept.status).isEqualTo("QUARANTINED");
            assertThat(kept.content).as("kept as what it said, its NUL escaped in JSON").contains("a NUL \\u0000 that PostgreSQL refuses");
            assertThat(ClinicalEntry.count("sourceSha256 = ?1", a.sha256())).isEqualTo(4);
        });
    }

    @Test
    void childrenOfARecordTheDatabaseRefusesAreQuarantinedWithTheirParent(@TempDir Path folder) throws Exception {
        write(folder.resolve("refused-patient.lines"), "patient P-\u0000-" + UUID.randomUUID(), "entry x1 - belongs to it",
                "entry x2 - belongs to it too");

        FileReport line = Ingesting.report(ingest, folder).files().get(0);

        assertThat(line.records().get(RecordTypes.DOCUMENT)).isEqualTo(new Counts(1, 0, 1, 0, 0));
        assertThat(line.records().get(RecordTypes.ENTRY)).isEqualTo(new Counts(2, 0, 2, 0, 0));
        QuarkusTransaction.requiringNew().run(() -> assertThat(SourceRecord.<SourceRecord>list("sourceSha256", line.sha256()))
                .extracting(r -> r.reason.substring(0, 7)).containsExactly("ING-204", "ING-205", "ING-205"));
    }

    @Test
    void aFileOfManyChunksIsStoredWholeWithExactCounts(@TempDir Path folder) throws Exception {
        int entries = 12_345; // more than two chunks
        StringBuilder lines = new StringBuilder("#test-lines\npatient P-" + UUID.randomUUID() + "\n");
        for (int i = 0; i < entries; i++) {
            lines.append("entry k").append(i).append(" - note number ").append(i).append('\n');
        }
        Files.writeString(folder.resolve("many.lines"), lines, StandardCharsets.UTF_8);

        FileReport line = Ingesting.report(ingest, folder).files().get(0);

        assertThat(line.records().get(RecordTypes.ENTRY)).isEqualTo(new Counts(entries, entries, 0, 0, 0));
        QuarkusTransaction.requiringNew().run(() -> {
            assertThat(SourceRecord.count("sourceSha256", line.sha256())).isEqualTo(entries + 1);
            assertThat(ClinicalEntry.count("sourceSha256", line.sha256())).isEqualTo(entries);
            BatchFile done = BatchFile.find("sha256", line.sha256()).firstResult();
            assertThat(done.status).isEqualTo(BatchFile.Status.ARCHIVED);
            assertThat(done.checkpoint).as("a finished file has no checkpoint").isNull();
            Number ordinals = (Number) entityManager.createNativeQuery("select count(distinct ordinal) from source_record where source_sha256 = ?1")
                    .setParameter(1, line.sha256()).getSingleResult();
            assertThat(ordinals.intValue()).isEqualTo(entries + 1);
        });
    }

    @Test
    void theFilesOfAUnitAreReadTogetherAndKeepTheirOwnRecords(@TempDir Path folder) throws Exception {
        write(folder.resolve("first.part"), "patient P-" + UUID.randomUUID(), "entry u1 - from the first part");
        write(folder.resolve("second.part"), "patient P-" + UUID.randomUUID(), "entry u2 - from the second part", "entry u3 - too");
        Files.writeString(folder.resolve("export.unit"), "#test-lines-unit\nfirst.part\nsecond.part\n", StandardCharsets.UTF_8);

        IngestReport report = Ingesting.report(ingest, folder);

        assertThat(report.files()).extracting(FileReport::path).containsExactly("export.unit", "first.part", "second.part");
        assertThat(report.files()).allSatisfy(f -> assertThat(f.format()).isEqualTo(LineRecordsImporter.FORMAT));
        assertThat(file(report, "first.part").records().get(RecordTypes.ENTRY).archived()).isEqualTo(1);
        assertThat(file(report, "second.part").records().get(RecordTypes.ENTRY).archived()).isEqualTo(2);
        assertThat(file(report, "export.unit").found()).isZero();
        QuarkusTransaction.requiringNew().run(() -> assertThat(SourceRecord.count("sourceSha256", file(report, "second.part").sha256()))
                .isEqualTo(3));
    }

    @Test
    void theSameRecordTwiceInOneBatchIsStoredOnceAndTheSameFileTwiceIsADuplicate(@TempDir Path folder) throws Exception {
        String patient = "P-" + UUID.randomUUID();
        write(folder.resolve("monday.lines"), "patient " + patient, "entry shared - the same fact", "entry only-monday - new on monday");
        write(folder.resolve("tuesday.lines"), "patient " + patient, "entry shared - the same fact", "entry only-tuesday - new on tuesday");
        Files.copy(folder.resolve("tuesday.lines"), folder.resolve("wednesday-copy-of-tuesday.lines"));

        IngestReport report = Ingesting.report(ingest, folder);

        assertThat(file(report, "monday.lines").records().get(RecordTypes.ENTRY)).isEqualTo(new Counts(2, 2, 0, 0, 0));
        assertThat(file(report, "tuesday.lines").records().get(RecordTypes.ENTRY)).isEqualTo(new Counts(2, 1, 0, 0, 1));
        FileReport again = file(report, "wednesday-copy-of-tuesday.lines");
        assertThat(again.status()).isEqualTo("duplicate");
        assertThat(again.found()).isEqualTo(again.duplicates()).isEqualTo(3);
        assertThat(report.totals().found()).isEqualTo(report.totals().archived() + report.totals().quarantined() + report.totals().duplicates());
    }

    @Test
    void aFileTheImporterGivesUpOnKeepsTheRecordsItHandedOverAndIsQuarantined(@TempDir Path folder) throws Exception {
        write(folder.resolve("cut.lines"), "patient P-" + UUID.randomUUID(), "entry c1 - read before the problem", "fail", "entry c2 - never read");

        FileReport line = Ingesting.report(ingest, folder).files().get(0);

        assertThat(line.status()).isEqualTo("quarantined");
        assertThat(line.reason()).startsWith("ING-901").contains("line 4");
        assertThat(line.records().get(RecordTypes.ENTRY)).isEqualTo(new Counts(1, 1, 0, 0, 0));
        QuarkusTransaction.requiringNew().run(() -> assertThat(SourceRecord.count("sourceSha256", line.sha256())).isEqualTo(2));
    }

    private static void write(Path file, String... lines) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#test-lines\n" + String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    }

    private static FileReport file(IngestReport report, String path) {
        return report.files().stream().filter(f -> f.path().equals(path)).findFirst().orElseThrow(() -> new AssertionError("no " + path));
    }
}
