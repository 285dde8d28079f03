package org.ehrarchive.security;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.identity.request.BaseAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * The archive's one authentication mechanism (ADR 0011), in place of Quarkus's form and Basic mechanisms:
 * <ul>
 * <li>the portal: the {@code archive-session} cookie, looked up in {@link Sessions} on every request; without a
 * valid one a page answers a redirect to {@code /login}, a relative URL (never built from the Host header);</li>
 * <li>the API and {@code /q/*}: {@code Authorization: Bearer} with an {@link ApiTokens API token}, or HTTP Basic
 * through {@link SignIn} (lockout included) with a short-lived cache of verified credentials
 * ({@link BasicCredentialCache}); without them, 401 with a Basic challenge, and 429 while locked out.</li>
 * </ul>
 * A cookie is not accepted on the API and an Authorization header is not accepted on portal pages, so a page
 * cannot be opened by credentials a browser volunteers and the API cannot be driven by a session a site rides on.
 */
@ApplicationScoped
public class ArchiveAuthentication implements HttpAuthenticationMechanism {

    /** The name permissions select this mechanism by ({@code auth-mechanism=archive} in application.properties). */
    public static final String SCHEME = "archive";

    /** Where a sign-in may send the browser next: a path of the portal, nothing that could leave it. */
    private static final Pattern SAFE_NEXT = Pattern.compile("/(?![/\\\\])[A-Za-z0-9/_.-]{0,200}");

    /** Routing-context key: the sign-in was refused by a lockout, for this long. */
    static final String LOCKED_FOR = "archive.lockedFor";

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identities) {
        if (isMachinePath(context.normalizedPath())) {
            String authorization = context.request().getHeader(HttpHeaders.AUTHORIZATION);
            if (authorization == null) {
                return Uni.createFrom().optional(Optional.empty());
            }
            if (startsWithIgnoreCase(authorization, "Bearer ")) {
                return identities.authenticate(new TokenRequest(authorization.substring(7).trim()));
            }
            if (startsWithIgnoreCase(authorization, "Basic ")) {
                return basic(context, identities, authorization.substring(6).trim());
            }
            return Uni.createFrom().failure(new AuthenticationFailedException());
        }
        Cookie session = context.request().getCookie(Sessions.COOKIE);
        if (session == null || session.getValue().isEmpty()) {
            return Uni.createFrom().optional(Optional.empty());
        }
        // An ended or unknown session is no session: public pages (sign-in) still open, others redirect to it.
        return identities.authenticate(new SessionRequest(session.getValue()))
                .onFailure(AuthenticationFailedException.class).recoverWithNull();
    }

    private static Uni<SecurityIdentity> basic(RoutingContext context, IdentityProviderManager identities, String encoded) {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().failure(new AuthenticationFailedException());
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return Uni.createFrom().failure(new AuthenticationFailedException());
        }
        BasicRequest request = new BasicRequest(decoded.substring(0, colon), decoded.substring(colon + 1),
                HttpHardening.clientAddress(context), HttpHardening.requestId(context));
        return identities.authenticate(request).onFailure().invoke(failure -> {
            if (request.lockedFor != null) {
                context.put(LOCKED_FOR, request.lockedFor);
            }
        });
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        if (!isMachinePath(context.normalizedPath())) {
            // Relative: a Location built from the Host header would send the browser wherever a forged Host says.
            String next = safeNext(context.normalizedPath());
            return Uni.createFrom().item(new ChallengeData(302, HttpHeaders.LOCATION, next == null || next.equals("/") ? "/login"
                    : "/login?next=" + next));
        }
        Duration locked = context.get(LOCKED_FOR);
        if (locked != null) {
            return Uni.createFrom().item(new ChallengeData(429, "Retry-After", Long.toString(Math.max(1, locked.toSeconds()))));
        }
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", "Basic realm=\"archive\", charset=\"UTF-8\""));
    }

    @Override
    public Uni<Boolean> sendChallenge(RoutingContext context) {
        return getChallenge(context).map(challenge -> {
            context.response().setStatusCode(challenge.status);
            challenge.getHeaders().forEach((name, value) -> context.response().headers().set(name, value));
            if (challenge.status == 302) {
                context.response().end();
            } else {
                // Words for the person behind the client, in the API's problem format, with the request id to quote.
                Duration locked = context.get(LOCKED_FOR);
                String title = locked != null ? SignInMessages.lockedOut(locked) : "Sign in: HTTP Basic or an API token (Bearer) is needed";
                context.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/problem+json")
                        .end(HttpHardening.problemJson(challenge.status, locked != null ? "locked-out" : "unauthenticated", title,
                                HttpHardening.requestId(context)));
            }
            return true;
        });
    }

    @Override
    public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
        return Uni.createFrom().item(new HttpCredentialTransport(HttpCredentialTransport.Type.COOKIE, Sessions.COOKIE, SCHEME));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(SessionRequest.class, TokenRequest.class, BasicRequest.class);
    }

    /** The path itself when a sign-in may redirect to it (a plain portal path), else null. */
    public static String safeNext(String next) {
        // Never back to a sign-in path: with single sign-on off, /login/oidc would only lead here again.
        return next != null && SAFE_NEXT.matcher(next).matches() && !next.startsWith("/login") ? next : null;
    }

    /** The API and Quarkus's own endpoints: clients other than a person's browser. */
    static boolean isMachinePath(String path) {
        return path != null && (path.equals("/api") || path.startsWith("/api/") || path.equals("/q") || path.startsWith("/q/"));
    }

    private static boolean startsWithIgnoreCase(String value, String prefix) {
        return value.regionMatches(true, 0, prefix, 0, prefix.length());
    }

    private static SecurityIdentity identityOf(Account account, String authenticatedBy) {
        return QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal(account.username())).addRole(account.role())
                .addAttribute("archive.authenticatedBy", authenticatedBy).build();
    }

    /** A portal session cookie. */
    static final class SessionRequest extends BaseAuthenticationRequest {
        final String token;

        SessionRequest(String token) {
            this.token = token;
        }
    }

    /** An API token. */
    static final class TokenRequest extends BaseAuthenticationRequest {
        final String token;

        TokenRequest(String token) {
            this.token = token;
        }
    }

    /** HTTP Basic credentials, with where they came from (for the lockout and the audit). */
    static final class BasicRequest extends BaseAuthenticationRequest {
        final String username;
        final String password;
        final String address;
        final String requestId;
        /** Set by the provider when a lockout refused the sign-in: the challenge then says so (429). */
        volatile Duration lockedFor;

        BasicRequest(String username, String password, String address, String requestId) {
            this.username = username;
            this.password = password;
            this.address = address;
            this.requestId = requestId;
        }
    }

    /** Sessions: a database lookup, off the event loop. */
    @ApplicationScoped
    static class SessionIdentities implements IdentityProvider<SessionRequest> {
        private final Sessions sessions;

        SessionIdentities(Sessions sessions) {
            this.sessions = sessions;
        }

        @Override
        public Class<SessionRequest> getRequestType() {
            return SessionRequest.class;
        }

        @Override
        public Uni<SecurityIdentity> authenticate(SessionRequest request, AuthenticationRequestContext context) {
            return context.runBlocking(() -> sessions.resolve(request.token).map(account -> identityOf(account, "session"))
                    .orElseThrow(AuthenticationFailedException::new));
        }
    }

    /** API tokens: a hash lookup, off the event loop. */
    @ApplicationScoped
    static class TokenIdentities implements IdentityProvider<TokenRequest> {
        private final ApiTokens tokens;

        TokenIdentities(ApiTokens tokens) {
            this.tokens = tokens;
        }

        @Override
        public Class<TokenRequest> getRequestType() {
            return TokenRequest.class;
        }

        @Override
        public Uni<SecurityIdentity> authenticate(TokenRequest request, AuthenticationRequestContext context) {
            return context.runBlocking(() -> tokens.resolve(request.token).map(account -> identityOf(account, "token"))
                    .orElseThrow(AuthenticationFailedException::new));
        }
    }

    /** HTTP Basic: the lockout first, then the cache of verified credentials, then bcrypt. */
    @ApplicationScoped
    static class BasicIdentities implements IdentityProvider<BasicRequest> {
        private final SignIn signIn;
        private final SignInThrottle throttle;
        private final BasicCredentialCache cache;

        BasicIdentities(SignIn signIn, SignInThrottle throttle, BasicCredentialCache cache) {
            this.signIn = signIn;
            this.throttle = throttle;
            this.cache = cache;
        }

        @Override
        public Class<BasicRequest> getRequestType() {
            return BasicRequest.class;
        }

        @Override
        public Uni<SecurityIdentity> authenticate(BasicRequest request, AuthenticationRequestContext context) {
            return context.runBlocking(() -> {
                if (throttle.lockedFor(request.username, request.address).isEmpty()) {
                    Optional<Account> cached = cache.lookup(request.username, request.password);
                    if (cached.isPresent()) {
                        return identityOf(cached.get(), "basic");
                    }
                }
                SignIn.Outcome outcome = signIn.attempt(request.username, request.password, request.address, request.requestId, "basic");
                if (outcome.lockedFor().isPresent()) {
                    request.lockedFor = outcome.lockedFor().get();
                    throw new AuthenticationFailedException();
                }
                Account account = outcome.account().orElseThrow(AuthenticationFailedException::new);
                cache.remember(request.username, request.password, account);
                return identityOf(account, "basic");
            });
        }
    }
}
