package org.ehrarchive.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;

import org.ehrarchive.support.ArchiveJar;
import org.ehrarchive.support.Fixtures;
import org.ehrarchive.support.RunningServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code verify-audit} on the packaged jar: intact after real use, exit 3 naming the row after tampering. */
class VerifyAuditCommandIT {

    private static final Duration RUN_LIMIT = Duration.ofMinutes(3);

    @Test
    void verifyAuditPassesOnAnIntactChainAndNamesTheFirstBrokenLinkAfterTampering(@TempDir Path work) throws Exception {
        ArchiveJar archive = new ArchiveJar(work);
        // One server owns the embedded database throughout; the commands attach to it (no database start each).
        try (RunningServer server = archive.serve("server", RUN_LIMIT)) {
            Path input = work.resolve("export");
            Fixtures.copy("ccda", "undeclared-prefixes.xml", input);
            assertThat(archive.run("ingest", RUN_LIMIT, "ingest", input.toString())).as(archive.output("ingest")).isZero();

            assertThat(archive.run("verify-intact", RUN_LIMIT, "verify-audit")).as(archive.output("verify-intact")).isZero();
            // The first admin's creation and the ingest.
            assertThat(archive.output("verify-intact")).contains("access audit intact: 2 rows");

            // Tamper as a database superuser would: triggers off for one transaction, then change the first row.
            try (Connection db = archive.connect(); var statement = db.createStatement()) {
                db.setAutoCommit(false);
                statement.execute("set local session_replication_role = replica");
                statement.execute("update access_audit set detail = 'nothing happened here' where id = 1");
                db.commit();
            }

            int exit = archive.run("verify-broken", RUN_LIMIT, "verify-audit");
            assertThat(exit).as(archive.output("verify-broken")).isEqualTo(ArchiveCommand.ExitCodes.CHECK_FAILED);
            assertThat(archive.output("verify-broken")).contains("access audit BROKEN at row 1").contains("changed");
        }
    }

    @Test
    void removingTheNewestAuditRowsIsSeenAgainstTheAnchorByTheRunningServerAndByVerifyAudit(@TempDir Path work) throws Exception {
        ArchiveJar archive = new ArchiveJar(work).withEnvironment(java.util.Map.of("ARCHIVE_AUDIT_CHECK_INTERVAL", "1s"));
        try (RunningServer server = archive.serve("server", RUN_LIMIT)) {
            Path input = work.resolve("export");
            Fixtures.copy("ccda", "undeclared-prefixes.xml", input);
            assertThat(archive.run("ingest", RUN_LIMIT, "ingest", input.toString())).as(archive.output("ingest")).isZero();
            Path anchor = archive.dataDir().resolve("audit-anchor");
            java.time.Instant deadline = java.time.Instant.now().plus(Duration.ofSeconds(30));
            while (!(java.nio.file.Files.exists(anchor) && java.nio.file.Files.readString(anchor).startsWith("rows=2 "))
                    && java.time.Instant.now().isBefore(deadline)) {
                Thread.sleep(200);
            }
            assertThat(anchor).as("the server anchored the head: the admin's creation and the ingest").content().startsWith("rows=2 hash=");

            // What a superuser can do and the chain alone cannot show: remove the newest row. The rest is still a whole chain.
            try (Connection db = archive.connect(); var statement = db.createStatement()) {
                db.setAutoCommit(false);
                statement.execute("set local session_replication_role = replica");
                statement.execute("delete from access_audit where id = 2");
                db.commit();
            }

            java.net.http.HttpResponse<String> health = server.anonymous().get("/q/health");
            deadline = java.time.Instant.now().plus(Duration.ofSeconds(30));
            while (health.statusCode() == 200 && java.time.Instant.now().isBefore(deadline)) {
                Thread.sleep(200);
                health = server.anonymous().get("/q/health");
            }
            assertThat(health.statusCode()).as(health.body()).isEqualTo(503);
            assertThat(health.body()).contains("audit-chain").contains("row 2, the newest row when the chain was last anchored, is missing");
            assertThat(server.output()).contains("access audit BROKEN");

            assertThat(archive.run("verify-removed", RUN_LIMIT, "verify-audit")).as(archive.output("verify-removed"))
                    .isEqualTo(ArchiveCommand.ExitCodes.CHECK_FAILED);
            assertThat(archive.output("verify-removed")).contains("rows were removed from its end");
        }
    }
}
