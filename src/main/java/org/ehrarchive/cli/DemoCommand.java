package org.ehrarchive.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

import jakarta.enterprise.context.Dependent;

import org.ehrarchive.ArchiveConfig;
import org.ehrarchive.audit.AccessAudit;
import org.ehrarchive.audit.AccessEvent;
import org.ehrarchive.audit.AuditAction;
import org.ehrarchive.bench.CcdaGenerator;
import org.ehrarchive.ingest.IngestProgress;
import org.ehrarchive.ingest.IngestService;
import org.ehrarchive.indexing.SearchIndexer;
import org.ehrarchive.security.ArchiveUser;
import org.ehrarchive.security.Roles;

import io.quarkus.arc.Unremovable;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.Quarkus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code demo}: an archive to try, in one command. Loads synthetic patients (a detailed example document and
 * generated ones, each with several visits over the years; never real patient data) into a separate demo archive
 * ({@code ./demo-archive} unless {@code ARCHIVE_DATA_DIR} is set), creates demo users, prints the URL and the logins,
 * and serves. Running it again reuses the demo archive: ingest is idempotent.
 */
@Dependent
@Unremovable
@Command(mixinStandardHelpOptions = true, name = "demo", description = "Start a demo archive with synthetic patients and demo logins.")
public class DemoCommand implements Callable<Integer> {

    /** The source system the demo's synthetic patients belong to, as the Source systems page shows it. */
    static final String DEMO_SOURCE_SYSTEM = "Demo EHR (synthetic patients)";

    /** Demo logins: role to password. Demo only: a real archive creates users with `user add`. */
    static final Map<String, String> LOGINS = Map.of("clinician", "demo-clinician", "compliance", "demo-compliance");
    public static final String ADMIN_PASSWORD = "demo-admin";

    @Option(names = "--patients", defaultValue = "40", description = "Generated patients besides the detailed example (default ${DEFAULT-VALUE}).")
    int patients;

    /**
     * Clinic visits per generated patient, a document each, months apart: enough for a chart with several
     * encounters and results that trend, few enough that the default demo loads in seconds.
     */
    static final int VISITS_PER_PATIENT = 5;

    private final IngestService ingest;
    private final SearchIndexer indexer;
    private final AccessAudit audit;
    private final ArchiveConfig config;

    public DemoCommand(IngestService ingest, SearchIndexer indexer, AccessAudit audit, ArchiveConfig config) {
        this.ingest = ingest;
        this.indexer = indexer;
        this.audit = audit;
        this.config = config;
    }

    @Override
    public Integer call() throws IOException {
        try (TemporaryDirectory documents = TemporaryDirectory.create("archive-demo-")) {
            Path folder = documents.path();
            try (InputStream example = DemoCommand.class.getResourceAsStream("/demo/demo-ccd.xml")) {
                Files.copy(example, folder.resolve("demo-ccd.xml"));
            }
            new CcdaGenerator(2026, 4).writePatientHistories(folder.resolve("generated"), patients, VISITS_PER_PATIENT);
            IngestService.BatchSummary report = ingest.ingest(folder, DEMO_SOURCE_SYSTEM, IngestProgress.NONE);
            audit.record(AccessEvent.byCommandLine(AuditAction.INGEST_BATCH, "ingest_batch", Long.toString(report.batchId()),
                    "demo data: " + report.totals().files() + " files"));
            System.out.printf("demo: %d documents (%d new), %d records archived%n", report.totals().files(),
                    report.totals().archivedFiles(), report.totals().archived() + report.totals().duplicates());
        }
        LOGINS.forEach((role, password) -> {
            boolean created = QuarkusTransaction.requiringNew().call(() -> {
                if (ArchiveUser.count("username", role) > 0) {
                    return false;
                }
                ArchiveUser.create(role, password, role.equals("clinician") ? Roles.CLINICIAN : Roles.COMPLIANCE);
                return true;
            });
            if (created) {
                audit.record(AccessEvent.byCommandLine(AuditAction.ADMIN_CHANGE, "user", role, "demo user created with role " + role));
            }
        });
        indexer.drain(done -> { });
        String port = System.getProperty("quarkus.http.port", System.getenv().getOrDefault("QUARKUS_HTTP_PORT", "8080"));
        System.out.println();
        String host = System.getProperty("quarkus.http.host", System.getenv().getOrDefault("QUARKUS_HTTP_HOST", "127.0.0.1"));
        System.out.println("Demo archive ready: http://localhost:" + port + "/"
                + ("127.0.0.1".equals(host) ? " (this machine only; QUARKUS_HTTP_HOST=0.0.0.0 opens it to the network)"
                        : " (listening on " + host + ")"));
        System.out.println("  clinician  / demo-clinician    reads charts; try \"Testy Fixtur\" (MRN-4711), or \"Smyth\" and \"Kathryn\" (sound-alikes)");
        System.out.println("  compliance / demo-compliance   reads charts and the access audit");
        // ArchiveMain gives the demo's first admin this password, unless ARCHIVE_BOOTSTRAP_ADMIN_PASSWORD chose another.
        boolean demoAdmin = config.bootstrapAdminPassword().filter(ADMIN_PASSWORD::equals).isPresent();
        System.out.println("  admin      / " + (demoAdmin ? ADMIN_PASSWORD + "        " : "(ARCHIVE_BOOTSTRAP_ADMIN_PASSWORD) ")
                + "reads the access audit");
        System.out.println("Synthetic data only. Stop with Ctrl-C.");
        Quarkus.waitForExit();
        return ArchiveCommand.ExitCodes.OK;
    }
}
