package org.ehrarchive.database;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The embedded PostgreSQL server that the archive runs on when no external database is configured
 * (ADR 0002, ADR 0003).
 * <p>
 * The server's files live under {@code <data-dir>/postgres}. The first archive process to start becomes its
 * <em>owner</em>: it starts the server and stops it on exit. A second process on the same data directory
 * (a CLI {@code ingest} next to a running {@code serve}) <em>attaches</em> to the running server instead of
 * starting another one on the same files. A server left behind by an owner that was killed is stopped and
 * restarted by the next owner, so a crash never locks the archive out of its own data.
 * <p>
 * Processes that start at the same moment take turns: the decision to start or attach (and the start itself)
 * happens under a start lock, {@code <data-dir>/postgres.start-lock}. An attached command that ends on its own
 * ({@code ingest}, {@code reindex}, {@code user}, ...) holds a connection named {@value #COMMAND_MARKER} while it
 * runs, and an owner that is done waits for those before it stops the server, so that it does not end their run.
 */
public final class EmbeddedDatabase implements AutoCloseable {

    /** The database the archive's tables live in. */
    public static final String DATABASE = "archive";
    /** Superuser created by initdb; the server only listens on the loopback address and trusts local users. */
    public static final String USER = "postgres";

    /** {@code application_name} of the connection an attached command holds while it runs. */
    static final String COMMAND_MARKER = "ehr-archive attached command";

    private static final String OWNER_LOCK = "epg-lock";
    private static final String START_LOCK = "postgres.start-lock";
    private static final Duration STARTUP_WAIT = Duration.ofSeconds(120);
    private static final Duration POLL = Duration.ofMillis(250);
    /** How often an owner that is done asks whether attached commands still run (they may run for hours). */
    private static final Duration ATTACHED_POLL = Duration.ofSeconds(1);
    /** {@link #attachedCommands()} when the server is there but does not answer the question. */
    private static final long CANNOT_TELL = -1;
    /** SQLStates of a server that is gone or going: refused (08001), shut down by an admin or after a crash (57P01, 57P02). */
    private static final List<String> SERVER_GONE = List.of("08001", "57P01", "57P02");

    private final EmbeddedPostgres server;
    private final int port;
    private final Connection commandMarker;
    private final Path dataDir;

    private EmbeddedDatabase(EmbeddedPostgres server, int port, Connection commandMarker, Path dataDir) {
        this.server = server;
        this.port = port;
        this.commandMarker = commandMarker;
        this.dataDir = dataDir;
    }

    /**
     * Starts the embedded server under {@code dataDir}, or attaches to the one another archive process runs
     * there, for a process that runs until it is stopped (a server).
     */
    public static EmbeddedDatabase startOrAttach(Path dataDir) throws IOException {
        return startOrAttach(dataDir, false);
    }

    /**
     * Starts the embedded server under {@code dataDir}, or attaches to the one another archive process runs
     * there. {@code endsOnItsOwn}: this process is a command that finishes by itself; if it attaches, the owner
     * waits for it before stopping the server.
     */
    public static EmbeddedDatabase startOrAttach(Path dataDir, boolean endsOnItsOwn) throws IOException {
        Path pgData = dataDir.resolve("postgres").toAbsolutePath();
        Path binaries = dataDir.resolve("postgres-binaries").toAbsolutePath();
        Files.createDirectories(pgData);
        Files.createDirectories(binaries);
        try (FileChannel startLock = openStartLock(dataDir); FileLock ignored = waitForLock(startLock, dataDir)) {
            return startOrAttachHoldingStartLock(pgData, binaries, dataDir, endsOnItsOwn);
        }
    }

    private static EmbeddedDatabase startOrAttachHoldingStartLock(Path pgData, Path binaries, Path dataDir, boolean endsOnItsOwn)
            throws IOException {
        Optional<Integer> runningPort = portOfServerOwnedByLiveProcess(pgData);
        if (runningPort.isPresent()) {
            int port = runningPort.get();
            createArchiveDatabaseIfMissing(port);
            return new EmbeddedDatabase(null, port, endsOnItsOwn ? openCommandMarker(port) : null, dataDir);
        }
        stopOrphanedServer(pgData);
        DiskSpace.require(dataDir, DiskSpace.minimum(), "starting the embedded PostgreSQL");
        unpackAgainIfIncomplete(binaries);

        EmbeddedPostgres server = EmbeddedPostgres.builder()
                .setDataDirectory(pgData.toFile())
                .setCleanDataDirectory(false)
                .setOverrideWorkingDirectory(binaries.toFile())
                // A command (ingest, reindex…) stopped by a signal stops the server at once, as before: its batch is
                // resumable. A server (serve, demo) must not lose its database while its graceful shutdown still answers
                // requests in flight: ArchiveMain stops it after Quarkus has stopped (GracefulShutdownIT).
                .setRegisterShutdownHook(endsOnItsOwn)
                .setPGStartupWait(STARTUP_WAIT)
                // zonky's test-oriented defaults trade durability for speed; an archive must not.
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("fsync", "on")
                .setServerConfig("full_page_writes", "on")
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("max_connections", "100")
                // postgres.log is a log too: an error's DETAIL, CONTEXT (a COPY line) and statement can quote row values
                // (file names, patient identifiers). The archive logs what failed itself, without values (PhiSafe).
                .setServerConfig("log_error_verbosity", "terse")
                .setServerConfig("log_min_error_statement", "panic")
                .setOutputRedirector(ProcessBuilder.Redirect.appendTo(dataDir.resolve("postgres.log").toFile()))
                .setErrorRedirector(ProcessBuilder.Redirect.appendTo(dataDir.resolve("postgres.log").toFile()))
                .start();
        createArchiveDatabaseIfMissing(server.getPort());
        return new EmbeddedDatabase(server, server.getPort(), null, dataDir);
    }

    /** JDBC URL of the archive database on this server. */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    /** Whether this process started the server (and so stops it), rather than attaching to another's. */
    public boolean isOwner() {
        return server != null;
    }

    public int port() {
        return port;
    }

    @Override
    public void close() throws IOException {
        if (commandMarker != null) {
            try {
                commandMarker.close();
            } catch (SQLException e) {
                // the server is gone already: nothing is held any more
            }
        }
        if (server == null) {
            return;
        }
        // An attached ingest would lose its connections, and its run, if the owner stopped the server under it.
        // The last check and the stop happen under the start lock, so that nobody attaches in between.
        boolean told = false;
        boolean toldUnknown = false;
        while (true) {
            long attached = attachedCommands();
            if (attached == 0) {
                try (FileChannel channel = openStartLock(dataDir); FileLock ignored = waitForLock(channel, dataDir)) {
                    if (attachedCommands() == 0) {
                        stopServer();
                        return;
                    }
                }
            } else if (attached == CANNOT_TELL && !toldUnknown) {
                // Not "none": a server that answers nothing (too many connections, overloaded) may still serve an
                // attached ingest, and stopping it would end that run half-way.
                System.out.println("waiting: the embedded database does not say whether other archive commands still use it");
                toldUnknown = true;
            } else if (attached > 0 && !told) {
                System.out.printf("waiting for %d other archive command(s) using this database to finish%n", attached);
                told = true;
            }
            sleep(attached == 0 ? POLL : ATTACHED_POLL);
        }
    }

    /**
     * Stops the server and waits until its postmaster has exited. zonky gives {@code pg_ctl stop} 5 seconds; on a
     * loaded machine a fast shutdown's checkpoint can take longer, and zonky then gives up (and releases its lock)
     * while the postmaster still runs: this process would exit and leave it behind, still holding the files.
     */
    private void stopServer() throws IOException {
        Optional<PostmasterPid> postmaster = PostmasterPid.read(dataDir.resolve("postgres").resolve("postmaster.pid").toAbsolutePath());
        server.close();
        Optional<ProcessHandle> running = postmaster.flatMap(pid -> ProcessHandle.of(pid.pid())).filter(ProcessHandle::isAlive);
        if (running.isEmpty()) {
            return;
        }
        try {
            running.get().onExit().get(STARTUP_WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            // SIGQUIT is PostgreSQL's immediate shutdown: the next start recovers from the WAL (fsync is on).
            System.out.println("The embedded PostgreSQL did not stop within " + STARTUP_WAIT.toSeconds() + " s; stopping it at once");
            new ProcessBuilder(List.of("kill", "-QUIT", Long.toString(running.get().pid()))).inheritIO().start();
        } catch (ExecutionException e) {
            // onExit does not fail
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while waiting for the embedded PostgreSQL server to stop", e);
        }
    }

    /**
     * How many attached commands hold their marker connection: 0 when the server is gone (nothing can use it any
     * more), {@link #CANNOT_TELL} when it is there but does not answer.
     */
    private long attachedCommands() {
        java.util.Properties properties = new java.util.Properties();
        properties.setProperty("user", USER);
        properties.setProperty("password", "");
        // Bounded, so that an owner that is done cannot block on one question for ever.
        properties.setProperty("connectTimeout", "10");
        properties.setProperty("socketTimeout", "30");
        try (Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", properties);
                var running = connection.prepareStatement(
                        "select count(*) from pg_stat_activity where application_name = ? and pid <> pg_backend_pid()")) {
            running.setString(1, COMMAND_MARKER);
            try (var result = running.executeQuery()) {
                result.next();
                return result.getLong(1);
            }
        } catch (SQLException e) {
            // A server that stopped or died cannot be in use by anybody any more.
            return SERVER_GONE.contains(e.getSQLState()) ? 0 : CANNOT_TELL;
        }
    }

    private static Connection openCommandMarker(int port) throws IOException {
        java.util.Properties properties = new java.util.Properties();
        properties.setProperty("user", USER);
        properties.setProperty("password", "");
        properties.setProperty("ApplicationName", COMMAND_MARKER);
        try {
            return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", properties);
        } catch (SQLException e) {
            throw new IOException("Could not connect to the embedded PostgreSQL server another archive process runs", e);
        }
    }

    private static FileChannel openStartLock(Path dataDir) throws IOException {
        return FileChannel.open(dataDir.resolve(START_LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    }

    /** Waits for the start lock; another process holds it only while it starts or attaches. */
    private static FileLock waitForLock(FileChannel channel, Path dataDir) throws IOException {
        Instant deadline = Instant.now().plus(STARTUP_WAIT.multipliedBy(2));
        while (Instant.now().isBefore(deadline)) {
            FileLock lock = channel.tryLock();
            if (lock != null) {
                return lock;
            }
            sleep(POLL);
        }
        throw new IOException("Another archive process has been starting the embedded PostgreSQL under " + dataDir
                + " for too long; stop that process, then retry");
    }

    private static void createArchiveDatabaseIfMissing(int port) throws IOException {
        String adminUrl = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
        try (Connection connection = DriverManager.getConnection(adminUrl, USER, "")) {
            try (var exists = connection.prepareStatement("select 1 from pg_database where datname = ?")) {
                exists.setString(1, DATABASE);
                if (exists.executeQuery().next()) {
                    return;
                }
            }
            try (var create = connection.createStatement()) {
                create.execute("create database " + DATABASE + " encoding 'UTF8' template template0");
            }
        } catch (SQLException e) {
            // Created by another process meanwhile (it may not hold the start lock: an external tool): fine.
            if (!"42P04".equals(e.getSQLState())) {
                throw new IOException("Could not create the archive database on the embedded PostgreSQL server", e);
            }
        }
    }

    /**
     * The owner holds an OS file lock on {@code epg-lock} for as long as it lives. If that lock is taken, a
     * live archive process owns the server and {@code postmaster.pid} tells its port.
     */
    private static Optional<Integer> portOfServerOwnedByLiveProcess(Path pgData) throws IOException {
        Path lockFile = pgData.resolve(OWNER_LOCK);
        if (!Files.exists(lockFile)) {
            return Optional.empty();
        }
        try (FileChannel channel = new RandomAccessFile(lockFile.toFile(), "rw").getChannel()) {
            FileLock lock = channel.tryLock();
            if (lock != null) {
                lock.release();
                return Optional.empty();
            }
        }
        Path pidFile = pgData.resolve("postmaster.pid");
        Instant deadline = Instant.now().plus(STARTUP_WAIT);
        // The owner may still be starting the server; wait for the pid file to name a port.
        while (Instant.now().isBefore(deadline)) {
            Optional<PostmasterPid> pid = PostmasterPid.read(pidFile);
            if (pid.isPresent() && pid.get().port() > 0) {
                return Optional.of(pid.get().port());
            }
            sleep(Duration.ofMillis(250));
        }
        throw new IOException("Another archive process owns the embedded PostgreSQL under " + pgData
                + " but its server did not come up; stop that process or remove it, then retry");
    }

    /**
     * Binaries whose unpack was cut short (a full disk leaves empty executables behind a completed marker) are
     * removed, so that they are unpacked again instead of failing every start after a 120 s wait.
     */
    private static void unpackAgainIfIncomplete(Path binaries) throws IOException {
        if (!Files.isDirectory(binaries)) {
            return;
        }
        try (var unpacked = Files.list(binaries)) {
            for (Path version : unpacked.filter(Files::isDirectory).toList()) {
                boolean complete = true;
                for (String executable : List.of("postgres", "initdb", "pg_ctl")) {
                    Path file = version.resolve("bin").resolve(executable);
                    complete &= Files.isRegularFile(file) && Files.size(file) > 0;
                }
                if (!complete) {
                    System.out.println("The embedded PostgreSQL binaries under " + version + " are incomplete (an unpack cut short, "
                            + "for example by a full disk); unpacking them again");
                    deleteRecursively(version);
                }
            }
        }
    }

    private static void deleteRecursively(Path folder) throws IOException {
        try (var paths = Files.walk(folder)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    /** A postmaster whose owning archive process was killed keeps running; stop it before starting a new one. */
    private static void stopOrphanedServer(Path pgData) throws IOException {
        Optional<PostmasterPid> pid = PostmasterPid.read(pgData.resolve("postmaster.pid"));
        if (pid.isEmpty()) {
            return;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid.get().pid())
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(false));
        if (process.isEmpty()) {
            return; // stale pid file: PostgreSQL itself recovers from it at start
        }
        // SIGINT is PostgreSQL's "fast" shutdown: roll back open transactions, then exit cleanly.
        try {
            new ProcessBuilder(List.of("kill", "-INT", Long.toString(pid.get().pid()))).inheritIO().start().waitFor();
            process.get().onExit().get(60, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
            process.get().destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while stopping an orphaned embedded PostgreSQL server", e);
        }
    }

    private static void sleep(Duration duration) throws IOException {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while waiting for the embedded PostgreSQL server", e);
        }
    }

    /** The first lines of PostgreSQL's {@code postmaster.pid}: pid, data directory, start time, port. */
    record PostmasterPid(long pid, int port) {
        static Optional<PostmasterPid> read(Path file) {
            try {
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                if (lines.size() < 4) {
                    return Optional.empty();
                }
                return Optional.of(new PostmasterPid(Long.parseLong(lines.get(0).trim()), Integer.parseInt(lines.get(3).trim())));
            } catch (IOException | NumberFormatException e) {
                return Optional.empty();
            }
        }
    }
}
