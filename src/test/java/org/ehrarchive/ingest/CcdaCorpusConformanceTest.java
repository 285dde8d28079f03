package org.ehrarchive.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import org.ehrarchive.ingest.IngestReport.FileReport;
import org.ehrarchive.support.ArchiveTestDatabase;
import org.ehrarchive.support.Fixtures;
import org.ehrarchive.support.Requirements;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Conformance over the real-world C-CDA documents in {@code ../shared/corpus} (HL7's examples and Synthea's
 * patients): every document archives with zero unaccounted entries. Runs whenever the corpus is present.
 */
@QuarkusTest
@Tag("storage")
@WithTestResource(ArchiveTestDatabase.class)
class CcdaCorpusConformanceTest {

    /** HL7 stubs that show entry placement only: no header, no patient. They are quarantined, their entries counted. */
    private static final List<String> STUBS_WITHOUT_PATIENT = List.of(
            "Health_Concerns_Link_to_Problems_Section_with_linkHTML_C-CDA2.1.xml",
            "Planned_Encounter_-_Reason_for_Referral_C-CDAR2.1.xml");

    @Inject
    IngestService ingest;
    @Inject
    EntityManager entityManager;

    @Test
    void everyHl7ExampleDocumentArchivesWithZeroUnaccountedEntries() throws Exception {
        Path examples = Fixtures.sharedCorpus().resolve("ccda-examples");
        Requirements.corpus("ccda-examples");
        IngestReport report = ingest.ingest(examples, IngestProgress.NONE);
        assertEveryDocumentAccountedFor(report, examples);
        for (String stub : STUBS_WITHOUT_PATIENT) {
            FileReport file = report.files().stream().filter(f -> f.path().endsWith(stub)).findFirst().orElseThrow();
            assertThat(file.reason()).startsWith("ING-104");
            assertThat(file.found()).isPositive().isEqualTo(file.quarantined());
        }
        // The embedded PDF of the unstructured example is extracted into the blob store.
        FileReport embedded = report.files().stream().filter(f -> f.path().endsWith("Unstructured_Document_embed.xml")).findFirst().orElseThrow();
        QuarkusTransaction.requiringNew().run(() -> {
            Number attachments = (Number) entityManager.createNativeQuery("select count(*) from document_attachment a join clinical_document d"
                    + " on d.id = a.document_id where d.source_sha256 = ?1 and a.sha256 is not null and a.media_type = 'application/pdf'")
                    .setParameter(1, embedded.sha256()).getSingleResult();
            assertThat(attachments.intValue()).isEqualTo(1);
        });
    }

    @Test
    void everySyntheaPatientDocumentArchivesWithZeroUnaccountedEntries() throws Exception {
        Path synthea = Fixtures.sharedCorpus().resolve("synthea-dev/ccda");
        Requirements.corpus("synthea-dev/ccda");
        IngestReport report = ingest.ingest(synthea, IngestProgress.NONE);
        assertEveryDocumentAccountedFor(report, synthea);
        assertThat(report.totals().archivedFiles() + report.totals().duplicateFiles()).isEqualTo(report.totals().files());
        assertThat(report.totals().quarantined()).isZero();
        assertThat(report.totals().found()).isGreaterThan(1000);
        // Synthea's sections are all recognised: nothing of them is kept raw for want of a place.
        assertThat(report.files()).allSatisfy(f -> assertThat(f.sections()).allSatisfy(s -> assertThat(s.kind()).as(f.path() + " " + s.title()).isNotNull()));
    }

    private static void assertEveryDocumentAccountedFor(IngestReport report, Path folder) throws Exception {
        long filesOnDisk;
        try (Stream<Path> walk = Files.walk(folder)) {
            filesOnDisk = walk.filter(Files::isRegularFile).count();
        }
        assertThat(report.files()).hasSize((int) filesOnDisk);
        IngestReport.Totals totals = report.totals();
        assertThat(totals.found()).isEqualTo(totals.archived() + totals.quarantined() + totals.duplicates());
        for (FileReport file : report.files()) {
            assertThat(file.found()).as(file.path()).isEqualTo(file.archived() + file.quarantined() + file.duplicates());
            for (IngestReport.SectionReport section : file.sections()) {
                assertThat(section.found()).as(file.path() + " " + section.title())
                        .isEqualTo(section.archived() + section.quarantined() + section.duplicates());
            }
            boolean clinicalDocumentWithPatient = isClinicalDocument(folder.resolve(file.path()))
                    && STUBS_WITHOUT_PATIENT.stream().noneMatch(file.path()::endsWith);
            if (clinicalDocumentWithPatient) {
                assertThat(file.status()).as(file.path() + ": " + file.reason()).isIn("archived", "duplicate");
                assertThat(file.quarantined()).as(file.path()).isZero();
            } else {
                assertThat(file.status()).as(file.path()).isEqualTo("quarantined");
                assertThat(file.reason()).as(file.path()).matches("ING-\\d{3}: .*");
            }
        }
    }

    private static boolean isClinicalDocument(Path file) throws Exception {
        if (!file.toString().toLowerCase(java.util.Locale.ROOT).endsWith(".xml")) {
            return false;
        }
        String head = new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.UTF_8);
        head = head.replaceAll("(?s)<\\?.*?\\?>", "").replaceAll("(?s)<!--.*?-->", "").stripLeading();
        return head.startsWith("<ClinicalDocument");
    }
}
