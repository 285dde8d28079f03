package org.ehrarchive.security;

import java.security.SecureRandom;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

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

    private final ArchiveConfig config;
    private final AccessAudit audit;

    public BootstrapAdmin(ArchiveConfig config, AccessAudit audit) {
        this.config = config;
        this.audit = audit;
    }

    void onStart(@Observes StartupEvent start) {
        boolean created = QuarkusTransaction.requiringNew().call(() -> {
            if (ArchiveUser.count("role", Roles.ADMIN) > 0 || ArchiveUser.count("username", USERNAME) > 0) {
                return false;
            }
            String password = config.bootstrapAdminPassword().orElse(null);
            boolean generated = password == null || password.isBlank();
            if (generated) {
                password = randomPassword();
            }
            ArchiveUser.create(USERNAME, password, Roles.ADMIN);
            Log.info("Created the first admin user 'admin'");
            if (generated) {
                System.out.println("First start: created the user 'admin' with the generated password " + password);
                System.out.println("Sign in and create named users; set ARCHIVE_BOOTSTRAP_ADMIN_PASSWORD to choose it instead.");
            }
            return true;
        });
        if (created) {
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
