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
}
