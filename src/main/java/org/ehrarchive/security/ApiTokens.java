package org.ehrarchive.security;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Personal access tokens for API clients ({@code Authorization: Bearer eat_…}): an admin creates one for a user
 * with {@code token create}, sees it once, and revokes it with {@code token revoke}. Only its SHA-256 is stored, so
 * checking one is an index lookup, not a bcrypt. A token acts with its user's current role, and stops working when
 * it expires, is revoked, or its user is disabled.
 */
@ApplicationScoped
public class ApiTokens {

    public static final String PREFIX = "eat_";
    /** A token's last-used time is written at most this often. */
    private static final Duration TOUCH_EVERY = Duration.ofMinutes(1);

    /** A token as {@code token list} shows it: never the secret. */
    public record TokenInfo(long id, String username, String name, Instant createdAt, Instant expiresAt, Instant revokedAt,
            Instant lastUsedAt) {
    }

    private final DataSource dataSource;

    public ApiTokens(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Creates a token for the user; returns the secret, which is not kept and cannot be shown again. */
    public String create(String username, String name, Duration validity) {
        String token = SecretTokens.newToken(PREFIX);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Statements.update(dataSource, "insert into api_token (id, username, name, token_hash, created_at, expires_at) "
                + "values (nextval('archive_id_seq'), ?, ?, ?, ?, ?)", username, name, SecretTokens.hash(token),
                Timestamp.from(now), Timestamp.from(now.plus(validity)));
        return token;
    }

    /** Revokes a token by its id; false when there is no such token, or it was revoked already. */
    public boolean revoke(long id) {
        return Statements.update(dataSource, "update api_token set revoked_at = ? where id = ? and revoked_at is null",
                Timestamp.from(Instant.now()), id) == 1;
    }

    /** The token's account, when the token is known, in time, not revoked, and its user still stands. */
    public Optional<Account> resolve(String token) {
        if (token == null || !token.startsWith(PREFIX)) {
            return Optional.empty();
        }
        String hash = SecretTokens.hash(token);
        Instant now = Instant.now();
        String username;
        Instant lastUsed;
        String role;
        // One round trip: the token and its user's current role. A token is not a password, so a new password leaves
        // it working; a disabled user does not.
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement("select t.username, t.last_used_at, u.role from api_token t "
                        + "join app_user u on u.username = t.username and u.disabled_at is null "
                        + "where t.token_hash = ? and t.revoked_at is null and t.expires_at > ?")) {
            select.setString(1, hash);
            select.setTimestamp(2, Timestamp.from(now));
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                username = row.getString(1);
                lastUsed = row.getTimestamp(2) == null ? null : row.getTimestamp(2).toInstant();
                role = row.getString(3);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the API tokens table could not be read", e);
        }
        if (lastUsed == null || lastUsed.plus(TOUCH_EVERY).isBefore(now)) {
            Statements.update(dataSource, "update api_token set last_used_at = ? where token_hash = ?", Timestamp.from(now), hash);
        }
        return Optional.of(new Account(username, role));
    }

    /** Every token, newest first. */
    public List<TokenInfo> list() {
        List<TokenInfo> tokens = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement("select id, username, name, created_at, expires_at, "
                        + "revoked_at, last_used_at from api_token order by created_at desc, id desc");
                ResultSet row = select.executeQuery()) {
            while (row.next()) {
                tokens.add(new TokenInfo(row.getLong(1), row.getString(2), row.getString(3), instant(row, 4), instant(row, 5),
                        instant(row, 6), instant(row, 7)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the API tokens table could not be read", e);
        }
        return tokens;
    }

    private static Instant instant(ResultSet row, int column) throws SQLException {
        Timestamp value = row.getTimestamp(column);
        return value == null ? null : value.toInstant();
    }
}
