package org.ehrarchive.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the packaged archive jar ({@code target/quarkus-app/quarkus-run.jar}) as a user would, on the embedded
 * default database under its own data directory, for the integration tests ({@code *IT}).
 */
public final class ArchiveJar {

    private final Path dataDir;
    private final Path workDir;

    public ArchiveJar(Path workDir) throws IOException {
        this.workDir = workDir;
        this.dataDir = Files.createDirectories(workDir.resolve("archive-data"));
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Starts {@code java -jar quarkus-run.jar args...}; output goes to {@code <workDir>/<name>.log}. */
    public Process start(String name, String... args) throws IOException {
        return start(name, java.util.Map.of(), args);
    }

    /** As {@link #start(String, String...)}, with extra environment variables (for example QUARKUS_HTTP_PORT). */
    public Process start(String name, java.util.Map<String, String> environment, String... args) throws IOException {
        String jar = System.getProperty("archive.jar", "target/quarkus-app/quarkus-run.jar");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(workDir.resolve(name + ".log").toFile());
        builder.environment().put("ARCHIVE_DATA_DIR", dataDir.toString());
        builder.environment().remove("QUARKUS_DATASOURCE_JDBC_URL");
        builder.environment().putAll(environment);
        return builder.start();
    }

    /** Runs to the end and returns the exit code, failing the test if it takes longer than {@code timeout}. */
    public int run(String name, Duration timeout, String... args) throws IOException, InterruptedException {
        Process process = start(name, args);
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(name + " did not finish within " + timeout + "; output: " + output(name));
        }
        return process.exitValue();
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
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pid.get(3).trim() + "/archive", "postgres", "");
    }

    public long count(Connection connection, String sql) throws SQLException {
        try (var statement = connection.createStatement(); var result = statement.executeQuery(sql)) {
            result.next();
            return result.getLong(1);
        }
    }
}
