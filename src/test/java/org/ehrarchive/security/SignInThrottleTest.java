package org.ehrarchive.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

/** The lockout rules, on a clock the test moves: per account, per client address, for a while, and not forever. */
class SignInThrottleTest {

    private static final Duration WINDOW = Duration.ofMinutes(15);
    private static final Duration LOCKOUT = Duration.ofMinutes(10);

    /** A clock the test sets. */
    private static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-12-02T10:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final TestClock clock = new TestClock();
    private final SignInThrottle throttle = new SignInThrottle(5, 20, WINDOW, LOCKOUT, clock);

    @Test
    void fiveFailuresLockTheAccountForTheLockoutDurationThenItOpensAgain() {
        for (int i = 1; i <= 4; i++) {
            assertThat(throttle.failed("nurse", "10.0.0.1").lockedAccount()).as("failure " + i).isFalse();
            assertThat(throttle.lockedFor("nurse", "10.0.0.1")).isEmpty();
        }
        assertThat(throttle.failed("nurse", "10.0.0.1").lockedAccount()).isTrue();
        assertThat(throttle.lockedFor("nurse", "10.0.0.1")).contains(LOCKOUT);
        assertThat(throttle.lockedFor("NURSE", "10.0.0.2")).as("the account is locked from any address, any case").isPresent();
        assertThat(throttle.lockedFor("doctor", "10.0.0.1")).as("another account from that address is not").isEmpty();

        clock.now = clock.now.plus(LOCKOUT).minusSeconds(1);
        throttle.failed("nurse", "10.0.0.1");
        assertThat(throttle.lockedFor("nurse", "10.0.0.1")).as("a failure while locked does not extend the lock").contains(Duration.ofSeconds(1));
        clock.now = clock.now.plusSeconds(1);
        assertThat(throttle.lockedFor("nurse", "10.0.0.1")).isEmpty();
    }

    @Test
    void failuresOutsideTheWindowDoNotCountAndASuccessClearsTheAccount() {
        for (int i = 0; i < 4; i++) {
            throttle.failed("clerk", "10.0.0.3");
        }
        clock.now = clock.now.plus(WINDOW).plusSeconds(1);
        assertThat(throttle.failed("clerk", "10.0.0.3").lockedAccount()).as("the first four are past the window").isFalse();

        for (int i = 0; i < 3; i++) {
            throttle.failed("clerk", "10.0.0.3");
        }
        throttle.succeeded("clerk");
        assertThat(throttle.failed("clerk", "10.0.0.3").lockedAccount()).as("counting starts again after a success").isFalse();
    }

    @Test
    void manyAccountsTriedFromOneAddressLockThatAddress() {
        for (int i = 0; i < 19; i++) {
            assertThat(throttle.failed("user" + i, "203.0.113.9").lockedAddress()).isFalse();
        }
        assertThat(throttle.failed("user19", "203.0.113.9").lockedAddress()).isTrue();
        assertThat(throttle.lockedFor("someone-else", "203.0.113.9")).as("every account, from that address").contains(LOCKOUT);
        assertThat(throttle.lockedFor("someone-else", "198.51.100.1")).as("not from another address").isEmpty();
    }

    @Test
    void guessesOverManyNamesDoNotGrowMemoryWithoutBound() throws Exception {
        for (int i = 0; i < 30_000; i++) {
            throttle.failed("guess" + i, "198.51.100." + (i % 200));
            if (i % 1000 == 0) {
                clock.now = clock.now.plus(WINDOW).plusSeconds(1); // older guesses no longer count
            }
        }
        java.lang.reflect.Field accounts = SignInThrottle.class.getDeclaredField("accounts");
        accounts.setAccessible(true);
        assertThat(((java.util.Map<?, ?>) accounts.get(throttle)).size()).isLessThanOrEqualTo(11_000);
    }
}
