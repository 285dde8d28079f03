package org.ehrarchive.fixity;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.ehrarchive.cli.ArchiveCommand;
import org.ehrarchive.support.ArchiveJar;
import org.ehrarchive.support.Fixtures;
import org.ehrarchive.support.RunningServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code verify-fixity} on the packaged jar (issue 13, issue 18): every original and embedded attachment hashed again;
 * a changed, a missing and an unexpected file are each named, exit 3; every run is recorded, audited and shown to
 * admins on the Fixity page.
 */
class FixityIT {

    private static final Duration RUN_LIMIT = Duration.ofMinutes(3);
    private static final String ADMIN_PASSWORD = "fixity-admin-password";

    @Test
    void aChangedAMissingAndAnUnexpectedFileAreEachNamedAndEveryRunIsRecorded(@TempDir Path work) throws Exception {
        ArchiveJar archive = new ArchiveJar(work).withEnvironment(Map.of("ARCHIVE_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD));
        Path input = work.resolve("export");
        // Originals, one of them with an embedded PDF (an attachment stored as a blob of its own) and one referencing a file.
        for (String fixture : List.of("full-ccd.xml", "unstructured-embedded.xml", "unstructured-reference.xml", "referenced-note.txt",
                "truncated.xml")) {
            Fixtures.copy("ccda", fixture, input);
        }
        assertThat(archive.run("ingest", RUN_LIMIT, "ingest", input.toString())).as(archive.output("ingest")).isZero();

        // A decommission certificate's two files are in the blob store too: recorded, so checked, never "unexpected".
        assertThat(archive.run("certificate", RUN_LIMIT, "certificate", "--source-system", "Unnamed source system", "--out",
                work.resolve("certificate").toString())).as(archive.output("certificate")).isZero();

        assertThat(archive.run("intact", RUN_LIMIT, "verify-fixity")).as(archive.output("intact")).isZero();
        List<Path> blobs = blobs(archive);
        assertThat(archive.output("intact")).contains("fixity intact (check 1): " + blobs.size() + " originals, " + blobs.size() + " matched, "
                + "0 changed, 0 missing, 0 unexpected");
        assertThat(blobs).as("the originals, the quarantined one, the embedded attachment and the certificate's two files")
                .hasSizeGreaterThanOrEqualTo(7).contains(archive.dataDir().resolve("blobs").resolve(blobPath(work.resolve("certificate/certificate.pdf"))));

        Path changed = blobs.get(0);
        Path missing = blobs.get(1);
        Files.writeString(changed, "one byte more", java.nio.file.StandardOpenOption.APPEND);
        Files.delete(missing);
        Path unexpected = archive.dataDir().resolve("blobs/sha256/00/00/" + "0".repeat(64));
        Files.createDirectories(unexpected.getParent());
        Files.writeString(unexpected, "put here by someone");
        Path stray = archive.dataDir().resolve("blobs/sha256/notes.txt");
        Files.writeString(stray, "not a blob");
        // Older than the run that follows: files written while a run reads belong to an ingest still running.
        for (Path planted : List.of(unexpected, stray)) {
            Files.setLastModifiedTime(planted, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        }

        assertThat(archive.run("broken", RUN_LIMIT, "verify-fixity")).as(archive.output("broken")).isEqualTo(ArchiveCommand.ExitCodes.CHECK_FAILED);
        String broken = archive.output("broken");
        assertThat(broken).contains("changed    " + changed.getFileName() + " sha256/").contains("its content no longer hashes to its name");
        assertThat(broken).contains("missing    " + missing.getFileName() + " sha256/").contains("recorded, and not in the blob store");
        assertThat(broken).contains("unexpected " + "0".repeat(64) + " sha256/00/00/").contains("in the blob store, and recorded by nothing");
        assertThat(broken).contains("unexpected - sha256/notes.txt: not named and placed as a blob");
        assertThat(broken).contains("fixity BROKEN (check 2): " + blobs.size() + " originals, " + (blobs.size() - 2) + " matched, "
                + "1 changed, 1 missing, 2 unexpected");

        try (RunningServer server = archive.serve("server", RUN_LIMIT)) {
            String session = server.signIn("admin", ADMIN_PASSWORD).headers().allValues("Set-Cookie").stream()
                    .filter(cookie -> cookie.startsWith("archive-session=")).map(cookie -> cookie.substring(0, cookie.indexOf(';')))
                    .findFirst().orElseThrow();
            HttpResponse<String> page = server.page("/fixity", session);
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("id=\"fixity-checks\"").contains("<strong>fail</strong>").contains("<strong>pass</strong>")
                    .contains("What check 2 found").contains(missing.getFileName().toString()).contains("sha256/notes.txt");
            try (var db = archive.connect(); var statement = db.createStatement();
                    var audited = statement.executeQuery("select count(*) from access_audit where action = 'FIXITY_CHECK'")) {
                audited.next();
                assertThat(audited.getLong(1)).as("each run audited").isEqualTo(2);
            }
        }
    }

    private static String blobPath(Path file) throws Exception {
        String sha256 = org.ehrarchive.blob.BlobStore.sha256Of(Files.readAllBytes(file));
        return "sha256/" + sha256.substring(0, 2) + "/" + sha256.substring(2, 4) + "/" + sha256;
    }

    private static List<Path> blobs(ArchiveJar archive) throws Exception {
        try (Stream<Path> files = Files.walk(archive.dataDir().resolve("blobs/sha256"))) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }
}
