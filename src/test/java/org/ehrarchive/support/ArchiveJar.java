package org.ehrarchive.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.ehrarchive.database.DatabaseCredentials;

/**
 * Runs the packaged archive jar ({@code target/quarkus-app/quarkus-run.jar}) as a user would, on the embedded
 * default database under its own data directory, for the integration tests ({@code *IT}).
 */
public final class ArchiveJar {

    private final Path dataDir;
    private final Path workDir;
    private final Map<String, String> environment;

    public ArchiveJar(Path workDir) throws IOException {
        this(workDir, Files.createDirectories(workDir.resolve("archive-data")), Map.of());
    }

    /**
     * An archive whose data directory is {@code dataDir} (for example on a small file system of its own), with the
     * runs' output in {@code workDir}, apart from it.
     */
    public ArchiveJar(Path workDir, Path dataDir) {
        this(workDir, dataDir, Map.of());
    }

    private ArchiveJar(Path workDir, Path dataDir, Map<String, String> environment) {
        this.workDir = workDir;
        this.dataDir = dataDir;
        this.environment = environment;
    }

    /**
     * The same archive (work and data directory), with these environment variables added to every run: for
     * example {@code QUARKUS_DATASOURCE_JDBC_URL} for an external PostgreSQL.
     */
    public ArchiveJar withEnvironment(Map<String, String> more) {
        Map<String, String> merged = new HashMap<>(environment);
        merged.putAll(more);
        return new ArchiveJar(workDir, dataDir, Map.copyOf(merged));
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The structured (JSON) log that every archive process on this data directory appends to. */
    public Path logFile() {
        return dataDir.resolve("logs/archive.log");
    }

    /** A TCP port that nothing listens on at the moment, for {@code QUARKUS_HTTP_PORT}. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Starts {@code java -jar quarkus-run.jar args...}; output goes to {@code <workDir>/<name>.log}. */
    public Process start(String name, String... args) throws IOException {
        return start(name, Map.of(), args);
    }

    /** As {@link #start(String, String...)}, with extra environment variables (for example QUARKUS_HTTP_PORT). */
    public Process start(String name, Map<String, String> environment, String... args) throws IOException {
        String jar = System.getProperty("archive.jar", "target/quarkus-app/quarkus-run.jar");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(workDir.resolve(name + ".log").toFile());
        builder.environment().put("ARCHIVE_DATA_DIR", dataDir.toString());
        builder.environment().remove("QUARKUS_DATASOURCE_JDBC_URL");
        builder.environment().putAll(this.environment);
        builder.environment().putAll(environment);
        return builder.start();
    }

    /**
     * Starts {@code serve} on a free port and waits until its health check answers 200; fails the test with the
     * server's output if it stops or does not come up within {@code timeout}.
     */
    public RunningServer serve(String name, Duration timeout) throws IOException, InterruptedException {
        int port = freePort();
        Process process = start(name, Map.of("QUARKUS_HTTP_PORT", Integer.toString(port)), "serve");
        RunningServer server = new RunningServer(this, name, process, URI.create("http://127.0.0.1:" + port));
        server.awaitHealthy(timeout);
        return server;
    }

    /** Runs to the end with these extra environment variables, and returns the exit code. */
    public int run(String name, Map<String, String> environment, Duration timeout, String... args) throws IOException, InterruptedException {
        return awaitExit(name, start(name, environment, args), timeout);
    }

    /** Runs to the end and returns the exit code, failing the test if it takes longer than {@code timeout}. */
    public int run(String name, Duration timeout, String... args) throws IOException, InterruptedException {
        return awaitExit(name, start(name, args), timeout);
    }

    /**
     * Waits for a process started with {@link #start} to end, and returns its exit code. One that does not end in
     * time is killed, after its threads were dumped to {@code <workDir>/<name>.threads} and into the failure: a
     * hang seen once in CI must say where it hung.
     */
    public int awaitExit(String name, Process process, Duration timeout) throws IOException, InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            String threads = threadDump(name, process);
            process.destroyForcibly();
            throw new AssertionError(name + " did not finish within " + timeout + "; output: " + output(name) + "\nthreads: " + threads);
        }
        return process.exitValue();
    }

    /** {@code jcmd <pid> Thread.print} of a running archive process, also kept in {@code <workDir>/<name>.threads}. */
    public String threadDump(String name, Process process) throws IOException, InterruptedException {
        Path dump = workDir.resolve(name + ".threads");
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(process.pid()), "Thread.print").redirectErrorStream(true).redirectOutput(dump.toFile()).start();
        if (!jcmd.waitFor(30, TimeUnit.SECONDS)) {
            jcmd.destroyForcibly();
        }
        return Files.readString(dump);
    }

    /**
     * The embedded postmaster still running on this data directory, if any: after every archive process on it has
     * exited there must be none (an orphan holds the port and the files until someone stops it).
     */
    public java.util.Optional<ProcessHandle> runningPostmaster() throws IOException {
        Path pidFile = dataDir.resolve("postgres/postmaster.pid");
        if (!Files.exists(pidFile)) {
            return java.util.Optional.empty();
        }
        List<String> lines = Files.readAllLines(pidFile);
        if (lines.isEmpty() || lines.get(0).isBlank()) {
            return java.util.Optional.empty();
        }
        return ProcessHandle.of(Long.parseLong(lines.get(0).trim())).filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(false));
    }

    /** For a test's clean-up after a failure: stops a postmaster left running (fast shutdown), so none outlives the test. */
    public void stopLeftoverPostmaster() throws IOException, InterruptedException {
        java.util.Optional<ProcessHandle> postmaster = runningPostmaster();
        if (postmaster.isPresent()) {
            new ProcessBuilder("kill", "-INT", Long.toString(postmaster.get().pid())).start().waitFor();
            try {
                postmaster.get().onExit().get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                postmaster.get().destroyForcibly();
            }
        }
    }

    /** Runs to the end with {@code input} on standard input, and returns the exit code. */
    public int runWithInput(String name, String input, Duration timeout, String... args) throws IOException, InterruptedException {
        Process process = start(name, args);
        try (var stdin = process.getOutputStream()) {
            stdin.write(input.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(name + " did not finish within " + timeout + "; output: " + output(name));
        }
        return process.exitValue();
    }

    public String output(String name) throws IOException {
        Path log = workDir.resolve(name + ".log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** A connection to the embedded server a running (or orphaned) archive process started, found by its pid file. */
    public Connection connect() throws SQLException, IOException {
        List<String> pid = Files.readAllLines(dataDir.resolve("postgres/postmaster.pid"));
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pid.get(3).trim() + "/archive", DatabaseCredentials.SUPERUSER,
                DatabaseCredentials.ofDataDirectory(dataDir).superuserPassword());
    }

    public long count(Connection connection, String sql) throws SQLException {
        try (var statement = connection.createStatement(); var result = statement.executeQuery(sql)) {
            result.next();
            return result.getLong(1);
        }
    }
}
