package org.ehrarchive.security;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.elytron.security.common.BcryptUtil;

/**
 * The users table as sign-in needs it: a password check, and whether an account still stands (exists, not disabled,
 * its password not changed since a given time). Plain JDBC: it runs on every authenticated request.
 */
@ApplicationScoped
public class Accounts {

    /** A bcrypt of a random string: compared against when the user does not exist, so both cost the same time. */
    private static final String NO_SUCH_USER = BcryptUtil.bcryptHash("no such user: compared so the time is the same");

    private final DataSource dataSource;

    public Accounts(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The account, when the password is right and the user is not disabled. */
    public Optional<Account> verifyPassword(String username, String password) {
        if (username == null || password == null) {
            return Optional.empty();
        }
        String hash = NO_SUCH_USER;
        Account account = null;
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement(
                        "select password, role from app_user where username = ? and disabled_at is null and source = 'local'")) {
            select.setString(1, username);
            try (ResultSet row = select.executeQuery()) {
                if (row.next()) {
                    hash = row.getString(1);
                    account = new Account(username, row.getString(2));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the users table could not be read", e);
        }
        boolean matches = BcryptUtil.matches(password, hash);
        return matches && account != null ? Optional.of(account) : Optional.empty();
    }

    /**
     * The account of a user the identity provider has just signed in, created at the first sign-in and given the
     * role the provider says now; empty, with the reason in words, when that name belongs to a local account (a
     * provider must not take over a password account by naming a user so) or the user is disabled here.
     */
    public Provisioned provisionSingleSignOn(String username, String role) {
        try (Connection connection = dataSource.getConnection()) {
            try (PreparedStatement select = connection.prepareStatement("select source, disabled_at from app_user where username = ?")) {
                select.setString(1, username);
                try (ResultSet row = select.executeQuery()) {
                    if (row.next()) {
                        if (!"oidc".equals(row.getString(1))) {
                            return Provisioned.refused("the archive has a local account of that name; an admin must rename or disable it first");
                        }
                        if (row.getTimestamp(2) != null) {
                            return Provisioned.refused("this user is disabled in the archive");
                        }
                    }
                }
            }
            // The password is no bcrypt, so no password can ever match it; the role follows the provider.
            try (PreparedStatement upsert = connection.prepareStatement("insert into app_user (id, username, password, role, created_at, "
                    + "source) values (nextval('archive_id_seq'), ?, '!single-sign-on', ?, now(), 'oidc') "
                    + "on conflict (username) do update set role = excluded.role where app_user.source = 'oidc'")) {
                upsert.setString(1, username);
                upsert.setString(2, role);
                upsert.executeUpdate();
            }
            return Provisioned.of(new Account(username, role));
        } catch (SQLException e) {
            throw new IllegalStateException("the users table could not be written", e);
        }
    }

    /** The single sign-on account, or the reason there is none. */
    public record Provisioned(Optional<Account> account, String refusal) {
        static Provisioned of(Account account) {
            return new Provisioned(Optional.of(account), null);
        }

        static Provisioned refused(String refusal) {
            return new Provisioned(Optional.empty(), refusal);
        }
    }

    /**
     * The account with its current role, when it exists, is not disabled, and its password was not changed after
     * {@code credentialSince} (when the caller's remembered credential was verified).
     */
    public Optional<Account> standing(String username, Instant credentialSince) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement("select role from app_user where username = ? "
                        + "and disabled_at is null and (password_changed_at is null or password_changed_at <= ?)")) {
            select.setString(1, username);
            select.setTimestamp(2, Timestamp.from(credentialSince));
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(new Account(username, row.getString(1))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the users table could not be read", e);
        }
    }
}
