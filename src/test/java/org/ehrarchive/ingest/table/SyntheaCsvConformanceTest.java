package org.ehrarchive.ingest.table;

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
import org.ehrarchive.record.PatientIdentifier;
import org.ehrarchive.support.ArchiveTestDatabase;
import org.ehrarchive.support.Ingesting;
import org.ehrarchive.support.Requirements;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Conformance over a table dump nobody here wrote: Synthea's CSV export of the dev population
 * ({@code ../shared/corpus/synthea-dev/csv}, see its SOURCES.md), through the shipped {@code synthea-csv} profile. This
 * test reads every table with its own splitting (the corpus has no quoted fields, which it checks, so a line is a row)
 * and compares: every data row of every table is one record of its table, accounted for; and every patient's chart
 * shows, table by table, the distinct rows the dump holds for them (the same row twice is one fact).
 */
@QuarkusTest
@Tag("storage")
@WithTestResource(ArchiveTestDatabase.class)
class SyntheaCsvConformanceTest {

    private static final String SYNTHEA = "https://github.com/synthetichealth/synthea";
    /** The tables whose rows are chart entries (or encounters) of the patient in their PATIENT column. */
    private static final Set<String> REFERENCE_TABLES = Set.of("organizations", "providers", "payers");

    @Inject
    IngestService ingest;
    @Inject
    ChartService charts;

    @Test
    void everyRowOfEveryTableIsAccountedForAndEveryChartShowsItsPatientsRows() throws Exception {
        Path dump = Requirements.corpus("synthea-dev/csv");
        MappingProfile profile = MappingProfiles.shipped("synthea-csv").orElseThrow();
        IngestReport report = Ingesting.report(ingest, dump, profile);

        // table -> patient -> distinct facts (the key where the table has one, else the whole row)
        Map<String, Map<String, Set<String>>> expected = new TreeMap<>();
        Set<String> patients = new HashSet<>();
        for (Path file : tables(dump)) {
            String table = file.getFileName().toString().replace(".csv", "");
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            assertThat(String.join("\n", lines)).as(table + ": no quoted field, so that a line is a row here").doesNotContain("\"");
            List<String> header = List.of(lines.get(0).split(",", -1));
            List<String> rows = lines.subList(1, lines.size()).stream().filter(l -> !l.isEmpty()).toList();

            FileReport line = line(report, file);
            assertThat(line.format()).as(table).isEqualTo("csv");
            assertThat(line.status()).as(table).isEqualTo("archived");
            assertThat(line.found()).as(table + ": one record per data row").isEqualTo(rows.size());
            assertThat(line.records().keySet()).as(table + ": its rows are records of its table").containsExactly(table);
            assertThat(line.quarantined()).as(table).isZero();
            assertThat(line.found()).isEqualTo(line.archived() + line.quarantined() + line.duplicates());

            List<String> key = profile.table(table).orElseThrow().key();
            for (String row : rows) {
                String[] values = row.split(",", -1);
                assertThat(values).as(table + " row width").hasSize(header.size());
                if (table.equals("patients")) {
                    patients.add(values[header.indexOf("Id")]);
                }
                if (REFERENCE_TABLES.contains(table) || table.equals("patients")) {
                    continue;
                }
                String patient = values[header.indexOf("PATIENT")];
                String fact = key.isEmpty() ? row : String.join("|", key.stream().map(c -> values[header.indexOf(c)]).toList());
                expected.computeIfAbsent(table, t -> new HashMap<>()).computeIfAbsent(patient, p -> new HashSet<>()).add(fact);
            }
            long distinct = REFERENCE_TABLES.contains(table) || table.equals("patients") ? rows.stream().distinct().count()
                    : expected.get(table).values().stream().mapToLong(Set::size).sum();
            assertThat(line.found() - line.duplicates()).as(table + ": the same row twice is stored once").isEqualTo(distinct);
        }
        assertThat(report.totals().quarantined()).isZero();

        assertThat(patients).hasSize(71);
        for (String id : patients) {
            ChartService.Chart chart = charts.chart(patient(id)).orElseThrow();
            Set<Long> dumpDocuments = new HashSet<>();
            chart.documents().stream().filter(d -> "csv".equals(d.format())).forEach(d -> dumpDocuments.add(d.id()));
            assertThat(dumpDocuments).as("patients.csv row of " + id).hasSize(1);
            Map<String, Integer> shown = new TreeMap<>();
            Stream.concat(chart.encounters().stream(), chart.entries().values().stream().flatMap(List::stream))
                    .filter(e -> e.documentId() != null && dumpDocuments.contains(e.documentId()))
                    .forEach(e -> shown.merge(String.valueOf(e.details().get("table")), 1, Integer::sum));
            Map<String, Integer> wanted = new TreeMap<>();
            expected.forEach((table, byPatient) -> {
                int facts = byPatient.getOrDefault(id, Set.of()).size();
                if (facts > 0) {
                    wanted.put(table, facts);
                }
            });
            assertThat(shown).as("chart of " + id + ", rows per table").isEqualTo(wanted);
        }
    }

    private static long patient(String syntheaId) {
        return QuarkusTransaction.requiringNew().call(() -> PatientIdentifier.<PatientIdentifier>find("system = ?1 and value = ?2",
                SYNTHEA, syntheaId).firstResult().patientId);
    }

    private static List<Path> tables(Path folder) throws IOException {
        try (Stream<Path> listed = Files.list(folder)) {
            return listed.filter(p -> p.getFileName().toString().endsWith(".csv")).sorted().toList();
        }
    }

    private static FileReport line(IngestReport report, Path file) {
        String name = file.getFileName().toString();
        return report.files().stream().filter(f -> f.path().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no report line for " + name));
    }
}
