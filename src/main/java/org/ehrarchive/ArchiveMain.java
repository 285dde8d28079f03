package org.ehrarchive;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

import jakarta.inject.Inject;

import org.ehrarchive.cli.ArchiveCommand;
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
        if (!isServe(args)) {
            // Only `serve` listens on HTTP; a CLI ingest next to a running server must not fight for its port.
            System.setProperty("quarkus.http.host-enabled", "false");
        }
        if (externalJdbcUrl().isPresent() || isHelpOnly(args)) {
            Quarkus.run(ArchiveMain.class, args);
            return;
        }
        try (EmbeddedDatabase database = EmbeddedDatabase.startOrAttach(dataDir())) {
            System.setProperty(JDBC_URL_PROPERTY, database.jdbcUrl());
            System.setProperty("quarkus.datasource.username", EmbeddedDatabase.USER);
            System.setProperty("quarkus.datasource.password", "");
            int[] exitCode = {0};
            Quarkus.run(ArchiveMain.class, (code, failure) -> {
                exitCode[0] = code;
                if (failure != null) {
                    failure.printStackTrace();
                }
            }, args);
            database.close();
            System.exit(exitCode[0]);
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
        return Path.of(Optional.ofNullable(System.getProperty("archive.data-dir"))
                .or(() -> Optional.ofNullable(System.getenv("ARCHIVE_DATA_DIR")))
                .orElse("archive-data"));
    }

    private static boolean isServe(String[] args) {
        return Arrays.stream(args).filter(a -> !a.startsWith("-")).findFirst().map("serve"::equals).orElse(true);
    }

    private static boolean isHelpOnly(String[] args) {
        return Arrays.stream(args).anyMatch(a -> a.equals("--help") || a.equals("-h") || a.equals("--version") || a.equals("-V"));
    }
}
