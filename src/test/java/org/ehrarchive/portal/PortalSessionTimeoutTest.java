package org.ehrarchive.portal;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import java.io.InputStream;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import org.ehrarchive.support.ArchiveTestDatabase;
import org.ehrarchive.support.ArchivedFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * A portal session ends after {@code quarkus.http.auth.form.timeout} without activity (30 minutes) and lasts while it
 * is used. The timeout is runtime configuration, so this class runs the archive with a timeout of seconds; it is the
 * only class on this profile, because a profile costs a restart.
 */
@QuarkusTest
@TestProfile(PortalSessionTimeoutTest.ShortSessions.class)
@WithTestResource(ArchiveTestDatabase.class)
class PortalSessionTimeoutTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(3);
    private static final String PASSWORD = "session-test-password";
    private static final String SESSION_COOKIE = "archive-session";

    /** Sessions of {@link #TIMEOUT}, renewed (a new cookie with a new expiry) at most every second while in use. */
    public static class ShortSessions implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.auth.form.timeout", TIMEOUT.toString(), "quarkus.http.auth.form.new-cookie-interval", "PT1S");
        }
    }

    @BeforeEach
    void createUsers() {
        ArchivedFixture.usersOfEveryRole("session-", PASSWORD);
    }

    @Test
    void theArchiveEndsASessionAfterThirtyMinutesWithoutActivityAndRenewsOneInUse() throws Exception {
        Properties configuration = new Properties();
        try (InputStream in = PortalSessionTimeoutTest.class.getResourceAsStream("/application.properties")) {
            configuration.load(in);
        }
        assertThat(configuration.stringPropertyNames()).filteredOn(key -> key.endsWith("quarkus.http.auth.form.timeout"))
                .as("one timeout, for every profile").containsExactly("quarkus.http.auth.form.timeout");
        assertThat(Duration.parse(configuration.getProperty("quarkus.http.auth.form.timeout"))).isEqualTo(Duration.ofMinutes(30));
        assertThat(Duration.parse(configuration.getProperty("quarkus.http.auth.form.new-cookie-interval")))
                .as("a session in use is renewed before it times out").isLessThan(Duration.ofMinutes(30));
    }

    @Test
    void anIdleSessionIsSentBackToSignIn() throws Exception {
        Browser browser = Browser.signIn("session-clinician");
        browser.get("/").then().statusCode(200);

        Thread.sleep(TIMEOUT.plusSeconds(1).toMillis());

        browser.get("/").then().statusCode(302).header("Location", containsString("/login"));
        browser.get("/search").then().statusCode(302).header("Location", containsString("/login"));
    }

    @Test
    void aSessionInUseLastsPastTheTimeoutAndEndsOnceIdle() throws Exception {
        Browser browser = Browser.signIn("session-clinician");
        String first = browser.cookie;
        long end = System.nanoTime() + TIMEOUT.multipliedBy(3).toNanos();
        while (System.nanoTime() < end) {
            browser.get("/").then().statusCode(200);
            Thread.sleep(500);
        }
        assertThat(browser.cookie).as("the session was renewed while in use").isNotEqualTo(first);

        Thread.sleep(TIMEOUT.plusSeconds(1).toMillis());

        browser.get("/").then().statusCode(302).header("Location", containsString("/login"));
    }

    /** What a browser does with the session cookie: sends the newest one it was given. */
    private static final class Browser {
        private String cookie;

        static Browser signIn(String user) {
            Response login = given().redirects().follow(false).formParam("j_username", user).formParam("j_password", PASSWORD)
                    .post("/j_security_check");
            Browser browser = new Browser();
            browser.cookie = login.getCookie(SESSION_COOKIE);
            assertThat(browser.cookie).as("signed in as " + user).isNotNull();
            return browser;
        }

        Response get(String path) {
            Response response = given().redirects().follow(false).cookie(SESSION_COOKIE, cookie).get(path);
            String renewed = response.getCookie(SESSION_COOKIE);
            if (renewed != null && !renewed.isEmpty()) {
                cookie = renewed;
            }
            return response;
        }
    }
}
