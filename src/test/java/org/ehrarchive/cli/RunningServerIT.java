package org.ehrarchive.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.store.FSDirectory;
import org.ehrarchive.support.ArchiveJar;
import org.ehrarchive.support.Fixtures;
import org.ehrarchive.support.JsonReports;
import org.ehrarchive.support.RunningServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The packaged jar as an admin runs it day to day, with one server started once for all these checks: a
 * clinician created on the command line, an ingest and a {@code reindex} before the server runs, then an ingest,
 * a {@code reindex}, {@code user list} and {@code verify-audit} beside the running server, and what the server
 * answers through the JSON API.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RunningServerIT {

    private static final Duration RUN_LIMIT = Duration.ofMinutes(3);
    /** The server indexes every few seconds (archive.search.drain-interval, 5 s); the README says "within seconds". */
    private static final Duration INDEXED_WITHIN = Duration.ofSeconds(20);

    private static final String CLINICIAN = "clinician1";
    private static final String PASSWORD = "a-long-enough-password";

    /** Synthetic file names that look like patient names: only the JSON report may show them. */
    private static final String QUARANTINED_FILE = "Zoë_O'Brien_Müller.xml";
    private static final String ARCHIVED_FILE = "Renée_Ødegård-Łukasiewicz.xml";
    /** The fixture {@code utf8-bom-crlf.xml}: UTF-8 with a byte-order mark, CRLF, names and text beyond ASCII. */
    private static final String NON_ASCII_FIXTURE = "utf8-bom-crlf.xml";
    private static final String NON_ASCII_PATIENT = "Renée Ødegård-Łukasiewicz";
    private static final String NON_ASCII_MRN = "MRN-5150";
    private static final String NON_ASCII_TITLE = "Entlassungsbrief – Übersicht";
    private static final String GERMAN_TEXT = "über Übelkeit und Schwindel";
    private static final String GREEK_WORD = "πυρετός";
    /** What must never reach a console or a log, including the ASCII parts a wrong encoding would leave. */
    private static final List<String> PATIENT_DATA = List.of("Zoë", "O'Brien", "Brien", "Müller", "Renée", "Ødegård", "degård",
            "Łukasiewicz", "kasiewicz", NON_ASCII_MRN, "Übelkeit", GREEK_WORD);

    @TempDir
    static Path work;

    private ArchiveJar archive;
    private RunningServer server;
    private RunningServer.Api clinician;
    private String generatedAdminPassword;
    private Path report;
    private Instant ingestedBesideTheServer;
    private int entriesInTheRebuiltIndex;

    @BeforeAll
    void anArchiveWithAClinicianAPatientAndARunningServer() throws Exception {
        archive = new ArchiveJar(work);
        // Before any server: the first start creates the archive and its first admin; then a user, an ingest,
        // and a reindex from scratch (no index at all), which the server will have to answer from.
        assertThat(archive.runWithInput("user-add", PASSWORD + "\n", RUN_LIMIT, "user", "add", CLINICIAN, "--role", "clinician"))
                .as(archive.output("user-add")).isZero();
        Matcher generated = Pattern.compile("generated password (\\S+)").matcher(archive.output("user-add"));
        assertThat(generated.find()).as(archive.output("user-add")).isTrue();
        generatedAdminPassword = generated.group(1);
        Path firstExport = work.resolve("first-export");
        Fixtures.copy("ccda", "full-ccd.xml", firstExport);
        assertThat(archive.run("ingest-alone", RUN_LIMIT, "ingest", firstExport.toString())).as(archive.output("ingest-alone")).isZero();
        deleteRecursively(archive.dataDir().resolve("index"));
        assertThat(archive.run("reindex-alone", RUN_LIMIT, "reindex")).as(archive.output("reindex-alone")).isZero();
        entriesInTheRebuiltIndex = entriesIn(archive.dataDir().resolve("index"));

        server = archive.serve("server", RUN_LIMIT);
        clinician = server.as(CLINICIAN, PASSWORD);

        Path secondExport = work.resolve("second-export");
        Fixtures.copyAs("ccda", "truncated.xml", secondExport, QUARANTINED_FILE);
        Fixtures.copyAs("ccda", NON_ASCII_FIXTURE, secondExport, ARCHIVED_FILE);
        report = work.resolve("reports/beside-the-server.json");
        assertThat(archive.run("ingest-beside-server", RUN_LIMIT, "ingest", secondExport.toString(), "--report-json", report.toString()))
                .as(archive.output("ingest-beside-server")).isZero();
        ingestedBesideTheServer = Instant.now();
    }

    @AfterAll
    void stopTheServer() throws Exception {
        if (server != null) {
            server.close();
            assertThat(archive.dataDir().resolve("postgres/postmaster.pid")).as("the server stopped its database").doesNotExist();
        }
    }

    @Test
    @Order(1)
    void reindexWithoutAServerRebuildsTheIndexFromTheArchiveStore() throws Exception {
        assertThat(archive.output("reindex-alone")).contains("reindexed 1 documents");
        assertThat(entriesInTheRebuiltIndex).as("what the index held when reindex, with no server, was done").isPositive();
        // The index was deleted before the reindex: the server can only find the patient in what reindex rebuilt.
        JsonNode hits = clinician.json("/api/patients", "name=Testy Fixtur");
        assertThat(hits).hasSize(1);
        assertThat(hits.get(0).get("identifiers").toString()).contains("MRN-4711");
    }

    @Test
    @Order(2)
    void aClinicianCreatedOnTheCommandLineReadsThroughTheApiAndAnonymousCallersAreTurnedAway() throws Exception {
        assertThat(archive.output("user-add")).contains("created user " + CLINICIAN);
        assertThat(archive.output("user-add")).as("the password typed is never echoed").doesNotContain(PASSWORD);

        var answer = clinician.get("/api/patients", "name=Testy Fixtur");
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).contains("MRN-4711").contains("Testy Q Fixture");
        assertThat(answer.headers().firstValue("X-Request-Id")).isPresent();
        assertThat(server.anonymous().get("/api/patients", "name=Testy").statusCode()).isEqualTo(401);
        assertThat(server.as(CLINICIAN, "a-wrong-password").get("/api/patients", "name=Testy").statusCode()).isEqualTo(401);
    }

    @Test
    @Order(3)
    void aCliIngestBesideTheRunningServerIsFoundThroughThatServerWithinSeconds() throws Exception {
        String printed = archive.output("ingest-beside-server");
        assertThat(printed).contains("1 archived").contains("1 quarantined")
                .contains("another archive process (usually the running server) owns the index");
        Instant deadline = ingestedBesideTheServer.plus(INDEXED_WITHIN);

        JsonNode patients = clinician.awaitJson(deadline, hits -> hits.size() > 0, "/api/patients", "name=Ødegård");
        JsonNode texts = clinician.awaitJson(deadline, hits -> hits.size() > 0, "/api/search", "q=Übelkeit");

        assertThat(patients.get(0).get("identifiers").toString()).contains(NON_ASCII_MRN);
        assertThat(texts.get(0).get("patientId").asLong()).isEqualTo(patients.get(0).get("patientId").asLong());
        assertThat(server.isAlive()).isTrue();
        try (Connection db = archive.connect()) {
            assertThat(archive.count(db, "select count(*) from clinical_document")).as("one database, shared").isEqualTo(2);
        }
    }

    @Test
    @Order(4)
    void namesAndTextBeyondAsciiFromAUtf8FileWithAByteOrderMarkAndCrlfComeBackIntact() throws Exception {
        byte[] original = Fixtures.bytes("ccda", NON_ASCII_FIXTURE);
        assertThat(original).as("the fixture starts with a UTF-8 byte-order mark").startsWith(0xEF, 0xBB, 0xBF);
        assertThat(new String(original, StandardCharsets.UTF_8)).as("the fixture has CRLF line endings").contains("\r\n");
        assertThat(JsonReports.fileNamed(readReport(), ARCHIVED_FILE).get("status").asText()).isEqualTo("archived");
        Instant deadline = ingestedBesideTheServer.plus(INDEXED_WITHIN);

        JsonNode patient = clinician.awaitJson(deadline, hits -> hits.size() > 0, "/api/patients", "name=Renée Ødegård").get(0);
        assertThat(patient.get("names")).extracting(JsonNode::asText).contains(NON_ASCII_PATIENT);
        JsonNode greek = clinician.awaitJson(deadline, hits -> hits.size() > 0, "/api/search", "q=" + GREEK_WORD).get(0);
        assertThat(greek.get("snippet").asText()).contains("<mark>" + GREEK_WORD + "</mark>");
        JsonNode german = clinician.json("/api/search", "q=Übelkeit").get(0);
        assertThat(unescapeHtml(german.get("snippet").asText())).contains("Übelkeit");

        long documentId = greek.get("documentId").asLong();
        JsonNode document = clinician.json("/api/documents/" + documentId);
        assertThat(document.get("title").asText()).isEqualTo(NON_ASCII_TITLE);
        assertThat(document.get("sections").toString()).contains(GERMAN_TEXT).contains(GREEK_WORD);
        assertThat(clinician.getBytes("/api/documents/" + documentId + "/original").body())
                .as("the original, byte-exact: byte-order mark and CRLF included").isEqualTo(original);
    }

    @Test
    @Order(5)
    void fileNamesThatCarryPatientNamesReachOnlyTheJsonReport() throws Exception {
        JsonNode json = readReport();
        JsonNode quarantined = JsonReports.fileNamed(json, QUARANTINED_FILE);
        assertThat(quarantined.get("status").asText()).isEqualTo("quarantined");
        assertThat(quarantined.get("reason").asText()).startsWith("ING-102");
        assertThat(JsonReports.fileNamed(json, ARCHIVED_FILE).get("status").asText()).isEqualTo("archived");

        String console = archive.output("ingest-beside-server");
        assertThat(console).contains("quarantined: 1 x ING-102");
        assertThat(console).as("the ingest's console").doesNotContain(PATIENT_DATA);
        assertThat(server.output()).as("the server's console").doesNotContain(PATIENT_DATA);
        assertThat(Files.readString(archive.logFile())).as("the JSON log of every process").doesNotContain(PATIENT_DATA);
    }

    @Test
    @Order(6)
    void reindexBesideTheRunningServerQueuesEveryDocumentAndTheServerIndexesThem() throws Exception {
        assertThat(archive.run("reindex-beside-server", RUN_LIMIT, "reindex")).as(archive.output("reindex-beside-server")).isZero();
        Instant deadline = Instant.now().plus(INDEXED_WITHIN);

        assertThat(archive.output("reindex-beside-server")).contains("owns the search index: 2 documents queued");
        try (Connection db = archive.connect()) {
            while (archive.count(db, "select count(*) from index_outbox") > 0) {
                assertThat(Instant.now()).as("the server indexed the queued documents within " + INDEXED_WITHIN).isBefore(deadline);
                Thread.sleep(250);
            }
        }
        assertThat(clinician.json("/api/patients", "name=Testy Fixtur")).hasSize(1);
        assertThat(clinician.json("/api/search", "q=" + GREEK_WORD)).hasSize(1);
    }

    @Test
    @Order(7)
    void userListShowsEveryUserWithItsRoleAndNeverAPasswordOrItsHash() throws Exception {
        assertThat(archive.run("user-list", RUN_LIMIT, "user", "list")).as(archive.output("user-list")).isZero();

        String listed = archive.output("user-list");
        assertThat(listed).containsPattern("(?m)^admin\\s+admin\\s*$").containsPattern("(?m)^" + CLINICIAN + "\\s+clinician\\s*$");
        List<String> hashes = new ArrayList<>();
        try (Connection db = archive.connect(); var statement = db.createStatement();
                var rows = statement.executeQuery("select password from app_user")) {
            while (rows.next()) {
                hashes.add(rows.getString(1));
            }
        }
        assertThat(hashes).hasSize(2);
        assertThat(listed).doesNotContain(PASSWORD).doesNotContain(generatedAdminPassword).doesNotContain(hashes)
                .doesNotContain("$2a$").doesNotContain("$2b$").doesNotContain("$2y$");
    }

    @Test
    @Order(8)
    void theAccessAuditRecordedAllOfItAndItsChainIsIntact() throws Exception {
        assertThat(archive.run("verify", RUN_LIMIT, "verify-audit")).as(archive.output("verify")).isZero();

        Matcher rows = Pattern.compile("access audit intact: (\\d+) rows").matcher(archive.output("verify"));
        assertThat(rows.find()).as(archive.output("verify")).isTrue();
        // At least: the first admin, user add, two ingests, and the reads above.
        assertThat(Long.parseLong(rows.group(1))).isGreaterThan(4);
    }

    @Test
    @Order(9)
    void apiTokensNewPasswordsAndDisabledUsersFromTheCommandLineTakeEffectInTheRunningServer() throws Exception {
        // A portal session, over the server's default settings: the cookie is Secure (it is meant for TLS) and Lax.
        HttpResponse<String> signedIn = server.signIn(CLINICIAN, PASSWORD);
        assertThat(signedIn.statusCode()).as(signedIn.body()).isEqualTo(303);
        String sessionCookie = signedIn.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("archive-session="))
                .findFirst().orElseThrow();
        assertThat(sessionCookie).contains("; Secure").contains("HttpOnly").contains("SameSite=Lax");
        String session = sessionCookie.substring(0, sessionCookie.indexOf(';'));
        assertThat(server.page("/", session).statusCode()).isEqualTo(200);

        assertThat(archive.run("token-create", RUN_LIMIT, "token", "create", CLINICIAN, "--name", "reporting", "--days", "7"))
                .as(archive.output("token-create")).isZero();
        Matcher created = Pattern.compile("(eat_[A-Za-z0-9_-]{43})").matcher(archive.output("token-create"));
        assertThat(created.find()).as(archive.output("token-create")).isTrue();
        RunningServer.Api byToken = server.withToken(created.group(1));
        assertThat(byToken.get("/api/patients", "name=Testy Fixtur").statusCode()).isEqualTo(200);

        assertThat(archive.run("token-list", RUN_LIMIT, "token", "list")).isZero();
        Matcher listed = Pattern.compile("(?m)^(\\d+)\\s+" + CLINICIAN + "\\s+reporting\\s+expires").matcher(archive.output("token-list"));
        assertThat(listed.find()).as(archive.output("token-list")).isTrue();
        assertThat(archive.output("token-list")).doesNotContain(created.group(1));
        assertThat(archive.run("token-revoke", RUN_LIMIT, "token", "revoke", listed.group(1))).as(archive.output("token-revoke")).isZero();
        assertThat(byToken.get("/api/patients", "name=Testy Fixtur").statusCode()).isEqualTo(401);

        String newPassword = "another-long-password";
        assertThat(archive.runWithInput("user-password", newPassword + "\n", RUN_LIMIT, "user", "password", CLINICIAN))
                .as(archive.output("user-password")).isZero();
        assertThat(archive.output("user-password")).contains("1 open sessions ended").doesNotContain(newPassword);
        assertThat(server.page("/", session).statusCode()).as("the session from before the new password").isEqualTo(302);
        assertThat(clinician.get("/api/patients", "name=Testy").statusCode()).as("the old password").isEqualTo(401);
        RunningServer.Api renewed = server.as(CLINICIAN, newPassword);
        assertThat(renewed.get("/api/patients", "name=Testy").statusCode()).isEqualTo(200);

        assertThat(archive.run("user-disable", RUN_LIMIT, "user", "disable", CLINICIAN)).as(archive.output("user-disable")).isZero();
        assertThat(renewed.get("/api/patients", "name=Testy").statusCode()).as("a disabled user").isEqualTo(401);
        assertThat(server.signIn(CLINICIAN, newPassword).statusCode()).isEqualTo(401);
        assertThat(archive.run("user-list-disabled", RUN_LIMIT, "user", "list")).isZero();
        assertThat(archive.output("user-list-disabled")).containsPattern("(?m)^" + CLINICIAN + "\\s+clinician\\s+disabled\\s*$");

        // No secret reaches the console or the log: no session key (sessions are server-side), no token, no password.
        String console = server.output() + Files.readString(archive.logFile());
        assertThat(console).doesNotContainPattern("(?i)(temporary|encryption|session) key").doesNotContain(created.group(1))
                .doesNotContain(newPassword).doesNotContain(session.substring(session.indexOf('=') + 1));
    }

    private JsonNode readReport() throws Exception {
        return new ObjectMapper().readTree(report.toFile());
    }


    /** Snippets are HTML; Lucene escapes Latin-1 letters as numeric references ({@code &#220;} for Ü). */
    private static String unescapeHtml(String html) {
        Matcher reference = Pattern.compile("&#(\\d+);").matcher(html);
        StringBuilder text = new StringBuilder();
        while (reference.find()) {
            reference.appendReplacement(text, Matcher.quoteReplacement(Character.toString(Integer.parseInt(reference.group(1)))));
        }
        reference.appendTail(text);
        return text.toString().replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#x27;", "'")
                .replace("&#x2F;", "/").replace("&amp;", "&");
    }

    /** Read straight from the index folder, before any server runs: what the reindex itself wrote. */
    private static int entriesIn(Path index) throws Exception {
        try (FSDirectory directory = FSDirectory.open(index); DirectoryReader reader = DirectoryReader.open(directory)) {
            return reader.numDocs();
        }
    }

    private static void deleteRecursively(Path folder) throws Exception {
        if (Files.exists(folder)) {
            try (Stream<Path> paths = Files.walk(folder)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }
}
