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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's first command ends in {@code demo}: it must leave a searchable archive and print working logins. */
class DemoIT {

    @Test
    void theDemoLoadsSyntheticPatientsAndItsPrintedLoginsWork(@TempDir Path work) throws Exception {
        ArchiveJar archive = new ArchiveJar(work);
        int port;
        try (var socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Process demo = archive.start("demo", Map.of("QUARKUS_HTTP_PORT", Integer.toString(port)), "demo", "--patients", "12");
        try {
            Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
            while (Instant.now().isBefore(deadline) && demo.isAlive() && !archive.output("demo").contains("Demo archive ready")) {
                Thread.sleep(250);
            }
            String printed = archive.output("demo");
            assertThat(printed).contains("Demo archive ready: http://localhost:" + port + "/").contains("clinician  / demo-clinician");

            HttpRequest search = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/patients?name=Testy%20Fixtur"))
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("clinician:demo-clinician".getBytes(StandardCharsets.UTF_8)))
                    .build();
            HttpResponse<String> answer = HttpClient.newHttpClient().send(search, HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).contains("MRN-4711");
        } finally {
            demo.destroy();
            demo.waitFor();
        }
    }
}
