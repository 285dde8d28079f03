package org.ehrarchive.security;

import java.time.Instant;

import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import org.ehrarchive.record.ArchiveEntity;

import io.quarkus.elytron.security.common.BcryptUtil;

/** A person who signs in to the portal or the API, with one role (see {@link Roles}); checked by {@link Accounts}. */
@Entity
@Table(name = "app_user")
public class ArchiveUser extends ArchiveEntity {

    public String username;
    /** bcrypt, modular crypt format; never the password itself. */
    public String password;
    public String role;
    public Instant createdAt;
    /** Set when an admin disabled the user: no sign-in, no session, no token works for them from then on. */
    public Instant disabledAt;
    /** The last password change: sessions and remembered Basic credentials from before it stop working. */
    public Instant passwordChangedAt;
    /** {@code local} (a password) or {@code oidc} (single sign-on: no usable password, the role from the provider). */
    public String source = "local";

    /** Creates a user; the caller runs it in a transaction. */
    public static ArchiveUser create(String username, String password, String role) {
        if (!Roles.ALL.contains(role)) {
            throw new IllegalArgumentException("Unknown role " + role + "; one of " + Roles.ALL);
        }
        ArchiveUser user = new ArchiveUser();
        user.username = username;
        user.password = BcryptUtil.bcryptHash(password);
        user.role = role;
        user.createdAt = Instant.now();
        user.persist();
        return user;
    }

    /** Sets a new password; the caller runs it in a transaction and then ends the user's sessions. */
    public void changePassword(String newPassword) {
        password = BcryptUtil.bcryptHash(newPassword);
        passwordChangedAt = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    }
}
