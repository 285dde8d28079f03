package org.ehrarchive.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.ehrarchive.support.ArchiveJar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench --workload audit} as anyone reruns it, on the packaged jar: it appends the generated events to the chain
 * and prints every report of the audit review with its rows, p50, p95 and max; an option of another workload is a usage
 * error, not ignored.
 */
class AuditBenchIT {

    private static final Duration RUN_LIMIT = Duration.ofMinutes(4);
    private static final List<String> REPORTS = List.of("unfiltered, first page", "unfiltered, page in the middle of the log",
            "who accessed this patient, first page", "one user's activity, from the middle", "after hours, first page",
            "flagged patients, first page", "flagged patients, one flagged patient", "exports, prints and downloads, first page",
            "mass access, every window", "one user's whole activity, streamed (CSV export)");

    @Test
    void timesEveryReportOverTheAppendedLog(@TempDir Path work) throws Exception {
        ArchiveJar archive = new ArchiveJar(work);

        int exit = archive.run("audit", RUN_LIMIT, "bench", "--workload", "audit", "--events", "20000", "--runs", "2");

        String output = archive.output("audit");
        assertThat(exit).as(output).isZero();
        assertThat(output).contains("workload: 20,000 audit events of 200 users").contains("machine: ");
        for (String report : REPORTS) {
            assertThat(output).as(report).containsPattern(java.util.regex.Pattern.quote(report)
                    + " +[0-9]+ rows +p50 +[0-9.]+ ms +p95 +[0-9.]+ ms +max +[0-9.]+ ms");
        }
        assertThat(output).containsPattern("flagged patients, first page +[1-9][0-9]* rows");
    }

    @Test
    void anOptionOfAnotherWorkloadIsAUsageError(@TempDir Path work) throws Exception {
        ArchiveJar archive = new ArchiveJar(work);

        int exit = archive.run("usage", RUN_LIMIT, "bench", "--workload", "audit", "--patients", "5");

        assertThat(exit).isEqualTo(ArchiveCommand.ExitCodes.USAGE);
        assertThat(archive.output("usage")).contains("--patients describe other workloads; --workload audit takes --events, --runs and --seed");
    }
}
