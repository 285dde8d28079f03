package org.ehrarchive.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.ehrarchive.audit.AuditRecord;
import org.ehrarchive.security.ArchiveUser;
import org.ehrarchive.security.Roles;
import org.ehrarchive.support.ArchiveTestDatabase;
import org.ehrarchive.support.AuditRows;
import org.ehrarchive.support.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import picocli.CommandLine;

/**
 * What the command line records in the access audit, run through the same picocli commands as {@code java -jar}:
 * {@code user add} (ADMIN_CHANGE), {@code ingest} (INGEST_BATCH), and the first admin created at the first start.
 * Each act appends exactly one event, with the OS user, role {@code cli}, address {@code local} and request id
 * {@code cli-<pid>}.
 */
@QuarkusTest
@WithTestResource(ArchiveTestDatabase.class)
class CommandAuditTest {

    private static final String OS_USER = System.getProperty("user.name");
    private static final String RUN_ID = "cli-" + ProcessHandle.current().pid();

    @Inject
    CommandLine.IFactory factory;
    @Inject
    ObjectMapper json;

    @Test
    void userAddRecordsOneAdminChangeNamingTheUserAndItsRole() {
        String name = "cli-user-" + UUID.randomUUID();
        long before = auditRows();

        assertThat(run("a-long-enough-password\n", "user", "add", name, "--role", Roles.COMPLIANCE)).isZero();

        assertThat(auditRows()).as("one user created, one event").isEqualTo(before + 1);
        AuditRecord event = newest();
        assertCommandLineEvent(event, "ADMIN_CHANGE", "user", name, "user created with role compliance");
        assertThat(QuarkusTransaction.requiringNew().call(() -> ArchiveUser.<ArchiveUser>find("username", name).singleResult().role))
                .isEqualTo(Roles.COMPLIANCE);

        assertThat(run("a-long-enough-password\n", "user", "add", name, "--role", Roles.ADMIN)).as("the user exists already").isOne();
        assertThat(run("too-short\n", "user", "add", name + "-2", "--role", Roles.ADMIN)).as("password too short").isEqualTo(2);
        assertThat(auditRows()).as("a refused change records nothing").isEqualTo(before + 1);
    }

    @Test
    void anIngestRunRecordsOneBatchEventWithItsBatchIdAndCounts(@TempDir Path work) throws Exception {
        Path export = Files.createDirectories(work.resolve("export"));
        // Content no other test has archived: the fixture twice, each with its own comment, and a file that is not XML.
        String run = UUID.randomUUID().toString();
        String fixture = new String(Fixtures.bytes("ccda", "full-ccd.xml"), StandardCharsets.UTF_8);
        Files.writeString(export.resolve("a.xml"), fixture + "\n<!-- run " + run + ", copy a -->\n");
        Files.writeString(export.resolve("b.xml"), fixture + "\n<!-- run " + run + ", copy b -->\n");
        Files.writeString(export.resolve("c.xml"), "<ClinicalDocument xmlns=\"urn:hl7-org:v3\"><title>" + run);
        Path reportFile = work.resolve("report.json");
        long before = auditRows();

        assertThat(run("", "ingest", export.toString(), "--quiet", "--report-json", reportFile.toString())).isZero();

        assertThat(auditRows()).as("one batch, one event").isEqualTo(before + 1);
        JsonNode report = json.readTree(reportFile.toFile());
        JsonNode totals = report.get("totals");
        assertThat(totals.get("files").asInt()).isEqualTo(3);
        assertThat(totals.get("archivedFiles").asInt()).isEqualTo(2);
        assertThat(totals.get("quarantinedFiles").asInt()).isEqualTo(1);
        assertCommandLineEvent(newest(), "INGEST_BATCH", "ingest_batch", report.get("batchId").asText(),
                String.format("source system \"%s\"; files %d: archived %d, duplicate %d, quarantined %d; records found %d",
                        report.get("sourceSystem").asText(), totals.get("files").asInt(),
                        totals.get("archivedFiles").asInt(), totals.get("duplicateFiles").asInt(), totals.get("quarantinedFiles").asInt(),
                        totals.get("found").asInt()));
    }

    @Test
    void theFirstAdminCreatedAtTheFirstStartIsRecordedOnce() {
        List<AuditRecord> events = QuarkusTransaction.requiringNew().call(() -> AuditRecord.<AuditRecord>list(
                "action = 'ADMIN_CHANGE' and objectType = 'user' and objectId = 'admin'"));
        assertThat(events).singleElement().satisfies(event -> {
            assertThat(event.userName).isEqualTo("system");
            assertThat(event.userRole).isNull();
            assertThat(event.clientAddress).isEqualTo("local");
            assertThat(event.requestId).isEqualTo("startup");
            assertThat(event.patientIds).isNull();
            assertThat(event.purpose).isNull();
            assertThat(event.detail).isEqualTo("first admin created with role admin");
        });
    }

    private static void assertCommandLineEvent(AuditRecord event, String action, String objectType, String objectId, String detail) {
        assertThat(event.action).isEqualTo(action);
        assertThat(event.userName).as("the OS user who ran the command").isEqualTo(OS_USER);
        assertThat(event.userRole).isEqualTo("cli");
        assertThat(event.objectType).isEqualTo(objectType);
        assertThat(event.objectId).isEqualTo(objectId);
        assertThat(event.patientIds).as("a command shows no patient").isNull();
        assertThat(event.clientAddress).isEqualTo("local");
        assertThat(event.requestId).isEqualTo(RUN_ID);
        assertThat(event.purpose).isNull();
        assertThat(event.detail).isEqualTo(detail);
    }

    /** Runs {@code java -jar quarkus-run.jar args...} in this application, with {@code input} on standard input. */
    private int run(String input, String... args) {
        InputStream stdin = System.in;
        System.setIn(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
        try {
            return new CommandLine(ArchiveCommand.class, factory).execute(args);
        } finally {
            System.setIn(stdin);
        }
    }

    private static long auditRows() {
        return AuditRows.count();
    }

    private static AuditRecord newest() {
        return AuditRows.newest();
    }
}
