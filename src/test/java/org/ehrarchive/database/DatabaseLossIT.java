package org.ehrarchive.database;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.ehrarchive.bench.CcdaGenerator;
import org.ehrarchive.support.ArchiveJar;
import org.ehrarchive.support.RunningServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The embedded postmaster is killed (kill -9) while clinicians read charts and sign in: the server notices, starts
 * PostgreSQL again on the same port, and answers again by itself within 30 s. Meanwhile every error answer carries a
 * request id that the structured log can be searched by, and no stack trace; health is UP afterwards with one
 * restart; the log says what happened; and stopping the server leaves no postmaster behind (ADR 0015).
 */
class DatabaseLossIT {

    private static final Duration RUN_LIMIT = Duration.ofMinutes(3);
    private static final Duration RECOVERY_LIMIT = Duration.ofSeconds(30);
    private static final int READERS = 6;
    private static final String USER = "reader1";
    private static final String PASSWORD = "a-long-enough-password";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CSRF = Pattern.compile("name=\"csrf-token\" value=\"([^\"]+)\"");

    /** One request's answer: what was asked, when it started, its status (0: no answer), request id and body. */
    private record Answer(String kind, Instant started, int status, String requestId, String body) {
    }

    @Test
    void aKilledPostmasterIsRestartedAndTheServerAnswersAgainByItself(@TempDir Path work) throws Exception {
        ArchiveJar archive = new ArchiveJar(work);
        assertThat(archive.runWithInput("user-add", PASSWORD + "\n", RUN_LIMIT, "user", "add", USER, "--role", "clinician"))
                .as(archive.output("user-add")).isZero();
        Path export = work.resolve("export");
        new CcdaGenerator(7, 20).writeDocuments(export, 1);
        assertThat(archive.run("ingest", RUN_LIMIT, "ingest", export.toString())).as(archive.output("ingest")).isZero();

        RunningServer server = archive.serve("server", RUN_LIMIT);
        try {
            long patientId;
            try (Connection database = archive.connect()) {
                patientId = archive.count(database, "select min(id) from patient");
            }
            String session = sessionCookie(server);
            String basic = "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
            List<Answer> warmUp = List.of(apiChart(server, basic, patientId), portalChart(server, session, patientId), formSignIn(server));
            assertThat(warmUp).as("before the loss").allSatisfy(answer -> assertThat(answer.status()).isIn(200, 303));

            // Readers that keep reading charts and signing in, through the loss and after it.
            AtomicBoolean stop = new AtomicBoolean();
            ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
            ExecutorService readers = Executors.newFixedThreadPool(READERS);
            for (int i = 0; i < READERS; i++) {
                int reader = i;
                readers.submit(() -> {
                    while (!stop.get()) {
                        answers.add(switch (reader % 3) {
                            case 0 -> apiChart(server, basic, patientId);
                            case 1 -> portalChart(server, session, patientId);
                            default -> formSignIn(server);
                        });
                    }
                    return null;
                });
            }
            Thread.sleep(1_000);

            // The check on its own (its health group): readiness as a whole waits for a connection while the database is down.
            AtomicBoolean sawDown = new AtomicBoolean();
            Thread health = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        JsonNode check = JSON.readTree(HTTP.send(HttpRequest.newBuilder(server.uri("/q/health/group/database"))
                                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body()).get("checks").get(0);
                        sawDown.compareAndSet(false, "DOWN".equals(check.get("status").asText()));
                        Thread.sleep(100);
                    } catch (IOException e) {
                        // asked again
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            health.start();

            long postmasterPid = postmasterPid(archive);
            Instant killed = Instant.now();
            ProcessHandle.of(postmasterPid).orElseThrow().destroyForcibly(); // SIGKILL, as the OOM killer does

            // Answering again: each kind of request succeeds, asked by this thread after the kill.
            Instant recovered = null;
            while (recovered == null) {
                assertThat(Duration.between(killed, Instant.now())).as("the server answers again within %s; it said: %s",
                        RECOVERY_LIMIT, tail(server.output())).isLessThan(RECOVERY_LIMIT);
                if (apiChart(server, basic, patientId).status() == 200 && portalChart(server, session, patientId).status() == 200
                        && formSignIn(server).status() == 303) {
                    recovered = Instant.now();
                } else {
                    Thread.sleep(250);
                }
            }
            Thread.sleep(2_000); // readers go on for a while on the restarted database
            stop.set(true);
            readers.shutdown();
            assertThat(readers.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
            System.out.printf("DatabaseLossIT: answering again %d ms after the kill; %d answers, %d of them errors, health DOWN seen: %s%n",
                    Duration.between(killed, recovered).toMillis(), answers.size(), answers.stream().filter(a -> a.status() >= 400).count(),
                    sawDown.get());
            System.out.printf("DatabaseLossIT: error answers by request: %s%n", answers.stream().filter(a -> a.status() >= 400)
                    .collect(Collectors.groupingBy(a -> a.kind() + " " + a.status(), Collectors.counting())));

            // Requests asked while the database is down wait for a connection (up to the pool's acquisition timeout)
            // and may be answered once it is back; the ones in flight at the kill fail.
            health.join(15_000);
            assertThat(sawDown).as("health said DOWN while the database was down").isTrue();
            assertThat(answers).as("requests in flight at the kill failed").anyMatch(a -> a.status() >= 500);
            assertThat(answers).as("every request got an answer").allSatisfy(a -> assertThat(a.status()).isPositive());
            List<Answer> errors = answers.stream().filter(a -> a.status() >= 400 && a.status() != 401).toList();
            assertThat(errors).as("error answers carry their request id and no internals").allSatisfy(error -> {
                assertThat(error.status()).isIn(500, 503);
                assertThat(error.requestId()).isNotBlank();
                assertThat(error.body()).contains(error.requestId()).doesNotContain("Exception").doesNotContain("\tat ")
                        .doesNotContain("org.postgresql").doesNotContain("SQL");
            });
            Instant settled = recovered.plusSeconds(1);
            assertThat(answers.stream().filter(a -> a.started().isAfter(settled)))
                    .as("after the restart, requests are answered as before").isNotEmpty()
                    .allSatisfy(a -> assertThat(a.status()).isIn(200, 303));

            // The structured log finds each failed request by the id its answer gave.
            Set<String> loggedIds = Files.readAllLines(archive.logFile()).stream().map(DatabaseLossIT::mdcRequestId)
                    .flatMap(Optional::stream).collect(Collectors.toSet());
            assertThat(errors.stream().filter(a -> a.status() == 500).map(Answer::requestId))
                    .as("every 500 is logged with its request id in the log context").allSatisfy(id -> assertThat(loggedIds).contains(id));

            JsonNode check = embeddedDatabaseCheck(server).orElseThrow();
            assertThat(check.get("status").asText()).isEqualTo("UP");
            assertThat(check.get("data").get("restarts").asInt()).isEqualTo(1);
            assertThat(Instant.parse(check.get("data").get("last-restart").asText())).isAfter(killed).isBefore(recovered);
            HttpResponse<String> ready = HTTP.send(HttpRequest.newBuilder(server.uri("/q/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);

            for (String log : List.of(server.output(), Files.readString(archive.logFile()))) {
                assertThat(count(log, "was lost (postmaster pid " + postmasterPid + " ended)")).as("one line says it was lost").isEqualTo(1);
                assertThat(count(log, "was restarted on port")).as("one line says it is back").isEqualTo(1);
                assertThat(log).doesNotContain("Could not stop postmaster");
            }

            long restartedPid = postmasterPid(archive);
            assertThat(restartedPid).isNotEqualTo(postmasterPid);
            server.close();
            // The server has exited once its database is stopped; the postmaster may take a moment to be gone.
            Optional<ProcessHandle> left = ProcessHandle.of(restartedPid);
            if (left.isPresent()) {
                try {
                    left.get().onExit().get(15, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException stillRunning) {
                    // told by the assertion below
                }
            }
            assertThat(ProcessHandle.of(restartedPid).map(ProcessHandle::isAlive).orElse(false))
                    .as("no postmaster is left behind by the stopped server: %s", tail(server.output())).isFalse();
        } finally {
            server.close();
        }
    }

    private static long postmasterPid(ArchiveJar archive) throws IOException {
        return Long.parseLong(Files.readAllLines(archive.dataDir().resolve("postgres/postmaster.pid")).get(0).trim());
    }

    private static Optional<JsonNode> embeddedDatabaseCheck(RunningServer server) throws IOException, InterruptedException {
        HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(server.uri("/q/health/ready")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        for (JsonNode check : JSON.readTree(health.body()).get("checks")) {
            if ("embedded-database".equals(check.get("name").asText())) {
                return Optional.of(check);
            }
        }
        return Optional.empty();
    }

    /** A portal session: the sign-in page's CSRF cookie and token, then the form; its cookie, {@code name=value}. */
    private static String sessionCookie(RunningServer server) throws IOException, InterruptedException {
        HttpResponse<String> signedIn = server.signIn(USER, PASSWORD);
        assertThat(signedIn.statusCode()).as(signedIn.body()).isEqualTo(303);
        String cookie = signedIn.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("archive-session=")).findFirst()
                .orElseThrow();
        return cookie.substring(0, cookie.indexOf(';'));
    }

    private static Answer apiChart(RunningServer server, String authorization, long patientId) {
        return send("api-chart", HttpRequest.newBuilder(server.uri("/api/patients/" + patientId)).header("Authorization", authorization));
    }

    private static Answer portalChart(RunningServer server, String session, long patientId) {
        return send("portal-chart", HttpRequest.newBuilder(server.uri("/patients/" + patientId)).header("Cookie", session));
    }

    /** A whole form sign-in, as a person does: the page (for its CSRF token), then the form; the form's answer. */
    private static Answer formSignIn(RunningServer server) {
        Instant started = Instant.now();
        try {
            HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(server.uri("/login")).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            Matcher token = CSRF.matcher(page.body());
            Optional<String> csrfCookie = page.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("csrf-token="))
                    .map(c -> c.substring(0, c.indexOf(';'))).findFirst();
            if (page.statusCode() != 200 || !token.find() || csrfCookie.isEmpty()) {
                return answer("sign-in-page", started, page);
            }
            String form = "csrf-token=" + token.group(1) + "&username=" + USER + "&password=" + URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8);
            return answer("form-sign-in", started, HTTP.send(HttpRequest.newBuilder(server.uri("/login")).timeout(Duration.ofSeconds(30))
                    .header("Cookie", csrfCookie.get()).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString()));
        } catch (IOException | InterruptedException e) {
            return new Answer("form-sign-in", started, 0, null, e.getClass().getSimpleName());
        }
    }

    private static Answer send(String kind, HttpRequest.Builder request) {
        Instant started = Instant.now();
        try {
            return answer(kind, started, HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()));
        } catch (IOException | InterruptedException e) {
            return new Answer(kind, started, 0, null, e.getClass().getSimpleName());
        }
    }

    private static Answer answer(String kind, Instant started, HttpResponse<String> response) {
        return new Answer(kind, started, response.statusCode(), response.headers().firstValue("X-Request-Id").orElse(null), response.body());
    }

    private static Optional<String> mdcRequestId(String line) {
        try {
            JsonNode id = JSON.readTree(line).path("mdc").path("requestId");
            return id.isTextual() ? Optional.of(id.asText()) : Optional.empty();
        } catch (IOException notJson) {
            return Optional.empty();
        }
    }

    private static long count(String text, String what) {
        return text.lines().filter(line -> line.contains(what)).count();
    }

    private static String tail(String text) {
        return text.substring(Math.max(0, text.length() - 4000));
    }
}
