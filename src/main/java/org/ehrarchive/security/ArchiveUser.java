package org.ehrarchive.security;

import java.time.Instant;

import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import org.ehrarchive.record.ArchiveEntity;

import io.quarkus.elytron.security.common.BcryptUtil;
import io.quarkus.security.jpa.Password;
import io.quarkus.security.jpa.PasswordType;
import io.quarkus.security.jpa.UserDefinition;
import io.quarkus.security.jpa.Username;

/** A person who signs in to the portal or the API, with one role (see {@link Roles}). */
@Entity
@Table(name = "app_user")
@UserDefinition
public class ArchiveUser extends ArchiveEntity {

    @Username
    public String username;
    /** bcrypt, modular crypt format; never the password itself. */
    @Password(PasswordType.MCF)
    public String password;
    @io.quarkus.security.jpa.Roles
    public String role;
    public Instant createdAt;

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
}
