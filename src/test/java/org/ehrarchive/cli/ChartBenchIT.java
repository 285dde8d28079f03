package org.ehrarchive.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.ehrarchive.support.ArchiveJar;
import org.ehrarchive.support.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench --workload chart} as anyone reruns it, on the packaged jar: it signs in to its own server on loopback
 * and times every chart page and API answer for the generated patient and for the heaviest patient of a real export
 * (here the project's small FHIR export), printing each with its p50 and p95; a folder with no patient is said so.
 */
class ChartBenchIT {

    private static final Duration RUN_LIMIT = Duration.ofMinutes(4);
    private static final List<String> TIMED = List.of("chart() + JSON", "GET /patients/{id} ", "GET /patients/{id}/trends",
            "GET /patients/{id}/sections/result", "GET /patients/{id}/facts/{entry}", "GET /api/patients/{id} ",
            "GET /api/patients/{id}/entries?kind=RESULT&page=2");

    @Test
    void timesEveryChartPageAndApiAnswerOfBothPatients(@TempDir Path work) throws Exception {
        ArchiveJar archive = new ArchiveJar(work);
        Path export = work.resolve("export");
        for (String file : List.of("Patient.ndjson", "Observation.ndjson", "Condition.ndjson", "Encounter.ndjson")) {
            Fixtures.copyAs("fhir", "export/" + file, export, file);
        }

        int exit = archive.run("chart", RUN_LIMIT, "bench", "--workload", "chart", "--documents", "3", "--entries", "2", "--runs", "4",
                "--input", export.toString());

        String output = archive.output("chart");
        assertThat(exit).as(output).isZero();
        assertThat(output).contains("generated heavy patient").contains("heaviest corpus patient").contains("8 SQL statements per chart");
        for (String timed : TIMED) {
            assertThat(output.split(java.util.regex.Pattern.quote(timed), -1)).as(timed + ", for both patients").hasSize(3);
        }
        assertThat(output).containsPattern("GET /patients/\\{id\\} +4 runs +p50 +[0-9.]+ ms +p95 +[0-9.]+ ms");
    }

    @Test
    void saysSoWhenTheExportHoldsNoPatient(@TempDir Path work) throws Exception {
        ArchiveJar archive = new ArchiveJar(work);
        Path empty = java.nio.file.Files.createDirectories(work.resolve("empty"));

        int exit = archive.run("empty", RUN_LIMIT, "bench", "--workload", "chart", "--documents", "2", "--entries", "1", "--runs", "2",
                "--input", empty.toString());

        assertThat(exit).as(archive.output("empty")).isZero();
        assertThat(archive.output("empty")).contains("no patient with entries was archived from it").doesNotContain("Exception");
    }
}
