package org.ehrarchive.database;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.ehrarchive.bench.CcdaGenerator;
import org.ehrarchive.support.ArchiveJar;
import org.ehrarchive.support.JsonReports;
import org.ehrarchive.support.Requirements;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A real full disk (issue 18): the archive's data directory on a small tmpfs, which fills up while the PostgreSQL
 * binaries are unpacked, while initdb runs and in the middle of an ingest. Each time the run stops at once and
 * says "no space left on device" in words; once the tmpfs is grown ({@code mount -o remount,size=...}) the same
 * command works, with nothing removed by hand, and the ingest ends with what a clean run holds.
 * <p>
 * {@code ARCHIVE_MIN_FREE_BYTES} is set to 1 MB, so that the disk really runs out instead of the check before a
 * start or a batch refusing (that check has its own test here, with the default minimum, and in DiskSpaceIT).
 * Mounting needs root, as in CI; elsewhere the test is skipped, and with {@code CI=true} it fails instead.
 * Sizes: the binaries take about 60 MB, a new cluster about 47 MB; a tmpfs takes memory only as it is filled.
 */
class FullDiskIT {

    private static final Duration RUN_LIMIT = Duration.ofMinutes(3);
    /** A full disk is said at once, not after zonky's 120 s wait for a server that cannot start. */
    private static final Duration PROMPTLY = Duration.ofSeconds(45);
    private static final Map<String, String> LOW_MINIMUM = Map.of("ARCHIVE_MIN_FREE_BYTES", Long.toString(1L << 20));
    /** Enough for the binaries and a cluster, not for them and the ingest below (about 50 MB of input). */
    private static final String FITS_A_CLUSTER = "200m";
    private static final String ROOMY = "400m";

    private Path mountPoint;

    @BeforeEach
    void needsRoot() {
        Requirements.root("mounting a small tmpfs");
    }

    @AfterEach
    void unmount() throws Exception {
        if (mountPoint == null) {
            return;
        }
        for (ProcessHandle left : postmastersOn(mountPoint)) {
            left.destroyForcibly(); // only if an assertion below failed: the tmpfs cannot be unmounted under it
            left.onExit().get(30, TimeUnit.SECONDS);
        }
        if (run("umount", mountPoint.toString()) != 0) {
            run("umount", "-l", mountPoint.toString());
        }
    }

    @Test
    void aDiskTooSmallAtFirstStartIsSaidInWordsAndTheStartWorksOnceTheDiskIsGrown(@TempDir Path work) throws Exception {
        Path disk = mountTmpfs(work, "30m");
        ArchiveJar archive = new ArchiveJar(work, disk.resolve("archive-data")).withEnvironment(LOW_MINIMUM);

        // 30 MB: the binaries (about 60 MB) do not fit.
        assertFailsWithNoSpaceLeftPromptly(archive, "unpack-full");
        Path binaries = archive.dataDir().resolve("postgres-binaries");
        try (Stream<Path> left = Files.walk(binaries)) {
            assertThat(left.filter(Files::isRegularFile).toList()).as("nothing half-unpacked is left to look complete").isEmpty();
        }

        // 80 MB: the binaries fit, initdb does not.
        remount("80m");
        assertFailsWithNoSpaceLeftPromptly(archive, "initdb-full");
        assertThat(DiskSpace.textSince(archive.dataDir().resolve("postgres.log"), 0)).as("PostgreSQL's own words")
                .containsIgnoringCase("no space left on device");

        remount(FITS_A_CLUSTER);
        assertThat(archive.run("grown", RUN_LIMIT, "user", "list")).as(archive.output("grown")).isZero();
        assertThat(archive.output("grown")).contains("admin").doesNotContain("unpacking them again");
    }

    @Test
    void tooLittleFreeSpaceOnARealSmallDiskIsRefusedBeforeAnythingIsWritten(@TempDir Path work) throws Exception {
        Path disk = mountTmpfs(work, "200m"); // less than the default minimum, 256 MiB
        ArchiveJar archive = new ArchiveJar(work, disk.resolve("archive-data"));

        assertFailsWithNoSpaceLeftPromptly(archive, "below-minimum");
        assertThat(archive.output("below-minimum")).contains("ARCHIVE_MIN_FREE_BYTES").contains("free space, then start again");
        try (Stream<Path> written = Files.walk(archive.dataDir().resolve("postgres-binaries"))) {
            assertThat(written.filter(Files::isRegularFile).toList()).as("refused before the unpack").isEmpty();
        }

        remount(ROOMY);
        assertThat(archive.run("grown", RUN_LIMIT, "user", "list")).as(archive.output("grown")).isZero();
    }

    @Test
    void aDiskThatFillsUpMidIngestStopsTheBatchInWordsAndItCompletesOnceTheDiskIsGrown(@TempDir Path work) throws Exception {
        CcdaGenerator generator = new CcdaGenerator(7, 40);
        int documents = 400;
        Path input = work.resolve("export"); // off the tmpfs: only the archive's own writes fill it
        generator.writeDocuments(input, documents);
        Path disk = mountTmpfs(work, FITS_A_CLUSTER);
        ArchiveJar archive = new ArchiveJar(work, disk.resolve("archive-data")).withEnvironment(LOW_MINIMUM);
        assertThat(archive.run("first", RUN_LIMIT, "user", "list")).as(archive.output("first")).isZero(); // the cluster exists
        assertThat(Files.getFileStore(disk).getUsableSpace()).as("the input fits the check before the batch, not the disk")
                .isGreaterThan(sizeOf(input) + (1L << 20));

        Instant started = Instant.now();
        int exit = archive.run("full", RUN_LIMIT, "ingest", "--quiet", input.toString());

        String full = archive.output("full");
        assertThat(exit).as(full).isEqualTo(1);
        assertThat(full).contains("ingest failed: no space left on device").contains("run the same command again");
        assertThat(Files.getFileStore(disk).getUsableSpace()).as("the disk did fill up").isLessThan(16L << 20);
        assertThat(postmastersOn(disk)).as("the failed ingest stopped the PostgreSQL it started: " + full).isEmpty();
        assertThat(Duration.between(started, Instant.now())).isLessThan(RUN_LIMIT);

        remount(ROOMY);
        Path report = work.resolve("report.json");
        exit = archive.run("grown", RUN_LIMIT, "ingest", "--quiet", input.toString(), "--report-json", report.toString());
        assertThat(exit).as(archive.output("grown")).isZero();

        // What a clean run of this input holds (IngestCrashRecoveryIT's measure): every file once, every record once.
        JsonNode json = new ObjectMapper().readTree(report.toFile());
        assertThat(json.get("attempts").asInt()).as("the batch the full disk stopped was resumed").isEqualTo(2);
        JsonNode totals = json.get("totals");
        assertThat(totals.get("files").asInt()).isEqualTo(documents);
        assertThat(totals.get("archivedFiles").asInt()).isEqualTo(documents);
        assertThat(totals.get("quarantinedFiles").asInt()).as("a full disk is no file's fault").isZero();
        assertThat(totals.get("duplicateFiles").asInt()).isZero();
        assertThat(totals.get("found").asInt()).isEqualTo(documents * generator.shape().recordsPerDocument());
        assertThat(totals.get("archived").asInt()).isEqualTo(totals.get("found").asInt());
        // Looked at from here, with the low minimum too: the archive now fills more of the tmpfs than the default leaves.
        System.setProperty(DiskSpace.PROPERTY, LOW_MINIMUM.get(DiskSpace.ENVIRONMENT));
        try (EmbeddedDatabase database = EmbeddedDatabase.startOrAttach(archive.dataDir());
                Connection db = database.superuserConnection()) {
            assertThat(archive.count(db, "select count(*) from source_file")).isEqualTo(documents);
            assertThat(archive.count(db, "select count(*) from clinical_document")).isEqualTo(documents);
            assertThat(archive.count(db, "select count(*) from patient")).isEqualTo(documents);
            assertThat(archive.count(db, "select count(*) from clinical_entry"))
                    .isEqualTo((long) documents * generator.shape().normalizedEntriesPerDocument());
            assertThat(archive.count(db, "select count(*) from ingest_batch")).isEqualTo(1);
            assertThat(archive.count(db, "select count(*) from batch_file")).isEqualTo(documents);
            assertThat(archive.count(db, "select count(*) from source_record")).isEqualTo((long) documents * generator.shape().recordsPerDocument());
            assertThat(archive.count(db, "select count(*) from (select key_hash from source_record group by key_hash having count(*) > 1)"
                    + " doubled")).as("no record stored twice").isZero();
        } finally {
            System.clearProperty(DiskSpace.PROPERTY);
        }
        for (JsonNode file : json.get("files")) {
            Path blob = JsonReports.blob(archive.dataDir(), file.get("sha256").asText());
            assertThat(Files.readAllBytes(blob)).as("kept whole").isEqualTo(Files.readAllBytes(input.resolve(file.get("path").asText())));
        }
    }

    private void assertFailsWithNoSpaceLeftPromptly(ArchiveJar archive, String name) throws Exception {
        Instant started = Instant.now();
        int exit = archive.run(name, RUN_LIMIT, "user", "list");
        Duration took = Duration.between(started, Instant.now());

        String output = archive.output(name);
        assertThat(exit).as(output).isEqualTo(1);
        assertThat(output).contains("no space left on device").doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(output.lines().toList()).as("one line, not a stack trace: " + output).hasSizeLessThan(5);
        assertThat(took).as("said at once, not after a 120 s wait").isLessThan(PROMPTLY);
        assertThat(postmastersOn(archive.dataDir())).as("no server left running").isEmpty();
    }

    private Path mountTmpfs(Path work, String size) throws Exception {
        Path disk = Files.createDirectories(work.resolve("disk"));
        assertThat(run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", disk.toString())).as("mount a tmpfs").isZero();
        mountPoint = disk;
        return disk;
    }

    private void remount(String size) throws Exception {
        assertThat(run("mount", "-o", "remount,size=" + size, mountPoint.toString())).as("grow the tmpfs").isZero();
    }

    private static int run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).inheritIO().start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
        return process.exitValue();
    }

    private static long sizeOf(Path folder) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }

    /**
     * PostgreSQL servers whose command line names {@code folder} (the postmaster is started with its data
     * directory, and from binaries, under the data dir), after a moment for one that is stopping to go.
     */
    private static List<ProcessHandle> postmastersOn(Path folder) throws Exception {
        Instant deadline = Instant.now().plusSeconds(10);
        List<ProcessHandle> found;
        do {
            found = new ArrayList<>();
            try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
                for (Path process : processes.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                    String commandLine;
                    try {
                        commandLine = new String(Files.readAllBytes(process.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
                    } catch (IOException gone) {
                        continue;
                    }
                    if (commandLine.contains("postgres") && commandLine.contains(folder.toAbsolutePath().toString())) {
                        ProcessHandle.of(Long.parseLong(process.getFileName().toString())).ifPresent(found::add);
                    }
                }
            }
            if (!found.isEmpty()) {
                Thread.sleep(250);
            }
        } while (!found.isEmpty() && Instant.now().isBefore(deadline));
        return found;
    }
}
