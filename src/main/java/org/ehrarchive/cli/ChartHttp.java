package org.ehrarchive.cli;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A signed-in client of the archive's own HTTP server, for {@code bench --workload chart}: it signs in through the
 * sign-in form as a browser does (the page's CSRF cookie and token, then the session cookie) and reads pages with
 * that session, so a timed page costs what it costs a clinician: routing, security, the audit event, the reads and
 * the rendering.
 */
final class ChartHttp {

    private static final Pattern CSRF_TOKEN = Pattern.compile("name=\"csrf-token\"[^>]*value=\"([^\"]+)\"");
    private static final String CSRF_COOKIE = "csrf-token";
    private static final String SESSION_COOKIE = "archive-session";

    private final HttpClient client;
    private final URI base;
    private final String session;
    /** The API takes no session cookie (a machine's call, not a browser's): it signs in with the same user's password. */
    private final String basic;

    private ChartHttp(HttpClient client, URI base, String session, String basic) {
        this.client = client;
        this.base = base;
        this.session = session;
        this.basic = basic;
    }

    /** Signs in as this user; fails when the sign-in does not open a session. */
    static ChartHttp signIn(URI base, String user, String password) throws IOException {
        HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        HttpResponse<String> page = send(client, HttpRequest.newBuilder(base.resolve("/login")).GET().build(), HttpResponse.BodyHandlers.ofString());
        Matcher token = CSRF_TOKEN.matcher(page.body());
        String csrf = cookie(page, CSRF_COOKIE).orElseThrow(() -> new IOException("the sign-in page set no CSRF cookie"));
        if (!token.find()) {
            throw new IOException("the sign-in page has no CSRF token");
        }
        String form = "csrf-token=" + encode(token.group(1)) + "&username=" + encode(user) + "&password=" + encode(password);
        HttpResponse<String> signedIn = send(client, HttpRequest.newBuilder(base.resolve("/login"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Cookie", CSRF_COOKIE + "=" + csrf)
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        String session = cookie(signedIn, SESSION_COOKIE)
                .orElseThrow(() -> new IOException("signing in answered " + signedIn.statusCode() + " without a session"));
        return new ChartHttp(client, base, session,
                "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }

    /** The body of a GET, a page's with the session, the API's with the password; fails unless the answer is 200. */
    byte[] get(String path) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path));
        if (path.startsWith("/api/")) {
            request.header("Authorization", basic);
        } else {
            request.header("Cookie", SESSION_COOKIE + "=" + session);
        }
        HttpResponse<byte[]> answer = send(client, request.GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        if (answer.statusCode() != 200) {
            throw new IOException("GET " + path + " answered " + answer.statusCode());
        }
        return answer.body();
    }

    private static <T> HttpResponse<T> send(HttpClient client, HttpRequest request, HttpResponse.BodyHandler<T> body) throws IOException {
        try {
            return client.send(request, body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static Optional<String> cookie(HttpResponse<?> answer, String name) {
        List<String> cookies = answer.headers().allValues("Set-Cookie");
        for (String cookie : cookies) {
            if (cookie.startsWith(name + "=")) {
                String value = cookie.substring(name.length() + 1, cookie.contains(";") ? cookie.indexOf(';') : cookie.length());
                if (!value.isEmpty()) {
                    return Optional.of(value);
                }
            }
        }
        return Optional.empty();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
