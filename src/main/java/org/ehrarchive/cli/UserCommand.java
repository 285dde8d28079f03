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
import org.ehrarchive.security.Roles;

import io.quarkus.arc.Unremovable;
import io.quarkus.narayana.jta.QuarkusTransaction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code user add <name> --role ROLE}: creates a portal and API user. The password is read from the terminal
 * without echo, or from standard input for scripts; it never appears on the command line. Every change is
 * recorded in the access audit ({@code ADMIN_CHANGE}). {@code user list} shows users and roles.
 */
@Dependent
@Unremovable
@Command(mixinStandardHelpOptions = true, name = "user", description = "Manage portal and API users.",
        subcommands = { UserCommand.Add.class, UserCommand.ListUsers.class })
public class UserCommand implements Runnable {

    @Override
    public void run() {
        System.out.println("use: user add <name> --role clinician|compliance|admin, or user list");
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
            String password = readPassword();
            if (password == null || password.length() < 12) {
                System.err.println("a password of at least 12 characters is needed");
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

        private static String readPassword() throws IOException {
            if (System.console() != null) {
                char[] typed = System.console().readPassword("password for the new user: ");
                return typed == null ? null : new String(typed);
            }
            return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
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
                    .forEach(user -> System.out.printf("%-24s %s%n", user.username, user.role)));
            return ArchiveCommand.ExitCodes.OK;
        }
    }
}
