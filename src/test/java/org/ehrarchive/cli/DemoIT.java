package org.ehrarchive.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
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

            // What the demo changed is in the access audit, one event per act, before anyone has read anything.
            String run = "cli-" + demo.pid();
            String user = System.getProperty("user.name");
            try (Connection database = archive.connect()) {
                long batch = archive.count(database, "select id from ingest_batch");
                assertThat(auditRows(database)).containsExactlyInAnyOrder(
                        "system | null | ADMIN_CHANGE | user | admin | null | local | startup | first admin created with role admin",
                        user + " | cli | INGEST_BATCH | ingest_batch | " + batch + " | null | local | " + run + " | demo data: 13 files",
                        user + " | cli | ADMIN_CHANGE | user | clinician | null | local | " + run + " | demo user created with role clinician",
                        user + " | cli | ADMIN_CHANGE | user | compliance | null | local | " + run + " | demo user created with role compliance");
            }

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

    /** Every audit row, oldest first, as "user | role | action | object type | object id | patients | address | request | detail". */
    private static List<String> auditRows(Connection database) throws Exception {
        List<String> rows = new ArrayList<>();
        try (var statement = database.createStatement(); var result = statement.executeQuery("select user_name, user_role, action, "
                + "object_type, object_id, patient_ids, client_address, request_id, detail from access_audit order by id")) {
            while (result.next()) {
                List<String> fields = new ArrayList<>();
                for (int column = 1; column <= 9; column++) {
                    fields.add(String.valueOf(result.getString(column)));
                }
                rows.add(String.join(" | ", fields));
            }
        }
        return rows;
    }
}
