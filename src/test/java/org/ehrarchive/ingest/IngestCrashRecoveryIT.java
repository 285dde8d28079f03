package org.ehrarchive.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;

import org.ehrarchive.bench.CcdaGenerator;
import org.ehrarchive.database.EmbeddedDatabase;
import org.ehrarchive.support.ArchiveJar;
import org.ehrarchive.support.JsonReports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Principle 7: an ingest killed in the middle of a batch (SIGKILL, no shutdown hooks, its embedded PostgreSQL
 * orphaned) and then run again leaves the archive exactly as if the batch had run once.
 */
class IngestCrashRecoveryIT {

    private static final int DOCUMENTS = 400;
    private static final int KILL_AFTER_FILES = 25;

    @Test
    void aKilledBatchRunAgainLosesAndDoublesNothing(@TempDir Path work) throws Exception {
        CcdaGenerator generator = new CcdaGenerator(7, 15);
        Path input = work.resolve("export");
        generator.writeDocuments(input, DOCUMENTS);
        ArchiveJar archive = new ArchiveJar(work);

        Process first = archive.start("first", "ingest", input.toString());
        long archivedBeforeKill = waitUntilArchived(archive, first, KILL_AFTER_FILES);
        first.destroyForcibly().waitFor();
        assertThat(archivedBeforeKill).as("killed mid-batch").isLessThan(DOCUMENTS);

        Path report = work.resolve("report.json");
        int exit = archive.run("second", Duration.ofMinutes(5), "ingest", input.toString(), "--report-json", report.toString());
        assertThat(exit).as(archive.output("second")).isZero();

        JsonNode json = new ObjectMapper().readTree(report.toFile());
        assertThat(json.get("attempts").asInt()).as("the interrupted batch was resumed, not started again").isEqualTo(2);
        JsonNode totals = json.get("totals");
        assertThat(totals.get("files").asInt()).isEqualTo(DOCUMENTS);
        assertThat(totals.get("archivedFiles").asInt()).isEqualTo(DOCUMENTS);
        assertThat(totals.get("duplicateFiles").asInt()).isZero();
        assertThat(totals.get("found").asInt()).isEqualTo(DOCUMENTS * generator.shape().recordsPerDocument());
        assertThat(totals.get("records").get("entry").get("found").asInt()).isEqualTo(DOCUMENTS * generator.shape().entryElementsPerDocument());
        assertThat(totals.get("archived").asInt()).isEqualTo(totals.get("found").asInt());

        // The second run stopped its database on exit; start it again from here to look inside.
        try (EmbeddedDatabase database = EmbeddedDatabase.startOrAttach(archive.dataDir())) {
            try (Connection db = database.superuserConnection()) {
                assertThat(archive.count(db, "select count(*) from source_file")).isEqualTo(DOCUMENTS);
                assertThat(archive.count(db, "select count(*) from clinical_document")).isEqualTo(DOCUMENTS);
                assertThat(archive.count(db, "select count(*) from patient")).isEqualTo(DOCUMENTS);
                assertThat(archive.count(db, "select count(*) from clinical_entry"))
                        .isEqualTo((long) DOCUMENTS * generator.shape().normalizedEntriesPerDocument());
                assertThat(archive.count(db, "select count(*) from (select source_file_id from clinical_document"
                        + " group by source_file_id having count(*) > 1) doubled")).isZero();
                assertThat(archive.count(db, "select count(*) from ingest_batch")).isEqualTo(1);
                assertThat(archive.count(db, "select count(*) from batch_file")).isEqualTo(DOCUMENTS);
                assertThat(archive.count(db, "select count(*) from source_record")).isEqualTo((long) DOCUMENTS * generator.shape().recordsPerDocument());
                assertThat(archive.count(db, "select count(*) from (select key_hash from source_record group by key_hash having count(*) > 1)"
                        + " doubled")).as("no record stored twice").isZero();
            }
        }
        for (JsonNode file : json.get("files")) {
            Path blob = JsonReports.blob(archive.dataDir(), file.get("sha256").asText());
            assertThat(Files.readAllBytes(blob)).isEqualTo(Files.readAllBytes(input.resolve(file.get("path").asText())));
        }
    }

    private static long waitUntilArchived(ArchiveJar archive, Process process, int files) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (Instant.now().isBefore(deadline)) {
            assertThat(process.isAlive()).as("ingest ended before it could be killed: " + archive.output("first")).isTrue();
            try (Connection db = archive.connect()) {
                long archived = archive.count(db, "select count(*) from source_file where status = 'ARCHIVED'");
                if (archived >= files) {
                    return archived;
                }
            } catch (Exception notReadyYet) {
                // the server or the schema is not up yet
            }
            Thread.sleep(50);
        }
        throw new AssertionError("ingest did not archive " + files + " files in time: " + archive.output("first"));
    }

}
