package org.ehrarchive.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

import org.ehrarchive.support.ArchiveJar;
import org.ehrarchive.support.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar end to end, as an admin sets it up: create a clinician with {@code user add}, ingest with the CLI,
 * start the server, and find the patient through the JSON API as that clinician.
 */
class UserAndApiIT {

    private static final Duration RUN_LIMIT = Duration.ofMinutes(3);
    private static final String PASSWORD = "a-long-enough-password";

    @Test
    void aClinicianCreatedOnTheCommandLineFindsAnIngestedPatientThroughTheApi(@TempDir Path work) throws Exception {
        ArchiveJar archive = new ArchiveJar(work);
        assertThat(archive.runWithInput("user", PASSWORD + "\n", RUN_LIMIT, "user", "add", "clinician1", "--role", "clinician"))
                .as(archive.output("user")).isZero();
        assertThat(archive.output("user")).contains("generated password").contains("created user clinician1");
        assertThat(archive.output("user")).as("the password typed is never echoed").doesNotContain(PASSWORD);
        Path input = work.resolve("export");
        Fixtures.copy("ccda", "full-ccd.xml", input);
        assertThat(archive.run("ingest", RUN_LIMIT, "ingest", input.toString())).as(archive.output("ingest")).isZero();
        assertThat(archive.output("ingest")).contains("search: indexed 1 documents");

        int port;
        try (var socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Process server = archive.start("server", Map.of("QUARKUS_HTTP_PORT", Integer.toString(port)), "serve");
        try {
            HttpClient http = HttpClient.newHttpClient();
            String basic = "Basic " + Base64.getEncoder().encodeToString(("clinician1:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
            HttpRequest search = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/patients?name=Testy%20Fixtur"))
                    .header("Authorization", basic).build();
            HttpResponse<String> answer = null;
            Instant deadline = Instant.now().plus(RUN_LIMIT);
            while (Instant.now().isBefore(deadline) && server.isAlive() && (answer == null || answer.statusCode() != 200)) {
                try {
                    answer = http.send(search, HttpResponse.BodyHandlers.ofString());
                } catch (java.io.IOException notYet) {
                    Thread.sleep(250);
                }
            }
            assertThat(answer).as(archive.output("server")).isNotNull();
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).contains("MRN-4711").contains("Testy Q Fixture");
            assertThat(answer.headers().firstValue("X-Request-Id")).isPresent();
            HttpRequest anonymous = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/patients?name=Testy")).build();
            assertThat(http.send(anonymous, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        } finally {
            server.destroy();
            server.waitFor();
        }
        // The first admin, user add, the ingest and the search are all in the audit, and the chain is intact.
        assertThat(archive.run("verify", RUN_LIMIT, "verify-audit")).as(archive.output("verify")).isZero();
        assertThat(archive.output("verify")).contains("access audit intact: 4 rows");
    }
}
