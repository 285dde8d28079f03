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
    /** ENOSPC as strerror says it, lower-cased: every message about a full disk starts with it. */
    static final String NO_SPACE = "no space left on device";
    /** PostgreSQL's disk_full, for example "could not extend file" on INSERT. */
    static final String DISK_FULL_SQL_STATE = "53100";

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
        long usable = Files.getFileStore(existing(folder)).getUsableSpace();
        if (usable < bytes) {
            throw new IOException(NO_SPACE + ": " + megabytes(usable) + " free under " + folder.toAbsolutePath() + ", and "
                    + purpose + " needs at least " + megabytes(bytes) + " (" + ENVIRONMENT + "); free space, then start again");
        }
    }

    /**
     * Whether {@code failure} was a full disk: the operating system's ENOSPC ("No space left on device", in an
     * IOException's message or in PostgreSQL's) or PostgreSQL's SQLState 53100 (disk_full), anywhere in its causes.
     */
    public static boolean isNoSpaceLeft(Throwable failure) {
        int depth = 0;
        for (Throwable cause = failure; cause != null && depth < 16; cause = cause.getCause(), depth++) {
            if (cause instanceof java.sql.SQLException sql && DISK_FULL_SQL_STATE.equals(sql.getSQLState())) {
                return true;
            }
            if (cause.getMessage() != null && saysNoSpaceLeft(cause.getMessage())) {
                return true;
            }
        }
        return false;
    }

    /**
     * As {@link #isNoSpaceLeft(Throwable)}, or PostgreSQL's log says so since {@code since} (its size when the run
     * began): the embedded server's PANIC on a full disk reaches the driver only as a lost connection.
     */
    public static boolean isNoSpaceLeft(Throwable failure, Path postgresLog, long since) {
        return isNoSpaceLeft(failure) || saysNoSpaceLeft(textSince(postgresLog, since));
    }

    /** Whether a message (an exception's, or lines of PostgreSQL's log) tells of ENOSPC. */
    public static boolean saysNoSpaceLeft(String text) {
        return text.toLowerCase(java.util.Locale.ROOT).contains(NO_SPACE);
    }

    /**
     * The one line an operator reads when {@code what} ran out of space under {@code folder}: ENOSPC in words,
     * what is free now, and what to do. The cause is kept for the DEBUG log; its message is not repeated, as it
     * may name a file.
     */
    public static IOException noSpaceLeft(Path folder, String what, Throwable cause) {
        String free;
        try {
            free = megabytes(Files.getFileStore(existing(folder)).getUsableSpace()) + " free now";
        } catch (IOException e) {
            free = "free space unknown";
        }
        return new IOException(NO_SPACE + ": " + what + " ran out of space under " + folder.toAbsolutePath() + " (" + free
                + "); free space or grow the disk, then run the same command again: it goes on from where it stopped, "
                + "and nothing has to be removed by hand", cause);
    }

    /** The size of a log file, 0 if there is none yet: where this run's part of it begins. */
    public static long sizeOf(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** What was written to a log file since {@code offset} (one run's part), at most its last 64 KiB. */
    static String textSince(Path log, long offset) {
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(log, java.nio.file.StandardOpenOption.READ)) {
            long from = Math.max(offset, channel.size() - (64 << 10));
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate((int) Math.max(0, channel.size() - from));
            channel.read(buffer, from);
            return new String(buffer.array(), 0, buffer.position(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static Path existing(Path folder) {
        Path existing = folder.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        return existing == null ? Path.of(".") : existing;
    }

    private static String megabytes(long bytes) {
        return (bytes >> 20) + " MB";
    }
}
