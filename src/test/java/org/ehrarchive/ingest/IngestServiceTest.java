package org.ehrarchive.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ehrarchive.support.HostileXml.SECRET;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import org.ehrarchive.blob.BlobStore;
import org.ehrarchive.ingest.IngestReport.FileReport;
import org.ehrarchive.ingest.ccda.XmlLocator;
import org.ehrarchive.record.ClinicalDocument;
import org.ehrarchive.record.ClinicalEntry;
import org.ehrarchive.record.DocumentAttachment;
import org.ehrarchive.record.SourceFile;
import org.ehrarchive.support.ArchiveTestDatabase;
import org.ehrarchive.support.CcdaDocuments;
import org.ehrarchive.support.Fixtures;
import org.ehrarchive.support.HostileXml;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@Tag("storage")
@WithTestResource(ArchiveTestDatabase.class)
class IngestServiceTest {

    private static final List<String> TABLES = List.of("source_file", "patient", "clinical_document", "patient_identifier",
            "patient_demographics", "document_section", "clinical_entry", "raw_fragment", "document_attachment", "source_record");

    @Inject
    IngestService ingest;
    @Inject
    BlobStore blobs;
    @Inject
    EntityManager entityManager;
    @Inject
    SourceSystems sourceSystems;

    @Test
    void shouldQuarantineHostileAndBrokenFilesAndArchiveTheRestOfTheBatch(@TempDir Path folder, @TempDir Path outside) throws Exception {
        Path secret = Files.writeString(outside.resolve("secret.txt"), SECRET);
        Path dtd = Files.writeString(outside.resolve("evil.dtd"), HostileXml.dtdDefiningTheSecret());
        // A document nobody archived before: this batch archives it, exactly.
        CcdaDocuments.forNewPatient().problem(new CcdaDocuments.Problem(java.util.UUID.randomUUID().toString(), "38341003", "Hypertension",
                "active", "20100101")).writeTo(folder, "full-ccd.xml");
        Fixtures.copy("ccda", "truncated.xml", folder);
        Files.writeString(folder.resolve("xxe.xml"), HostileXml.externalEntityReading(secret));
        Files.writeString(folder.resolve("billion-laughs.xml"), HostileXml.billionLaughs());
        Files.writeString(folder.resolve("external-dtd.xml"), HostileXml.externalDtd(dtd));
        Files.write(folder.resolve("scan.pdf"), "%PDF-1.4 not a C-CDA".getBytes(StandardCharsets.US_ASCII));

        IngestReport report = org.ehrarchive.support.Ingesting.report(ingest, folder);

        assertThat(file(report, "full-ccd.xml").status()).isEqualTo("archived");
        for (String hostile : List.of("xxe.xml", "billion-laughs.xml", "external-dtd.xml")) {
            assertThat(file(report, hostile).status()).as(hostile).isEqualTo("quarantined");
            assertThat(file(report, hostile).reason()).as(hostile).startsWith("ING-101");
        }
        assertThat(file(report, "truncated.xml").reason()).startsWith("ING-102");
        assertThat(file(report, "scan.pdf").reason()).startsWith("ING-001");
        assertThat(report.totals().files()).isEqualTo(6);
        assertThat(report.totals().archivedFiles()).isEqualTo(1);
        assertThat(report.totals().quarantinedFiles()).isEqualTo(5);
        // Originals are kept byte-exact, quarantined ones included.
        for (FileReport file : report.files()) {
            assertThat(blobs.read(file.sha256())).as(file.path()).isEqualTo(Files.readAllBytes(folder.resolve(file.path())));
        }
        // Nothing of the local file reached the archive.
        QuarkusTransaction.requiringNew().run(() -> {
            for (String column : List.of("clinical_document.header_fragment", "raw_fragment.content", "clinical_entry.source_fragment",
                    "document_section.narrative", "patient_demographics.source_fragment")) {
                String[] tableColumn = column.split("\\.");
                Number hits = (Number) entityManager.createNativeQuery("select count(*) from " + tableColumn[0] + " where "
                        + tableColumn[1] + " like '%" + SECRET + "%'").getSingleResult();
                assertThat(hits.longValue()).as(column).isZero();
            }
        });
    }

    @Test
    void shouldAccountForEveryEntryAndReportAgainAsDuplicatesWithoutCreatingAnything(@TempDir Path folder) throws Exception {
        // Content of this test only: a new patient's document, and an unstructured one with bytes of its own.
        CcdaDocuments.forNewPatient().problem(new CcdaDocuments.Problem(java.util.UUID.randomUUID().toString(), "38341003",
                "Hypertension", "active", "20100101")).writeTo(folder, "full-ccd.xml");
        Files.writeString(folder.resolve("unstructured-embedded.xml"), new String(Fixtures.bytes("ccda", "unstructured-embedded.xml"),
                StandardCharsets.UTF_8) + "<!-- " + java.util.UUID.randomUUID() + " -->\n");
        IngestReport first = org.ehrarchive.support.Ingesting.report(ingest, folder);
        assertThat(first.files()).extracting(FileReport::status).containsOnly("archived");
        assertThat(file(first, "full-ccd.xml").records().get(RecordTypes.ENTRY)).isEqualTo(new IngestReport.Counts(1, 1, 0, 0, 0));
        assertThat(file(first, "unstructured-embedded.xml").records().get(RecordTypes.ATTACHMENT)).isEqualTo(new IngestReport.Counts(1, 1, 0, 0, 0));
        IngestReport.Totals totals = first.totals();
        assertThat(totals.found()).isEqualTo(totals.archived() + totals.quarantined() + totals.duplicates());
        Map<String, Long> before = rowCounts();

        IngestReport second = org.ehrarchive.support.Ingesting.report(ingest, folder);

        assertThat(second.batchId()).isNotEqualTo(first.batchId());
        assertThat(second.files()).extracting(FileReport::status).containsOnly("duplicate");
        assertThat(second.totals().duplicateFiles()).isEqualTo(2);
        assertThat(second.totals().archived()).isZero();
        assertThat(second.totals().duplicates()).isEqualTo(file(first, "full-ccd.xml").found() + file(first, "unstructured-embedded.xml").found());
        assertThat(file(second, "full-ccd.xml").sections()).allSatisfy(s -> assertThat(s.duplicates()).isEqualTo(s.found()));
        assertThat(rowCounts()).isEqualTo(before);
    }

    @Test
    void shouldFileDocumentsSharingAnIdentifierUnderOnePatient(@TempDir Path folder) throws Exception {
        Fixtures.copy("ccda", "full-ccd.xml", folder);
        Fixtures.copy("ccda", "undeclared-prefixes.xml", folder);
        IngestReport report = org.ehrarchive.support.Ingesting.report(ingest, folder);
        QuarkusTransaction.requiringNew().run(() -> {
            List<Long> patients = entityManager.createQuery(
                    "select distinct d.patientId from ClinicalDocument d where d.sourceSha256 in :hashes", Long.class)
                    .setParameter("hashes", report.files().stream().map(FileReport::sha256).toList())
                    .getResultList();
            assertThat(patients).hasSize(1);
        });
    }

    @Test
    void everyArchivedEntryPointsToItsPlaceInTheOriginal(@TempDir Path folder) throws Exception {
        Fixtures.copy("ccda", "full-ccd.xml", folder);
        ingest.ingest(folder, IngestProgress.NONE);
        String sha = BlobStore.sha256Of(Fixtures.bytes("ccda", "full-ccd.xml"));
        org.w3c.dom.Document original = parse(blobs.read(sha));
        QuarkusTransaction.requiringNew().run(() -> {
            List<ClinicalEntry> entries = ClinicalEntry.list("sourceSha256", sha);
            assertThat(entries).as("13 entries: the header encounter and 12 from the sections").hasSize(13);
            for (ClinicalEntry entry : entries) {
                assertThat(XmlLocator.resolve(original, entry.locator)).as(entry.locator).isNotNull();
            }
            ClinicalEntry wbc = entries.stream().filter(e -> e.code != null && "6690-2".equals(e.code.code())).findFirst().orElseThrow();
            assertThat(wbc.observedValues.get(0).quantity().value()).isEqualTo("12.25");
            assertThat(wbc.display).isEqualTo("WBC");
            assertThat(wbc.effectiveSort).as("sorts in UTC").isEqualTo("2012-08-05T13:30:00Z");
        });
    }

    @Test
    void shouldStoreAnEmbeddedFileAndAReferencedFileBesideTheDocument(@TempDir Path folder) throws Exception {
        Fixtures.copy("ccda", "unstructured-embedded.xml", folder);
        Fixtures.copy("ccda", "unstructured-reference.xml", folder);
        Fixtures.copy("ccda", "referenced-note.txt", folder);
        ingest.ingest(folder, IngestProgress.NONE);
        String embeddedSha = BlobStore.sha256Of(Fixtures.bytes("ccda", "embedded.pdf"));
        String referencedSha = BlobStore.sha256Of(Fixtures.bytes("ccda", "referenced-note.txt"));
        assertThat(blobs.read(embeddedSha)).isEqualTo(Fixtures.bytes("ccda", "embedded.pdf"));
        QuarkusTransaction.requiringNew().run(() -> {
            assertThat(DocumentAttachment.count("sha256", embeddedSha)).isPositive();
            DocumentAttachment referenced = DocumentAttachment.find("reference", "referenced-note.txt").firstResult();
            assertThat(referenced.sha256).isEqualTo(referencedSha);
            ClinicalDocument document = ClinicalDocument.findById(referenced.documentId);
            assertThat(SourceFile.<SourceFile>findById(document.sourceFileId).status).isEqualTo(SourceFile.Status.ARCHIVED);
        });
    }

    @Test
    void shouldReadQuarantinedContentAgainInsteadOfCallingItADuplicate(@TempDir Path folder) throws Exception {
        Fixtures.copy("ccda", "section-fragment.xml", folder);
        IngestReport first = org.ehrarchive.support.Ingesting.report(ingest, folder);
        long sources = QuarkusTransaction.requiringNew().call(() -> SourceFile.count());
        IngestReport second = org.ehrarchive.support.Ingesting.report(ingest, folder);
        assertThat(file(first, "section-fragment.xml").reason()).startsWith("ING-103");
        assertThat(file(second, "section-fragment.xml").status()).isEqualTo("quarantined");
        assertThat(file(second, "section-fragment.xml").reason()).startsWith("ING-103");
        assertThat(QuarkusTransaction.requiringNew().call(() -> SourceFile.count())).as("the original is not doubled").isEqualTo(sources);
    }

    @Test
    void aBatchWhoseOwnerWentSilentElsewhereIsTakenOverAndOneStillBeatingIsLeftAlone(@TempDir Path silent, @TempDir Path beating)
            throws Exception {
        CcdaDocuments.forNewPatient().writeTo(silent, "a.xml");
        CcdaDocuments.forNewPatient().writeTo(beating, "b.xml");
        long silentBatch = runningBatch(silent, Instant.now().minus(IngestService.ABANDONED_AFTER).minusSeconds(60));
        long beatingBatch = runningBatch(beating, Instant.now().minusSeconds(60));

        IngestService.BatchSummary takenOver = ingest.ingest(silent, IngestProgress.NONE);
        IngestService.BatchSummary fresh = ingest.ingest(beating, IngestProgress.NONE);

        assertThat(takenOver.batchId()).as("the silent batch is resumed").isEqualTo(silentBatch);
        assertThat(takenOver.attempts()).isEqualTo(2);
        assertThat(takenOver.totals().archivedFiles()).isEqualTo(1);
        assertThat(fresh.batchId()).as("a batch another host still runs is left alone").isNotEqualTo(beatingBatch);
        assertThat(fresh.attempts()).isEqualTo(1);
        QuarkusTransaction.requiringNew().run(() ->
                assertThat(IngestBatch.<IngestBatch>findById(beatingBatch).status).isEqualTo(IngestBatch.Status.RUNNING));
    }

    @Test
    void anAbandonedBatchIsResumedOnlyForItsOwnSourceSystem(@TempDir Path export) throws Exception {
        CcdaDocuments.forNewPatient().writeTo(export, "a.xml");
        String system = "Resumed " + java.util.UUID.randomUUID();
        long abandoned = runningBatch(export, Instant.now().minus(IngestService.ABANDONED_AFTER).minusSeconds(60), system);

        IngestService.BatchSummary other = ingest.ingest(export, "Another " + system, IngestProgress.NONE);
        IngestService.BatchSummary own = ingest.ingest(export, system, IngestProgress.NONE);

        assertThat(other.batchId()).as("another source system's ingest of the same path starts its own batch").isNotEqualTo(abandoned);
        assertThat(other.sourceSystem()).isEqualTo("Another " + system);
        assertThat(own.batchId()).isEqualTo(abandoned);
        assertThat(own.attempts()).isEqualTo(2);
        assertThat(own.sourceSystem()).isEqualTo(system);
    }

    /** A RUNNING batch of this path, as a process on another host would have left it, last heard of at {@code heartbeat}. */
    private long runningBatch(Path path, Instant heartbeat) throws java.sql.SQLException {
        return runningBatch(path, heartbeat, SourceSystems.DEFAULT_NAME);
    }

    private long runningBatch(Path path, Instant heartbeat, String sourceSystem) throws java.sql.SQLException {
        long system = sourceSystems.named(sourceSystem).id();
        return QuarkusTransaction.requiringNew().call(() -> {
            IngestBatch batch = new IngestBatch();
            batch.sourcePath = path.toAbsolutePath().normalize().toString();
            batch.sourceSystemId = system;
            batch.status = IngestBatch.Status.RUNNING;
            batch.startedAt = heartbeat.minusSeconds(600);
            batch.attempts = 1;
            batch.owner = "another-host.example:4242";
            batch.heartbeatAt = heartbeat;
            batch.persist();
            return batch.id;
        });
    }

    @Test
    void anImporterThatFailsOrExhaustsMemoryOnOneFileQuarantinesOnlyThatFile(@TempDir Path folder) throws Exception {
        Files.writeString(folder.resolve("1-crash.lines"), "#test-lines\npatient P-" + java.util.UUID.randomUUID() + "\ncrash\n");
        Files.writeString(folder.resolve("2-exhaust.lines"), "#test-lines\npatient P-" + java.util.UUID.randomUUID() + "\nexhaust\n");
        CcdaDocuments.forNewPatient().writeTo(folder, "3-fine.xml");

        IngestReport report = org.ehrarchive.support.Ingesting.report(ingest, folder);

        assertThat(file(report, "1-crash.lines").reason()).isEqualTo(IngestError.READ_FAILED.message("IllegalStateException"));
        assertThat(file(report, "2-exhaust.lines").reason()).isEqualTo(IngestError.RESOURCES_EXHAUSTED.message("OutOfMemoryError"));
        assertThat(file(report, "3-fine.xml").status()).as("the rest of the batch is archived").isEqualTo("archived");
        assertThat(report.totals().quarantinedFiles()).isEqualTo(2);
    }

    static FileReport file(IngestReport report, String path) {
        return report.files().stream().filter(f -> f.path().equals(path)).findFirst().orElseThrow(() -> new AssertionError("no " + path));
    }

    private Map<String, Long> rowCounts() {
        return QuarkusTransaction.requiringNew().call(() -> {
            Map<String, Long> counts = new java.util.TreeMap<>();
            for (String table : TABLES) {
                counts.put(table, ((Number) entityManager.createNativeQuery("select count(*) from " + table).getSingleResult()).longValue());
            }
            return counts;
        });
    }

    static org.w3c.dom.Document parse(byte[] bytes) throws Exception {
        javax.xml.parsers.DocumentBuilderFactory factory = javax.xml.parsers.DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        return factory.newDocumentBuilder().parse(new java.io.ByteArrayInputStream(bytes));
    }
}
