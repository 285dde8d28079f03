package org.ehrarchive.cli;

import java.time.Duration;
import java.time.Instant;

import org.ehrarchive.ingest.IngestProgress;
import org.ehrarchive.ingest.IngestReport;
import org.ehrarchive.ingest.IngestService;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Ingest progress for a person: a progress bar on a terminal, a plain line every few seconds otherwise (so logs
 * of headless runs stay readable). Shows counts only, never file names, which can carry patient names.
 */
final class ConsoleProgress implements IngestProgress, AutoCloseable {

    private final boolean quiet;
    private final Duration interval;
    private ProgressBar bar;
    private int files;
    private int done;
    private int quarantined;
    private int duplicates;
    private long bytesDone;
    private Instant started;
    private Instant lastLine = Instant.EPOCH;

    ConsoleProgress(boolean quiet, Duration interval) {
        this.quiet = quiet;
        this.interval = interval;
    }

    @Override
    public void started(long batchId, int files, long bytes, int alreadyDone, boolean resumed) {
        this.files = files;
        this.started = Instant.now();
        if (quiet) {
            return;
        }
        if (resumed) {
            System.out.printf("resuming batch %d: %d of %d files were done by an earlier attempt%n", batchId, alreadyDone, files);
        }
        if (System.console() != null) {
            bar = new ProgressBarBuilder().setTaskName("ingest").setInitialMax(files).setStyle(ProgressBarStyle.ASCII)
                    .setUnit(" files", 1).continuousUpdate().build();
        } else {
            System.out.printf("ingest: batch %d, %d files, %d bytes%n", batchId, files, bytes);
        }
    }

    @Override
    public void fileDone(IngestReport.FileReport file, long bytes) {
        done++;
        bytesDone += bytes;
        if ("quarantined".equals(file.status())) {
            quarantined++;
        } else if ("duplicate".equals(file.status())) {
            duplicates++;
        }
        if (quiet) {
            return;
        }
        if (bar != null) {
            bar.step();
            bar.setExtraMessage(quarantined + " quarantined");
        } else if (Duration.between(lastLine, Instant.now()).compareTo(interval) >= 0 || done == files) {
            lastLine = Instant.now();
            double seconds = Math.max(0.001, Duration.between(started, Instant.now()).toMillis() / 1000.0);
            System.out.printf("ingest: %d/%d files (%.0f%%), %d quarantined, %d duplicate, %.1f MB/s%n", done, files,
                    files == 0 ? 100.0 : 100.0 * done / files, quarantined, duplicates, bytesDone / 1e6 / seconds);
        }
    }

    @Override
    public void finished(IngestService.BatchSummary summary) {
        close();
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
