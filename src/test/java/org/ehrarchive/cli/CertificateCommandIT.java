package org.ehrarchive.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.ehrarchive.blob.BlobStore;
import org.ehrarchive.support.ArchiveJar;
import org.ehrarchive.support.Fixtures;
import org.ehrarchive.support.RunningServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code certificate} on the packaged jar: writes certificate.json and certificate.pdf, prints their SHA-256 and the
 * certificate's id; an unknown source system or a folder it cannot write is a usage error (2).
 */
class CertificateCommandIT {

    private static final Duration RUN_LIMIT = Duration.ofMinutes(3);

    @Test
    void certificateWritesBothFilesAndNamesTheirHashesAndAnUnknownSourceSystemIsAUsageError(@TempDir Path work) throws Exception {
        ArchiveJar archive = new ArchiveJar(work);
        // One server owns the embedded database throughout (so the test can read it); the commands attach to it.
        try (RunningServer server = archive.serve("server", RUN_LIMIT)) {
            certify(archive, work);
        }
    }

    private static void certify(ArchiveJar archive, Path work) throws Exception {
        Path input = work.resolve("export");
        Fixtures.copy("ccda", "full-ccd.xml", input);
        Fixtures.copy("ccda", "truncated.xml", input);
        assertThat(archive.run("ingest", RUN_LIMIT, "ingest", input.toString(), "--source-system", "Old EHR")).as(archive.output("ingest")).isZero();

        Path out = work.resolve("certificates/old-ehr");
        assertThat(archive.run("certificate", RUN_LIMIT, "certificate", "--source-system", "Old EHR", "--out", out.toString()))
                .as(archive.output("certificate")).isZero();
        String printed = archive.output("certificate");
        String jsonSha256 = BlobStore.sha256Of(Files.readAllBytes(out.resolve("certificate.json")));
        String pdfSha256 = BlobStore.sha256Of(Files.readAllBytes(out.resolve("certificate.pdf")));
        assertThat(printed).containsPattern("certificate \\d+ issued for source system \"Old EHR\"")
                .contains("certificate.json  sha256 " + jsonSha256).contains("certificate.pdf  sha256 " + pdfSha256);
        assertThat(Files.readString(out.resolve("certificate.json"))).contains("\"name\" : \"Old EHR\"");
        try (var db = archive.connect()) {
            assertThat(archive.count(db, "select count(*) from decommission_certificate where json_sha256 = '" + jsonSha256
                    + "' and pdf_sha256 = '" + pdfSha256 + "'")).isEqualTo(1);
            assertThat(archive.count(db, "select count(*) from access_audit where action = 'CERTIFICATE'")).isEqualTo(1);
        }

        assertThat(archive.run("unknown", RUN_LIMIT, "certificate", "--source-system", "Never ingested", "--out", work.resolve("x").toString()))
                .isEqualTo(ArchiveCommand.ExitCodes.USAGE);
        assertThat(archive.output("unknown")).contains("no source system is named \"Never ingested\"").contains("\"Old EHR\"");
        assertThat(work.resolve("x")).doesNotExist();

        Path file = Files.writeString(work.resolve("a-file"), "not a folder");
        assertThat(archive.run("unwritable", RUN_LIMIT, "certificate", "--source-system", "Old EHR", "--out", file.resolve("sub").toString()))
                .isEqualTo(ArchiveCommand.ExitCodes.USAGE);
        assertThat(archive.output("unwritable")).contains("cannot write to");
    }
}
