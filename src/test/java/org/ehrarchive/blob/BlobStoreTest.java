package org.ehrarchive.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobStoreTest {

    private static final byte[] ORIGINAL = "\uFEFF<ClinicalDocument>\r\n  odd bytes \u00e9\u0000\r\n".getBytes(StandardCharsets.UTF_8);

    @Test
    void shouldKeepBytesExactlyUnderTheirSha256(@TempDir Path root) throws Exception {
        BlobStore store = new BlobStore(root);
        String hash = store.put(ORIGINAL);
        assertThat(hash).isEqualTo(BlobStore.sha256Of(ORIGINAL)).hasSize(64);
        assertThat(store.read(hash)).isEqualTo(ORIGINAL);
        assertThat(store.pathOf(hash)).startsWith(root.resolve("sha256").resolve(hash.substring(0, 2)));
    }

    @Test
    void shouldNeverOverwriteAStoredBlob(@TempDir Path root) throws Exception {
        BlobStore store = new BlobStore(root);
        String hash = store.put(ORIGINAL);
        Path path = store.pathOf(hash);
        FileTime written = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));
        Files.setLastModifiedTime(path, written);
        assertThat(store.put(ORIGINAL)).isEqualTo(hash);
        assertThat(Files.getLastModifiedTime(path)).isEqualTo(written);
        try (var files = Files.list(root.resolve("tmp"))) {
            assertThat(files).as("no temporary file left behind").isEmpty();
        }
    }

    @Test
    void shouldRefuseAPathThatIsNotAHash(@TempDir Path root) {
        BlobStore store = new BlobStore(root);
        assertThatThrownBy(() -> store.read("../../etc/passwd")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldSweepOnlyAbandonedTemporaryFiles(@TempDir Path root) throws Exception {
        new BlobStore(root);
        Path abandoned = Files.writeString(root.resolve("tmp/put-1.part"), "half");
        Files.setLastModifiedTime(abandoned, FileTime.from(Instant.now().minusSeconds(7 * 3600)));
        Path inFlight = Files.writeString(root.resolve("tmp/put-2.part"), "another process is writing");
        new BlobStore(root);
        assertThat(abandoned).doesNotExist();
        assertThat(inFlight).exists();
    }
}
