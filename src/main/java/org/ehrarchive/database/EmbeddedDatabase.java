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
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.ehrarchive.PhiSafe;
import org.jboss.logging.Logger;

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
 * <p>
 * An owner that runs until it is stopped (a server) watches its postmaster. When the postmaster dies (killed, the
 * OOM killer), the owner starts it again on the same port with the same configuration, so the JDBC URL Quarkus was
 * given stays right, and PostgreSQL recovers from its write-ahead log as after any crash (ADR 0015).
 */
public final class EmbeddedDatabase implements AutoCloseable {

    /** The database the archive's tables live in. */
    public static final String DATABASE = "archive";
    /** Superuser created by initdb; the server only listens on the loopback address and asks every client for a password. */
    public static final String USER = DatabaseCredentials.SUPERUSER;

    /** {@code application_name} of the connection an attached command holds while it runs. */
    static final String COMMAND_MARKER = "ehr-archive attached command";

    private static final String OWNER_LOCK = "epg-lock";
    private static final String START_LOCK = "postgres.start-lock";
    private static final String POSTGRES_LOG = "postgres.log";
    private static final Duration STARTUP_WAIT = Duration.ofSeconds(120);
    private static final Duration POLL = Duration.ofMillis(250);
    /** How often an owner that is done asks whether attached commands still run (they may run for hours). */
    private static final Duration ATTACHED_POLL = Duration.ofSeconds(1);
    /** {@link #attachedCommands()} when the server is there but does not answer the question. */
    private static final long CANNOT_TELL = -1;
    /** SQLStates of a server that is gone or going: refused (08001), shut down by an admin or after a crash (57P01, 57P02). */
    private static final List<String> SERVER_GONE = List.of("08001", "57P01", "57P02");

    /** How often an owning server looks at its postmaster: a lost database is noticed within about a second. */
    private static final Duration WATCH_INTERVAL = Duration.ofSeconds(1);
    /**
     * After a kill -9 of the postmaster its backends still hold the shared memory until they notice and exit
     * (usually at once); PostgreSQL refuses to start beside them. Ones still there after this are killed: their
     * postmaster is gone, they can do nothing useful, and WAL recovery undoes whatever they were in the middle of.
     */
    private static final Duration LEFTOVER_GRACE = Duration.ofSeconds(10);
    private static final Duration LEFTOVER_WAIT = Duration.ofSeconds(30);
    private static final Duration RESTART_RETRY = Duration.ofSeconds(2);
    private static final Logger LOG = Logger.getLogger(EmbeddedDatabase.class);

    /** The server this process watches, for the health check; null when it watches none (attached, external, a command). */
    private static volatile EmbeddedDatabase watched;

    /** The running server when this process owns it; replaced by a restart. Guarded by {@link #serverLock} for changes. */
    private volatile EmbeddedPostgres server;
    private final int port;
    private final Connection commandMarker;
    private final Path dataDir;
    private final DatabaseCredentials credentials;
    /** The unpacked binaries of this PostgreSQL version, when this process owns the server (a restart uses them again). */
    private Path unpacked;
    private final Object serverLock = new Object();
    private volatile boolean closing;
    private volatile ProcessHandle postmaster;
    private final AtomicInteger restarts = new AtomicInteger();
    private volatile Instant lastRestart;
    /** When the postmaster was found dead, while it is being restarted; null while it runs. */
    private volatile Instant downSince;
    private Thread watcher;

    private EmbeddedDatabase(EmbeddedPostgres server, int port, Connection commandMarker, Path dataDir, DatabaseCredentials credentials) {
        this.server = server;
        this.port = port;
        this.commandMarker = commandMarker;
        this.dataDir = dataDir;
        this.credentials = credentials;
    }

    /** What the health check tells about the embedded server this process owns and watches. */
    public record WatchState(boolean running, int restarts, Optional<Instant> lastRestart, Optional<Instant> downSince, int port) {
    }

    /** The state of the embedded server this process watches, if it watches one (a server that owns it). */
    public static Optional<WatchState> watchState() {
        EmbeddedDatabase database = watched;
        if (database == null) {
            return Optional.empty();
        }
        Instant down = database.downSince;
        return Optional.of(new WatchState(down == null, database.restarts.get(), Optional.ofNullable(database.lastRestart),
                Optional.ofNullable(down), database.port));
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
        EmbeddedDatabase database;
        try (FileChannel startLock = openStartLock(dataDir); FileLock ignored = waitForLock(startLock, dataDir)) {
            long logBefore = DiskSpace.sizeOf(dataDir.resolve(POSTGRES_LOG));
            try {
                database = startOrAttachHoldingStartLock(pgData, binaries, dataDir, endsOnItsOwn);
            } catch (IOException | RuntimeException e) {
                // initdb and the postmaster tell of ENOSPC only in their log; zonky's exception says "failed".
                boolean saidAlready = e.getMessage() != null && e.getMessage().startsWith(DiskSpace.NO_SPACE);
                if (!saidAlready && (DiskSpace.isNoSpaceLeft(e) || DiskSpace.saysNoSpaceLeft(DiskSpace.textSince(dataDir.resolve(POSTGRES_LOG), logBefore)))) {
                    throw DiskSpace.noSpaceLeft(dataDir, "starting the embedded PostgreSQL", e);
                }
                throw e;
            }
        }
        // A command that ends on its own is resumable and stops its server from a shutdown hook, which a watcher would
        // take for a crash; only a server that runs until it is stopped brings its database back by itself.
        if (database.isOwner() && !endsOnItsOwn) {
            database.startWatching(pgData, binaries);
        }
        return database;
    }

    private static EmbeddedDatabase startOrAttachHoldingStartLock(Path pgData, Path binaries, Path dataDir, boolean endsOnItsOwn)
            throws IOException {
        DatabaseCredentials credentials = DatabaseCredentials.ofDataDirectory(dataDir);
        Optional<Integer> runningPort = portOfServerOwnedByLiveProcess(pgData);
        if (runningPort.isPresent()) {
            int port = runningPort.get();
            return new EmbeddedDatabase(null, port, endsOnItsOwn ? openCommandMarker(port, credentials) : null, dataDir, credentials);
        }
        stopOrphanedServer(pgData);
        DiskSpace.require(dataDir, DiskSpace.minimum(), "starting the embedded PostgreSQL");
        Path unpacked = PostgresBinaries.unpackVerified(binaries);

        EmbeddedPostgres server = startServer(pgData, binaries, unpacked, dataDir, endsOnItsOwn, 0, credentials);
        DatabaseRoles.prepareArchiveDatabase(server.getPort(), credentials);
        EmbeddedDatabase database = new EmbeddedDatabase(server, server.getPort(), null, dataDir, credentials);
        database.unpacked = unpacked;
        return database;
    }

    /**
     * Starts the server: the one place its configuration is written, for the first start and for a restart alike,
     * so that the two cannot drift apart. {@code port} 0: any free port.
     */
    private static EmbeddedPostgres startServer(Path pgData, Path binaries, Path unpacked, Path dataDir, boolean endsOnItsOwn, int port,
            DatabaseCredentials credentials) throws IOException {
        return EmbeddedPostgres.builder()
                .setPort(port)
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
                .setServerConfig("password_encryption", "scram-sha-256")
                // zonky waits for the server by signing in as the superuser: with a password now (ADR 0016).
                .setConnectConfig("password", credentials.superuserPassword())
                .setDataDirectoryCustomizer(data -> DatabaseRoles.requirePasswords(data.toPath(), unpacked, credentials,
                        dataDir.resolve(POSTGRES_LOG)))
                // postgres.log is a log too: an error's DETAIL, CONTEXT (a COPY line) and statement can quote row values
                // (file names, patient identifiers). The archive logs what failed itself, without values (PhiSafe).
                .setServerConfig("log_error_verbosity", "terse")
                .setServerConfig("log_min_error_statement", "panic")
                .setOutputRedirector(ProcessBuilder.Redirect.appendTo(dataDir.resolve(POSTGRES_LOG).toFile()))
                .setErrorRedirector(ProcessBuilder.Redirect.appendTo(dataDir.resolve(POSTGRES_LOG).toFile()))
                .start();
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

    /** The passwords of the server's roles; the archive runs as {@link DatabaseCredentials#APPLICATION}. */
    public DatabaseCredentials credentials() {
        return credentials;
    }

    /**
     * Sets the configuration by which Quarkus connects: the datasource as {@link DatabaseCredentials#APPLICATION},
     * Flyway as {@link DatabaseCredentials#OWNER}.
     */
    public void useRoles(java.util.function.BiConsumer<String, String> configuration) {
        configuration.accept("quarkus.datasource.username", DatabaseCredentials.APPLICATION);
        configuration.accept("quarkus.datasource.password", credentials.applicationPassword());
        configuration.accept("quarkus.flyway.username", DatabaseCredentials.OWNER);
        configuration.accept("quarkus.flyway.password", credentials.ownerPassword());
    }

    /** A connection to the archive database as the superuser: for what the archive's own roles may not do (tests, repair). */
    public Connection superuserConnection() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), USER, credentials.superuserPassword());
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
        // From here on a postmaster that stops is being stopped, not lost: the watcher must not start it again. A
        // restart under way is finished first (the lock), so that the server it started is the one stopped here.
        closing = true;
        synchronized (serverLock) {
            stopWhenNoCommandIsAttached();
            if (watched == this) {
                watched = null;
            }
        }
    }

    private void stopWhenNoCommandIsAttached() throws IOException {
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

    private void startWatching(Path pgData, Path binaries) throws IOException {
        postmaster = findPostmaster(pgData)
                .orElseThrow(() -> new IOException("The embedded PostgreSQL under " + pgData + " started but names no live postmaster"));
        watcher = new Thread(() -> watch(pgData, binaries), "archive-database-watch");
        // Daemon: the watcher must never be what keeps a JVM from exiting; close() tells it to stop.
        watcher.setDaemon(true);
        watcher.start();
        watched = this;
    }

    private void watch(Path pgData, Path binaries) {
        while (!closing) {
            try {
                Thread.sleep(WATCH_INTERVAL.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            if (!closing && !isRunning(postmaster)) {
                restartUntilRunning(pgData, binaries);
            }
        }
    }

    /** Starts the lost server again, on its port, until it runs or this owner closes. */
    private void restartUntilRunning(Path pgData, Path binaries) {
        Instant lost = Instant.now();
        downSince = lost;
        // The data directory's path is no patient data; the server's own log (postgres.log) says why it ended.
        LOG.warnf("The embedded PostgreSQL server under %s was lost (postmaster pid %d ended); restarting it on port %d",
                pgData, postmaster.pid(), port);
        for (int attempt = 1; !closing; attempt++) {
            try {
                synchronized (serverLock) {
                    if (closing) {
                        return;
                    }
                    restart(pgData, binaries);
                }
                lastRestart = Instant.now();
                int count = restarts.incrementAndGet();
                downSince = null;
                LOG.infof("The embedded PostgreSQL server under %s was restarted on port %d and recovered from its write-ahead log, "
                        + "%d ms after it was lost (restart %d since this server started)", pgData, port,
                        Duration.between(lost, lastRestart).toMillis(), count);
                return;
            } catch (IOException | RuntimeException e) {
                // Once, then every minute or so: a server that cannot come back must not flood the log.
                if (attempt == 1 || attempt % 30 == 0) {
                    LOG.warnf("Restarting the embedded PostgreSQL server under %s failed (attempt %d), trying again: %s", pgData,
                            attempt, PhiSafe.describe(e));
                }
                try {
                    Thread.sleep(RESTART_RETRY.toMillis());
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    /**
     * Under the start lock, so that a command starting meanwhile waits for the restarted server instead of
     * attaching to the dead one.
     */
    private void restart(Path pgData, Path binaries) throws IOException {
        try (FileChannel channel = openStartLock(dataDir); FileLock ignored = waitForLock(channel, dataDir)) {
            awaitLeftoverProcessesGone(binaries);
            closeLostServer();
            requireOwnerLockReleased(pgData);
            DiskSpace.require(dataDir, DiskSpace.minimum(), "restarting the embedded PostgreSQL");
            server = startServer(pgData, binaries, unpacked, dataDir, false, port, credentials);
            postmaster = findPostmaster(pgData)
                    .orElseThrow(() -> new IOException("The restarted PostgreSQL under " + pgData + " names no live postmaster"));
        }
    }

    /**
     * Releases what the lost server's {@link EmbeddedPostgres} holds: the owner lock on {@code epg-lock}, without
     * which a second instance in this JVM cannot start. Its {@code pg_ctl stop} fails on the dead server and zonky
     * logs that as an error with a stack trace; that line would only confuse, so zonky's logger is silenced for it.
     */
    private void closeLostServer() {
        java.util.logging.Logger zonky = java.util.logging.Logger.getLogger(EmbeddedPostgres.class.getName());
        java.util.logging.Level before = zonky.getLevel();
        zonky.setLevel(java.util.logging.Level.OFF);
        try {
            server.close();
        } catch (IOException | RuntimeException e) {
            // nothing runs that could be stopped, and the lock is released before close() can fail
        } finally {
            zonky.setLevel(before);
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
        // Running, not merely alive: a postmaster that has exited stays a zombie until whoever inherited it reaps it,
        // and waiting on that (ProcessHandle.onExit) cost every command 1.5 s at its end.
        Optional<ProcessHandle> running = postmaster.flatMap(pid -> ProcessHandle.of(pid.pid())).filter(EmbeddedDatabase::isRunning);
        if (running.isEmpty()) {
            return;
        }
        Instant deadline = Instant.now().plus(STARTUP_WAIT);
        while (isRunning(running.get())) {
            if (Instant.now().isAfter(deadline)) {
                // SIGQUIT is PostgreSQL's immediate shutdown: the next start recovers from the WAL (fsync is on).
                System.out.println("The embedded PostgreSQL did not stop within " + STARTUP_WAIT.toSeconds() + " s; stopping it at once");
                new ProcessBuilder(List.of("kill", "-QUIT", Long.toString(running.get().pid()))).inheritIO().start();
                return;
            }
            sleep(POLL);
        }
    }

    /**
     * A start attempt that failed inside zonky (after it took {@code epg-lock}) leaves that lock held by an instance
     * nobody can close; the JVM then refuses every later lock of the file. Such an instance is unreachable, and the
     * lock and its file descriptor are freed when it is collected: ask for that, and let the next attempt try.
     */
    private static void requireOwnerLockReleased(Path pgData) throws IOException {
        try (FileChannel channel = FileChannel.open(pgData.resolve(OWNER_LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock != null) {
                lock.release();
                return;
            }
        } catch (java.nio.channels.OverlappingFileLockException heldInThisJvm) {
            System.gc();
        }
        throw new IOException("The owner lock of " + pgData + " is still held by an earlier start attempt");
    }

    /** Waits for the processes of the lost server to end (they hold its shared memory), killing those that linger. */
    private static void awaitLeftoverProcessesGone(Path binaries) throws IOException {
        Path executables = binaries.toRealPath();
        Instant killAfter = Instant.now().plus(LEFTOVER_GRACE);
        Instant deadline = Instant.now().plus(LEFTOVER_WAIT);
        while (true) {
            List<ProcessHandle> left = ProcessHandle.allProcesses()
                    .filter(p -> p.info().command().map(c -> Path.of(c).startsWith(executables)).orElse(false))
                    .filter(EmbeddedDatabase::isRunning)
                    .toList();
            if (left.isEmpty()) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IOException(left.size() + " process(es) of the lost PostgreSQL server under " + binaries + " did not end");
            }
            if (Instant.now().isAfter(killAfter)) {
                left.forEach(ProcessHandle::destroyForcibly);
            }
            sleep(POLL);
        }
    }

    /** The postmaster {@code postmaster.pid} names, if it runs. */
    private static Optional<ProcessHandle> findPostmaster(Path pgData) {
        return PostmasterPid.read(pgData.resolve("postmaster.pid")).flatMap(pid -> ProcessHandle.of(pid.pid()))
                .filter(EmbeddedDatabase::isRunning);
    }

    /**
     * Alive and not a zombie. A killed postmaster's parent (pg_ctl) has exited, and whoever inherits it may not reap
     * it at once; {@link ProcessHandle#isAlive()} counts a zombie as alive, {@code /proc} tells them apart.
     */
    private static boolean isRunning(ProcessHandle process) {
        if (!process.isAlive()) {
            return false;
        }
        Path stat = Path.of("/proc", Long.toString(process.pid()), "stat");
        try {
            String line = Files.readString(stat, StandardCharsets.US_ASCII);
            char state = line.charAt(line.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException | RuntimeException e) {
            return process.isAlive(); // no /proc (not Linux), or it ended while being read
        }
    }

    /**
     * How many attached commands hold their marker connection: 0 when the server is gone (nothing can use it any
     * more), {@link #CANNOT_TELL} when it is there but does not answer.
     */
    private long attachedCommands() {
        java.util.Properties properties = new java.util.Properties();
        properties.setProperty("user", USER);
        properties.setProperty("password", credentials.superuserPassword());
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

    private static Connection openCommandMarker(int port, DatabaseCredentials credentials) throws IOException {
        java.util.Properties properties = new java.util.Properties();
        properties.setProperty("user", USER);
        properties.setProperty("password", credentials.superuserPassword());
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
