package org.ehrarchive.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

import org.ehrarchive.database.EmbeddedDatabase;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The database and data directory of {@code @QuarkusTest}s: the embedded PostgreSQL the archive runs on by
 * default, started under a fresh temporary data directory; or, when {@code ARCHIVE_TEST_JDBC_URL} is set (the
 * test script's external-PostgreSQL pass), that external server, with {@code ARCHIVE_TEST_DB_USER} and
 * {@code ARCHIVE_TEST_DB_PASSWORD}.
 */
public class ArchiveTestDatabase implements QuarkusTestResourceLifecycleManager {

    private Path dataDir;
    private EmbeddedDatabase embedded;

    @Override
    public Map<String, String> start() {
        try {
            dataDir = Files.createTempDirectory("archive-test-");
            String externalUrl = System.getenv("ARCHIVE_TEST_JDBC_URL");
            if (externalUrl != null && !externalUrl.isBlank()) {
                return Map.of("quarkus.datasource.jdbc.url", externalUrl,
                        "quarkus.datasource.username", System.getenv().getOrDefault("ARCHIVE_TEST_DB_USER", "archive"),
                        "quarkus.datasource.password", System.getenv().getOrDefault("ARCHIVE_TEST_DB_PASSWORD", ""),
                        "archive.data-dir", dataDir.toString());
            }
            embedded = EmbeddedDatabase.startOrAttach(dataDir);
            return Map.of("quarkus.datasource.jdbc.url", embedded.jdbcUrl(),
                    "quarkus.datasource.username", EmbeddedDatabase.USER,
                    "quarkus.datasource.password", "",
                    "archive.data-dir", dataDir.toString());
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
            deleteRecursively(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the tests run against an external server (so other tests may share its state). */
    public static boolean isExternal() {
        String url = System.getenv("ARCHIVE_TEST_JDBC_URL");
        return url != null && !url.isBlank();
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path path : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(path);
            }
        }
    }
}
