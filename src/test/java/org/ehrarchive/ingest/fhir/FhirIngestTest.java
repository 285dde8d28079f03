package org.ehrarchive.ingest.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.ehrarchive.ingest.IngestReport.FileReport;
import org.ehrarchive.ingest.IngestReport;
import org.ehrarchive.ingest.IngestReport.Counts;
import org.ehrarchive.ingest.IngestService;
import org.ehrarchive.record.ChartService;
import org.ehrarchive.record.EntryKind;
import org.ehrarchive.record.PatientIdentifier;
import org.ehrarchive.support.ArchiveTestDatabase;
import org.ehrarchive.support.Ingesting;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** FHIR through the whole ingest: reconciliation per resource, versions across exports, the chart beside other sources. */
@QuarkusTest
@Tag("storage")
@WithTestResource(ArchiveTestDatabase.class)
class FhirIngestTest {

    @Inject
    IngestService ingest;
    @Inject
    ChartService charts;

    @Test
    void anExportFolderIsReconciledResourceByResource(@TempDir Path folder) throws Exception {
        copyExport(folder);

        IngestReport report = Ingesting.report(ingest, folder);

        assertThat(report.files()).hasSize(10).allSatisfy(f -> {
            assertThat(f.format()).as(f.path()).isEqualTo("fhir");
            assertThat(f.status()).as(f.path()).isEqualTo("archived");
        });
        FileReport observations = file(report, "Observation.ndjson");
        assertThat(observations.found()).as("one record per line").isEqualTo(7);
        assertThat(observations.records().get("Observation")).as("a malformed line, a patient not in the export")
                .isEqualTo(new Counts(6, 4, 2, 0, 0));
        assertThat(observations.records().get("Observaton")).as("an unknown resource type").isEqualTo(new Counts(1, 0, 1, 0, 0));
        assertThat(observations.warnings()).anySatisfy(w -> assertThat(w).contains("colour"));
        FileReport patients = file(report, "Patient.ndjson");
        assertThat(patients.found()).as("a blank line is no resource").isEqualTo(2);
        assertThat(patients.warnings()).anySatisfy(w -> assertThat(w).startsWith("blank lines"));
        FileReport notes = file(report, "DocumentReference.ndjson");
        assertThat(notes.records().get("DocumentReference")).isEqualTo(new Counts(3, 3, 0, 0, 0));
        assertThat(notes.parts().get(FhirReading.ATTACHMENT_PART)).as("bad base64 quarantined, the note kept")
                .isEqualTo(new Counts(3, 2, 1, 0, 0));
        assertThat(file(report, "Organization.ndjson").records().get("Organization")).isEqualTo(new Counts(1, 1, 0, 1, 0));
        assertThat(report.totals().found()).isEqualTo(21);
        assertThat(report.totals().found()).isEqualTo(report.totals().archived() + report.totals().quarantined() + report.totals().duplicates());
    }

    @Test
    void theChartShowsTheExportsResourcesWithTheirVersions(@TempDir Path folder) throws Exception {
        String authority = copyExport(folder);

        Ingesting.report(ingest, folder);

        ChartService.Chart chart = charts.chart(patient(authority, "MRN-1001")).orElseThrow();
        assertThat(chart.encounters()).hasSize(1);
        List<ChartService.EntryView> problems = chart.entries().get(EntryKind.PROBLEM);
        assertThat(problems).as("one hypertension: version 2 supersedes version 1").hasSize(1);
        assertThat(problems.get(0).status()).isEqualTo("resolved");
        assertThat(problems.get(0).version()).isEqualTo(2);
        assertThat(problems.get(0).earlierVersions()).extracting(ChartService.EntryView::status).containsExactly("active");
        assertThat(chart.entries().get(EntryKind.MEDICATION)).extracting(e -> e.code().code()).containsExactly("197361");
        assertThat(chart.entries().get(EntryKind.RESULT)).extracting(e -> e.code().code()).contains("2345-7");
        assertThat(chart.entries().get(EntryKind.VITAL_SIGN)).hasSize(1);
        assertThat(chart.entries().get(EntryKind.SOCIAL_HISTORY)).hasSize(1);
        assertThat(chart.entries().get(EntryKind.NOTE)).hasSize(1);
        assertThat(chart.documents()).hasSize(1).allSatisfy(d -> assertThat(d.format()).isEqualTo("fhir"));
    }

    @Test
    void theSameResourcesAgainInAnotherFormAddOnlyWhatIsNew(@TempDir Path first, @TempDir Path second) throws Exception {
        String authority = copyExport(first);
        Ingesting.report(ingest, first);
        long patient = patient(authority, "MRN-1001");

        // the next export: the same patient and hypertension (pretty-printed, in a bundle, another versionId), and a
        // third version of the condition
        String patientLine = unique(Files.readAllLines(FhirFixtures.path("export/Patient.ndjson")).get(0), authority.substring("urn:oid:".length()));
        String condition = unique(Files.readAllLines(FhirFixtures.path("export/Condition.ndjson")).get(2), authority.substring("urn:oid:".length()))
                .replace("\"versionId\":\"2\"", "\"versionId\":\"12\"");
        String third = condition.replace("\"versionId\":\"12\"", "\"versionId\":\"13\"").replace("2024-06-02T10:00:00Z", "2024-09-01T10:00:00Z")
                .replace("\"code\":\"resolved\"", "\"code\":\"recurrence\"");
        String bundle = "{\n \"resourceType\" : \"Bundle\",\n \"type\" : \"collection\",\n \"entry\" : [\n"
                + "  { \"resource\" : " + patientLine + " },\n  { \"resource\" : " + condition + " },\n  { \"resource\" : " + third + " }\n ]\n}\n";
        Files.writeString(second.resolve("next-export.json"), bundle, StandardCharsets.UTF_8);

        FileReport next = Ingesting.report(ingest, second).files().get(0);

        assertThat(next.found()).isEqualTo(3);
        assertThat(next.duplicates()).as("the patient and version 2, seen before").isEqualTo(2);
        assertThat(next.archived()).isEqualTo(1);
        assertThat(patient(authority, "MRN-1001")).isEqualTo(patient);
        ChartService.EntryView problem = charts.chart(patient).orElseThrow().entries().get(EntryKind.PROBLEM).get(0);
        assertThat(problem.status()).isEqualTo("recurrence");
        assertThat(problem.version()).isEqualTo(3);
    }

    @Test
    void aReExportWhosePatientFileIsUnchangedFilesItsNewResourcesUnderThePatientsArchivedBefore(@TempDir Path first, @TempDir Path second)
            throws Exception {
        String authority = copyExport(first);
        Ingesting.report(ingest, first);
        long patient = patient(authority, "MRN-1001");

        Files.copy(first.resolve("Patient.ndjson"), second.resolve("Patient.ndjson"));
        Files.writeString(second.resolve("Observation.ndjson"), "{\"resourceType\":\"Observation\",\"id\":\"obs-new\",\"identifier\":[{\"system\":\""
                + authority + ".records\",\"value\":\"obs-new\"}],\"status\":\"final\",\"code\":{\"coding\":[{\"system\":\"http://loinc.org\","
                + "\"code\":\"4548-4\",\"display\":\"Hemoglobin A1c\"}]},\"subject\":{\"reference\":\"Patient/pat1\"},\"valueQuantity\":{\"value\":6.1,\"unit\":\"%\"}}\n");

        IngestReport report = Ingesting.report(ingest, second);

        assertThat(file(report, "Patient.ndjson").status()).as("the same bytes as before").isEqualTo("duplicate");
        assertThat(file(report, "Observation.ndjson").records().get("Observation")).as("its patient found among those archived before")
                .isEqualTo(new Counts(1, 1, 0, 0, 0));
        assertThat(charts.chart(patient).orElseThrow().entries().get(EntryKind.RESULT)).extracting(e -> e.code().code()).contains("4548-4");
    }

    @Test
    void aTransactionBundleFilesEveryEntryUnderItsPatient(@TempDir Path folder) throws Exception {
        String authority = "urn:oid:2.999." + Math.abs(UUID.randomUUID().getMostSignificantBits());
        Files.writeString(folder.resolve("patient-bundle.json"),
                new String(FhirFixtures.bytes("bundle-transaction.json"), StandardCharsets.UTF_8).replace("urn:oid:AUTHORITY", authority));

        FileReport bundle = Ingesting.report(ingest, folder).files().get(0);

        assertThat(bundle.found()).as("one record per entry").isEqualTo(6);
        assertThat(bundle.quarantined()).as("the procedure whose patient is not in the bundle").isEqualTo(1);
        ChartService.Chart chart = charts.chart(patient(authority, "B-100")).orElseThrow();
        assertThat(chart.entries().get(EntryKind.PROBLEM)).hasSize(1);
        assertThat(chart.entries().get(EntryKind.IMMUNIZATION)).hasSize(1);
        assertThat(chart.entries().get(EntryKind.ALLERGY)).hasSize(1);
    }

    /** Copies the fixture export with its patients' identifier system made unique; returns the system. */
    private static String copyExport(Path folder) throws IOException {
        String authority = "2.999." + Math.abs(UUID.randomUUID().getMostSignificantBits());
        try (Stream<Path> files = Files.list(FhirFixtures.path("export"))) {
            for (Path file : files.toList()) {
                Files.writeString(folder.resolve(file.getFileName().toString()),
                        unique(Files.readString(file, StandardCharsets.UTF_8), authority), StandardCharsets.UTF_8);
            }
        }
        return "urn:oid:" + authority;
    }

    /** The fixture's identifier systems made this test's own (a shared social security number would make one patient of all). */
    private static String unique(String text, String authority) {
        return text.replace("AUTHORITY", authority).replace("http://hl7.org/fhir/sid/us-ssn", "urn:oid:" + authority + ".ssn");
    }

    private static long patient(String system, String value) {
        return QuarkusTransaction.requiringNew().call(() -> PatientIdentifier.<PatientIdentifier>find("system = ?1 and value = ?2",
                system, value).firstResult().patientId);
    }

    private static FileReport file(IngestReport report, String path) {
        return report.files().stream().filter(f -> f.path().equals(path)).findFirst().orElseThrow();
    }
}
