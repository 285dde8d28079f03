package org.ehrarchive.database;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.ehrarchive.support.ArchiveJar;
import org.ehrarchive.support.RunningServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * An external PostgreSQL that goes away and comes back (a restart, a failover to the same address) is reconnected to
 * by the server's pool by itself: readiness is DOWN while it is away, and the server answers again within 30 s of
 * its return, without a restart of the archive. The archive does not restart an external server; its operator does.
 * Sign-ins that fail meanwhile answer 500 with the request id the log has the failure under.
 */
class ExternalPostgresReconnectIT {

    private static final Duration RUN_LIMIT = Duration.ofMinutes(3);
    private static final Duration RECONNECT_LIMIT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String ADMIN_PASSWORD = "a-long-enough-admin-password";

    @Test
    void theServerReconnectsToAnExternalPostgresqlThatCameBack(@TempDir Path work) throws Exception {
        Path pgData = work.resolve("external-postgres");
        int port = ArchiveJar.freePort();
        EmbeddedPostgres external = start(pgData, port);
        try (Connection admin = external.getPostgresDatabase().getConnection(); var statement = admin.createStatement()) {
            statement.execute("create database archive encoding 'UTF8' template template0");
        }
        ArchiveJar archive = new ArchiveJar(work).withEnvironment(Map.of("QUARKUS_DATASOURCE_JDBC_URL",
                "jdbc:postgresql://127.0.0.1:" + port + "/archive", "QUARKUS_DATASOURCE_USERNAME", "postgres",
                "QUARKUS_DATASOURCE_PASSWORD", "", "ARCHIVE_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD));
        try (RunningServer server = archive.serve("server", RUN_LIMIT)) {
            RunningServer.Api admin = server.as("admin", ADMIN_PASSWORD);
            // A Basic sign-in needs the database (the account's standing); an admin is then refused patient data (403).
            int signedIn = admin.get("/api/patients", "name=x").statusCode();
            assertThat(signedIn).isEqualTo(403);

            external.close();
            assertThat(status(server, "/q/health/ready")).as("readiness while the database is away").isEqualTo(503);
            // A sign-in that fails on the missing database: by HTTP Basic (answered before the REST layer) and by the
            // form. Each answer gives its request id, shows no internals, and the structured log has the failure under it.
            for (HttpResponse<String> failed : List.of(admin.get("/api/patients", "name=x"), server.signIn("admin", ADMIN_PASSWORD))) {
                assertThat(failed.statusCode()).isEqualTo(500);
                String requestId = failed.headers().firstValue("X-Request-Id").orElseThrow();
                assertThat(failed.body()).contains(requestId).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("org.postgresql");
                assertThat(Files.readAllLines(archive.logFile())).as("the log line of request %s", requestId)
                        .anyMatch(line -> line.contains("\"requestId\":\"" + requestId + "\"") && line.contains("\"level\":\"ERROR\""));
            }

            external = start(pgData, port);
            Instant back = Instant.now();
            while (status(server, "/q/health/ready") != 200 || admin.get("/api/patients", "name=x").statusCode() != signedIn) {
                assertThat(Duration.between(back, Instant.now())).as("reconnected within %s: %s", RECONNECT_LIMIT, server.output())
                        .isLessThan(RECONNECT_LIMIT);
                Thread.sleep(250);
            }
            System.out.printf("ExternalPostgresReconnectIT: answering again %d ms after the database came back%n",
                    Duration.between(back, Instant.now()).toMillis());
        } finally {
            external.close();
        }
    }

    private static EmbeddedPostgres start(Path pgData, int port) throws Exception {
        return EmbeddedPostgres.builder().setDataDirectory(pgData.toFile()).setCleanDataDirectory(false).setPort(port).start();
    }

    private static int status(RunningServer server, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }
}
