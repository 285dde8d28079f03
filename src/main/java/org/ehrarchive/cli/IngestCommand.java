package org.ehrarchive.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import jakarta.enterprise.context.Dependent;

import io.quarkus.arc.Unremovable;

import org.ehrarchive.ArchiveConfig;
import org.ehrarchive.PhiSafe;
import org.ehrarchive.audit.AccessAudit;
import org.ehrarchive.audit.AccessEvent;
import org.ehrarchive.audit.AuditAction;
import org.ehrarchive.ingest.IngestReport;
import org.ehrarchive.ingest.IngestService;
import org.ehrarchive.ingest.SourceSystems;
import org.ehrarchive.ingest.table.MappingProfile;
import org.ehrarchive.indexing.SearchIndexer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.quarkus.logging.Log;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ingest <file-or-folder>}: archives every file found, with a progress bar (plain lines when the output
 * is not a terminal), prints the reconciliation, and optionally writes it as JSON. Exits non-zero only when the
 * run itself failed: a quarantined file is an outcome, and the report says why.
 */
@Dependent
@Unremovable
@Command(mixinStandardHelpOptions = true, name = "ingest", description = "Archive a legacy export file or folder (read recursively) as one batch.")
public class IngestCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "<file-or-folder>", description = "What to ingest.")
    Path input;

    @Option(names = "--report-json", paramLabel = "FILE", description = "Also write the batch reconciliation as JSON to FILE.")
    Path reportJson;

    @Spec
    CommandSpec spec;

    /** The legacy system this export came from; checked while the command line is read, before a database starts. */
    String sourceSystem = SourceSystems.DEFAULT_NAME;

    @Option(names = "--source-system", paramLabel = "NAME", description = "The legacy system this export came from, "
            + "as its reconciliation and decommission certificate will name it (default: \"" + SourceSystems.DEFAULT_NAME + "\").")
    void sourceSystem(String name) {
        try {
            sourceSystem = SourceSystems.normalizedName(name);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--source-system': " + e.getMessage());
        }
    }

    /** The mapping profile of a table dump; read and checked while the command line is read, before a database starts. */
    MappingProfile profile;

    @Option(names = "--profile", paramLabel = "NAME|FILE", description = "Read the tables of a dump (CSV and other delimited text) through "
            + "this mapping profile: a shipped one by name (synthea-csv) or a profile file; check it first with `profile validate`.")
    void profile(String nameOrFile) {
        profile = ProfileCommand.option(spec, nameOrFile);
    }

    @Option(names = "--quiet", description = "No progress output; the summary is still printed.")
    boolean quiet;

    private final IngestService ingest;
    private final ObjectMapper json;
    private final ArchiveConfig config;
    private final AccessAudit audit;
    private final SearchIndexer indexer;

    public IngestCommand(IngestService ingest, ObjectMapper json, ArchiveConfig config, AccessAudit audit, SearchIndexer indexer) {
        this.ingest = ingest;
        this.json = json;
        this.config = config;
        this.audit = audit;
        this.indexer = indexer;
    }

    @Override
    public Integer call() {
        if (reportJson != null) {
            // Found out now, not after a batch of hours whose report would then be lost.
            String problem = whyTheReportCannotBeWritten();
            if (problem != null) {
                System.err.println("ingest failed: cannot write the report to " + reportJson + ": " + problem + "; nothing was ingested");
                return ArchiveCommand.ExitCodes.RUN_FAILED;
            }
        }
        IngestService.BatchSummary report;
        try (ConsoleProgress progress = new ConsoleProgress(quiet, config.ingest().progressInterval())) {
            report = ingest.ingest(input, sourceSystem, profile, progress);
        } catch (IOException e) {
            System.err.println("ingest failed: " + e.getMessage());
            return ArchiveCommand.ExitCodes.RUN_FAILED;
        } catch (RuntimeException e) {
            Log.errorf("Ingest run failed: %s", PhiSafe.describe(e));
            System.err.println("ingest failed: " + e.getClass().getSimpleName()
                    + "; the batch is resumable: run the same ingest again once the cause is fixed");
            return ArchiveCommand.ExitCodes.RUN_FAILED;
        }
        recordInTheAudit(report);
        printSummary(report);
        if (indexer.ownsIndex()) {
            System.out.printf("search: indexed %d documents%n", indexer.drain(done -> { }));
        } else {
            System.out.println("search: another archive process (usually the running server) owns the index and indexes the new documents");
        }
        if (reportJson != null) {
            try {
                Path parent = reportJson.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                try (var out = new java.io.BufferedOutputStream(Files.newOutputStream(reportJson))) {
                    ingest.writeReport(report.batchId(), out);
                }
                System.out.println("report: " + reportJson.toAbsolutePath());
            } catch (IOException | java.io.UncheckedIOException e) {
                System.err.println("could not write the report to " + reportJson + ": " + e.getMessage());
                return ArchiveCommand.ExitCodes.RUN_FAILED;
            }
        }
        return ArchiveCommand.ExitCodes.OK;
    }

    private String whyTheReportCannotBeWritten() {
        Path target = reportJson.toAbsolutePath();
        if (Files.isDirectory(target)) {
            return "it is a folder";
        }
        try {
            Path parent = target.getParent();
            if (parent != null) {
                Files.createDirectories(parent);
                if (!Files.isWritable(parent)) {
                    return "its folder is not writable";
                }
            }
        } catch (IOException e) {
            return "its folder cannot be created (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")";
        }
        return Files.exists(target) && !Files.isWritable(target) ? "it is not writable" : null;
    }

    /** Ingest changes what the archive holds: an administrative act, recorded with who ran it from where. */
    private void recordInTheAudit(IngestService.BatchSummary report) {
        IngestReport.Totals t = report.totals();
        audit.record(AccessEvent.byCommandLine(AuditAction.INGEST_BATCH, "ingest_batch", Long.toString(report.batchId()),
                String.format("source system \"%s\"; files %d: archived %d, duplicate %d, quarantined %d; records found %d", report.sourceSystem(), t.files(),
                        t.archivedFiles(), t.duplicateFiles(), t.quarantinedFiles(), t.found())
                        + (profile == null ? "" : "; tables read through mapping profile \"" + profile.name() + "\"")));
    }

    private static void printCounts(String type, IngestReport.Counts c) {
        System.out.printf("  %-17s %d found = %d archived (%d kept raw) + %d quarantined + %d already archived%n", type + ":", c.found(),
                c.archived(), c.keptRaw(), c.quarantined(), c.duplicates());
    }

    private void printSummary(IngestService.BatchSummary report) {
        IngestReport.Totals t = report.totals();
        System.out.printf("batch %d %s (attempt %d), source system \"%s\"%n", report.batchId(), report.status(), report.attempts(),
                report.sourceSystem());
        System.out.printf("files:   %d found, %d archived, %d duplicate, %d quarantined%n",
                t.files(), t.archivedFiles(), t.duplicateFiles(), t.quarantinedFiles());
        System.out.printf("records: %d found = %d archived (%d kept raw) + %d quarantined + %d already archived%n",
                t.found(), t.archived(), t.keptRaw(), t.quarantined(), t.duplicates());
        t.records().forEach((type, c) -> printCounts(type, c));
        if (t.parts() != null && !t.parts().isEmpty()) {
            System.out.println("parts (what the records were split into, each versioned on its own):");
            t.parts().forEach((type, c) -> printCounts(type, c));
        }
        // File names can carry patient names, so the console shows reasons and counts; the report names the files.
        report.quarantineReasons().forEach((reason, files) -> System.out.printf("quarantined: %d x %s%n", files, reason));
        if (t.quarantinedFiles() > 0 && reportJson == null) {
            System.out.println("which files: run with --report-json FILE");
        }
        if (report.identity() == null) {
            System.out.println("identity: the batch's patients could not be matched (see the log); run `identity match`");
        } else {
            System.out.println(report.identity().summary());
            if (report.identity().proposed() > 0) {
                System.out.println("review the proposed links: portal page Identity links (/identity), or GET /api/identity/links?state=PROPOSED");
            }
        }
    }
}
