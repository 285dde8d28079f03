package org.ehrarchive;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.ehrarchive.cli.ArchiveCommand;
import org.ehrarchive.cli.DemoCommand;
import org.ehrarchive.cli.TemporaryDirectory;
import org.ehrarchive.database.EmbeddedDatabase;

import io.quarkus.logging.Log;
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
    /** SQLState classes of "cannot connect or sign in" (08, 28, 3D, 53, 57P), whose messages name no data. */
    private static final List<String> CONNECTION_SQL_STATES = List.of("08", "28", "3D", "53", "57P");

    private final CommandLine.IFactory factory;

    @Inject
    public ArchiveMain(CommandLine.IFactory factory) {
        this.factory = factory;
    }

    public static void main(String... args) throws Exception {
        if (isChartBench(args)) {
            // The chart bench times the chart's pages through HTTP: on loopback, on a port of its own.
            System.setProperty("quarkus.http.host", "127.0.0.1");
            System.setProperty("quarkus.http.port", Integer.toString(freePort()));
        } else if (!isServe(args) && !isCommand(args, "demo")) {
            // Only `serve` and `demo` listen on HTTP; a CLI ingest next to a running server must not fight for its port.
            System.setProperty("quarkus.http.host-enabled", "false");
        }
        if (isHelpOnly(args)) {
            // Help needs no database and no application: picocli prints it from the annotations alone.
            System.exit(new CommandLine(ArchiveCommand.class, HELP_ONLY).execute(args));
        }
        if (isCommand(args, "profile")) {
            // Mapping profiles are checked and drafted without an archive: no database, no application.
            System.exit(new CommandLine(ArchiveCommand.class, HELP_ONLY).execute(args));
        }
        OptionalInt usageError = usageError(args);
        if (usageError.isPresent()) {
            // A mistyped command line must not start (or create) a database first.
            System.exit(usageError.getAsInt());
        }
        if (isCommand(args, "demo") && externalJdbcUrl().isEmpty() && configuredDataDir().isEmpty()) {
            // The demo's synthetic patients live apart from any real archive in this folder.
            System.setProperty("archive.data-dir", "demo-archive");
        }
        if (isCommand(args, "demo") && System.getenv("QUARKUS_HTTP_HOST") == null && System.getProperty("quarkus.http.host") == null) {
            // The demo's passwords are published: it listens on this machine only unless told otherwise.
            System.setProperty("quarkus.http.host", "127.0.0.1");
        }
        if (isCommand(args, "demo") && System.getenv("ARCHIVE_SECURITY_SECURE_COOKIES") == null
                && System.getProperty("archive.security.secure-cookies") == null) {
            // The demo is plain HTTP on loopback: a Secure cookie would not come back from the browser there.
            System.setProperty("archive.security.secure-cookies", "false");
        }
        if (isCommand(args, "demo") && System.getenv("ARCHIVE_BOOTSTRAP_ADMIN_PASSWORD") == null
                && System.getProperty("archive.bootstrap-admin-password") == null) {
            // The demo prints this login: it must work in whichever folder the demo runs (ARCHIVE_DATA_DIR too).
            System.setProperty("archive.bootstrap-admin-password", DemoCommand.ADMIN_PASSWORD);
        }
        TemporaryDirectory throwawayDataDir = null;
        if (isCommand(args, "bench") && externalJdbcUrl().isEmpty() && configuredDataDir().isEmpty()) {
            // The benchmark must not leave synthetic patients in a real archive: give it its own.
            throwawayDataDir = TemporaryDirectory.create("archive-bench-data-");
            System.setProperty("archive.data-dir", throwawayDataDir.path().toString());
            System.out.println("bench: using a throwaway archive under " + throwawayDataDir.path());
        }
        int exitCode = ArchiveCommand.ExitCodes.RUN_FAILED;
        try {
            if (externalJdbcUrl().isPresent()) {
                exitCode = runQuarkus(args);
            } else {
                // serve and demo run until stopped; every other command ends, and an owner waits for it (ADR 0003).
                boolean endsOnItsOwn = !isServe(args) && !isCommand(args, "demo");
                EmbeddedDatabase database = null;
                try {
                    database = EmbeddedDatabase.startOrAttach(dataDir(), endsOnItsOwn);
                } catch (IOException | RuntimeException e) {
                    exitCode = reportStartFailure("the embedded database did not start", e);
                }
                if (database != null) {
                    // On SIGTERM the JVM runs its shutdown hooks and then halts, whatever this thread is doing. For a
                    // server, this hook holds the JVM until the database below is stopped: after Quarkus's graceful
                    // shutdown has answered the requests in flight, not beside it, and never left running as an orphan.
                    CountDownLatch databaseStopped = new CountDownLatch(1);
                    if (!endsOnItsOwn) {
                        Runtime.getRuntime().addShutdownHook(new Thread(() -> awaitQuietly(databaseStopped), "archive-database-stop"));
                    }
                    try (EmbeddedDatabase started = database) {
                        System.setProperty(JDBC_URL_PROPERTY, started.jdbcUrl());
                        // Least privilege (ADR 0016): migrations as the schema's owner, everything else as a role that
                        // may only append where the archive only appends.
                        started.useRoles(System::setProperty);
                        exitCode = runQuarkus(args);
                    } catch (IOException | RuntimeException e) {
                        // Thrown by close(): the database could not be stopped (or the marker released). Said, and the
                        // process still exits below: an exception out of main would leave the JVM to any non-daemon
                        // thread a library left behind, and an ingest that ran to its end would seem to hang.
                        exitCode = reportStartFailure("the embedded database did not stop cleanly", e);
                    } finally {
                        databaseStopped.countDown();
                    }
                }
            }
        } finally {
            if (throwawayDataDir != null) {
                try {
                    throwawayDataDir.close();
                } catch (IOException | RuntimeException e) {
                    System.err.println("could not remove the benchmark's throwaway archive: " + e.getMessage());
                }
            }
        }
        System.exit(exitCode);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(2, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs the application to its end and returns its exit code (Quarkus's default handler would exit the JVM). */
    private static int runQuarkus(String... args) {
        int[] exitCode = {0};
        Quarkus.run(ArchiveMain.class, (code, failure) -> {
            exitCode[0] = code;
            if (failure != null) {
                // Start-up failures (configuration, database): no patient data is loaded yet.
                exitCode[0] = reportStartFailure("the archive did not start", failure);
            }
        }, args);
        return exitCode[0];
    }

    /**
     * One line that says what failed (for example "Connection to 127.0.0.1:5432 refused"), instead of a stack
     * trace; the trace is logged at DEBUG level.
     */
    static int reportStartFailure(String what, Throwable failure) {
        System.err.println(what + ": " + describeStartFailure(failure));
        Log.debug("Start-up failure", failure);
        return ArchiveCommand.ExitCodes.RUN_FAILED;
    }

    /**
     * What went wrong, from the cause chain. A failure to connect or sign in to the database is told with the
     * driver's message, which names the address. Any other database error only by its SQLState and classes: its
     * message can quote the values of a row (a password hash, patient data). Other failures (configuration, the
     * embedded server) by the first line of each message, each said once.
     */
    static String describeStartFailure(Throwable failure) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable cause = failure; cause != null && chain.size() < 16 && !chain.contains(cause); cause = cause.getCause()) {
            chain.add(cause);
        }
        for (Throwable cause : chain) {
            // A full disk, said in words with what to do (DiskSpace): the causes below it would only repeat it.
            if (firstLine(cause).startsWith("no space left on device")) {
                return firstLine(cause);
            }
        }
        for (Throwable cause : chain) {
            if (cause instanceof java.sql.SQLException sql && sql.getSQLState() != null) {
                if (CONNECTION_SQL_STATES.stream().anyMatch(sql.getSQLState()::startsWith)) {
                    return firstLine(sql) + " (SQLState " + sql.getSQLState() + ")";
                }
                return "database error, SQLState " + sql.getSQLState() + " ("
                        + String.join(" <- ", chain.stream().map(t -> t.getClass().getSimpleName()).distinct().toList()) + ")";
            }
        }
        List<String> messages = new ArrayList<>();
        for (Throwable cause : chain) {
            String message = firstLine(cause);
            if (!message.isEmpty() && !message.equals("Failed to start quarkus") && messages.stream().noneMatch(said -> said.contains(message))) {
                messages.add(message);
            }
        }
        return messages.isEmpty() ? failure.getClass().getSimpleName() : String.join("; ", messages);
    }

    private static String firstLine(Throwable failure) {
        return failure.getMessage() == null ? "" : failure.getMessage().lines().findFirst().orElse("").strip().replaceAll("\\.$", "");
    }

    /**
     * Parses the command line without starting anything. On a usage error, prints it with the usage, as the
     * running application would, and returns exit code 2.
     */
    private static OptionalInt usageError(String[] args) {
        CommandLine commandLine = new CommandLine(ArchiveCommand.class, HELP_ONLY);
        try {
            commandLine.parseArgs(args);
            return OptionalInt.empty();
        } catch (CommandLine.ParameterException e) {
            try {
                return OptionalInt.of(commandLine.getParameterExceptionHandler().handleParseException(e, args));
            } catch (Exception handlerFailed) {
                System.err.println(e.getMessage());
                return OptionalInt.of(ArchiveCommand.ExitCodes.USAGE);
            }
        }
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

    private static boolean isChartBench(String[] args) {
        List<String> given = Arrays.asList(args);
        int workload = given.indexOf("--workload");
        return isCommand(args, "bench") && (given.contains("--workload=chart") || (workload >= 0 && workload + 1 < given.size()
                && "chart".equals(given.get(workload + 1))));
    }

    private static int freePort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("no free port on loopback", e);
        }
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
