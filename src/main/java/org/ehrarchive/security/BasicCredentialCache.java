package org.ehrarchive.security;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;

import org.ehrarchive.ArchiveConfig;

/**
 * HTTP Basic credentials verified recently, so that an API client does not pay a bcrypt (about 90 ms) on every
 * request. Keyed by an HMAC of user name and password under a key made per process: the cache holds no password,
 * and a wrong password never matches. Each hit still asks the users table whether the user stands (not disabled,
 * password not changed since), a primary-key lookup, so revocation is immediate.
 */
@ApplicationScoped
public class BasicCredentialCache {

    private static final int MAX_ENTRIES = 10_000;

    private record Verified(String username, Instant verifiedAt) {
    }

    private final Accounts accounts;
    private final Duration ttl;
    private final SecretKeySpec key;
    private final Map<String, Verified> verified = new ConcurrentHashMap<>();

    public BasicCredentialCache(Accounts accounts, ArchiveConfig config) {
        this.accounts = accounts;
        this.ttl = config.security().basicCredentialCache();
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        this.key = new SecretKeySpec(secret, "HmacSHA256");
    }

    Optional<Account> lookup(String username, String password) {
        if (ttl.isZero()) {
            return Optional.empty();
        }
        String id = idOf(username, password);
        Verified entry = verified.get(id);
        if (entry == null || entry.verifiedAt().plus(ttl).isBefore(Instant.now())) {
            verified.remove(id);
            return Optional.empty();
        }
        Optional<Account> account = accounts.standing(entry.username(), entry.verifiedAt());
        if (account.isEmpty()) {
            verified.remove(id);
        }
        return account;
    }

    void remember(String username, String password, Account account) {
        if (ttl.isZero()) {
            return;
        }
        if (verified.size() >= MAX_ENTRIES) {
            verified.clear();
        }
        verified.put(idOf(username, password), new Verified(account.username(), Instant.now().truncatedTo(ChronoUnit.MICROS)));
    }

    private String idOf(String username, String password) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(username.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            return HexFormat.of().formatHex(mac.doFinal(password.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
