package org.ehrarchive.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import java.time.Duration;
import java.util.Map;

import org.ehrarchive.ArchiveConfig;
import org.ehrarchive.support.ArchiveTestDatabase;
import org.ehrarchive.support.ArchivedFixture;
import org.ehrarchive.support.PortalSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.config.WithDefault;

/**
 * A portal session ends after {@code archive.security.session-idle-timeout} without a request (30 minutes), lasts
 * while it is used, and ends {@code session-absolute-timeout} after sign-in however busy (12 hours). Both are
 * runtime configuration, so this class runs the archive with timeouts of seconds; it is the only class on this
 * profile, because a profile costs a restart.
 */
@QuarkusTest
@TestProfile(PortalSessionTimeoutTest.ShortSessions.class)
@WithTestResource(ArchiveTestDatabase.class)
class PortalSessionTimeoutTest {

    private static final Duration IDLE = Duration.ofSeconds(3);
    private static final Duration ABSOLUTE = Duration.ofSeconds(8);
    private static final String PASSWORD = "session-test-password";

    /** Sessions that idle out after {@link #IDLE} and end {@link #ABSOLUTE} after sign-in. */
    public static class ShortSessions implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("archive.security.session-idle-timeout", IDLE.toString(), "archive.security.session-absolute-timeout",
                    ABSOLUTE.toString());
        }
    }

    @BeforeEach
    void createUsers() {
        ArchivedFixture.usersOfEveryRole("session-", PASSWORD);
    }

    @Test
    void theDefaultsAreThirtyMinutesIdleAndTwelveHoursInAll() throws Exception {
        assertThat(Duration.parse(ArchiveConfig.Security.class.getMethod("sessionIdleTimeout").getAnnotation(WithDefault.class).value()))
                .isEqualTo(Duration.ofMinutes(30));
        assertThat(Duration.parse(ArchiveConfig.Security.class.getMethod("sessionAbsoluteTimeout").getAnnotation(WithDefault.class).value()))
                .isEqualTo(Duration.ofHours(12));
    }

    @Test
    void anIdleSessionIsSentBackToSignIn() throws Exception {
        PortalSession browser = PortalSession.signIn("session-clinician", PASSWORD);
        browser.get("/").then().statusCode(200);

        Thread.sleep(IDLE.plusSeconds(1).toMillis());

        browser.get("/").then().statusCode(302).header("Location", containsString("/login"));
        browser.get("/search").then().statusCode(302).header("Location", containsString("/login"));
    }

    @Test
    void aSessionInUseLastsPastTheIdleTimeoutAndEndsAtTheAbsoluteOne() throws Exception {
        PortalSession browser = PortalSession.signIn("session-clinician", PASSWORD);
        long signedIn = System.nanoTime();
        long usedUntil = signedIn + IDLE.multipliedBy(2).toNanos();
        while (System.nanoTime() < usedUntil) {
            browser.get("/").then().statusCode(200);
            Thread.sleep(500);
        }
        // Still in use, past twice the idle timeout: it ends only at the absolute timeout.
        while (System.nanoTime() < signedIn + ABSOLUTE.minusSeconds(1).toNanos()) {
            browser.get("/").then().statusCode(200);
            Thread.sleep(500);
        }
        Thread.sleep(2_000);
        browser.get("/").then().statusCode(302).header("Location", containsString("/login"));
    }
}
