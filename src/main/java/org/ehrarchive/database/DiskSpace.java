package org.ehrarchive.database;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Free space, checked before the embedded database starts and before each ingest batch: on a full disk PostgreSQL
 * (and the unpack of its binaries) fails in ways whose messages never say "disk" (issue 18). The minimum is
 * {@code archive.min-free-bytes} ({@code ARCHIVE_MIN_FREE_BYTES}), read here before Quarkus runs, like the data
 * directory in {@code ArchiveMain}.
 */
public final class DiskSpace {

    static final String PROPERTY = "archive.min-free-bytes";
    static final String ENVIRONMENT = "ARCHIVE_MIN_FREE_BYTES";
    /** 256 MiB: PostgreSQL's WAL segments are 16 MiB each, and a start may write several. */
    static final long DEFAULT_MINIMUM = 256L << 20;

    private DiskSpace() {
    }

    /** The configured minimum of free space, in bytes. */
    static long minimum() {
        String configured = System.getProperty(PROPERTY, System.getenv(ENVIRONMENT));
        if (configured == null || configured.isBlank()) {
            return DEFAULT_MINIMUM;
        }
        try {
            return Long.parseLong(configured.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(ENVIRONMENT + " must be a number of bytes, not " + configured);
        }
    }

    /** Fails, in words, when the file system of {@code folder} has less than {@code bytes} free for {@code purpose}. */
    public static void require(Path folder, long bytes, String purpose) throws IOException {
        Path existing = folder.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        long usable = Files.getFileStore(existing == null ? Path.of(".") : existing).getUsableSpace();
        if (usable < bytes) {
            throw new IOException("no space left on device: " + megabytes(usable) + " free under " + folder.toAbsolutePath() + ", and "
                    + purpose + " needs at least " + megabytes(bytes) + " (" + ENVIRONMENT + "); free space, then start again");
        }
    }

    private static String megabytes(long bytes) {
        return (bytes >> 20) + " MB";
    }
}
