package org.ehrarchive.database;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.ehrarchive.support.ArchiveJar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Disk trouble at start (issue 18): binaries whose unpack a full disk cut short are unpacked again instead of
 * failing every start; too little free space is said in words at once, and the next start after space is freed
 * works without anything removed by hand.
 */
class DiskSpaceIT {

    private static final Duration RUN_LIMIT = Duration.ofMinutes(3);

    @Test
    void binariesLeftEmptyByACutShortUnpackAreUnpackedAgain(@TempDir Path work) throws Exception {
        ArchiveJar archive = new ArchiveJar(work);
        assertThat(archive.run("first", RUN_LIMIT, "user", "list")).as(archive.output("first")).isZero();
        // What a full disk leaves: the files are there, with nothing in them.
        try (Stream<Path> files = Files.walk(archive.dataDir().resolve("postgres-binaries"))) {
            for (Path file : files.filter(Files::isRegularFile).filter(f -> f.getParent().getFileName().toString().equals("bin")).toList()) {
                Files.write(file, new byte[0]);
            }
        }

        Instant started = Instant.now();
        assertThat(archive.run("after-repair", RUN_LIMIT, "user", "list")).as(archive.output("after-repair")).isZero();

        assertThat(archive.output("after-repair")).contains("are incomplete").contains("unpacking them again").contains("admin");
        assertThat(Duration.between(started, Instant.now())).as("no 120 s wait for a server that cannot start")
                .isLessThan(Duration.ofSeconds(90));
    }

    @Test
    void tooLittleFreeSpaceIsSaidInWordsAtOnceAndTheNextStartWorksOnceThereIsSpace(@TempDir Path work) throws Exception {
        ArchiveJar archive = new ArchiveJar(work);
        long usable = Files.getFileStore(work).getUsableSpace();
        ArchiveJar full = archive.withEnvironment(Map.of("ARCHIVE_MIN_FREE_BYTES", Long.toString(usable + (1L << 40))));

        Instant started = Instant.now();
        assertThat(full.run("full", RUN_LIMIT, "user", "list")).isEqualTo(1);

        assertThat(full.output("full")).contains("no space left on device").contains("free space, then start again");
        assertThat(Duration.between(started, Instant.now())).as("said at once").isLessThan(Duration.ofSeconds(30));
        assertThat(List.of(full.output("full").split("\n"))).as("one line, not a stack trace").hasSizeLessThan(5);
        assertThat(archive.run("space-again", RUN_LIMIT, "user", "list")).as(archive.output("space-again")).isZero();
    }

    @Test
    void anIngestThatWouldNotFitIsRefusedInWordsBeforeItsBatchStarts(@TempDir Path work) throws Exception {
        ArchiveJar archive = new ArchiveJar(work);
        assertThat(archive.run("first", RUN_LIMIT, "user", "list")).as(archive.output("first")).isZero(); // the cluster exists
        Path input = work.resolve("export");
        Files.createDirectories(input);
        try (java.io.RandomAccessFile sparse = new java.io.RandomAccessFile(input.resolve("huge.hl7").toFile(), "rw")) {
            sparse.setLength(4L << 30); // 4 GB that take no room: the check reads sizes, the refusal reads nothing
        }
        long usable = Files.getFileStore(work).getUsableSpace();
        // Enough for the database to start (its check needs the minimum), too little for the minimum plus the input.
        ArchiveJar nearlyFull = archive.withEnvironment(Map.of("ARCHIVE_MIN_FREE_BYTES", Long.toString(usable - (256L << 20))));

        assertThat(nearlyFull.run("refused", RUN_LIMIT, "ingest", input.toString())).as(nearlyFull.output("refused")).isEqualTo(1);

        assertThat(nearlyFull.output("refused")).contains("no space left on device").contains("an ingest of 4096 MB");
        Files.delete(input.resolve("huge.hl7"));
        org.ehrarchive.support.Fixtures.copy("hl7v2", "v23-adt.hl7", input);
        assertThat(archive.run("fits", RUN_LIMIT, "ingest", input.toString())).as(archive.output("fits")).isZero();
        // A batch the refused run had begun would be resumed now, as its second attempt.
        assertThat(archive.output("fits")).as("the refused run left no batch behind").contains("completed (attempt 1)");
    }
}
