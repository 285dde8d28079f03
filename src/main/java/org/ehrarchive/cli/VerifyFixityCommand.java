package org.ehrarchive.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;

import jakarta.enterprise.context.Dependent;

import org.ehrarchive.ArchiveConfig;
import org.ehrarchive.fixity.FixityCheck;

import io.quarkus.arc.Unremovable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;

/**
 * {@code verify-fixity}: hashes every original and embedded attachment again and compares it with its record. Exits 0
 * when all match, {@link ArchiveCommand.ExitCodes#CHECK_FAILED} (3, as {@code verify-audit}) naming what is changed,
 * missing or unexpected. Prints hashes and blob-store paths only: original file names can carry patient names.
 */
@Dependent
@Unremovable
@Command(mixinStandardHelpOptions = true, name = "verify-fixity",
        description = "Hash every original again and compare it with its record; exit 3 and name what is changed, missing or unexpected.")
public class VerifyFixityCommand implements Callable<Integer> {

    private final FixityCheck fixity;
    private final ArchiveConfig config;

    public VerifyFixityCommand(FixityCheck fixity, ArchiveConfig config) {
        this.fixity = fixity;
        this.config = config;
    }

    @Override
    public Integer call() {
        FixityCheck.Result result;
        try (ConsoleFixityProgress progress = new ConsoleFixityProgress(config.ingest().progressInterval())) {
            result = fixity.run(System.getProperty("user.name"), progress);
        }
        for (FixityCheck.Problem problem : result.problems()) {
            System.out.printf("%-10s %s %s: %s%s%n", problem.kind(), problem.sha256() == null ? "-" : problem.sha256(), problem.path(),
                    problem.detail(), problem.foundSha256() == null || problem.foundSha256().equals(problem.sha256()) ? ""
                            : " (now " + problem.foundSha256() + ")");
        }
        long problems = result.changed() + result.missing() + result.unexpected();
        if (problems > result.problems().size()) {
            System.out.printf("... and %d more: the Fixity page and table fixity_problem (check %d) list them all%n",
                    problems - result.problems().size(), result.checkId());
        }
        System.out.printf("fixity %s (check %d): %d originals, %d matched, %d changed, %d missing, %d unexpected; %d MB read in %d s%n",
                result.passed() ? "intact" : "BROKEN", result.checkId(), result.originals(), result.matched(), result.changed(),
                result.missing(), result.unexpected(), result.bytesRead() >> 20,
                Duration.between(result.startedAt(), result.endedAt()).toSeconds());
        return result.passed() ? ArchiveCommand.ExitCodes.OK : ArchiveCommand.ExitCodes.CHECK_FAILED;
    }

    /** A progress bar on a terminal, a plain line every few seconds otherwise; counts only. */
    private static final class ConsoleFixityProgress implements FixityCheck.Progress, AutoCloseable {
        private final Duration interval;
        private ProgressBar bar;
        private long total;
        private Instant lastLine = Instant.now();

        ConsoleFixityProgress(Duration interval) {
            this.interval = interval;
        }

        @Override
        public void started(long originals) {
            total = originals;
            if (System.console() != null) {
                bar = new ProgressBarBuilder().setTaskName("fixity").setInitialMax(originals).setStyle(ProgressBarStyle.ASCII)
                        .setUnit(" originals", 1).continuousUpdate().build();
            } else {
                System.out.printf("fixity: checking %d originals%n", originals);
            }
        }

        @Override
        public void checked(long originals, long bytes) {
            if (bar != null) {
                bar.stepTo(originals);
            } else if (Duration.between(lastLine, Instant.now()).compareTo(interval) >= 0) {
                lastLine = Instant.now();
                System.out.printf("fixity: %d/%d originals (%.0f%%), %d MB read%n", originals, total,
                        total == 0 ? 100.0 : 100.0 * originals / total, bytes >> 20);
            }
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
                bar = null;
            }
        }
    }
}
