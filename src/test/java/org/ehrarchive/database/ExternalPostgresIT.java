package org.ehrarchive.database;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.Map;

import org.ehrarchive.support.ArchiveJar;
import org.ehrarchive.support.Fixtures;
import org.ehrarchive.support.RunningServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The same jar on a PostgreSQL server it did not start (ADR 0002): given {@code QUARKUS_DATASOURCE_JDBC_URL},
 * {@code _USERNAME} and {@code _PASSWORD}, {@code ingest}, {@code user add} and {@code serve} use that server, with
 * password authentication, and no embedded server is started under the data directory.
 */
class ExternalPostgresIT {

    private static final Duration RUN_LIMIT = Duration.ofMinutes(3);
    private static final String DB_USER = "archive_owner";
    private static final String DB_PASSWORD = "external-db-password";
    private static final String CLINICIAN = "clinician1";
    private static final String PASSWORD = "a-long-enough-password";
    /** Only the superuser the test itself uses is trusted; the archive must sign in with its password. */
    private static final String PG_HBA = """
            host all postgres 127.0.0.1/32 trust
            host all postgres ::1/128 trust
            host all all 127.0.0.1/32 scram-sha-256
            host all all ::1/128 scram-sha-256
            """;

    @Test
    void theSameJarIngestsAndServesOnAnExternalPostgresqlAndStartsNoEmbeddedServer(@TempDir Path work) throws Exception {
        Path pgData = work.resolve("external-postgres");
        try (EmbeddedPostgres external = EmbeddedPostgres.builder().setDataDirectory(pgData.toFile()).setCleanDataDirectory(true).start()) {
            createArchiveDatabaseWithPasswordSignIn(external, pgData);
            String url = "jdbc:postgresql://127.0.0.1:" + external.getPort() + "/archive";
            ArchiveJar archive = new ArchiveJar(work).withEnvironment(Map.of("QUARKUS_DATASOURCE_JDBC_URL", url,
                    "QUARKUS_DATASOURCE_USERNAME", DB_USER, "QUARKUS_DATASOURCE_PASSWORD", DB_PASSWORD));
            Path input = work.resolve("export");
            Fixtures.copy("ccda", "full-ccd.xml", input);

            int wrongPassword = archive.run("wrong-password", Map.of("QUARKUS_DATASOURCE_PASSWORD", "not-the-password"), RUN_LIMIT,
                    "ingest", input.toString());
            assertThat(wrongPassword).as(archive.output("wrong-password")).isEqualTo(1);
            assertThat(archive.output("wrong-password")).contains("password authentication failed").doesNotContain("not-the-password");

            assertThat(archive.run("ingest", RUN_LIMIT, "ingest", input.toString())).as(archive.output("ingest")).isZero();
            assertThat(archive.output("ingest")).contains("1 archived");
            assertThat(archive.runWithInput("user-add", PASSWORD + "\n", RUN_LIMIT, "user", "add", CLINICIAN, "--role", "clinician"))
                    .as(archive.output("user-add")).isZero();
            try (RunningServer server = archive.serve("server", RUN_LIMIT)) {
                RunningServer.Api clinician = server.as(CLINICIAN, PASSWORD);
                JsonNode hits = clinician.json("/api/patients", "name=Testy Fixtur");
                assertThat(hits).hasSize(1);
                assertThat(hits.get(0).get("identifiers").toString()).contains("MRN-4711");
                long documentId = clinician.json("/api/patients/" + hits.get(0).get("patientId").asLong()).get("documents").get(0).get("id").asLong();
                assertThat(clinician.getBytes("/api/documents/" + documentId + "/original").body())
                        .isEqualTo(Fixtures.bytes("ccda", "full-ccd.xml"));
            }

            try (Connection db = external.getDatabase("postgres", "archive").getConnection()) {
                assertThat(archive.count(db, "select count(*) from source_file")).as("the rows are in the external server").isEqualTo(1);
                assertThat(archive.count(db, "select count(*) from app_user where username = '" + CLINICIAN + "'")).isEqualTo(1);
            }
            assertThat(archive.dataDir().resolve("postgres")).as("no embedded server was started").doesNotExist();
            assertThat(archive.dataDir().resolve("postgres-binaries")).doesNotExist();
            assertThat(archive.dataDir().resolve("blobs")).as("originals still go to the data directory").isDirectory();
        }
    }

    private static void createArchiveDatabaseWithPasswordSignIn(EmbeddedPostgres external, Path pgData) throws Exception {
        try (Connection admin = external.getPostgresDatabase().getConnection(); var statement = admin.createStatement()) {
            statement.execute("set password_encryption = 'scram-sha-256'");
            statement.execute("create role " + DB_USER + " login password '" + DB_PASSWORD + "'");
            statement.execute("create database archive owner " + DB_USER + " encoding 'UTF8' template template0");
            Files.writeString(pgData.resolve("pg_hba.conf"), PG_HBA);
            statement.execute("select pg_reload_conf()");
        }
    }
}
