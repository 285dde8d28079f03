package org.ehrarchive.security;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

import org.ehrarchive.ArchiveConfig;

/**
 * Portal sessions kept by the server (ADR 0011), so that one can be ended: the browser holds a random token, the
 * database its hash. A session ends by sign-out, when its user gets a new password or is disabled, after
 * {@code archive.security.session-idle-timeout} without a request, and {@code session-absolute-timeout} after
 * sign-in. Because every request looks its session up, an ended session is refused on the next request, also
 * in another archive process on the same database.
 */
@ApplicationScoped
public class Sessions {

    public static final String COOKIE = "archive-session";
    private static final String PREFIX = "s.";
    /** A session's last-seen time is written at most this often (or a quarter of the idle timeout): not a write per request. */
    private static final Duration TOUCH_AT_MOST = Duration.ofMinutes(1);

    private final DataSource dataSource;
    private final ArchiveConfig.Security config;

    public Sessions(DataSource dataSource, ArchiveConfig config) {
        this.dataSource = dataSource;
        this.config = config.security();
    }

    /**
     * The {@code Set-Cookie} value for a session token (or, with {@code expire}, one that removes the cookie): a
     * browser-session cookie, HTTP-only, SameSite=Lax (a link from elsewhere opens a chart, a form posted from
     * elsewhere carries no session), Secure unless configured off. Written out by hand: JAX-RS's {@code NewCookie}
     * adds the obsolete {@code Version=1} of RFC 2109.
     */
    public String setCookie(String token, boolean expire) {
        return COOKIE + "=" + (expire ? "" : token) + "; Path=/; HttpOnly; SameSite=Lax" + (config.secureCookies() ? "; Secure" : "")
                + (expire ? "; Max-Age=0" : "");
    }

    /**
     * The {@code Set-Cookie} value for the purpose of use a portal user stated (docs/compliance.md), with the session
     * cookie's attributes; null removes it (sign-out: the next user of the browser states their own).
     */
    public String purposeCookie(String code) {
        return PURPOSE_COOKIE + "=" + (code == null ? "" : code) + "; Path=/; HttpOnly; SameSite=Lax"
                + (config.secureCookies() ? "; Secure" : "") + (code == null ? "; Max-Age=0" : "");
    }

    /** The cookie the purpose of use is kept in. */
    public static final String PURPOSE_COOKIE = "archive-purpose";

    /** Opens a session for a user who has just signed in; returns the token for the cookie. */
    public String open(String username) {
        String token = SecretTokens.newToken(PREFIX);
        Timestamp now = Timestamp.from(now());
        update("insert into user_session (token_hash, username, created_at, last_seen_at) values (?, ?, ?, ?)",
                SecretTokens.hash(token), username, now, now);
        return token;
    }

    /** The session's account, when the session is open, in time, and its user still stands; else empty. */
    public Optional<Account> resolve(String token) {
        if (token == null || !token.startsWith(PREFIX)) {
            return Optional.empty();
        }
        String hash = SecretTokens.hash(token);
        Instant now = now();
        String username;
        Instant created;
        Instant lastSeen;
        String role;
        // One round trip per request: the session, and its user's role if the user still stands (not disabled, no
        // new password since the session began).
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement("select s.username, s.created_at, s.last_seen_at, "
                        + "(select u.role from app_user u where u.username = s.username and u.disabled_at is null "
                        + "and (u.password_changed_at is null or u.password_changed_at <= s.created_at)) "
                        + "from user_session s where s.token_hash = ? and s.ended_at is null")) {
            select.setString(1, hash);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                username = row.getString(1);
                created = row.getTimestamp(2).toInstant();
                lastSeen = row.getTimestamp(3).toInstant();
                role = row.getString(4);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the sessions table could not be read", e);
        }
        if (lastSeen.plus(config.sessionIdleTimeout()).isBefore(now)) {
            end(hash, "idle timeout");
            return Optional.empty();
        }
        if (created.plus(config.sessionAbsoluteTimeout()).isBefore(now)) {
            end(hash, "absolute timeout");
            return Optional.empty();
        }
        if (role == null) {
            end(hash, "user disabled or password changed");
            return Optional.empty();
        }
        Duration touchEvery = config.sessionIdleTimeout().dividedBy(4);
        if (lastSeen.plus(touchEvery.compareTo(TOUCH_AT_MOST) < 0 ? touchEvery : TOUCH_AT_MOST).isBefore(now)) {
            update("update user_session set last_seen_at = ? where token_hash = ?", Timestamp.from(now), hash);
        }
        return Optional.of(new Account(username, role));
    }

    /** Ends the session of this token (sign-out). */
    public void close(String token) {
        if (token != null) {
            end(SecretTokens.hash(token), "signed out");
        }
    }

    /** Ends every open session of a user (new password, user disabled); returns how many. */
    public int closeAllOf(String username, String reason) {
        return update("update user_session set ended_at = ?, end_reason = ? where username = ? and ended_at is null",
                Timestamp.from(now()), reason, username);
    }

    private void end(String hash, String reason) {
        update("update user_session set ended_at = ?, end_reason = ? where token_hash = ? and ended_at is null",
                Timestamp.from(now()), reason, hash);
    }

    private int update(String sql, Object... values) {
        return Statements.update(dataSource, sql, values);
    }

    /** Microseconds, as PostgreSQL keeps them: a time read back compares equal to the one written. */
    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
