package org.ehrarchive.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.zip.DeflaterOutputStream;

import org.ehrarchive.support.ArchiveJar;
import org.ehrarchive.support.Fixtures;
import org.ehrarchive.support.JsonReports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The file-size limit and empty files, as an admin meets them: a file over {@code archive.ingest.max-file-bytes} is
 * kept byte-exact and quarantined with a reason that says what to change, an empty file is quarantined, the run goes
 * on and exits 0; once the limit is raised the same content is read again and archived, and it is one source file. The
 * limit also bounds what an embedded file inflates to: that attachment alone is quarantined, and counted.
 */
class IngestLimitsIT {

    private static final Duration RUN_LIMIT = Duration.ofMinutes(3);

    @Test
    void aFileOverTheLimitIsKeptAndQuarantinedThenArchivedOnceTheLimitIsRaised(@TempDir Path work) throws Exception {
        ArchiveJar archive = new ArchiveJar(work);
        Path input = work.resolve("export");
        Fixtures.copy("ccda", "full-ccd.xml", input);
        Files.write(input.resolve("empty.xml"), new byte[0]);
        Files.writeString(input.resolve("bomb.xml"), documentWithABodyInflatingTo(100_000));
        long size = Files.size(input.resolve("full-ccd.xml"));

        Path first = work.resolve("limited.json");
        int exit = archive.run("limited", Map.of("ARCHIVE_INGEST_MAX_FILE_BYTES", Long.toString(size - 1)), RUN_LIMIT,
                "ingest", input.toString(), "--report-json", first.toString());

        assertThat(exit).as(archive.output("limited")).isZero();
        JsonNode limited = JsonReports.read(first);
        JsonNode tooLarge = JsonReports.fileNamed(limited, "full-ccd.xml");
        assertThat(tooLarge.get("status").asText()).isEqualTo("quarantined");
        assertThat(tooLarge.get("reason").asText()).startsWith("ING-002").contains("archive.ingest.max-file-bytes").contains(size + " bytes");
        assertThat(tooLarge.get("found").asInt()).as("never read, so nothing in it counted").isZero();
        String sha256 = tooLarge.get("sha256").asText();
        assertThat(Files.readAllBytes(JsonReports.blob(archive.dataDir(), sha256))).as("the original is kept byte-exact")
                .isEqualTo(Files.readAllBytes(input.resolve("full-ccd.xml")));
        JsonNode empty = JsonReports.fileNamed(limited, "empty.xml");
        assertThat(empty.get("status").asText()).isEqualTo("quarantined");
        assertThat(empty.get("reason").asText()).startsWith("ING-003");
        // The limit also bounds what an embedded file may inflate to: only the attachment is quarantined, and counted.
        JsonNode bomb = JsonReports.fileNamed(limited, "bomb.xml");
        assertThat(bomb.get("status").asText()).isEqualTo("archived");
        assertThat(bomb.get("records").get("attachment").get("quarantined").asInt()).isEqualTo(1);
        assertThat(bomb.get("records").get("document").get("archived").asInt()).isEqualTo(1);
        assertThat(bomb.get("quarantined").asInt()).isEqualTo(1);
        assertThat(bomb.get("found").asInt()).isEqualTo(bomb.get("archived").asInt() + bomb.get("quarantined").asInt());
        assertThat(limited.get("totals").get("quarantinedFiles").asInt()).isEqualTo(2);
        assertThat(limited.get("totals").get("quarantined").asInt()).isEqualTo(1);
        assertThat(limited.get("totals").get("archived").asInt()).isEqualTo(1);

        Path second = work.resolve("default.json");
        assertThat(archive.run("default", RUN_LIMIT, "ingest", input.toString(), "--report-json", second.toString()))
                .as(archive.output("default")).isZero();
        JsonNode fixed = JsonReports.read(second);
        JsonNode archived = JsonReports.fileNamed(fixed, "full-ccd.xml");
        assertThat(archived.get("status").asText()).as("quarantined content is read again, not a duplicate").isEqualTo("archived");
        assertThat(archived.get("sha256").asText()).isEqualTo(sha256);
        assertThat(archived.get("archived").asInt()).isEqualTo(14).isEqualTo(archived.get("found").asInt());
        assertThat(JsonReports.fileNamed(fixed, "empty.xml").get("reason").asText()).startsWith("ING-003");

        Path third = work.resolve("again.json");
        assertThat(archive.run("again", RUN_LIMIT, "ingest", input.toString(), "--report-json", third.toString())).isZero();
        JsonNode again = JsonReports.read(third);
        assertThat(JsonReports.fileNamed(again, "full-ccd.xml").get("status").asText()).as("archived once, a duplicate after").isEqualTo("duplicate");
        assertThat(again.get("totals").get("archived").asInt()).isZero();
        assertThat(archive.output("limited") + archive.output("default")).doesNotContain("full-ccd").doesNotContain("bomb").doesNotContain("MRN-4711").doesNotContain("LIMITS-1");
    }

    /** A document whose nonXMLBody is a few hundred bytes of deflated zeros that inflate to {@code inflatedBytes}. */
    private static String documentWithABodyInflatingTo(int inflatedBytes) throws Exception {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (DeflaterOutputStream deflate = new DeflaterOutputStream(compressed)) {
            deflate.write(new byte[inflatedBytes]);
        }
        return "<ClinicalDocument xmlns=\"urn:hl7-org:v3\"><id root=\"1.2.3\" extension=\"limits-bomb\"/><recordTarget><patientRole>"
                + "<id root=\"1.2.3.4\" extension=\"LIMITS-1\"/></patientRole></recordTarget><component><nonXMLBody>"
                + "<text mediaType=\"application/pdf\" representation=\"B64\" compression=\"DF\">"
                + Base64.getMimeEncoder().encodeToString(compressed.toByteArray()) + "</text></nonXMLBody></component></ClinicalDocument>";
    }
}
