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
 * test script's external-PostgreSQL pass), that external server, with {@code ARCHIVE_TEST_DB_USER} and
 * {@code ARCHIVE_TEST_DB_PASSWORD}.
 */
public class ArchiveTestDatabase implements QuarkusTestResourceLifecycleManager {

    private TemporaryDirectory dataDir;
    private EmbeddedDatabase embedded;

    @Override
    public Map<String, String> start() {
        try {
            dataDir = TemporaryDirectory.create("archive-test-");
            String externalUrl = System.getenv("ARCHIVE_TEST_JDBC_URL");
            if (externalUrl != null && !externalUrl.isBlank()) {
                return Map.of("quarkus.datasource.jdbc.url", externalUrl,
                        "quarkus.datasource.username", System.getenv().getOrDefault("ARCHIVE_TEST_DB_USER", "archive"),
                        "quarkus.datasource.password", System.getenv().getOrDefault("ARCHIVE_TEST_DB_PASSWORD", ""),
                        "archive.data-dir", dataDir.path().toString());
            }
            embedded = EmbeddedDatabase.startOrAttach(dataDir.path());
            return Map.of("quarkus.datasource.jdbc.url", embedded.jdbcUrl(),
                    "quarkus.datasource.username", EmbeddedDatabase.USER,
                    "quarkus.datasource.password", "",
                    "archive.data-dir", dataDir.path().toString());
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the test database", e);
        }
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
