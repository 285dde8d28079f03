package org.ehrarchive.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.ehrarchive.bench.CcdaGenerator;
import org.ehrarchive.support.ArchiveJar;
import org.ehrarchive.support.JsonReports;
import org.ehrarchive.support.RunningServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Two admins start {@code ingest} at the same moment, on one data directory with no server running, over two
 * folders that hold the same files (same bytes, other paths). The first process starts the embedded database,
 * the second attaches to it (ADR 0003), and both race through the same content. Nothing may be doubled: each
 * content is archived once, and the two reports together account for every file. The same holds on an existing
 * archive, beside a running server, and when the owner is done before the ingest attached to it (issue 18, items 2
 * and 3): every process exits, no postmaster is left behind, and no log carries patient data or driver text.
 * A run's folder is kept when its test fails, with a thread dump of any process that did not end in time.
 */
class ConcurrentIngestIT {

    private static final int DOCUMENTS = 80;
    private static final int ENTRIES_PER_SECTION = 5;
    private static final Duration RUN_LIMIT = Duration.ofMinutes(5);
    /** The generator's patient identifiers (GEN-7) and document ids (GEN-DOC-7): patient data. */
    private static final String GENERATED_IDENTIFIER = "GEN-(DOC-|ENC-)?\\d";
    private static final Pattern PATIENT_NAME = Pattern.compile("<patient><name><given>([^<]+)</given><family>([^<]+)</family>");
    /** Documents of the first ingest, which makes the archive an existing one. */
    private static final int EARLIER = 5;
    /** Contents both concurrent ingests hold, and contents only one of them holds. */
    private static final int SHARED = 40;
    private static final int OWN = 20;
    /**
     * An attached ingest that outlives a small owner. Both boot at the same moment (the attached one starts as soon as
     * the owner's database is up), so the attached batch must take clearly longer than the owner's boot and 3 files on
     * a loaded machine: 60 files once ended with the owner's, and the owner had nothing to wait for.
     */
    private static final int LARGE = 600;

    @Test
    void twoIngestsOfTheSameContentStartedTogetherArchiveEachContentExactlyOnce(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path work)
            throws Exception {
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

    @Test
    void twoIngestsStartedTogetherOnAnExistingArchiveBothCompleteAndStoreEachContentOnce(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path work)
            throws Exception {
        ArchiveJar archive = new ArchiveJar(work);
        try {
            Set<String> patientData = new TreeSet<>();
            Path earlier = work.resolve("earlier");
            CcdaGenerator generator = new CcdaGenerator(13, ENTRIES_PER_SECTION);
            List<Path> archivedBefore = writeNamedDocuments(generator, earlier, 900, EARLIER, patientData);
            assertThat(archive.run("earlier", RUN_LIMIT, "ingest", earlier.toString())).as(archive.output("earlier")).isZero();
            // Both folders hold the same SHARED contents (other paths), contents of their own, and one archived before.
            Path shared = work.resolve("shared");
            writeNamedDocuments(generator, shared, 0, SHARED, patientData);
            Path first = work.resolve("export-a");
            Path second = work.resolve("elsewhere/export-b");
            copyFolder(shared, first);
            copyFolder(shared, second);
            writeNamedDocuments(generator, first, 100, OWN, patientData);
            writeNamedDocuments(generator, second, 200, OWN, patientData);
            Files.copy(archivedBefore.get(0), first.resolve(archivedBefore.get(0).getFileName()));
            Files.copy(archivedBefore.get(0), second.resolve(archivedBefore.get(0).getFileName()));
            int filesPerFolder = SHARED + OWN + 1;

            Process a = archive.start("existing-a", "ingest", first.toString(), "--report-json", work.resolve("a.json").toString());
            Process b = archive.start("existing-b", "ingest", second.toString(), "--report-json", work.resolve("b.json").toString());
            int exitA = archive.awaitExit("existing-a", a, RUN_LIMIT);
            int exitB = archive.awaitExit("existing-b", b, RUN_LIMIT);

            assertThat(exitA).as(archive.output("existing-a")).isZero();
            assertThat(exitB).as(archive.output("existing-b")).isZero();
            assertThat(archive.runningPostmaster()).as("no embedded postmaster outlives the processes that used it").isEmpty();
            JsonNode reportA = JsonReports.read(work.resolve("a.json"));
            JsonNode reportB = JsonReports.read(work.resolve("b.json"));
            assertThat(reportA.get("totals").get("files").asInt()).isEqualTo(filesPerFolder);
            assertThat(reportB.get("totals").get("files").asInt()).isEqualTo(filesPerFolder);
            Map<String, List<String>> statusesByContent = statusesByContent(reportA, reportB);
            assertThat(statusesByContent).hasSize(SHARED + 2 * OWN + 1);
            String before = sha256(archivedBefore.get(0));
            assertThat(statusesByContent.get(before)).as("archived by the earlier run: a duplicate in both").containsExactly("duplicate", "duplicate");
            statusesByContent.remove(before);
            assertThat(statusesByContent.values()).as("per content: archived once, a duplicate everywhere else").allSatisfy(statuses -> {
                assertThat(statuses).containsOnlyOnce("archived");
                assertThat(statuses).filteredOn(status -> !status.equals("archived")).allMatch("duplicate"::equals);
            });
            assertThat(statusesByContent.values().stream().filter(statuses -> statuses.size() == 2)).as("the shared contents").hasSize(SHARED);
            int archivedByA = reportA.get("totals").get("archivedFiles").asInt();
            int archivedByB = reportB.get("totals").get("archivedFiles").asInt();
            assertThat(archivedByA + archivedByB).isEqualTo(SHARED + 2 * OWN);
            System.out.printf("existing archive: ingest-a archived %d, ingest-b archived %d of %d new contents%n", archivedByA, archivedByB,
                    SHARED + 2 * OWN);
            assertNoPatientDataNorDriverTextLogged(archive, patientData, "earlier", "existing-a", "existing-b");

            int contents = EARLIER + SHARED + 2 * OWN;
            try (RunningServer reader = archive.serve("existing-reader", RUN_LIMIT); Connection db = archive.connect()) {
                assertThat(archive.count(db, "select count(*) from ingest_batch")).isEqualTo(3);
                assertThat(archive.count(db, "select count(*) from ingest_batch where status <> 'COMPLETED'")).isZero();
                assertThat(archive.count(db, "select count(*) from source_file")).isEqualTo(contents);
                assertThat(archive.count(db, "select count(*) from clinical_document")).isEqualTo(contents);
                assertThat(archive.count(db, "select count(*) from patient")).isEqualTo(contents);
                assertThat(archive.count(db, "select count(*) from clinical_entry"))
                        .isEqualTo((long) contents * generator.shape().normalizedEntriesPerDocument());
            }
        } finally {
            archive.stopLeftoverPostmaster();
        }
    }

    /**
     * Issue 18, item 3's setting: a server runs (and owns the database and the search index), and two ingests of
     * overlapping folders attach to it at the same moment. Both complete, each content is stored once, and no log
     * of the three processes carries row values or a warning about the race.
     */
    @Test
    void twoIngestsBesideARunningServerStoreEachContentOnceAndLogNoRowValues(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path work)
            throws Exception {
        ArchiveJar archive = new ArchiveJar(work);
        try (RunningServer server = archive.serve("server", RUN_LIMIT)) {
            Set<String> patientData = new TreeSet<>();
            CcdaGenerator generator = new CcdaGenerator(19, ENTRIES_PER_SECTION);
            Path shared = work.resolve("shared");
            writeNamedDocuments(generator, shared, 0, SHARED, patientData);
            Path first = work.resolve("export-a");
            Path second = work.resolve("elsewhere/export-b");
            copyFolder(shared, first);
            copyFolder(shared, second);
            writeNamedDocuments(generator, first, 100, OWN, patientData);
            writeNamedDocuments(generator, second, 200, OWN, patientData);

            Process a = archive.start("beside-a", "ingest", first.toString(), "--report-json", work.resolve("a.json").toString());
            Process b = archive.start("beside-b", "ingest", second.toString(), "--report-json", work.resolve("b.json").toString());
            int exitA = archive.awaitExit("beside-a", a, RUN_LIMIT);
            int exitB = archive.awaitExit("beside-b", b, RUN_LIMIT);

            assertThat(exitA).as(archive.output("beside-a")).isZero();
            assertThat(exitB).as(archive.output("beside-b")).isZero();
            assertThat(server.isAlive()).as("the server that owns the database still runs").isTrue();
            Map<String, List<String>> statusesByContent = statusesByContent(JsonReports.read(work.resolve("a.json")),
                    JsonReports.read(work.resolve("b.json")));
            assertThat(statusesByContent).hasSize(SHARED + 2 * OWN);
            assertThat(statusesByContent.values()).allSatisfy(statuses -> assertThat(statuses).containsOnlyOnce("archived"));
            try (Connection db = archive.connect()) {
                assertThat(archive.count(db, "select count(*) from clinical_document")).isEqualTo(SHARED + 2 * OWN);
                assertThat(archive.count(db, "select count(*) from source_file")).isEqualTo(SHARED + 2 * OWN);
                // The server indexes what both queued (ADR 0007): its log then holds that work too, for the scan.
                Instant deadline = Instant.now().plus(RUN_LIMIT);
                while (archive.count(db, "select count(*) from index_outbox") > 0) {
                    assertThat(Instant.now()).as("the server drained the search outbox").isBefore(deadline);
                    Thread.sleep(250);
                }
            }
            assertNoPatientDataNorDriverTextLogged(archive, patientData, "server", "beside-a", "beside-b");
        } finally {
            archive.stopLeftoverPostmaster();
        }
    }

    /**
     * The third ordering: the process that owns the embedded database finishes first (a small input) while an
     * attached ingest of a larger one still runs. The owner waits for it, says so, and both exit as soon as the
     * attached one is done; the attached run is not cut off.
     */
    @Test
    void anOwnerThatFinishesFirstWaitsForTheAttachedIngestAndBothExitPromptly(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path work)
            throws Exception {
        ArchiveJar archive = new ArchiveJar(work);
        try {
            Set<String> patientData = new TreeSet<>();
            CcdaGenerator generator = new CcdaGenerator(17, ENTRIES_PER_SECTION);
            Path earlier = work.resolve("earlier");
            writeNamedDocuments(generator, earlier, 900, EARLIER, patientData);
            assertThat(archive.run("earlier", RUN_LIMIT, "ingest", earlier.toString())).as(archive.output("earlier")).isZero();
            Path small = work.resolve("small");
            writeNamedDocuments(generator, small, 0, 3, patientData);
            Path large = work.resolve("large");
            writeNamedDocuments(generator, large, 100, LARGE, patientData);

            Process owner = archive.start("owner", "ingest", small.toString());
            awaitPostmaster(archive, owner);
            Process attached = archive.start("attached", "ingest", large.toString());
            int attachedExit = archive.awaitExit("attached", attached, RUN_LIMIT);
            Instant attachedEnded = Instant.now();
            int ownerExit = archive.awaitExit("owner", owner, Duration.ofSeconds(30));
            Duration ownerLingered = Duration.between(attachedEnded, Instant.now());

            assertThat(ownerExit).as(archive.output("owner")).isZero();
            assertThat(attachedExit).as(archive.output("attached")).isZero();
            assertThat(archive.output("owner")).as("the owner was done first and waited for the attached ingest")
                    .contains("waiting for 1 other archive command(s) using this database to finish");
            assertThat(archive.output("attached")).contains("files:   " + LARGE + " found, " + LARGE + " archived");
            assertThat(ownerLingered).as("the owner stops its database and exits once the attached ingest is gone")
                    .isLessThan(Duration.ofSeconds(20));
            assertThat(archive.runningPostmaster()).as("no embedded postmaster outlives the processes that used it").isEmpty();
            assertNoPatientDataNorDriverTextLogged(archive, patientData, "earlier", "owner", "attached");
            try (RunningServer reader = archive.serve("reader", RUN_LIMIT); Connection db = archive.connect()) {
                assertThat(archive.count(db, "select count(*) from clinical_document")).isEqualTo(EARLIER + 3 + LARGE);
            }
        } finally {
            archive.stopLeftoverPostmaster();
        }
    }

    /** Waits until the process started the embedded database (its pid file names a live postmaster). */
    private static void awaitPostmaster(ArchiveJar archive, Process owner) throws Exception {
        Instant deadline = Instant.now().plus(RUN_LIMIT);
        while (archive.runningPostmaster().isEmpty() || !Files.exists(archive.dataDir().resolve("postgres/epg-lock"))) {
            assertThat(owner.isAlive()).as("the owner is still running").isTrue();
            assertThat(Instant.now()).as("the owner's postmaster came up").isBefore(deadline);
            Thread.sleep(100);
        }
    }

    /**
     * Writes generated documents numbered from {@code from}, each under a file name that carries its patient's name
     * and identifier, as legacy exports do; adds those names, identifiers and file names to {@code patientData}.
     */
    private static List<Path> writeNamedDocuments(CcdaGenerator generator, Path folder, int from, int count, Set<String> patientData)
            throws Exception {
        Files.createDirectories(folder);
        List<Path> written = new ArrayList<>();
        for (int number = from; number < from + count; number++) {
            String document = generator.document(number);
            Matcher name = PATIENT_NAME.matcher(document);
            assertThat(name.find()).as("a generated document names its patient").isTrue();
            String fileName = name.group(2) + "_" + name.group(1) + "_GEN-" + number + ".xml";
            patientData.add(name.group(1));
            patientData.add(name.group(2));
            patientData.add(fileName);
            written.add(Files.writeString(folder.resolve(fileName), document));
        }
        return written;
    }

    /**
     * Item 3 of issue 18: under concurrency no driver or ORM message may carry row values (file names with patient
     * names, identifiers, the outcome JSON) into a console, the archive's log or PostgreSQL's own log; and the race
     * on the same content is an expected path, not a warning or an error.
     */
    private static void assertNoPatientDataNorDriverTextLogged(ArchiveJar archive, Set<String> patientData, String... runs)
            throws Exception {
        Map<String, String> logs = new LinkedHashMap<>();
        for (String run : runs) {
            logs.put("console of " + run, archive.output(run));
        }
        logs.put("logs/archive.log", Files.readString(archive.logFile()));
        Path postgresLog = archive.dataDir().resolve("postgres.log");
        String postgres = Files.exists(postgresLog) ? Files.readString(postgresLog) : "";
        logs.put("postgres.log", postgres);
        for (Map.Entry<String, String> log : logs.entrySet()) {
            String text = log.getValue();
            assertThat(text).as(log.getKey()).doesNotContainPattern(GENERATED_IDENTIFIER);
            for (String value : patientData) {
                assertThat(text).as(log.getKey()).doesNotContainPattern("\\b" + Pattern.quote(value) + "\\b");
            }
            assertThat(text.toLowerCase(java.util.Locale.ROOT)).as(log.getKey()).doesNotContain("insert into").doesNotContain("duplicate key")
                    .doesNotContain("values (").doesNotContain("batch entry");
            if (!log.getKey().equals("postgres.log")) {
                assertThat(text).as(log.getKey()).doesNotContain(" WARN ").doesNotContain(" ERROR ").doesNotContain("\"level\":\"WARN\"")
                        .doesNotContain("\"level\":\"ERROR\"");
            }
        }
    }

    private static Map<String, List<String>> statusesByContent(JsonNode... reports) {
        List<JsonNode> files = new ArrayList<>();
        for (JsonNode report : reports) {
            report.get("files").forEach(files::add);
        }
        return files.stream().collect(Collectors.groupingBy(file -> file.get("sha256").asText(), LinkedHashMap::new,
                Collectors.mapping(file -> file.get("status").asText(), Collectors.toList())));
    }

    private static String sha256(Path file) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
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
