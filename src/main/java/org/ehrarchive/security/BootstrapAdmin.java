package org.ehrarchive.security;

import java.security.SecureRandom;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.ehrarchive.ArchiveConfig;

import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;

/**
 * The first admin: on a start with no admin user, creates {@code admin} with the password from
 * {@code ARCHIVE_BOOTSTRAP_ADMIN_PASSWORD} (for scripts), or with a random one-time password printed to the
 * console (never to the log).
 */
@ApplicationScoped
public class BootstrapAdmin {

    static final String USERNAME = "admin";
    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    private final ArchiveConfig config;

    public BootstrapAdmin(ArchiveConfig config) {
        this.config = config;
    }

    void onStart(@Observes StartupEvent start) {
        QuarkusTransaction.requiringNew().run(() -> {
            if (ArchiveUser.count("role", Roles.ADMIN) > 0 || ArchiveUser.count("username", USERNAME) > 0) {
                return;
            }
            String password = config.bootstrapAdminPassword().orElse(null);
            boolean generated = password == null || password.isBlank();
            if (generated) {
                password = randomPassword();
            }
            ArchiveUser.create(USERNAME, password, Roles.ADMIN);
            Log.info("Created the first admin user 'admin'");
            if (generated) {
                System.out.println("First start: created the user 'admin' with the one-time password " + password);
                System.out.println("Sign in and create named users; set ARCHIVE_BOOTSTRAP_ADMIN_PASSWORD to choose it instead.");
            }
        });
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
