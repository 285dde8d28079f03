package org.ehrarchive.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.ehrarchive.bench.CcdaGenerator;
import org.ehrarchive.record.ChartService;
import org.ehrarchive.record.ChartService.Chart;
import org.ehrarchive.record.ChartService.EntryView;
import org.ehrarchive.record.EntryKind;
import org.ehrarchive.record.PatientIdentifier;
import org.ehrarchive.support.ArchiveTestDatabase;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The demo's generated histories (issue 15), through the real ingest: a patient's visits are filed under one
 * archived patient, matched by the identifier every visit carries, as a chart of several encounters with each test
 * repeated, one result per visit and none taken for a new version of another.
 */
@QuarkusTest
@Tag("storage")
@WithTestResource(ArchiveTestDatabase.class)
class GeneratedHistoryIngestTest {

    private static final int PATIENTS = 3;
    private static final int VISITS = 4;
    private static final String HEMOGLOBIN = "718-7";

    @Inject
    IngestService ingest;
    @Inject
    ChartService charts;

    @Test
    void aGeneratedPatientsVisitsAreOneArchivedPatientWithAnEncounterAndAResultPerVisit(@TempDir Path folder) throws Exception {
        // A seed no other test uses, so these documents are new to the shared test archive.
        CcdaGenerator generator = new CcdaGenerator(15_015, 4);
        generator.writePatientHistories(folder, PATIENTS, VISITS);

        IngestReport report = org.ehrarchive.support.Ingesting.report(ingest, folder);

        assertThat(report.totals().archivedFiles()).isEqualTo(PATIENTS * VISITS);
        assertThat(report.totals().duplicates()).as("no visit's record taken for another's").isZero();
        for (int number = 0; number < PATIENTS; number++) {
            String mrn = "GEN-" + number;
            Set<Long> patients = QuarkusTransaction.requiringNew().call(() -> PatientIdentifier.<PatientIdentifier>list("value", mrn)
                    .stream().map(identifier -> identifier.patientId).collect(Collectors.toSet()));
            assertThat(patients).as(mrn + ": every visit on one archived patient").hasSize(1);
            Chart chart = charts.chart(patients.iterator().next()).orElseThrow();

            assertThat(chart.documents()).as(mrn + ": one document per visit").hasSize(VISITS);
            assertThat(chart.encounters()).as(mrn + ": one encounter per visit").hasSize(VISITS);
            List<String> encounterDays = chart.encounters().stream().map(e -> e.effective().sortKey().iso()).toList();
            assertThat(encounterDays).as("distinct days, oldest first").doesNotHaveDuplicates().isSorted();
            assertThat(chart.demographics()).hasSize(VISITS);
            assertThat(chart.demographics().stream().map(d -> d.names().get(0).given() + " " + d.names().get(0).family() + " "
                    + d.birthTime().raw()).distinct()).as(mrn + ": the same person in every visit").hasSize(1);

            List<EntryView> hemoglobin = chart.entries().get(EntryKind.RESULT).stream()
                    .filter(result -> result.code() != null && HEMOGLOBIN.equals(result.code().code())).toList();
            assertThat(hemoglobin).as(mrn + ": a hemoglobin per visit, a trend to plot").hasSize(VISITS);
            assertThat(hemoglobin).allSatisfy(result -> {
                assertThat(result.version()).as("a result of its own, not a version of another").isEqualTo(1);
                assertThat(result.values().get(0).quantity().unit()).isEqualTo("g/dL");
                assertThat(Double.parseDouble(result.values().get(0).quantity().value())).isBetween(7.0, 20.0);
                assertThat(result.interpretations().get(0).code()).isIn("N", "H", "L");
            });
            assertThat(hemoglobin.stream().map(result -> result.effective().sortKey().iso()).distinct())
                    .as("drawn on each visit's day").hasSize(VISITS);
            assertThat(chart.entries().values().stream().flatMap(List::stream).filter(entry -> entry.version() != 1))
                    .as("no entry of a later visit versions one of an earlier visit").isEmpty();
        }
    }
}
