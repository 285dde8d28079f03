package org.ehrarchive.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

import org.ehrarchive.cli.TemporaryDirectory;
import org.ehrarchive.database.EmbeddedDatabase;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The database and data directory of {@code @QuarkusTest}s: the embedded PostgreSQL the archive runs on by
 * default, started under a fresh temporary data directory; or, when {@code ARCHIVE_TEST_JDBC_URL} is set (the
 * test script's external-PostgreSQL pass), that external server: as {@code ARCHIVE_TEST_DB_APPLICATION}, migrated by
 * {@code ARCHIVE_TEST_DB_OWNER}, when they are given, else as {@code ARCHIVE_TEST_DB_USER} alone; the superuser is
 * {@code ARCHIVE_TEST_DB_USER} with {@code ARCHIVE_TEST_DB_PASSWORD}.
 */
public class ArchiveTestDatabase implements QuarkusTestResourceLifecycleManager {

    /** The embedded server of the running tests, for what only its superuser may do (tampering on purpose). */
    private static volatile EmbeddedDatabase running;

    private TemporaryDirectory dataDir;
    private EmbeddedDatabase embedded;

    @Override
    public Map<String, String> start() {
        try {
            dataDir = TemporaryDirectory.create("archive-test-");
            String externalUrl = System.getenv("ARCHIVE_TEST_JDBC_URL");
            if (externalUrl != null && !externalUrl.isBlank()) {
                Map<String, String> configuration = new java.util.HashMap<>(Map.of("quarkus.datasource.jdbc.url", externalUrl,
                        "quarkus.datasource.username", System.getenv().getOrDefault("ARCHIVE_TEST_DB_USER", "archive"),
                        "quarkus.datasource.password", System.getenv().getOrDefault("ARCHIVE_TEST_DB_PASSWORD", ""),
                        "archive.data-dir", dataDir.path().toString()));
                if (System.getenv("ARCHIVE_TEST_DB_APPLICATION") != null) {
                    // The two roles docs/security.md tells an operator to create, as scripts/external-postgres.sh does.
                    configuration.put("quarkus.datasource.username", System.getenv("ARCHIVE_TEST_DB_APPLICATION"));
                    configuration.put("quarkus.datasource.password", System.getenv("ARCHIVE_TEST_DB_APPLICATION_PASSWORD"));
                    configuration.put("quarkus.flyway.username", System.getenv("ARCHIVE_TEST_DB_OWNER"));
                    configuration.put("quarkus.flyway.password", System.getenv("ARCHIVE_TEST_DB_OWNER_PASSWORD"));
                }
                return configuration;
            }
            embedded = EmbeddedDatabase.startOrAttach(dataDir.path());
            // The tests run as the archive does: as the application role, migrated by the owner role (ADR 0016).
            Map<String, String> configuration = new java.util.HashMap<>();
            configuration.put("quarkus.datasource.jdbc.url", embedded.jdbcUrl());
            configuration.put("archive.data-dir", dataDir.path().toString());
            embedded.useRoles(configuration::put);
            running = embedded;
            return configuration;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the test database", e);
        }
    }

    /**
     * A connection to the tests' archive database as its superuser, which may do what the archive's roles may not:
     * bypass triggers, remove audit rows. On an external server (one account), that account.
     */
    public static java.sql.Connection superuserConnection() throws java.sql.SQLException {
        if (running == null) {
            return java.sql.DriverManager.getConnection(System.getenv("ARCHIVE_TEST_JDBC_URL"),
                    System.getenv().getOrDefault("ARCHIVE_TEST_DB_USER", "archive"), System.getenv().getOrDefault("ARCHIVE_TEST_DB_PASSWORD", ""));
        }
        return running.superuserConnection();
    }

    @Override
    public void stop() {
        try {
            if (embedded != null) {
                embedded.close();
            }
            if (dataDir != null) {
                dataDir.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
