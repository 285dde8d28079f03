package org.ehrarchive.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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
    private static final String PATIENTS = "12";
    /** The printed logins (DemoCommand), each to be tried. */
    private static final Map<String, String> READERS = Map.of("clinician", "demo-clinician", "compliance", "demo-compliance");
    private static final String ADMIN_PASSWORD = "demo-admin";
    /** Narrative text of every generated document's results section (CcdaGenerator). */
    private static final String GENERATED_TEXT = "metabolic panel";

    @Test
    void theDemoLoadsSyntheticPatientsItsLoginsWorkAndRunningItAgainReusesTheArchive(@TempDir Path work) throws Exception {
        ArchiveJar archive = new ArchiveJar(work);

        Found first = runDemoAndSearch(archive, "demo-first");
        Found second = runDemoAndSearch(archive, "demo-second");

        assertThat(first.example()).as("the detailed example patient").hasSize(1);
        assertThat(first.example().get(0).get("identifiers").toString()).contains("MRN-4711");
        assertThat(first.metabolicPanelHits()).as("generated documents with that text").isGreaterThan(0);
        assertThat(archive.output("demo-second")).as("nothing new on the second run").contains("(0 new)");
        assertThat(second.example()).as("still one example patient, not two").hasSize(1);
        assertThat(second.example().get(0).get("patientId")).isEqualTo(first.example().get(0).get("patientId"));
        assertThat(second.metabolicPanelHits()).as("the same hits as after the first run").isEqualTo(first.metabolicPanelHits());
    }

    private record Found(JsonNode example, long metabolicPanelHits) {
    }

    /** Starts {@code demo}, checks every printed login, searches, and stops the demo. */
    private static Found runDemoAndSearch(ArchiveJar archive, String name) throws Exception {
        int port = ArchiveJar.freePort();
        Process demo = archive.start(name, Map.of("QUARKUS_HTTP_PORT", Integer.toString(port)), "demo", "--patients", PATIENTS);
        try {
            awaitReady(archive, name, demo);
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
            return new Found(example, metabolicPanels);
        } finally {
            demo.destroy();
            demo.waitFor();
        }
    }

    private static void awaitReady(ArchiveJar archive, String name, Process demo) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(READY_WITHIN);
        while (!archive.output(name).contains("Demo archive ready")) {
            assertThat(demo.isAlive()).as(archive.output(name)).isTrue();
            assertThat(Instant.now()).as("demo ready in time: " + archive.output(name)).isBefore(deadline);
            Thread.sleep(250);
        }
    }
}
