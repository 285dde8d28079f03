package org.ehrarchive.support;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** An archive jar running {@code serve} on its own port (see {@link ArchiveJar#serve}); {@link #close()} stops it. */
public final class RunningServer implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration POLL = Duration.ofMillis(250);

    private final ArchiveJar archive;
    private final String name;
    private final Process process;
    private final URI base;

    RunningServer(ArchiveJar archive, String name, Process process, URI base) {
        this.archive = archive;
        this.name = name;
        this.process = process;
        this.base = base;
    }

    /** A server started otherwise (for example by {@code demo}) that listens on {@code port}. */
    public static RunningServer started(ArchiveJar archive, String name, Process process, int port) {
        return new RunningServer(archive, name, process, URI.create("http://127.0.0.1:" + port));
    }

    public URI uri(String pathAndQuery) {
        return base.resolve(pathAndQuery);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** What the server printed so far (standard output and error). */
    public String output() throws IOException {
        return archive.output(name);
    }

    /** The JSON API as this user, with HTTP Basic. */
    public Api as(String user, String password) {
        return new Api("Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }

    /** The JSON API with an API token ({@code Authorization: Bearer}). */
    public Api withToken(String token) {
        return new Api("Bearer " + token);
    }

    /**
     * Signs in to the portal as a browser does (the sign-in page's CSRF cookie and token, then the form) and returns
     * the answer; its {@code Set-Cookie} headers carry the session.
     */
    public HttpResponse<String> signIn(String user, String password) throws IOException, InterruptedException {
        HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(uri("/login")).build(), HttpResponse.BodyHandlers.ofString());
        String csrfCookie = page.headers().allValues("Set-Cookie").stream().filter(cookie -> cookie.startsWith("csrf-token="))
                .map(cookie -> cookie.substring(0, cookie.indexOf(';'))).findFirst().orElseThrow();
        java.util.regex.Matcher token = java.util.regex.Pattern.compile("name=\"csrf-token\" value=\"([^\"]+)\"").matcher(page.body());
        if (!token.find()) {
            throw new AssertionError("no CSRF token on the sign-in page: " + page.body());
        }
        String form = "csrf-token=" + token.group(1) + "&username=" + java.net.URLEncoder.encode(user, StandardCharsets.UTF_8)
                + "&password=" + java.net.URLEncoder.encode(password, StandardCharsets.UTF_8);
        return HTTP.send(HttpRequest.newBuilder(uri("/login")).header("Cookie", csrfCookie)
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** GET a portal page with this cookie header ({@code name=value}), redirects not followed. */
    public HttpResponse<String> page(String path, String cookie) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).header("Cookie", cookie).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The JSON API without credentials. */
    public Api anonymous() {
        return new Api(null);
    }

    void awaitHealthy(Duration timeout) throws IOException, InterruptedException {
        HttpRequest health = HttpRequest.newBuilder(uri("/q/health")).timeout(Duration.ofSeconds(10)).build();
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new AssertionError(name + " stopped before it served: " + output());
            }
            try {
                if (HTTP.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notListeningYet) {
                // starting
            }
            Thread.sleep(POLL.toMillis());
        }
        throw new AssertionError(name + " was not healthy within " + timeout + ": " + output());
    }

    /** Sends SIGTERM, as a service manager stopping the archive does, and returns at once. */
    public void signalStop() {
        process.destroy();
    }

    /** Waits for the process to end; returns its exit code. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " did not stop within " + timeout);
        }
        return process.exitValue();
    }

    /** Stops the server as Ctrl-C would, and waits for it (and its embedded database) to stop. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    /** The JSON API as one user. */
    public final class Api {

        private final String authorization;

        private Api(String authorization) {
            this.authorization = authorization;
        }

        /** GET {@code path} with {@code query} ("name=value" pairs, values URL-encoded here as UTF-8). */
        public HttpResponse<String> get(String path, String... query) throws IOException, InterruptedException {
            return HTTP.send(request(path, query), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        }

        public HttpResponse<byte[]> getBytes(String path, String... query) throws IOException, InterruptedException {
            return HTTP.send(request(path, query), HttpResponse.BodyHandlers.ofByteArray());
        }

        /** GET, expecting 200 and JSON. */
        public JsonNode json(String path, String... query) throws IOException, InterruptedException {
            HttpResponse<String> response = get(path, query);
            if (response.statusCode() != 200) {
                throw new AssertionError("GET " + path + " answered " + response.statusCode() + ": " + response.body());
            }
            return JSON.readTree(response.body());
        }

        /**
         * GETs JSON until {@code until} holds (for example: the search finds the patient), and returns that answer;
         * fails the test at {@code deadline}.
         */
        public JsonNode awaitJson(Instant deadline, Predicate<JsonNode> until, String path, String... query)
                throws IOException, InterruptedException {
            JsonNode last = null;
            while (true) {
                last = json(path, query);
                if (until.test(last)) {
                    return last;
                }
                if (Instant.now().isAfter(deadline)) {
                    throw new AssertionError("GET " + path + " did not answer as expected by " + deadline + "; last answer: " + last);
                }
                Thread.sleep(POLL.toMillis());
            }
        }

        private HttpRequest request(String path, String... query) {
            StringBuilder target = new StringBuilder(path);
            for (int i = 0; i < query.length; i++) {
                String[] pair = query[i].split("=", 2);
                target.append(i == 0 ? '?' : '&').append(pair[0]).append('=')
                        .append(URLEncoder.encode(pair.length > 1 ? pair[1] : "", StandardCharsets.UTF_8).replace("+", "%20"));
            }
            HttpRequest.Builder request = HttpRequest.newBuilder(uri(target.toString())).timeout(Duration.ofSeconds(30));
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            return request.build();
        }
    }
}
