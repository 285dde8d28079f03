package org.ehrarchive.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

import jakarta.enterprise.context.Dependent;

import org.ehrarchive.audit.AccessAudit;
import org.ehrarchive.audit.AccessEvent;
import org.ehrarchive.audit.AuditAction;
import org.ehrarchive.security.ArchiveUser;
import org.ehrarchive.security.PasswordPolicy;
import org.ehrarchive.security.Roles;
import org.ehrarchive.security.Sessions;

import io.quarkus.arc.Unremovable;
import io.quarkus.narayana.jta.QuarkusTransaction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code user add <name> --role ROLE}: creates a portal and API user. The password is read from the terminal
 * without echo, or from standard input for scripts; it never appears on the command line. Every change is
 * recorded in the access audit ({@code ADMIN_CHANGE}). {@code user list} shows users and roles. {@code user password}
 * sets a new password and {@code user disable} disables a user; either ends the user's open portal sessions at
 * once, also in a running server (sessions are kept in the database).
 */
@Dependent
@Unremovable
@Command(mixinStandardHelpOptions = true, name = "user", description = "Manage portal and API users.",
        subcommands = { UserCommand.Add.class, UserCommand.ListUsers.class, UserCommand.Password.class, UserCommand.Disable.class })
public class UserCommand implements Runnable {

    @Override
    public void run() {
        System.out.println("use: user add <name> --role clinician|compliance|admin, user password <name>, user disable <name>, or user list");
    }

    /** {@code user add}. */
    @Dependent
    @Unremovable
    @Command(mixinStandardHelpOptions = true, name = "add", description = "Create a user; the password is read from the terminal or standard input.")
    public static class Add implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "<name>")
        String name;

        @Option(names = "--role", required = true, description = "clinician, compliance or admin")
        String role;

        private final AccessAudit audit;

        public Add(AccessAudit audit) {
            this.audit = audit;
        }

        @Override
        public Integer call() throws IOException {
            if (!Roles.ALL.contains(role)) {
                System.err.println("unknown role " + role + "; one of " + Roles.ALL);
                return ArchiveCommand.ExitCodes.USAGE;
            }
            String password = readPassword("password for the new user: ");
            String weak = PasswordPolicy.problem(name, password);
            if (weak != null) {
                System.err.println(weak);
                return ArchiveCommand.ExitCodes.USAGE;
            }
            boolean created = QuarkusTransaction.requiringNew().call(() -> {
                if (ArchiveUser.count("username", name) > 0) {
                    return false;
                }
                ArchiveUser.create(name, password, role);
                return true;
            });
            if (!created) {
                System.err.println("a user " + name + " exists already");
                return ArchiveCommand.ExitCodes.RUN_FAILED;
            }
            audit.record(AccessEvent.byCommandLine(AuditAction.ADMIN_CHANGE, "user", name, "user created with role " + role));
            System.out.println("created user " + name + " with role " + role);
            return ArchiveCommand.ExitCodes.OK;
        }

    }

    static String readPassword(String prompt) throws IOException {
        if (System.console() != null) {
            char[] typed = System.console().readPassword(prompt);
            return typed == null ? null : new String(typed);
        }
        return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    }

    /** {@code user password <name>}: a new password, read like the first; the user's sessions end. */
    @Dependent
    @Unremovable
    @Command(mixinStandardHelpOptions = true, name = "password", description = "Set a user's new password (read from the terminal or standard input); ends the user's sessions.")
    public static class Password implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "<name>")
        String name;

        private final AccessAudit audit;
        private final Sessions sessions;

        public Password(AccessAudit audit, Sessions sessions) {
            this.audit = audit;
            this.sessions = sessions;
        }

        @Override
        public Integer call() throws IOException {
            String password = readPassword("new password for " + name + ": ");
            String weak = PasswordPolicy.problem(name, password);
            if (weak != null) {
                System.err.println(weak);
                return ArchiveCommand.ExitCodes.USAGE;
            }
            boolean changed = QuarkusTransaction.requiringNew().call(() -> {
                ArchiveUser user = ArchiveUser.find("username", name).firstResult();
                if (user == null) {
                    return false;
                }
                user.changePassword(password);
                return true;
            });
            if (!changed) {
                System.err.println("there is no user " + name);
                return ArchiveCommand.ExitCodes.RUN_FAILED;
            }
            int ended = sessions.closeAllOf(name, "password changed");
            audit.record(AccessEvent.byCommandLine(AuditAction.ADMIN_CHANGE, "user", name, "password changed; " + ended + " sessions ended"));
            System.out.println("new password set for " + name + "; " + ended + " open sessions ended");
            return ArchiveCommand.ExitCodes.OK;
        }
    }

    /** {@code user disable <name>}: no sign-in, session, Basic credential or API token of the user works any more. */
    @Dependent
    @Unremovable
    @Command(mixinStandardHelpOptions = true, name = "disable", description = "Disable a user: sign-in refused, sessions ended, API tokens stop working.")
    public static class Disable implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "<name>")
        String name;

        private final AccessAudit audit;
        private final Sessions sessions;

        public Disable(AccessAudit audit, Sessions sessions) {
            this.audit = audit;
            this.sessions = sessions;
        }

        @Override
        public Integer call() {
            Boolean disabled = QuarkusTransaction.requiringNew().call(() -> {
                ArchiveUser user = ArchiveUser.find("username", name).firstResult();
                if (user == null) {
                    return null;
                }
                if (user.disabledAt != null) {
                    return false;
                }
                user.disabledAt = java.time.Instant.now();
                return true;
            });
            if (disabled == null) {
                System.err.println("there is no user " + name);
                return ArchiveCommand.ExitCodes.RUN_FAILED;
            }
            int ended = sessions.closeAllOf(name, "user disabled");
            if (disabled) {
                audit.record(AccessEvent.byCommandLine(AuditAction.ADMIN_CHANGE, "user", name, "user disabled; " + ended + " sessions ended"));
            }
            System.out.println(disabled ? "disabled " + name + "; " + ended + " open sessions ended" : name + " was disabled already");
            return ArchiveCommand.ExitCodes.OK;
        }
    }

    /** {@code user list}. */
    @Dependent
    @Unremovable
    @Command(mixinStandardHelpOptions = true, name = "list", description = "List users and their roles.")
    public static class ListUsers implements Callable<Integer> {
        @Override
        public Integer call() {
            QuarkusTransaction.requiringNew().run(() -> ArchiveUser.<ArchiveUser>list("order by username")
                    .forEach(user -> System.out.printf("%-24s %-10s %s%n", user.username, user.role,
                            String.join(", ", java.util.stream.Stream.of("oidc".equals(user.source) ? "single sign-on" : null,
                                    user.disabledAt == null ? null : "disabled").filter(java.util.Objects::nonNull).toList()))));
            return ArchiveCommand.ExitCodes.OK;
        }
    }
}
