package org.ehrarchive.support;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.ehrarchive.blob.BlobStore;
import org.ehrarchive.ingest.SourceUnit;

/**
 * A one-file source unit held in memory, for importer tests: what an importer writes into the blob store is kept
 * here by hash, so that a test can compare it with what it expects; referenced files come from a map.
 */
public final class InMemoryUnit implements SourceUnit {

    private final Map<File, byte[]> contents = new LinkedHashMap<>();
    private final List<File> files;
    private final Map<String, byte[]> referenced;
    private final long maxEmbeddedBytes;
    /** What the importer stored, by SHA-256. */
    public final Map<String, byte[]> blobs = new LinkedHashMap<>();

    public InMemoryUnit(String name, byte[] bytes) {
        this(name, bytes, Map.of(), 1L << 30);
    }

    public InMemoryUnit(String name, byte[] bytes, Map<String, byte[]> referenced, long maxEmbeddedBytes) {
        this(orderedOne(name, bytes), referenced, maxEmbeddedBytes);
    }

    /** A unit of several files, in the order given (the first decides the importer). */
    public InMemoryUnit(Map<String, byte[]> files) {
        this(files, Map.of(), 1L << 30);
    }

    private InMemoryUnit(Map<String, byte[]> files, Map<String, byte[]> referenced, long maxEmbeddedBytes) {
        files.forEach((name, bytes) -> contents.put(new File(name, BlobStore.sha256Of(bytes), bytes.length), bytes));
        this.files = List.copyOf(contents.keySet());
        this.referenced = referenced;
        this.maxEmbeddedBytes = maxEmbeddedBytes;
    }

    private static Map<String, byte[]> orderedOne(String name, byte[] bytes) {
        Map<String, byte[]> one = new LinkedHashMap<>();
        one.put(name, bytes);
        return one;
    }

    @Override
    public List<File> files() {
        return files;
    }

    @Override
    public InputStream open(File file) {
        byte[] bytes = contents.get(file);
        if (bytes == null) {
            throw new IllegalArgumentException("not a file of this unit");
        }
        return new ByteArrayInputStream(bytes);
    }

    @Override
    public BlobOutput newBlob(long maxBytes) {
        ByteArrayOutputStream kept = new ByteArrayOutputStream();
        return new BlobOutput() {
            @Override
            public void write(int b) throws BlobTooLargeException {
                check(1);
                kept.write(b);
            }

            @Override
            public void write(byte[] data, int offset, int length) throws BlobTooLargeException {
                check(length);
                kept.write(data, offset, length);
            }

            private void check(int more) throws BlobTooLargeException {
                if (kept.size() + (long) more > maxBytes) {
                    throw new BlobTooLargeException(maxBytes);
                }
            }

            @Override
            public StoredBlob store() {
                byte[] content = kept.toByteArray();
                String sha = BlobStore.sha256Of(content);
                blobs.put(sha, content);
                return new StoredBlob(sha, content.length);
            }

            @Override
            public void discard() {
            }

            @Override
            public InputStream readBack() {
                return new ByteArrayInputStream(kept.toByteArray());
            }
        };
    }

    @Override
    public Optional<StoredBlob> storeReferenced(File from, String reference) {
        byte[] content = referenced.get(reference);
        if (content == null) {
            return Optional.empty();
        }
        String sha = HexFormat.of().formatHex(sha256(content));
        blobs.put(sha, content);
        return Optional.of(new StoredBlob(sha, content.length));
    }

    private static byte[] sha256(byte[] content) {
        return HexFormat.of().parseHex(BlobStore.sha256Of(content));
    }

    @Override
    public long maxEmbeddedBytes() {
        return maxEmbeddedBytes;
    }
}
