package org.ehrarchive.blob;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.ehrarchive.ArchiveConfig;

/**
 * Content-addressed store of originals (architecture principle 1): every blob is stored once under its SHA-256,
 * written to a temporary file, synced, moved into place atomically, and the directory synced, so that the blob
 * survives a crash once a database row names it. Blobs are never overwritten or deleted (only the retention
 * workflow, a later feature, may delete).
 * <p>
 * Content already stored is recognised by its hash before anything is written, so an idempotent rerun reads each
 * file once and writes nothing. Ingest stages a blob (copy and hash, no sync yet) and makes it durable on a pool of
 * I/O threads ({@link Staged#durable()}), because a sync costs milliseconds here and many of them overlap well;
 * the ingest writer waits for a file's blobs before it commits any record of that file.
 * <p>
 * Layout: {@code <data-dir>/blobs/sha256/ab/cd/abcd...}; unfinished writes live in {@code blobs/tmp} and are
 * swept at start once they are old enough to be certainly abandoned.
 */
@ApplicationScoped
public class BlobStore {

    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    /** Syncs overlap well on these disks: sixteen in flight give most of the throughput of more. */
    private static final int SYNC_THREADS = 16;

    private final Path root;
    private final Path tmp;
    private volatile ExecutorService syncs;

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
        String hash = sha256Of(bytes);
        if (contains(hash)) {
            return hash;
        }
        return put(new java.io.ByteArrayInputStream(bytes));
    }

    /** Stores the stream's bytes and returns their SHA-256 (lowercase hex); the stream is read to its end. */
    public String put(InputStream content) throws IOException {
        Output out = newOutput(Long.MAX_VALUE);
        try (out) {
            content.transferTo(out);
        } catch (IOException | RuntimeException e) {
            out.discard();
            throw e;
        }
        Staged staged = out.stage();
        awaitDurable(staged.durable());
        return staged.sha256();
    }

    /** Stores a file's bytes, unless the store has them already; the file itself is left untouched. */
    public String putFile(Path file) throws IOException {
        String hash = hash(file);
        if (!contains(hash)) {
            Staged staged = stage(file, hash);
            staged.close();
            awaitDurable(staged.durable());
        }
        return hash;
    }

    /** The SHA-256 of a file, read once, without storing anything. */
    public String hash(Path file) throws IOException {
        MessageDigest digest = sha256();
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
            while (in.read(buffer) >= 0) {
                buffer.flip();
                digest.update(buffer);
                buffer.clear();
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * Copies a file into the store under the hash it was found to have, and starts making it durable. The copy is
     * readable at once ({@link Staged#open()}), from the bytes that were hashed: if the file changed since, this
     * fails rather than keep bytes that do not match their name.
     */
    public Staged stage(Path file, String expectedSha256) throws IOException {
        Output out = newOutput(Long.MAX_VALUE);
        try (InputStream in = Files.newInputStream(file); out) {
            in.transferTo(out);
        } catch (IOException | RuntimeException e) {
            out.discard();
            throw e;
        }
        Staged staged = out.stage();
        if (!staged.sha256().equals(expectedSha256)) {
            staged.close();
            throw new IOException("the file changed while it was read");
        }
        return staged;
    }

    /** A stored blob, opened for reading as a staged one (already durable). */
    public Staged existing(String sha256) throws IOException {
        Path path = pathOf(sha256);
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        return new Staged(sha256, channel.size(), channel, CompletableFuture.completedFuture(null));
    }

    /**
     * A new blob written as a stream, hashed as it is written, up to {@code maxBytes}
     * ({@link TooLargeException} beyond).
     */
    public Output newOutput(long maxBytes) throws IOException {
        Path temporary = Files.createTempFile(tmp, "put-", ".part");
        return new Output(temporary, maxBytes);
    }

    /** Opens the blob with this SHA-256, if the store has it. */
    public Optional<InputStream> open(String sha256) throws IOException {
        Path path = pathOf(sha256);
        try {
            return Optional.of(Files.newInputStream(path));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** Reads a whole blob; for tests and small blobs. */
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

    /** The folder of the blobs themselves, {@code sha256/ab/cd/abcd...}; {@code tmp} beside it holds unfinished writes. */
    public Path contentRoot() {
        return root.resolve("sha256");
    }

    /** Where the blob with this hash lives; the hash must be 64 lowercase hex digits. */
    public Path pathOf(String sha256) {
        if (!SHA256_HEX.matcher(sha256).matches()) {
            throw new IllegalArgumentException("Not a SHA-256 in lowercase hex: " + sha256);
        }
        return root.resolve("sha256").resolve(sha256.substring(0, 2)).resolve(sha256.substring(2, 4)).resolve(sha256);
    }

    /** Computes the SHA-256 of bytes without storing them. */
    public static String sha256Of(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    /** Waits until a blob is durable; an I/O failure of the sync comes out as the IOException it was. */
    public static void awaitDurable(CompletableFuture<Void> durable) throws IOException {
        try {
            durable.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            throw new IOException("Could not make a blob durable", e.getCause());
        }
    }

    @PreDestroy
    void stopSyncThreads() {
        if (syncs != null) {
            syncs.shutdown();
        }
    }

    /** More bytes were written into a blob than allowed. */
    public static final class TooLargeException extends IOException {
        public TooLargeException(long limit) {
            super("more than " + limit + " bytes");
        }
    }

    /** A blob being written: hashed as it goes; {@link #stage()} names it, {@link #discard()} throws it away. */
    public final class Output extends OutputStream {
        private final Path temporary;
        private final long maxBytes;
        private final FileChannel channel;
        private final MessageDigest digest = sha256();
        private final OutputStream out;
        private long size;
        private boolean closed;

        private Output(Path temporary, long maxBytes) throws IOException {
            this.temporary = temporary;
            this.maxBytes = maxBytes;
            this.channel = FileChannel.open(temporary, StandardOpenOption.READ, StandardOpenOption.WRITE);
            this.out = new java.io.BufferedOutputStream(new DigestOutputStream(Channels.newOutputStream(channel), digest), 1 << 16);
        }

        @Override
        public void write(int b) throws IOException {
            count(1);
            out.write(b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            count(length);
            out.write(bytes, offset, length);
        }

        private void count(long more) throws IOException {
            size += more;
            if (size > maxBytes) {
                throw new TooLargeException(maxBytes);
            }
        }

        /** What was written so far, from the start (for a second look, such as inflating it). */
        public InputStream readBack() throws IOException {
            out.flush();
            return new PositionalInputStream(channel);
        }

        /**
         * Names what was written by its hash and starts making it durable; the blob stays readable through the
         * returned {@link Staged}, whatever the sync thread does with the file.
         */
        public Staged stage() throws IOException {
            out.flush();
            closed = true;
            String hash = HexFormat.of().formatHex(digest.digest());
            Path target = pathOf(hash);
            CompletableFuture<Void> durable = CompletableFuture.runAsync(() -> {
                try {
                    makeDurable(channel, temporary, target);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, syncPool());
            return new Staged(hash, size, channel, durable);
        }

        /** Written nothing, or given up: the temporary file goes. */
        public void discard() {
            closed = true;
            try {
                channel.close();
                Files.deleteIfExists(temporary);
            } catch (IOException e) {
                // a leftover temporary file is swept at a later start
            }
        }

        @Override
        public void close() throws IOException {
            out.flush(); // the channel stays open until the blob is staged or discarded
        }

        boolean isClosed() {
            return closed;
        }
    }

    /**
     * A blob named by its hash, readable now, durable once {@link #durable()} completes. Close it when done reading;
     * closing does not stop it from becoming durable.
     */
    public static final class Staged implements AutoCloseable {
        private final String sha256;
        private final long size;
        private final FileChannel channel;
        private final CompletableFuture<Void> durable;

        Staged(String sha256, long size, FileChannel channel, CompletableFuture<Void> durable) {
            this.sha256 = sha256;
            this.size = size;
            this.channel = channel;
            this.durable = durable;
        }

        public String sha256() {
            return sha256;
        }

        public long size() {
            return size;
        }

        /** The blob's bytes from the start; several streams may be opened one after the other. */
        public InputStream open() {
            return new PositionalInputStream(channel);
        }

        /** Completes when the blob is synced and in place; fails with the I/O error if it could not be. */
        public CompletableFuture<Void> durable() {
            return durable;
        }

        @Override
        public void close() throws IOException {
            // The sync thread may still be working with the file; its rename does not need this channel open.
            durable.whenComplete((done, failure) -> {
                try {
                    channel.close();
                } catch (IOException e) {
                    // nothing to do: the channel was only read from
                }
            });
        }
    }

    /** Reads a channel from position 0 with positional reads, so that several readers never share a position. */
    private static final class PositionalInputStream extends InputStream {
        private final FileChannel channel;
        private long position;

        PositionalInputStream(FileChannel channel) {
            this.channel = channel;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int read = read(one, 0, 1);
            return read < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            int read = channel.read(ByteBuffer.wrap(bytes, offset, length), position);
            if (read > 0) {
                position += read;
            }
            return read;
        }
    }

    /** Syncs the file, moves it into place (unless the content is there already) and syncs the directories. */
    private void makeDurable(FileChannel channel, Path temporary, Path target) throws IOException {
        if (Files.exists(target)) {
            Files.deleteIfExists(temporary);
            return;
        }
        channel.force(true);
        createDirectoriesDurably(target.getParent());
        try {
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            // Another writer stored the same content first: identical bytes, nothing to do.
            Files.deleteIfExists(temporary);
            return;
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("The blob store needs a file system with atomic renames: " + target.getParent(), e);
        }
        syncDirectory(target.getParent()); // the new name survives a crash only once its directory is synced
    }

    /** Creates missing directories and syncs each parent whose listing gained one. */
    private void createDirectoriesDurably(Path directory) throws IOException {
        if (Files.isDirectory(directory)) {
            return;
        }
        createDirectoriesDurably(directory.getParent());
        try {
            Files.createDirectory(directory);
        } catch (FileAlreadyExistsException e) {
            return; // another thread made it
        }
        syncDirectory(directory.getParent());
    }

    private static void syncDirectory(Path directory) throws IOException {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    private ExecutorService syncPool() {
        ExecutorService pool = syncs;
        if (pool == null) {
            synchronized (this) {
                if (syncs == null) {
                    syncs = Executors.newFixedThreadPool(SYNC_THREADS, runnable -> {
                        Thread thread = new Thread(runnable, "blob-sync");
                        thread.setDaemon(true);
                        return thread;
                    });
                }
                pool = syncs;
            }
        }
        return pool;
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
