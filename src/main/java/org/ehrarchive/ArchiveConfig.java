package org.ehrarchive;

import java.nio.file.Path;
import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The one configuration root of the archive ({@code archive.*}, or {@code ARCHIVE_*} in the environment).
 * Database connection settings stay under Quarkus's own {@code quarkus.datasource.*}; see ADR 0002.
 */
@ConfigMapping(prefix = "archive")
public interface ArchiveConfig {

    /** Root of everything the archive keeps on disk: blob store, embedded PostgreSQL. Default {@code ./archive-data}. */
    @WithDefault("archive-data")
    Path dataDir();

    /**
     * Password of the first admin user, created on a start with no admin ({@code ARCHIVE_BOOTSTRAP_ADMIN_PASSWORD});
     * without it a password is generated and printed once to the console. Secrets come from the environment.
     */
    java.util.Optional<String> bootstrapAdminPassword();

    /** Ingest pipeline settings. */
    Ingest ingest();

    /** Search index settings. */
    Search search();

    /** Search settings. */
    interface Search {
        /** How often the process that owns the index indexes newly archived documents. Default 5 s. */
        @WithDefault("5s")
        Duration drainInterval();
    }

    /** Ingest settings. */
    interface Ingest {
        /**
         * Largest source file accepted, in bytes; a larger file is kept in the blob store and quarantined.
         * Default 256 MiB.
         */
        @WithDefault("268435456")
        long maxFileBytes();

        /** How often the plain (non-terminal) progress output prints a line. Default 5 s. */
        @WithDefault("5s")
        Duration progressInterval();
    }
}
