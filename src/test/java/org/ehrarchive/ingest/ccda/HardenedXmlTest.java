package org.ehrarchive.ingest.ccda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.ehrarchive.ingest.IngestError;
import org.ehrarchive.ingest.QuarantineException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile XML is refused before anything is read or expanded. */
class HardenedXmlTest {

    static final String SECRET = "s3cr3t-local-file-content";

    /** An external entity that would pull a local file into the document. */
    static String externalEntityReading(Path localFile) {
        return "<?xml version=\"1.0\"?>\n<!DOCTYPE ClinicalDocument [<!ENTITY xxe SYSTEM \"" + localFile.toUri() + "\">]>\n"
                + "<ClinicalDocument xmlns=\"urn:hl7-org:v3\"><title>&xxe;</title><recordTarget><patientRole>"
                + "<id root=\"1.2.3\" extension=\"XXE\"/></patientRole></recordTarget></ClinicalDocument>";
    }

    /** The classic billion laughs: ten levels of ten-fold entity expansion. */
    static String billionLaughs() {
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\"?>\n<!DOCTYPE ClinicalDocument [\n<!ENTITY lol0 \"lol\">\n");
        for (int i = 1; i <= 10; i++) {
            xml.append("<!ENTITY lol").append(i).append(" \"");
            for (int j = 0; j < 10; j++) {
                xml.append("&lol").append(i - 1).append(';');
            }
            xml.append("\">\n");
        }
        return xml.append("]>\n<ClinicalDocument xmlns=\"urn:hl7-org:v3\"><title>&lol10;</title></ClinicalDocument>").toString();
    }

    /** A DOCTYPE naming an external DTD that defines an entity the document uses. */
    static String externalDtd(Path dtd) {
        return "<?xml version=\"1.0\"?>\n<!DOCTYPE ClinicalDocument SYSTEM \"" + dtd.toUri() + "\">\n"
                + "<ClinicalDocument xmlns=\"urn:hl7-org:v3\"><title>&fromdtd;</title></ClinicalDocument>";
    }

    @Test
    void shouldRefuseAnExternalEntityWithoutReadingTheFile(@TempDir Path dir) throws Exception {
        Path secret = Files.writeString(dir.resolve("secret.txt"), SECRET);
        assertRefused(externalEntityReading(secret));
    }

    @Test
    void shouldRefuseBillionLaughsQuickly() {
        long start = System.nanoTime();
        assertRefused(billionLaughs());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void shouldRefuseAnExternalDtd(@TempDir Path dir) throws Exception {
        Path dtd = Files.writeString(dir.resolve("evil.dtd"), "<!ENTITY fromdtd \"" + SECRET + "\">");
        assertRefused(externalDtd(dtd));
    }

    private static void assertRefused(String xml) {
        assertThatThrownBy(() -> HardenedXml.parse(xml.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(QuarantineException.class, e -> {
                    assertThat(e.error()).isEqualTo(IngestError.XML_DOCTYPE_FORBIDDEN);
                    assertThat(e.getMessage()).doesNotContain(SECRET);
                });
    }
}
