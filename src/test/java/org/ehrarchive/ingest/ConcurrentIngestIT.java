package org.ehrarchive.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.ehrarchive.bench.CcdaGenerator;
import org.ehrarchive.support.ArchiveJar;
import org.ehrarchive.support.RunningServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Two admins start {@code ingest} at the same moment, on one data directory with no server running, over two
 * folders that hold the same files (same bytes, other paths). The first process starts the embedded database,
 * the second attaches to it (ADR 0003), and both race through the same content. Nothing may be doubled: each
 * content is archived once, and the two reports together account for every file.
 */
class ConcurrentIngestIT {

    private static final int DOCUMENTS = 80;
    private static final int ENTRIES_PER_SECTION = 5;
    private static final Duration RUN_LIMIT = Duration.ofMinutes(5);
    /** The generator's patient identifiers (GEN-7) and document ids (GEN-DOC-7): patient data. */
    private static final String GENERATED_IDENTIFIER = "GEN-(DOC-)?\\d";

    @Test
    void twoIngestsOfTheSameContentStartedTogetherArchiveEachContentExactlyOnce(@TempDir Path work) throws Exception {
        CcdaGenerator generator = new CcdaGenerator(11, ENTRIES_PER_SECTION);
        Path first = work.resolve("export-a");
        generator.writeDocuments(first, DOCUMENTS);
        // Within each folder too, one content under two names.
        Files.copy(first.resolve("doc-000000.xml"), first.resolve("doc-000000-again.xml"));
        Path second = work.resolve("elsewhere/export-b");
        copyFolder(first, second);
        int filesPerFolder = DOCUMENTS + 1;
        ArchiveJar archive = new ArchiveJar(work);

        Process a = archive.start("ingest-a", "ingest", first.toString(), "--report-json", work.resolve("a.json").toString());
        Process b = archive.start("ingest-b", "ingest", second.toString(), "--report-json", work.resolve("b.json").toString());
        int exitA = archive.awaitExit("ingest-a", a, RUN_LIMIT);
        int exitB = archive.awaitExit("ingest-b", b, RUN_LIMIT);

        assertThat(exitA).as(archive.output("ingest-a")).isZero();
        assertThat(exitB).as(archive.output("ingest-b")).isZero();
        JsonNode reportA = new ObjectMapper().readTree(work.resolve("a.json").toFile());
        JsonNode reportB = new ObjectMapper().readTree(work.resolve("b.json").toFile());
        assertThat(reportA.get("totals").get("files").asInt()).isEqualTo(filesPerFolder);
        assertThat(reportB.get("totals").get("files").asInt()).isEqualTo(filesPerFolder);
        List<JsonNode> files = new ArrayList<>();
        reportA.get("files").forEach(files::add);
        reportB.get("files").forEach(files::add);
        Map<String, List<String>> statusesByContent = files.stream().collect(Collectors.groupingBy(
                file -> file.get("sha256").asText(), Collectors.mapping(file -> file.get("status").asText(), Collectors.toList())));
        assertThat(statusesByContent).hasSize(DOCUMENTS);
        assertThat(statusesByContent.values()).as("per content: archived once, a duplicate everywhere else")
                .allSatisfy(statuses -> {
                    assertThat(statuses).containsOnlyOnce("archived");
                    assertThat(statuses).containsOnly("archived", "duplicate");
                });
        int archivedByA = reportA.get("totals").get("archivedFiles").asInt();
        int archivedByB = reportB.get("totals").get("archivedFiles").asInt();
        assertThat(archivedByA + archivedByB).isEqualTo(DOCUMENTS);
        System.out.printf("race: ingest-a archived %d, ingest-b archived %d of %d contents%n", archivedByA, archivedByB, DOCUMENTS);
        // Where the two collide, the database refuses the second insert of a content: that error must not carry
        // the row's values (file name, patient identifiers) into a console or the log.
        for (String printed : List.of(archive.output("ingest-a"), archive.output("ingest-b"), Files.readString(archive.logFile()))) {
            assertThat(printed).doesNotContainPattern(GENERATED_IDENTIFIER).doesNotContain("doc-0000");
            // The race is an expected path (the later writer's records become duplicates), not a warning or an error.
            assertThat(printed).doesNotContain(" WARN ").doesNotContain(" ERROR ").doesNotContain("\"level\":\"WARN\"")
                    .doesNotContain("\"level\":\"ERROR\"");
        }

        try (RunningServer reader = archive.serve("reader", RUN_LIMIT); Connection db = archive.connect()) {
            assertThat(archive.count(db, "select count(*) from ingest_batch")).isEqualTo(2);
            assertThat(archive.count(db, "select count(*) from source_file")).isEqualTo(DOCUMENTS);
            assertThat(archive.count(db, "select count(*) from clinical_document")).isEqualTo(DOCUMENTS);
            assertThat(archive.count(db, "select count(*) from patient")).isEqualTo(DOCUMENTS);
            assertThat(archive.count(db, "select count(*) from clinical_entry"))
                    .isEqualTo((long) DOCUMENTS * generator.shape().normalizedEntriesPerDocument());
            assertThat(archive.count(db, "select count(*) from (select source_file_id from clinical_document"
                    + " group by source_file_id having count(*) > 1) doubled")).isZero();
        }
    }

    private static void copyFolder(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path file : files.toList()) {
                Files.copy(file, to.resolve(file.getFileName().toString()));
            }
        }
    }
}
