package org.ehrarchive.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.ehrarchive.support.ArchiveJar;
import org.ehrarchive.support.KeycloakServer;
import org.ehrarchive.support.RunningServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Single sign-on against a real OIDC provider (Keycloak, started by the test on 127.0.0.1), with the archive jar
 * configured for it by environment alone: the provider's sign-in opens the archive's own session with the role the
 * provider gives, and every refusal (no role, two roles, a name a local account holds, a disabled user) is a page
 * that says why, and an audit event.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SingleSignOnIT {

    private static final Duration RUN_LIMIT = Duration.ofMinutes(3);
    private static final Pattern FORM_ACTION = Pattern.compile("<form[^>]*id=\"kc-form-login\"[^>]*action=\"([^\"]+)\"");

    @TempDir
    static Path work;

    private KeycloakServer keycloak;
    private ArchiveJar archive;
    private RunningServer server;

    @BeforeAll
    void aProviderAndAnArchiveThatTrustsIt() throws Exception {
        keycloak = KeycloakServer.start(work);
        archive = new ArchiveJar(work).withEnvironment(Map.of("QUARKUS_OIDC_TENANT_ENABLED", "true",
                "QUARKUS_OIDC_AUTH_SERVER_URL", keycloak.issuer(), "QUARKUS_OIDC_CLIENT_ID", KeycloakServer.CLIENT_ID,
                "QUARKUS_OIDC_CREDENTIALS_SECRET", KeycloakServer.CLIENT_SECRET,
                // plain HTTP to 127.0.0.1 in this test; a browser would not send a Secure cookie back here
                "ARCHIVE_SECURITY_SECURE_COOKIES", "false"));
        // A local password account that bears the name of a provider's user: the provider must not take it over.
        assertThat(archive.runWithInput("user-add", "a-long-local-password\n", RUN_LIMIT, "user", "add", "oidc-compliance", "--role",
                "compliance")).as(archive.output("user-add")).isZero();
        server = archive.serve("server", RUN_LIMIT);
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (keycloak != null) {
            keycloak.close();
        }
    }

    @Test
    void aProviderSignInOpensAnArchiveSessionWithTheProvidersRoleAndSignOutEndsIt() throws Exception {
        Browser browser = new Browser();
        assertThat(browser.get(server.uri("/login")).body()).contains("href=\"/login/oidc\"");

        HttpResponse<String> signedIn = browser.signInThroughTheProvider("oidc-clinician", "oidc-clinician-password");

        assertThat(signedIn.statusCode()).as(signedIn.body()).isEqualTo(303);
        assertThat(signedIn.headers().firstValue("Location")).contains("/");
        HttpResponse<String> home = browser.get(server.uri("/"));
        assertThat(home.statusCode()).isEqualTo(200);
        assertThat(home.body()).contains("oidc-clinician");
        assertThat(browser.get(server.uri("/audit")).statusCode()).as("a clinician does not read the audit").isEqualTo(403);
        assertThat(browser.get(server.uri("/search")).statusCode()).as("but searches").isEqualTo(200);
        assertThat(auditRows("oidc-clinician")).contains("LOGIN | clinician | single sign-on");

        assertThat(archive.run("user-list", RUN_LIMIT, "user", "list")).isZero();
        assertThat(archive.output("user-list")).containsPattern("(?m)^oidc-clinician\\s+clinician\\s+single sign-on\\s*$");
        // No password opens an account the provider signs in.
        assertThat(server.signIn("oidc-clinician", "!single-sign-on").statusCode()).isEqualTo(401);

        String csrf = browser.csrfTokenOf(home.body());
        HttpResponse<String> signedOut = browser.post(server.uri("/logout"), "csrf-token=" + csrf);
        assertThat(signedOut.statusCode()).isEqualTo(303);
        assertThat(browser.get(server.uri("/")).statusCode()).as("the session ended on the server").isEqualTo(302);
    }

    @Test
    void noRoleTwoRolesALocalAccountsNameOrADisabledUserAreRefusedWithTheReasonAndAudited() throws Exception {
        HttpResponse<String> noRole = new Browser().signInThroughTheProvider("oidc-no-role", "oidc-no-role-password");
        assertThat(noRole.statusCode()).isEqualTo(403);
        assertThat(noRole.body()).contains("gives you no role in the archive").contains("Request id");

        HttpResponse<String> twoRoles = new Browser().signInThroughTheProvider("oidc-two-roles", "oidc-two-roles-password");
        assertThat(twoRoles.statusCode()).isEqualTo(403);
        assertThat(twoRoles.body()).contains("more than one role in the archive (admin, clinician)");

        HttpResponse<String> local = new Browser().signInThroughTheProvider("oidc-compliance", "oidc-compliance-password");
        assertThat(local.statusCode()).isEqualTo(403);
        assertThat(local.body()).contains("a local account of that name");
        assertThat(server.as("oidc-compliance", "a-long-local-password").get("/api/patients", "name=x").statusCode())
                .as("the local account is untouched").isEqualTo(200);

        assertThat(auditRows("oidc-no-role")).singleElement().asString().startsWith("LOGIN_FAILED | null | single sign-on: ");
        assertThat(auditRows("oidc-two-roles")).singleElement().asString().startsWith("LOGIN_FAILED | null | single sign-on: ");
    }

    @Test
    void aDisabledProviderUserCannotSignInAgain() throws Exception {
        Browser browser = new Browser();
        assertThat(browser.signInThroughTheProvider("oidc-leaver", "oidc-leaver-password").statusCode()).isEqualTo(303);
        assertThat(archive.run("user-disable", RUN_LIMIT, "user", "disable", "oidc-leaver")).as(archive.output("user-disable")).isZero();
        assertThat(browser.get(server.uri("/")).statusCode()).as("its session ended").isEqualTo(302);

        HttpResponse<String> again = new Browser().signInThroughTheProvider("oidc-leaver", "oidc-leaver-password");
        assertThat(again.statusCode()).isEqualTo(403);
        assertThat(again.body()).contains("disabled in the archive");
    }

    /** "action | role | detail" of every audit row of this user, oldest first. */
    private List<String> auditRows(String user) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection database = archive.connect(); Statement statement = database.createStatement();
                ResultSet row = statement.executeQuery("select action, user_role, detail from access_audit where user_name = '" + user
                        + "' order by id")) {
            while (row.next()) {
                rows.add(row.getString(1) + " | " + row.getString(2) + " | " + row.getString(3));
            }
        }
        return rows;
    }

    /**
     * A browser: its own cookies per server (the provider's and the archive's), redirects followed by the test, step by
     * step. Its cookie jar keeps {@code Secure} cookies on plain HTTP to 127.0.0.1, as browsers do for a local
     * address (Keycloak marks its sign-in cookies Secure; Java's CookieManager would drop them).
     */
    private final class Browser {
        private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5)).build();
        private final Map<String, Map<String, String>> cookies = new java.util.HashMap<>();

        /** From the archive's single sign-on link through the provider's sign-in form back to the archive. */
        HttpResponse<String> signInThroughTheProvider(String user, String password) throws Exception {
            HttpResponse<String> toProvider = get(server.uri("/login/oidc"));
            assertThat(toProvider.statusCode()).as(toProvider.body()).isEqualTo(302);
            URI authorize = URI.create(toProvider.headers().firstValue("Location").orElseThrow());
            assertThat(authorize.toString()).startsWith(keycloak.issuer());
            HttpResponse<String> form = get(authorize);
            Matcher action = FORM_ACTION.matcher(form.body());
            assertThat(action.find()).as(form.body()).isTrue();
            HttpResponse<String> back = post(URI.create(action.group(1).replace("&amp;", "&")), "username=" + encode(user) + "&password="
                    + encode(password) + "&credentialId=");
            assertThat(back.statusCode()).as(back.body()).isEqualTo(302);
            // The archive takes the code, then (Quarkus removes the code from the address) asks once more.
            HttpResponse<String> answer = get(URI.create(back.headers().firstValue("Location").orElseThrow()));
            while (answer.statusCode() == 302 && answer.headers().firstValue("Location").orElse("").contains("/login/oidc")) {
                answer = get(server.uri("/login/oidc"));
            }
            return answer;
        }

        HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
            return send(uri, HttpRequest.newBuilder(uri));
        }

        HttpResponse<String> post(URI uri, String form) throws IOException, InterruptedException {
            return send(uri, HttpRequest.newBuilder(uri).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)));
        }

        private HttpResponse<String> send(URI uri, HttpRequest.Builder request) throws IOException, InterruptedException {
            Map<String, String> jar = cookies.computeIfAbsent(uri.getAuthority(), origin -> new java.util.LinkedHashMap<>());
            if (!jar.isEmpty()) {
                request.header("Cookie", jar.entrySet().stream().map(cookie -> cookie.getKey() + "=" + cookie.getValue())
                        .collect(java.util.stream.Collectors.joining("; ")));
            }
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            for (String set : response.headers().allValues("Set-Cookie")) {
                String pair = set.split(";", 2)[0];
                String name = pair.substring(0, pair.indexOf('=')).trim();
                String value = pair.substring(pair.indexOf('=') + 1).trim();
                if (value.isEmpty() || set.toLowerCase(java.util.Locale.ROOT).contains("max-age=0")) {
                    jar.remove(name);
                } else {
                    jar.put(name, value);
                }
            }
            return response;
        }

        String csrfTokenOf(String page) {
            Matcher token = Pattern.compile("name=\"csrf-token\" value=\"([^\"]+)\"").matcher(page);
            assertThat(token.find()).as(page).isTrue();
            return token.group(1);
        }

        private String encode(String value) {
            return URLEncoder.encode(value, StandardCharsets.UTF_8);
        }
    }
}
