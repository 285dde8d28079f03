package org.ehrarchive.ingest.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.ehrarchive.ingest.IngestReport;
import org.ehrarchive.ingest.IngestReport.FileReport;
import org.ehrarchive.ingest.IngestService;
import org.ehrarchive.record.ChartService;
import org.ehrarchive.record.EntryKind;
import org.ehrarchive.record.PatientIdentifier;
import org.ehrarchive.support.ArchiveTestDatabase;
import org.ehrarchive.support.Ingesting;
import org.ehrarchive.support.Requirements;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Conformance over FHIR nobody here wrote: Synthea's bulk export and per-patient transaction bundles of the dev
 * population, and the FHIR R4 specification's own examples ({@code ../shared/corpus}, see each folder's SOURCES.md).
 * This test counts every file's resources with its own reading (a JSON parser, not the importer's) and compares: every
 * NDJSON line and every bundle entry is one record of its resource type, accounted for; and every patient's chart
 * shows the conditions, allergies, medications, immunizations, observations and encounters the export holds for them.
 */
@QuarkusTest
@Tag("storage")
@WithTestResource(ArchiveTestDatabase.class)
class FhirCorpusConformanceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SYNTHEA = "https://github.com/synthetichealth/synthea";

    @Inject
    IngestService ingest;
    @Inject
    ChartService charts;

    @Test
    void everyResourceOfTheBulkExportIsAccountedForAndEveryChartShowsItsPatientsResources() throws Exception {
        Path export = Requirements.corpus("synthea-dev/fhir");
        IngestReport report = Ingesting.report(ingest, export);

        Map<String, Set<String>> byPatientAndKind = new HashMap<>();
        Set<String> patients = new HashSet<>();
        for (Path file : files(export)) {
            FileReport line = line(report, file);
            assertThat(line.format()).as(line.path()).isEqualTo("fhir");
            assertThat(line.status()).as(line.path()).isEqualTo("archived");
            Map<String, Integer> types = new TreeMap<>();
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList();
            if (!file.getFileName().toString().endsWith(".ndjson")) {
                lines = List.of(Files.readString(file)); // the $import Parameters, one resource
            }
            for (String text : lines) {
                JsonNode resource = JSON.readTree(text);
                String type = resource.path("resourceType").asText();
                types.merge(type, 1, Integer::sum);
                String id = resource.path("id").asText();
                if (type.equals("Patient")) {
                    patients.add(id);
                }
                String kind = chartKind(type);
                String patient = patientOf(resource);
                if (kind != null && patient != null) {
                    byPatientAndKind.computeIfAbsent(patient + " " + kind, k -> new HashSet<>()).add(type + "/" + id);
                }
            }
            Map<String, Integer> reported = new TreeMap<>();
            line.records().forEach((type, counts) -> reported.put(type, counts.found()));
            assertThat(reported).as(line.path() + ": one record per line, of its resource type").isEqualTo(types);
            assertThat(line.quarantined()).as(line.path()).isZero();
            assertThat(line.found()).isEqualTo(line.archived() + line.quarantined() + line.duplicates());
        }
        assertThat(report.totals().parts().get(FhirReading.ATTACHMENT_PART).quarantined()).isZero();

        assertThat(patients).hasSize(71);
        for (String id : patients) {
            // Only what FHIR gave: the same patients' CSV dump (SyntheaCsvConformanceTest) files under the same identifier.
            ChartService.Chart chart = fromFhir(charts.chart(patient(id)).orElseThrow());
            String where = "Patient/" + id;
            assertThat(chart.encounters()).as(where + " encounters").hasSize(expected(byPatientAndKind, id, "encounter"));
            assertThat(count(chart, EntryKind.PROBLEM)).as(where + " conditions").isEqualTo(expected(byPatientAndKind, id, "problem"));
            assertThat(count(chart, EntryKind.ALLERGY)).as(where + " allergies").isEqualTo(expected(byPatientAndKind, id, "allergy"));
            assertThat(count(chart, EntryKind.MEDICATION)).as(where + " medications").isEqualTo(expected(byPatientAndKind, id, "medication"));
            assertThat(count(chart, EntryKind.IMMUNIZATION)).as(where + " immunizations").isEqualTo(expected(byPatientAndKind, id, "immunization"));
            assertThat(count(chart, EntryKind.RESULT) + count(chart, EntryKind.VITAL_SIGN) + count(chart, EntryKind.SOCIAL_HISTORY))
                    .as(where + " observations and reports").isEqualTo(expected(byPatientAndKind, id, "observation"));
        }
    }

    @Test
    void everyEntryOfTheTransactionBundlesAndTheSpecificationExamplesIsAccountedFor() throws Exception {
        for (String folder : List.of("synthea-dev/fhir-bundles", "fhir-examples")) {
            Path corpus = Requirements.corpus(folder);
            IngestReport report = Ingesting.report(ingest, corpus);
            for (Path file : files(corpus)) {
                FileReport line = line(report, file);
                assertThat(line.format()).as(line.path()).isEqualTo("fhir");
                assertThat(line.status()).as(line.path()).isEqualTo("archived");
                Map<String, Integer> types = new TreeMap<>();
                if (file.getFileName().toString().endsWith(".xml")) {
                    types.put("Patient", 1); // the corpus's one XML file: patient-example.xml
                } else {
                    JsonNode root = JSON.readTree(file.toFile());
                    if (root.path("resourceType").asText().equals("Bundle")) {
                        root.path("entry").forEach(e -> types.merge(e.path("resource").path("resourceType").asText(), 1, Integer::sum));
                    } else {
                        types.put(root.path("resourceType").asText(), 1);
                    }
                }
                Map<String, Integer> reported = new TreeMap<>();
                line.records().forEach((type, counts) -> reported.put(type, counts.found()));
                assertThat(reported).as(line.path() + ": one record per entry, of its resource type").isEqualTo(types);
                assertThat(line.found()).isEqualTo(line.archived() + line.quarantined() + line.duplicates());
            }
            if (folder.equals("synthea-dev/fhir-bundles")) {
                assertThat(report.totals().quarantined()).as("every bundle entry finds its patient").isZero();
            } else {
                FileReport xml = line(report, corpus.resolve("patient-example.xml"));
                FileReport json = line(report, corpus.resolve("patient-example.json"));
                assertThat(json.archived() + xml.archived()).as("the same Patient in JSON and in XML is stored once").isEqualTo(1);
                assertThat(json.duplicates() + xml.duplicates()).isEqualTo(1);
                assertThat(line(report, corpus.resolve("condition-example.json")).archived())
                        .as("a resource of the examples' own patient, in another file of the folder").isEqualTo(1);
            }
        }
    }

    /** The chart kind a resource type is shown under, as this test counts it; null for what the chart does not list. */
    private static String chartKind(String type) {
        return switch (type) {
            case "Encounter" -> "encounter";
            case "Condition" -> "problem";
            case "AllergyIntolerance" -> "allergy";
            case "MedicationRequest", "MedicationStatement", "MedicationAdministration" -> "medication";
            case "Immunization" -> "immunization";
            case "Observation", "DiagnosticReport" -> "observation";
            default -> null;
        };
    }

    private static String patientOf(JsonNode resource) {
        for (String element : List.of("subject", "patient")) {
            String reference = resource.path(element).path("reference").asText(null);
            if (reference != null && reference.startsWith("Patient/")) {
                return reference.substring("Patient/".length());
            }
        }
        return null;
    }

    private static int expected(Map<String, Set<String>> byPatientAndKind, String patient, String kind) {
        return byPatientAndKind.getOrDefault(patient + " " + kind, Set.of()).size();
    }

    /** The chart with only the encounters and entries of its FHIR documents. */
    private static ChartService.Chart fromFhir(ChartService.Chart chart) {
        Set<Long> fhir = new HashSet<>();
        chart.documents().stream().filter(d -> "fhir".equals(d.format())).forEach(d -> fhir.add(d.id()));
        java.util.function.Predicate<ChartService.EntryView> ofFhir = e -> e.documentId() != null && fhir.contains(e.documentId());
        Map<EntryKind, List<ChartService.EntryView>> entries = new HashMap<>();
        chart.entries().forEach((kind, list) -> entries.put(kind, list.stream().filter(ofFhir).toList()));
        return new ChartService.Chart(chart.patientId(), chart.identifiers(), chart.demographics(), chart.encounters().stream().filter(ofFhir).toList(),
                entries, chart.documents(), chart.sources());
    }

    private static int count(ChartService.Chart chart, EntryKind kind) {
        return chart.entries().getOrDefault(kind, List.of()).size();
    }

    private static long patient(String syntheaId) {
        return QuarkusTransaction.requiringNew().call(() -> PatientIdentifier.<PatientIdentifier>find("system = ?1 and value = ?2",
                SYNTHEA, syntheaId).firstResult().patientId);
    }

    private static List<Path> files(Path folder) throws IOException {
        try (Stream<Path> listed = Files.list(folder)) {
            return listed.filter(p -> !p.getFileName().toString().endsWith(".md")).sorted().toList();
        }
    }

    private static FileReport line(IngestReport report, Path file) {
        String name = file.getFileName().toString();
        return report.files().stream().filter(f -> f.path().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no report line for " + name));
    }
}
