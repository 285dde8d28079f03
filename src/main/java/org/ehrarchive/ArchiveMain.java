package org.ehrarchive;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

import jakarta.inject.Inject;

import org.ehrarchive.cli.ArchiveCommand;
import org.ehrarchive.cli.DemoCommand;
import org.ehrarchive.cli.TemporaryDirectory;
import org.ehrarchive.database.EmbeddedDatabase;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import picocli.CommandLine;

/**
 * Entry point of the archive jar: {@code java -jar quarkus-run.jar [serve|ingest|...]}.
 * <p>
 * The database must be known before Quarkus starts (Flyway migrates at start), so the embedded PostgreSQL
 * is started here, ahead of Quarkus, unless an external one is configured (ADR 0002, ADR 0003).
 */
@QuarkusMain
public class ArchiveMain implements QuarkusApplication {

    static final String JDBC_URL_PROPERTY = "quarkus.datasource.jdbc.url";
    static final String JDBC_URL_ENV = "QUARKUS_DATASOURCE_JDBC_URL";

    private final CommandLine.IFactory factory;

    @Inject
    public ArchiveMain(CommandLine.IFactory factory) {
        this.factory = factory;
    }

    public static void main(String... args) throws Exception {
        if (!isServe(args) && !isCommand(args, "demo")) {
            // Only `serve` and `demo` listen on HTTP; a CLI ingest next to a running server must not fight for its port.
            System.setProperty("quarkus.http.host-enabled", "false");
        }
        if (isHelpOnly(args)) {
            // Help needs no database and no application: picocli prints it from the annotations alone.
            System.exit(new CommandLine(ArchiveCommand.class, HELP_ONLY).execute(args));
        }
        if (isCommand(args, "demo") && externalJdbcUrl().isEmpty() && configuredDataDir().isEmpty()) {
            // The demo's synthetic patients live apart from any real archive in this folder.
            System.setProperty("archive.data-dir", "demo-archive");
            if (System.getenv("ARCHIVE_BOOTSTRAP_ADMIN_PASSWORD") == null) {
                System.setProperty("archive.bootstrap-admin-password", DemoCommand.ADMIN_PASSWORD);
            }
        }
        TemporaryDirectory throwawayDataDir = null;
        if (isCommand(args, "bench") && externalJdbcUrl().isEmpty() && configuredDataDir().isEmpty()) {
            // The benchmark must not leave synthetic patients in a real archive: give it its own.
            throwawayDataDir = TemporaryDirectory.create("archive-bench-data-");
            System.setProperty("archive.data-dir", throwawayDataDir.path().toString());
            System.out.println("bench: using a throwaway archive under " + throwawayDataDir.path());
        }
        int exitCode;
        try {
            if (externalJdbcUrl().isPresent()) {
                exitCode = runQuarkus(args);
            } else {
                // serve and demo run until stopped; every other command ends, and an owner waits for it (ADR 0003).
                boolean endsOnItsOwn = !isServe(args) && !isCommand(args, "demo");
                try (EmbeddedDatabase database = EmbeddedDatabase.startOrAttach(dataDir(), endsOnItsOwn)) {
                    System.setProperty(JDBC_URL_PROPERTY, database.jdbcUrl());
                    System.setProperty("quarkus.datasource.username", EmbeddedDatabase.USER);
                    System.setProperty("quarkus.datasource.password", "");
                    exitCode = runQuarkus(args);
                }
            }
        } finally {
            if (throwawayDataDir != null) {
                throwawayDataDir.close();
            }
        }
        System.exit(exitCode);
    }

    /** Runs the application to its end and returns its exit code (Quarkus's default handler would exit the JVM). */
    private static int runQuarkus(String... args) {
        int[] exitCode = {0};
        Quarkus.run(ArchiveMain.class, (code, failure) -> {
            exitCode[0] = code;
            if (failure != null) {
                failure.printStackTrace(); // start-up failures: configuration, database; no patient data is loaded yet
            }
        }, args);
        return exitCode[0];
    }

    @Override
    public int run(String... args) {
        return new CommandLine(ArchiveCommand.class, factory).execute(args);
    }

    /** The JDBC URL of an external PostgreSQL, from the environment or a system property. */
    static Optional<String> externalJdbcUrl() {
        return Optional.ofNullable(System.getProperty(JDBC_URL_PROPERTY))
                .or(() -> Optional.ofNullable(System.getenv(JDBC_URL_ENV)))
                .filter(url -> !url.isBlank());
    }

    /** {@code archive.data-dir} read the way Quarkus will read it: system property, then environment. */
    static Path dataDir() {
        return Path.of(configuredDataDir().orElse("archive-data"));
    }

    private static Optional<String> configuredDataDir() {
        return Optional.ofNullable(System.getProperty("archive.data-dir"))
                .or(() -> Optional.ofNullable(System.getenv("ARCHIVE_DATA_DIR")));
    }

    private static boolean isServe(String[] args) {
        return firstCommand(args).map("serve"::equals).orElse(true);
    }

    private static boolean isCommand(String[] args, String command) {
        return firstCommand(args).map(command::equals).orElse(false);
    }

    private static Optional<String> firstCommand(String[] args) {
        return Arrays.stream(args).filter(a -> !a.startsWith("-")).findFirst();
    }

    /** Creates commands without their services: enough for picocli to print usage, never used to run them. */
    private static final CommandLine.IFactory HELP_ONLY = new CommandLine.IFactory() {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            try {
                return CommandLine.defaultFactory().create(type);
            } catch (Exception noDefaultConstructor) {
                java.lang.reflect.Constructor<?> constructor = type.getDeclaredConstructors()[0];
                constructor.setAccessible(true);
                return type.cast(constructor.newInstance(new Object[constructor.getParameterCount()]));
            }
        }
    };

    private static boolean isHelpOnly(String[] args) {
        return Arrays.stream(args).anyMatch(a -> a.equals("--help") || a.equals("-h") || a.equals("--version") || a.equals("-V"));
    }
}
