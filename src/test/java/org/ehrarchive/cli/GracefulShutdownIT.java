package org.ehrarchive.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.ehrarchive.bench.CcdaGenerator;
import org.ehrarchive.support.ArchiveJar;
import org.ehrarchive.support.RunningServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service manager stops the archive with SIGTERM while clinicians read charts: every request that had reached the
 * server gets an answer (its chart, or 503 once shutting down), none is dropped; the audit holds exactly one event
 * per chart that was answered, and none for a read whose answer never left.
 */
class GracefulShutdownIT {

    private static final Duration RUN_LIMIT = Duration.ofMinutes(3);
    private static final int READERS = 50;
    /** A chart of a few thousand entries: heavy enough that 50 at once are still being answered when the signal comes. */
    private static final int ENTRIES_PER_SECTION = 200;
    private static final String USER = "reader1";
    private static final String PASSWORD = "a-long-enough-password";

    /** One reader's outcome: the status line's code, or what went wrong, and when it ended. */
    private record Outcome(int status, String failure, long endedNanos) {
    }

    @Test
    void sigtermUnderFiftyChartReadsAnswersEveryOneAndAuditsOnlyTheAnswered(@TempDir Path work) throws Exception {
        ArchiveJar archive = new ArchiveJar(work);
        assertThat(archive.runWithInput("user-add", PASSWORD + "\n", RUN_LIMIT, "user", "add", USER, "--role", "clinician"))
                .as(archive.output("user-add")).isZero();
        Path export = work.resolve("export");
        new CcdaGenerator(5, ENTRIES_PER_SECTION).writeDocuments(export, 1);
        assertThat(archive.run("ingest", RUN_LIMIT, "ingest", export.toString())).as(archive.output("ingest")).isZero();

        RunningServer server = archive.serve("server", RUN_LIMIT);
        long patientId;
        try (Connection database = archive.connect()) {
            patientId = archive.count(database, "select min(id) from patient");
        }
        URI chart = server.uri("/api/patients/" + patientId);
        String authorization = "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        assertThat(read(chart, authorization, null).status()).as("warm-up").isEqualTo(200);

        CountDownLatch allSent = new CountDownLatch(READERS);
        ExecutorService readers = Executors.newFixedThreadPool(READERS);
        List<Future<Outcome>> outcomes = new ArrayList<>();
        for (int i = 0; i < READERS; i++) {
            outcomes.add(readers.submit(() -> read(chart, authorization, allSent)));
        }
        assertThat(allSent.await(30, TimeUnit.SECONDS)).as("every request sent").isTrue();
        long signalled = System.nanoTime();
        server.signalStop();

        List<Outcome> answered = new ArrayList<>();
        for (Future<Outcome> outcome : outcomes) {
            answered.add(outcome.get(90, TimeUnit.SECONDS));
        }
        readers.shutdown();
        // 143 is the JVM's exit status after SIGTERM (128 + 15), what a service manager expects of a Java service.
        int exit = server.awaitExit(Duration.ofSeconds(90));

        String log = server.output();
        assertThat(answered).as("every request that reached the server is answered; the server said: %s",
                log.substring(Math.max(0, log.length() - 4000))).allSatisfy(outcome -> {
            assertThat(outcome.failure()).isNull();
            assertThat(outcome.status()).isIn(200, 503);
        });
        assertThat(answered).as("the signal came while charts were still being answered, and they were finished")
                .anyMatch(outcome -> outcome.status() == 200 && outcome.endedNanos() > signalled);
        long charts = answered.stream().filter(outcome -> outcome.status() == 200).count();
        assertThat(exit).as(server.output()).isIn(0, 143);

        // The audit, read through a new server on the same archive: one VIEW_CHART per chart answered, warm-up included.
        try (RunningServer again = archive.serve("server-again", RUN_LIMIT); Connection database = archive.connect()) {
            assertThat(archive.count(database, "select count(*) from access_audit where action = 'VIEW_CHART' and user_name = '" + USER + "'"))
                    .isEqualTo(charts + 1);
        }
    }

    /** One GET on its own connection, sent whole before {@code sent} counts down; the answer read to its end. */
    private static Outcome read(URI uri, String authorization, CountDownLatch sent) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5_000);
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getAuthority() + "\r\nAuthorization: " + authorization
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            if (sent != null) {
                sent.countDown();
            }
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            in.transferTo(response);
            String text = response.toString(StandardCharsets.ISO_8859_1);
            if (!text.startsWith("HTTP/1.1 ")) {
                return new Outcome(0, "no answer (" + response.size() + " bytes)", System.nanoTime());
            }
            return new Outcome(Integer.parseInt(text.substring(9, 12)), null, System.nanoTime());
        } catch (Exception e) {
            if (sent != null && sent.getCount() > 0) {
                sent.countDown();
            }
            return new Outcome(0, e.getClass().getSimpleName(), System.nanoTime());
        }
    }
}
