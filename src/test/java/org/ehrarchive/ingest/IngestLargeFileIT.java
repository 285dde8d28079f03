package org.ehrarchive.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.ehrarchive.bench.CcdaGenerator;
import org.ehrarchive.database.EmbeddedDatabase;
import org.ehrarchive.support.ArchiveJar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A file far larger than one chunk, through the packaged jar on a small heap (ADR 0009): killed with SIGKILL in the
 * middle of the file, then run again, it ends as the same archive as a clean run of the same file, nothing lost and
 * nothing doubled; and neither run needs more than {@link #HEAP} of heap, because memory is bounded by one record,
 * not by the file.
 */
class IngestLargeFileIT {

    /** Well under the 512 MB the archive promises for any batch: the file alone would need several times more as a DOM. */
    private static final String HEAP = "-Xmx256m";
    private static final int ENTRIES_PER_SECTION = 12_000;
    private static final Duration RUN_LIMIT = Duration.ofMinutes(8);

    @Test
    void aFileKilledInTheMiddleAndRunAgainEndsAsACleanRunOfItOnASmallHeap(@TempDir Path work) throws Exception {
        CcdaGenerator generator = new CcdaGenerator(11, ENTRIES_PER_SECTION);
        Path export = Files.createDirectories(work.resolve("export"));
        generator.writeDocument(export.resolve("lifetime-summary.xml"), 1);
        long size = Files.size(export.resolve("lifetime-summary.xml"));
        assertThat(size).as("a large file").isGreaterThan(20_000_000L);

        ArchiveJar interrupted = new ArchiveJar(Files.createDirectories(work.resolve("interrupted")));
        Process first = interrupted.start("first", Map.of("JAVA_TOOL_OPTIONS", HEAP), "ingest", export.toString());
        int checkpoint = waitForCheckpoint(interrupted, first);
        first.destroyForcibly().waitFor();
        assertThat(checkpoint).as("killed between chunks of the file").isPositive().isLessThan(generator.shape().recordsPerDocument());

        Path resumedReport = work.resolve("resumed.json");
        int exit = runToEnd(interrupted, "second", "ingest", export.toString(), "--report-json", resumedReport.toString());
        assertThat(exit).as(interrupted.output("second")).isZero();

        ArchiveJar clean = new ArchiveJar(Files.createDirectories(work.resolve("clean")));
        Path cleanReport = work.resolve("clean.json");
        exit = runToEnd(clean, "clean", "ingest", export.toString(), "--report-json", cleanReport.toString());
        assertThat(exit).as(clean.output("clean")).isZero();

        ObjectMapper json = new ObjectMapper();
        JsonNode resumed = json.readTree(resumedReport.toFile());
        JsonNode once = json.readTree(cleanReport.toFile());
        assertThat(resumed.get("attempts").asInt()).as("the interrupted batch was resumed").isEqualTo(2);
        JsonNode file = resumed.get("files").get(0);
        assertThat(file.get("status").asText()).isEqualTo("archived");
        assertThat(file.get("records").get("entry").get("archived").asInt()).isEqualTo(generator.shape().entryElementsPerDocument());
        assertThat(file.get("found").asInt()).isEqualTo(generator.shape().recordsPerDocument()).isEqualTo(file.get("archived").asInt());
        assertThat(file.get("records")).as("the same reconciliation as a clean run").isEqualTo(once.get("files").get(0).get("records"));
        assertThat(file.get("sections")).isEqualTo(once.get("files").get(0).get("sections"));

        Map<String, List<String>> afterResume = contentOf(interrupted.dataDir());
        Map<String, List<String>> afterCleanRun = contentOf(clean.dataDir());
        assertThat(afterResume.get("clinical_entry")).hasSize(generator.shape().normalizedEntriesPerDocument());
        assertThat(afterResume.get("source_record")).hasSize(generator.shape().recordsPerDocument());
        for (String table : afterCleanRun.keySet()) {
            assertThat(afterResume.get(table)).as(table + ": the same rows as a clean run").isEqualTo(afterCleanRun.get(table));
        }
    }

    /** Runs the jar on the small heap to its end; its exit code. */
    private static int runToEnd(ArchiveJar archive, String name, String... args) throws Exception {
        Process process = archive.start(name, Map.of("JAVA_TOOL_OPTIONS", HEAP), args);
        if (!process.waitFor(RUN_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(name + " did not finish within " + RUN_LIMIT + ": " + archive.output(name));
        }
        return process.exitValue();
    }

    /** Waits until the ingest has committed part of the file, and returns its checkpoint. */
    private static int waitForCheckpoint(ArchiveJar archive, Process process) throws Exception {
        Instant deadline = Instant.now().plus(RUN_LIMIT);
        while (Instant.now().isBefore(deadline)) {
            assertThat(process.isAlive()).as("ingest ended before it could be killed: " + archive.output("first")).isTrue();
            try (Connection db = archive.connect(); Statement statement = db.createStatement();
                    ResultSet row = statement.executeQuery("select checkpoint from batch_file where status = 'READING'")) {
                if (row.next() && row.getInt(1) > 0) {
                    return row.getInt(1);
                }
            } catch (Exception notYet) {
                // the server or the schema is not up yet
            }
            Thread.sleep(25);
        }
        throw new AssertionError("no checkpoint in time: " + archive.output("first"));
    }

    /**
     * What an archive holds, without what differs between two runs of the same input (ids, times, batch numbers):
     * each table's rows as sorted text.
     */
    private static Map<String, List<String>> contentOf(Path dataDir) throws Exception {
        Map<String, String> queries = new LinkedHashMap<>();
        queries.put("source_record", "select record_type, record_key, content_hash, version, historical, supersedes_id is null, locator,"
                + " ordinal, status, coalesce(reason, '') from source_record");
        queries.put("clinical_entry", "select e.kind, coalesce(e.display, ''), e.locator, coalesce(e.code::text, ''),"
                + " coalesce(e.observed_values::text, ''), coalesce(e.details::text, ''), r.locator from clinical_entry e"
                + " join source_record r on r.id = e.source_record_id");
        queries.put("document_section", "select ordinal, coalesce(title, ''), locator, entries_found, entries_archived, entries_quarantined,"
                + " entries_kept_raw, entries_duplicates, md5(coalesce(narrative, '')) from document_section");
        queries.put("raw_fragment", "select status, reason, locator, md5(content) from raw_fragment");
        queries.put("patient_identifier", "select system, value, locator from patient_identifier");
        queries.put("clinical_document", "select locator, title, md5(header_fragment) from clinical_document");
        queries.put("source_file", "select sha256, status from source_file");
        queries.put("index_outbox_or_indexed", "select count(*) from clinical_document");
        Map<String, List<String>> content = new LinkedHashMap<>();
        try (EmbeddedDatabase database = EmbeddedDatabase.startOrAttach(dataDir);
                Connection db = database.superuserConnection()) {
            for (Map.Entry<String, String> query : queries.entrySet()) {
                List<String> rows = new ArrayList<>();
                try (Statement statement = db.createStatement(); ResultSet result = statement.executeQuery(query.getValue())) {
                    int columns = result.getMetaData().getColumnCount();
                    while (result.next()) {
                        StringBuilder row = new StringBuilder();
                        for (int c = 1; c <= columns; c++) {
                            row.append(result.getString(c)).append('\u0001');
                        }
                        rows.add(row.toString());
                    }
                }
                rows.sort(null);
                content.put(query.getKey(), rows);
            }
        }
        // Give the embedded server time to stop before the temporary folder goes.
        TimeUnit.MILLISECONDS.sleep(200);
        return content;
    }
}
