package org.ehrarchive.cli;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

import jakarta.enterprise.context.Dependent;

import org.ehrarchive.ArchiveConfig;
import org.ehrarchive.audit.AccessAudit;
import org.ehrarchive.audit.AccessEvent;
import org.ehrarchive.audit.AuditAction;
import org.ehrarchive.security.ApiTokens;
import org.ehrarchive.security.ArchiveUser;

import io.quarkus.arc.Unremovable;
import io.quarkus.narayana.jta.QuarkusTransaction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code token create <user> --name NAME [--days N]}, {@code token list}, {@code token revoke <id>}: personal
 * access tokens for API clients ({@code Authorization: Bearer <token>}), in place of a password checked on every
 * request. The token is printed once and only its hash is kept. Each change is recorded in the access audit.
 */
@Dependent
@Unremovable
@Command(mixinStandardHelpOptions = true, name = "token", description = "Manage API tokens (Authorization: Bearer).",
        subcommands = { TokenCommand.Create.class, TokenCommand.ListTokens.class, TokenCommand.Revoke.class })
public class TokenCommand implements Runnable {

    @Override
    public void run() {
        System.out.println("use: token create <user> --name NAME [--days N], token list, or token revoke <id>");
    }

    /** {@code token create}. */
    @Dependent
    @Unremovable
    @Command(mixinStandardHelpOptions = true, name = "create", description = "Create an API token for a user and print it once.")
    public static class Create implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "<user>")
        String user;

        @Option(names = "--name", required = true, description = "What the token is for (for example the client's name)")
        String name;

        @Option(names = "--days", description = "Days until the token expires (default archive.security.token-validity-days, 90)")
        Integer days;

        private final ApiTokens tokens;
        private final AccessAudit audit;
        private final ArchiveConfig config;

        public Create(ApiTokens tokens, AccessAudit audit, ArchiveConfig config) {
            this.tokens = tokens;
            this.audit = audit;
            this.config = config;
        }

        @Override
        public Integer call() {
            int validDays = days == null ? config.security().tokenValidityDays() : days;
            if (validDays < 1 || validDays > 3650) {
                System.err.println("--days must be between 1 and 3650");
                return ArchiveCommand.ExitCodes.USAGE;
            }
            boolean exists = QuarkusTransaction.requiringNew().call(() -> ArchiveUser.count("username = ?1 and disabledAt is null", user) > 0);
            if (!exists) {
                System.err.println("there is no enabled user " + user);
                return ArchiveCommand.ExitCodes.RUN_FAILED;
            }
            String token = tokens.create(user, name, Duration.ofDays(validDays));
            audit.record(AccessEvent.byCommandLine(AuditAction.ADMIN_CHANGE, "api-token", user,
                    "API token '" + name + "' created, valid " + validDays + " days"));
            System.out.println("API token for " + user + " (" + name + "), valid " + validDays + " days; it is shown only now:");
            System.out.println(token);
            return ArchiveCommand.ExitCodes.OK;
        }
    }

    /** {@code token list}. */
    @Dependent
    @Unremovable
    @Command(mixinStandardHelpOptions = true, name = "list", description = "List API tokens (never the tokens themselves).")
    public static class ListTokens implements Callable<Integer> {

        private final ApiTokens tokens;

        public ListTokens(ApiTokens tokens) {
            this.tokens = tokens;
        }

        @Override
        public Integer call() {
            List<ApiTokens.TokenInfo> all = tokens.list();
            if (all.isEmpty()) {
                System.out.println("no API tokens");
            }
            for (ApiTokens.TokenInfo token : all) {
                String state = token.revokedAt() != null ? "revoked " + token.revokedAt()
                        : token.expiresAt().isBefore(java.time.Instant.now()) ? "expired" : "expires " + token.expiresAt();
                System.out.printf("%-8d %-20s %-24s %s, last used %s%n", token.id(), token.username(), token.name(), state,
                        token.lastUsedAt() == null ? "never" : token.lastUsedAt());
            }
            return ArchiveCommand.ExitCodes.OK;
        }
    }

    /** {@code token revoke}. */
    @Dependent
    @Unremovable
    @Command(mixinStandardHelpOptions = true, name = "revoke", description = "Revoke an API token by its id (see token list).")
    public static class Revoke implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "<id>")
        long id;

        private final ApiTokens tokens;
        private final AccessAudit audit;

        public Revoke(ApiTokens tokens, AccessAudit audit) {
            this.tokens = tokens;
            this.audit = audit;
        }

        @Override
        public Integer call() {
            if (!tokens.revoke(id)) {
                System.err.println("no API token " + id + " to revoke (see token list)");
                return ArchiveCommand.ExitCodes.RUN_FAILED;
            }
            audit.record(AccessEvent.byCommandLine(AuditAction.ADMIN_CHANGE, "api-token", Long.toString(id), "API token revoked"));
            System.out.println("revoked API token " + id);
            return ArchiveCommand.ExitCodes.OK;
        }
    }
}
