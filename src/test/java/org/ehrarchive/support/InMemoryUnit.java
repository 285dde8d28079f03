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

    private final byte[] bytes;
    private final List<File> files;
    private final Map<String, byte[]> referenced;
    private final long maxEmbeddedBytes;
    /** What the importer stored, by SHA-256. */
    public final Map<String, byte[]> blobs = new LinkedHashMap<>();

    public InMemoryUnit(String name, byte[] bytes) {
        this(name, bytes, Map.of(), 1L << 30);
    }

    public InMemoryUnit(String name, byte[] bytes, Map<String, byte[]> referenced, long maxEmbeddedBytes) {
        this.bytes = bytes;
        this.files = List.of(new File(name, BlobStore.sha256Of(bytes), bytes.length));
        this.referenced = referenced;
        this.maxEmbeddedBytes = maxEmbeddedBytes;
    }

    @Override
    public List<File> files() {
        return files;
    }

    @Override
    public InputStream open(File file) {
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
