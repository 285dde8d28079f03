package org.ehrarchive.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.ehrarchive.support.ArchiveJar;
import org.ehrarchive.support.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code verify-audit} on the packaged jar: intact after real use, exit 3 naming the row after tampering. */
class VerifyAuditCommandIT {

    private static final Duration RUN_LIMIT = Duration.ofMinutes(3);

    @Test
    void verifyAuditPassesOnAnIntactChainAndNamesTheFirstBrokenLinkAfterTampering(@TempDir Path work) throws Exception {
        ArchiveJar archive = new ArchiveJar(work);
        Path input = work.resolve("export");
        Fixtures.copy("ccda", "undeclared-prefixes.xml", input);
        assertThat(archive.run("ingest", RUN_LIMIT, "ingest", input.toString())).as(archive.output("ingest")).isZero();

        assertThat(archive.run("verify-intact", RUN_LIMIT, "verify-audit")).as(archive.output("verify-intact")).isZero();
        // The first admin's creation and the ingest.
        assertThat(archive.output("verify-intact")).contains("access audit intact: 2 rows");

        // Tamper as a database superuser would: triggers off for one transaction, then change the first row.
        Process server = archive.start("server", Map.of("QUARKUS_HTTP_PORT", "0"), "serve");
        try (Connection db = connectWhenReady(archive, server)) {
            try (var statement = db.createStatement()) {
                db.setAutoCommit(false);
                statement.execute("set local session_replication_role = replica");
                statement.execute("update access_audit set detail = 'nothing happened here' where id = 1");
                db.commit();
            }
        } finally {
            server.destroy();
            server.waitFor();
        }

        int exit = archive.run("verify-broken", RUN_LIMIT, "verify-audit");
        assertThat(exit).as(archive.output("verify-broken")).isEqualTo(ArchiveCommand.ExitCodes.AUDIT_BROKEN);
        assertThat(archive.output("verify-broken")).contains("access audit BROKEN at row 1").contains("changed");
    }

    private static Connection connectWhenReady(ArchiveJar archive, Process server) throws Exception {
        Instant deadline = Instant.now().plus(RUN_LIMIT);
        while (Instant.now().isBefore(deadline)) {
            assertThat(server.isAlive()).as(archive.output("server")).isTrue();
            try {
                Connection db = archive.connect();
                archive.count(db, "select count(*) from access_audit");
                return db;
            } catch (Exception notReadyYet) {
                Thread.sleep(200);
            }
        }
        throw new AssertionError("server did not start: " + archive.output("server"));
    }
}
