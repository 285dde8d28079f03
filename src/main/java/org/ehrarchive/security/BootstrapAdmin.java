package org.ehrarchive.security;

import java.security.SecureRandom;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;

import org.ehrarchive.ArchiveConfig;
import org.ehrarchive.audit.AccessAudit;
import org.ehrarchive.audit.AccessEvent;
import org.ehrarchive.audit.AuditAction;

import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;

/**
 * The first admin: on a start with no admin user, creates {@code admin} with the password from
 * {@code ARCHIVE_BOOTSTRAP_ADMIN_PASSWORD} (for scripts), or with a random password printed once to the console
 * (never to the log). Its creation is recorded in the access audit.
 */
@ApplicationScoped
public class BootstrapAdmin {

    static final String USERNAME = "admin";
    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    /** Serializes the first start of processes that start together on a new archive (PostgreSQL advisory lock). */
    private static final long FIRST_ADMIN_LOCK = 0x41444d49_4e465354L;

    private final ArchiveConfig config;
    private final AccessAudit audit;
    private final EntityManager entityManager;

    public BootstrapAdmin(ArchiveConfig config, AccessAudit audit, EntityManager entityManager) {
        this.config = config;
        this.audit = audit;
        this.entityManager = entityManager;
    }

    void onStart(@Observes StartupEvent start) {
        // null: an admin exists already; "": created with the configured password; else the generated one.
        String created = QuarkusTransaction.requiringNew().call(() -> {
            entityManager.createNativeQuery("select pg_advisory_xact_lock(" + FIRST_ADMIN_LOCK + ")").getSingleResult();
            if (ArchiveUser.count("role", Roles.ADMIN) > 0 || ArchiveUser.count("username", USERNAME) > 0) {
                return null;
            }
            String password = config.bootstrapAdminPassword().orElse(null);
            boolean generated = password == null || password.isBlank();
            if (generated) {
                password = randomPassword();
            }
            ArchiveUser.create(USERNAME, password, Roles.ADMIN);
            return generated ? password : "";
        });
        if (created != null) {
            // Only once committed: a password printed for a user that was then rolled back would not work.
            Log.info("Created the first admin user 'admin'");
            if (!created.isEmpty()) {
                System.out.println("First start: created the user 'admin' with the generated password " + created);
                System.out.println("Sign in and create named users; set ARCHIVE_BOOTSTRAP_ADMIN_PASSWORD to choose it instead.");
            }
            audit.record(new AccessEvent("system", null, AuditAction.ADMIN_CHANGE, "user", USERNAME, List.of(), "local", "startup",
                    null, "first admin created with role admin"));
        }
    }

    private static String randomPassword() {
        SecureRandom random = new SecureRandom();
        StringBuilder password = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            password.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return password.toString();
    }
}
