package org.ehrarchive.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.ehrarchive.ArchiveConfig;

/**
 * Temporary lockout after repeated failed sign-ins, by the form and by HTTP Basic alike: per account (someone
 * guessing one user's password) and per client address (someone trying many users). While locked, even the right
 * password is refused, so guessing gains nothing; the lock lifts by itself after
 * {@code archive.security.lockout-duration}. Kept in memory: a restart lifts every lock, and several archive
 * processes count apart (docs/security.md).
 */
@ApplicationScoped
public class SignInThrottle {

    /** What a failure did: whether it locked the account or the address just now. */
    public record Failure(boolean lockedAccount, boolean lockedAddress) {
    }

    private static final int MAX_TRACKED = 10_000;

    private final int perAccount;
    private final int perAddress;
    private final Duration window;
    private final Duration lockout;
    private final Clock clock;
    private final Map<String, Counter> accounts = new ConcurrentHashMap<>();
    private final Map<String, Counter> addresses = new ConcurrentHashMap<>();

    @Inject
    public SignInThrottle(ArchiveConfig config) {
        this(config.security().lockoutFailuresPerAccount(), config.security().lockoutFailuresPerAddress(),
                config.security().lockoutWindow(), config.security().lockoutDuration(), Clock.systemUTC());
    }

    SignInThrottle(int perAccount, int perAddress, Duration window, Duration lockout, Clock clock) {
        this.perAccount = perAccount;
        this.perAddress = perAddress;
        this.window = window;
        this.lockout = lockout;
        this.clock = clock;
    }

    /** How long until a sign-in as this user from this address is allowed again; empty when it is allowed now. */
    public Optional<Duration> lockedFor(String username, String address) {
        Instant now = clock.instant();
        Duration account = remaining(accounts.get(key(username)), now);
        Duration client = remaining(addresses.get(String.valueOf(address)), now);
        Duration longer = account.compareTo(client) >= 0 ? account : client;
        return longer.isZero() ? Optional.empty() : Optional.of(longer);
    }

    /** Counts a failed sign-in. */
    public Failure failed(String username, String address) {
        Instant now = clock.instant();
        if (accounts.size() + addresses.size() > MAX_TRACKED) {
            // Guesses over many names or addresses must not grow memory without bound: forget what no longer counts.
            accounts.values().removeIf(counter -> counter.forgettable(now, window));
            addresses.values().removeIf(counter -> counter.forgettable(now, window));
        }
        boolean account = accounts.computeIfAbsent(key(username), k -> new Counter()).fail(now, window, perAccount, lockout);
        boolean client = addresses.computeIfAbsent(String.valueOf(address), k -> new Counter()).fail(now, window, perAddress, lockout);
        return new Failure(account, client);
    }

    /** A successful sign-in clears the account's failures (not the address's: one good password among many guesses). */
    public void succeeded(String username) {
        accounts.remove(key(username));
    }

    private static String key(String username) {
        return username == null ? "" : username.toLowerCase(Locale.ROOT);
    }

    private static Duration remaining(Counter counter, Instant now) {
        if (counter == null) {
            return Duration.ZERO;
        }
        synchronized (counter) {
            return counter.lockedUntil == null || !counter.lockedUntil.isAfter(now) ? Duration.ZERO
                    : Duration.between(now, counter.lockedUntil);
        }
    }

    /** Failures within the window, and the end of the current lock. */
    private static final class Counter {
        private final Deque<Instant> failures = new ArrayDeque<>();
        private Instant lockedUntil;

        synchronized boolean forgettable(Instant now, Duration window) {
            return (lockedUntil == null || !lockedUntil.isAfter(now))
                    && (failures.isEmpty() || failures.peekLast().isBefore(now.minus(window)));
        }

        /** Returns true when this failure locks. */
        synchronized boolean fail(Instant now, Duration window, int limit, Duration lockout) {
            if (lockedUntil != null && lockedUntil.isAfter(now)) {
                return false; // locked already: a failure while locked does not extend it
            }
            failures.addLast(now);
            while (!failures.isEmpty() && failures.peekFirst().isBefore(now.minus(window))) {
                failures.removeFirst();
            }
            if (failures.size() >= limit) {
                failures.clear();
                lockedUntil = now.plus(lockout);
                return true;
            }
            return false;
        }
    }
}
