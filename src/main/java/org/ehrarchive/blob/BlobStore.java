package org.ehrarchive.blob;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import jakarta.enterprise.context.ApplicationScoped;

import org.ehrarchive.ArchiveConfig;

/**
 * Content-addressed store of originals (architecture principle 1): every blob is stored once under its SHA-256,
 * written to a temporary file, synced, then moved into place atomically, and never overwritten or deleted
 * (only the retention workflow, a later feature, may delete).
 * <p>
 * Layout: {@code <data-dir>/blobs/sha256/ab/cd/abcd...}; unfinished writes live in {@code blobs/tmp} and are
 * swept at start once they are old enough to be certainly abandoned.
 */
@ApplicationScoped
public class BlobStore {

    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    private final Path root;
    private final Path tmp;

    @jakarta.inject.Inject
    public BlobStore(ArchiveConfig config) {
        this(config.dataDir().resolve("blobs"));
    }

    /** A store rooted at {@code root}; used directly by tests and tools. */
    public BlobStore(Path root) {
        this.root = root.toAbsolutePath();
        this.tmp = this.root.resolve("tmp");
        try {
            Files.createDirectories(tmp);
            sweepUnfinishedWrites();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the blob store at " + this.root, e);
        }
    }

    /** Stores the bytes and returns their SHA-256 (lowercase hex); storing the same bytes again is a no-op. */
    public String put(byte[] bytes) throws IOException {
        return put(new java.io.ByteArrayInputStream(bytes));
    }

    /** Stores the stream's bytes and returns their SHA-256 (lowercase hex); the stream is read to its end. */
    public String put(InputStream content) throws IOException {
        Path temporary = Files.createTempFile(tmp, "put-", ".part");
        try {
            MessageDigest digest = sha256();
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE);
                    OutputStream out = new DigestOutputStream(Channels.newOutputStream(channel), digest)) {
                content.transferTo(out);
                out.flush();
                channel.force(true); // one sync of the whole file before it becomes visible under its hash
            }
            String hash = HexFormat.of().formatHex(digest.digest());
            Path target = pathOf(hash);
            if (!Files.exists(target)) {
                Files.createDirectories(target.getParent());
                moveIntoPlace(temporary, target);
            }
            return hash;
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** Stores a file's bytes; the file itself is left untouched. */
    public String putFile(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return put(in);
        }
    }

    /** Opens the blob with this SHA-256, if the store has it. */
    public Optional<InputStream> open(String sha256) throws IOException {
        Path path = pathOf(sha256);
        return Files.exists(path) ? Optional.of(Files.newInputStream(path)) : Optional.empty();
    }

    /** Reads a whole blob; for documents whose size the ingest limit already bounds. */
    public byte[] read(String sha256) throws IOException {
        Path path = pathOf(sha256);
        if (!Files.exists(path)) {
            throw new IOException("No blob " + sha256 + " in the blob store");
        }
        return Files.readAllBytes(path);
    }

    public boolean contains(String sha256) {
        return Files.exists(pathOf(sha256));
    }

    /** Whether the store's directories exist and a file can be created in them (the health check). */
    public boolean isWritable() {
        try {
            Path probe = Files.createTempFile(tmp, "health-", ".probe");
            Files.delete(probe);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public Path root() {
        return root;
    }

    /** Where the blob with this hash lives; the hash must be 64 lowercase hex digits. */
    Path pathOf(String sha256) {
        if (!SHA256_HEX.matcher(sha256).matches()) {
            throw new IllegalArgumentException("Not a SHA-256 in lowercase hex: " + sha256);
        }
        return root.resolve("sha256").resolve(sha256.substring(0, 2)).resolve(sha256.substring(2, 4)).resolve(sha256);
    }

    /** Computes the SHA-256 of bytes without storing them. */
    public static String sha256Of(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    private static void moveIntoPlace(Path temporary, Path target) throws IOException {
        try {
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            // Another writer stored the same content first: identical bytes, nothing to do.
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("The blob store needs a file system with atomic renames: " + target.getParent(), e);
        }
    }

    /**
     * Deletes temporary files left by a writer that crashed. Another archive process may share this store and be
     * writing right now, so only files untouched for a long time are swept.
     */
    private void sweepUnfinishedWrites() throws IOException {
        java.time.Instant cutoff = java.time.Instant.now().minus(java.time.Duration.ofHours(6));
        try (Stream<Path> leftovers = Files.list(tmp)) {
            for (Path leftover : (Iterable<Path>) leftovers::iterator) {
                if (Files.getLastModifiedTime(leftover).toInstant().isBefore(cutoff)) {
                    Files.deleteIfExists(leftover);
                }
            }
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java runtime has SHA-256", e);
        }
    }
}
