package org.ehrarchive.ingest.ccda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.ehrarchive.ingest.IngestError;
import org.ehrarchive.ingest.QuarantineException;
import org.ehrarchive.support.HostileXml;
import static org.ehrarchive.support.HostileXml.SECRET;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile XML is refused before anything is read or expanded. */
class HardenedXmlTest {

    @Test
    void shouldRefuseAnExternalEntityWithoutReadingTheFile(@TempDir Path dir) throws Exception {
        Path secret = Files.writeString(dir.resolve("secret.txt"), SECRET);
        assertRefused(HostileXml.externalEntityReading(secret));
    }

    @Test
    void shouldRefuseBillionLaughsQuickly() {
        long start = System.nanoTime();
        assertRefused(HostileXml.billionLaughs());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void shouldRefuseAnExternalDtd(@TempDir Path dir) throws Exception {
        Path dtd = Files.writeString(dir.resolve("evil.dtd"), HostileXml.dtdDefiningTheSecret());
        assertRefused(HostileXml.externalDtd(dtd));
    }

    private static void assertRefused(String xml) {
        assertThatThrownBy(() -> HardenedXml.shape(() -> new java.io.ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8))))
                .isInstanceOfSatisfying(QuarantineException.class, e -> {
                    assertThat(e.error()).isEqualTo(IngestError.XML_DOCTYPE_FORBIDDEN);
                    assertThat(e.getMessage()).doesNotContain(SECRET);
                });
    }
}
