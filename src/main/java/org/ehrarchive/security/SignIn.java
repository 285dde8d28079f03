package org.ehrarchive.security;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.ehrarchive.audit.AccessAudit;
import org.ehrarchive.audit.AccessEvent;
import org.ehrarchive.audit.AuditAction;

/**
 * A password sign-in, by the portal's form or by HTTP Basic: refused while the account or the client address is
 * locked out (even with the right password), counted when wrong, and recorded in the access audit when it fails or
 * locks (a successful form sign-in is recorded by the sign-in page; a successful Basic request by the read it
 * makes).
 */
@ApplicationScoped
public class SignIn {

    /** The outcome: the account, or why not. {@code lockedFor} is set when the sign-in was refused by a lockout. */
    public record Outcome(Optional<Account> account, Optional<Duration> lockedFor) {
        static Outcome locked(Duration remaining) {
            return new Outcome(Optional.empty(), Optional.of(remaining));
        }
    }

    private final Accounts accounts;
    private final SignInThrottle throttle;
    private final AccessAudit audit;

    public SignIn(Accounts accounts, SignInThrottle throttle, AccessAudit audit) {
        this.accounts = accounts;
        this.throttle = throttle;
        this.audit = audit;
    }

    /** {@code channel} says how the password came ({@code form}, {@code basic}); it goes into the audit detail. */
    public Outcome attempt(String username, String password, String address, String requestId, String channel) {
        Optional<Duration> locked = throttle.lockedFor(username, address);
        if (locked.isPresent()) {
            record(AuditAction.LOGIN_FAILED, username, address, requestId, channel + ": refused, locked out");
            return Outcome.locked(locked.get());
        }
        Optional<Account> account = accounts.verifyPassword(username, password);
        if (account.isPresent()) {
            throttle.succeeded(username);
            return new Outcome(account, Optional.empty());
        }
        SignInThrottle.Failure failure = throttle.failed(username, address);
        record(AuditAction.LOGIN_FAILED, username, address, requestId, channel + ": wrong user name or password");
        if (failure.lockedAccount() || failure.lockedAddress()) {
            String what = failure.lockedAccount() && failure.lockedAddress() ? "account and client address"
                    : failure.lockedAccount() ? "account" : "client address";
            record(AuditAction.LOCKOUT, username, address, requestId, what + " locked after repeated failed sign-ins");
            return Outcome.locked(throttle.lockedFor(username, address).orElse(Duration.ZERO));
        }
        return new Outcome(Optional.empty(), Optional.empty());
    }

    private void record(AuditAction action, String username, String address, String requestId, String detail) {
        // The name typed may be nobody's: it is recorded as typed (the audit is protected data, unlike the logs).
        audit.record(new AccessEvent(username, null, action, "user", username, List.of(), address, requestId, null, detail));
    }
}
