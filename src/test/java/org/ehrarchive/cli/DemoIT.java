package org.ehrarchive.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.ehrarchive.support.ArchiveJar;
import org.ehrarchive.support.RunningServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The README's first command ends in {@code demo}: it must leave a searchable archive and print working logins.
 * Running it again reuses that archive: the same patients, not a second copy of them.
 */
class DemoIT {

    private static final Duration READY_WITHIN = Duration.ofMinutes(3);
    private static final int GENERATED = 12;
    private static final String PATIENTS = Integer.toString(GENERATED);
    /** Visits per generated patient (DemoCommand), a document each: with the example, GENERATED x VISITS + 1 files. */
    private static final int VISITS = 5;
    private static final String HEMOGLOBIN = "718-7";
    /** The printed logins (DemoCommand), each to be tried. */
    private static final Map<String, String> READERS = Map.of("clinician", "demo-clinician", "compliance", "demo-compliance");
    private static final String ADMIN_PASSWORD = "demo-admin";
    /** Narrative text of every generated document's results section (CcdaGenerator). */
    private static final String GENERATED_TEXT = "metabolic panel";

    @Test
    void theDemoLoadsSyntheticPatientsItsLoginsWorkAndRunningItAgainReusesTheArchive(@TempDir Path work) throws Exception {
        ArchiveJar archive = new ArchiveJar(work);

        Found first = runDemoAndSearch(archive, "demo-first", true);
        Found second = runDemoAndSearch(archive, "demo-second", false);

        assertThat(first.example()).as("the detailed example patient").hasSize(1);
        assertThat(first.example().get(0).get("identifiers").toString()).contains("MRN-4711");
        assertThat(first.metabolicPanelHits()).as("generated documents with that text").isGreaterThan(0);
        assertThat(archive.output("demo-second")).as("nothing new on the second run").contains("(0 new)");
        assertThat(second.example()).as("still one example patient, not two").hasSize(1);
        assertThat(second.example().get(0).get("patientId")).isEqualTo(first.example().get(0).get("patientId"));
        assertThat(second.metabolicPanelHits()).as("the same hits as after the first run").isEqualTo(first.metabolicPanelHits());
        // A generated patient is a history a clinician can follow: several visits, the same test at each one.
        JsonNode chart = first.generatedChart();
        assertThat(chart.get("documents")).as("one document per visit").hasSize(VISITS);
        assertThat(chart.get("encounters")).as("one encounter per visit").hasSize(VISITS);
        List<JsonNode> hemoglobin = new ArrayList<>();
        chart.get("entries").get("RESULT").forEach(result -> {
            if (HEMOGLOBIN.equals(result.path("code").path("code").asText())) {
                hemoglobin.add(result);
            }
        });
        assertThat(hemoglobin).as("a hemoglobin per visit, a trend").hasSize(VISITS).allSatisfy(result -> {
            assertThat(result.get("values").get(0).get("quantity").get("unit").asText()).isEqualTo("g/dL");
            assertThat(result.get("values").get(0).get("quantity").get("value").asDouble()).isBetween(7.0, 20.0);
            assertThat(result.get("interpretations").get(0).get("code").asText()).isIn("N", "H", "L");
        });
        assertThat(second.generatedChart().get("documents")).as("still one document per visit").hasSize(VISITS);
    }

    private record Found(JsonNode example, long metabolicPanelHits, JsonNode generatedChart) {
    }

    /** Starts {@code demo}, checks every printed login, searches, and stops the demo. */
    private static Found runDemoAndSearch(ArchiveJar archive, String name, boolean firstRun) throws Exception {
        int port = ArchiveJar.freePort();
        Process demo = archive.start(name, Map.of("QUARKUS_HTTP_PORT", Integer.toString(port)), "demo", "--patients", PATIENTS);
        try {
            awaitReady(archive, name, demo);
            if (firstRun) {
                // What the demo changed is in the access audit, one event per act, before anyone has read anything.
                String run = "cli-" + demo.pid();
                String user = System.getProperty("user.name");
                try (Connection database = archive.connect()) {
                    long batch = archive.count(database, "select id from ingest_batch");
                    assertThat(auditRows(database)).containsExactlyInAnyOrder(
                            "system | null | ADMIN_CHANGE | user | admin | null | local | startup | first admin created with role admin",
                            user + " | cli | INGEST_BATCH | ingest_batch | " + batch + " | null | local | " + run + " | demo data: " + (GENERATED * VISITS + 1) + " files",
                            user + " | cli | ADMIN_CHANGE | user | clinician | null | local | " + run + " | demo user created with role clinician",
                            user + " | cli | ADMIN_CHANGE | user | compliance | null | local | " + run + " | demo user created with role compliance");
                }
            }
            // The demo's passwords are published: it listens on loopback only, and says so.
            assertThat(archive.output(name)).contains("Listening on: http://127.0.0.1:" + port).contains("this machine only");
            for (InetAddress address : nonLoopbackAddresses()) {
                try (Socket socket = new Socket()) {
                    assertThatThrownBy(() -> socket.connect(new InetSocketAddress(address, port), 2_000))
                            .as("the demo is not reachable on " + address).isInstanceOf(IOException.class);
                }
            }
            assertThat(archive.output("demo-first")).doesNotContainPattern("(?i)(temporary|encryption|session) key");
            assertThat(archive.output(name)).contains("Demo archive ready: http://localhost:" + port + "/")
                    .contains("clinician  / demo-clinician").contains("admin      / " + ADMIN_PASSWORD);
            RunningServer server = RunningServer.started(archive, name, demo, port);
            for (Map.Entry<String, String> login : READERS.entrySet()) {
                assertThat(server.as(login.getKey(), login.getValue()).get("/api/patients", "name=Testy Fixtur").statusCode())
                        .as(login.getKey() + " signs in with the printed password and reads charts").isEqualTo(200);
            }
            // The admin reads the audit, not charts: signed in (403), not refused as unknown (401).
            assertThat(server.as("admin", ADMIN_PASSWORD).get("/api/patients", "name=Testy Fixtur").statusCode())
                    .as("admin signs in with the printed password").isEqualTo(403);
            RunningServer.Api clinician = server.as("clinician", "demo-clinician");
            JsonNode example = clinician.json("/api/patients", "identifier=MRN-4711");
            long metabolicPanels = clinician.json("/api/search", "q=" + GENERATED_TEXT).size();
            JsonNode generated = clinician.json("/api/patients", "identifier=GEN-3");
            assertThat(generated).as("generated patient GEN-3: its visits on one patient").hasSize(1);
            JsonNode chart = clinician.json("/api/patients/" + generated.get(0).get("patientId").asLong());
            return new Found(example, metabolicPanels, chart);
        } finally {
            demo.destroy();
            demo.waitFor();
        }
    }

    /** This machine's own addresses other than loopback (none in a sandbox without a network). */
    private static List<InetAddress> nonLoopbackAddresses() throws IOException {
        List<InetAddress> addresses = new ArrayList<>();
        for (NetworkInterface network : java.util.Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (network.isUp() && !network.isLoopback()) {
                java.util.Collections.list(network.getInetAddresses()).stream().filter(a -> a instanceof java.net.Inet4Address)
                        .forEach(addresses::add);
            }
        }
        return addresses;
    }

    private static void awaitReady(ArchiveJar archive, String name, Process demo) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(READY_WITHIN);
        while (!archive.output(name).contains("Demo archive ready")) {
            assertThat(demo.isAlive()).as(archive.output(name)).isTrue();
            assertThat(Instant.now()).as("demo ready in time: " + archive.output(name)).isBefore(deadline);
            Thread.sleep(250);
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
