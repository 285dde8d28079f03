package org.ehrarchive.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ehrarchive.support.HostileXml.SECRET;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
            "patient_demographics", "document_section", "clinical_entry", "raw_fragment", "document_attachment");

    @Inject
    IngestService ingest;
    @Inject
    BlobStore blobs;
    @Inject
    EntityManager entityManager;

    @Test
    void shouldQuarantineHostileAndBrokenFilesAndArchiveTheRestOfTheBatch(@TempDir Path folder, @TempDir Path outside) throws Exception {
        Path secret = Files.writeString(outside.resolve("secret.txt"), SECRET);
        Path dtd = Files.writeString(outside.resolve("evil.dtd"), HostileXml.dtdDefiningTheSecret());
        Fixtures.copy("ccda", "full-ccd.xml", folder);
        Fixtures.copy("ccda", "truncated.xml", folder);
        Files.writeString(folder.resolve("xxe.xml"), HostileXml.externalEntityReading(secret));
        Files.writeString(folder.resolve("billion-laughs.xml"), HostileXml.billionLaughs());
        Files.writeString(folder.resolve("external-dtd.xml"), HostileXml.externalDtd(dtd));
        Files.write(folder.resolve("scan.pdf"), "%PDF-1.4 not a C-CDA".getBytes(StandardCharsets.US_ASCII));

        IngestReport report = org.ehrarchive.support.Ingesting.report(ingest, folder);

        // Other tests in this application may have archived the same fixture already.
        assertThat(file(report, "full-ccd.xml").status()).isIn("archived", "duplicate");
        for (String hostile : List.of("xxe.xml", "billion-laughs.xml", "external-dtd.xml")) {
            assertThat(file(report, hostile).status()).as(hostile).isEqualTo("quarantined");
            assertThat(file(report, hostile).reason()).as(hostile).startsWith("ING-101");
        }
        assertThat(file(report, "truncated.xml").reason()).startsWith("ING-102");
        assertThat(file(report, "scan.pdf").reason()).startsWith("ING-001");
        assertThat(report.totals().files()).isEqualTo(6);
        assertThat(report.totals().archivedFiles() + report.totals().duplicateFiles()).isEqualTo(1);
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
        Fixtures.copy("ccda", "full-ccd.xml", folder);
        Fixtures.copy("ccda", "unstructured-embedded.xml", folder);
        IngestReport first = org.ehrarchive.support.Ingesting.report(ingest, folder);
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
