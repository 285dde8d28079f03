package org.ehrarchive.portal;

import java.util.List;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.ehrarchive.audit.AccessAudit;
import org.ehrarchive.audit.AccessEvent;
import org.ehrarchive.audit.AuditAction;
import org.ehrarchive.security.Account;
import org.ehrarchive.security.ArchiveAuthentication;
import org.ehrarchive.security.HttpHardening;
import org.ehrarchive.security.SignIn;
import org.ehrarchive.security.SignInMessages;
import org.ehrarchive.security.Sessions;
import org.jboss.resteasy.reactive.RestForm;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.ext.web.RoutingContext;

/**
 * Sign in and sign out. The sign-in form carries a CSRF token like every other form, and a sign-in is refused
 * while the account or the client address is locked out ({@link SignIn}). A sign-in opens a server-side session
 * ({@link Sessions}); sign-out ends it on the server, so a copied cookie no longer opens anything. Redirects are
 * relative paths, never built from the request's Host header.
 */
@Path("/")
@PermitAll
public class LoginPage {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance login(String problem, boolean signedOut, String next, boolean singleSignOn);
    }

    private final SignIn signIn;
    private final Sessions sessions;
    private final AccessAudit audit;
    private final RoutingContext http;
    private final SecurityIdentity identity;
    private final boolean singleSignOn;

    public LoginPage(SignIn signIn, Sessions sessions, AccessAudit audit, RoutingContext http, SecurityIdentity identity,
            @ConfigProperty(name = "quarkus.oidc.tenant-enabled") boolean singleSignOn) {
        this.signIn = signIn;
        this.sessions = sessions;
        this.audit = audit;
        this.http = http;
        this.identity = identity;
        this.singleSignOn = singleSignOn;
    }

    @GET
    @Path("login")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance login(@QueryParam("signed-out") boolean signedOut, @QueryParam("next") String next) {
        return Templates.login(null, signedOut, ArchiveAuthentication.safeNext(next), singleSignOn);
    }

    @POST
    @Path("login")
    @Produces(MediaType.TEXT_HTML)
    public Response signIn(@RestForm String username, @RestForm String password, @RestForm String next) {
        String address = HttpHardening.clientAddress(http);
        String requestId = HttpHardening.requestId(http);
        String target = ArchiveAuthentication.safeNext(next);
        SignIn.Outcome outcome = signIn.attempt(username, password, address, requestId, "form");
        if (outcome.lockedFor().isPresent()) {
            return Response.status(429).header("Retry-After", Math.max(1, outcome.lockedFor().get().toSeconds()))
                    .entity(Templates.login(SignInMessages.lockedOut(outcome.lockedFor().get()), false, target, singleSignOn)).build();
        }
        if (outcome.account().isEmpty()) {
            return Response.status(401).entity(Templates.login("The user name or password is wrong.", false, target, singleSignOn)).build();
        }
        Account account = outcome.account().get();
        String token = sessions.open(account.username());
        audit.record(new AccessEvent(account.username(), account.role(), AuditAction.LOGIN, "session", null, List.of(), address,
                requestId, null, "form sign-in"));
        return Response.status(303).header(HttpHeaders.LOCATION, target == null ? "/" : target)
                .header(HttpHeaders.SET_COOKIE, sessions.setCookie(token, false)).build();
    }

    @POST
    @Path("logout")
    public Response signOut(@CookieParam(Sessions.COOKIE) String token) {
        sessions.close(token);
        if (!identity.isAnonymous()) {
            String role = identity.getRoles().stream().findFirst().orElse(null);
            audit.record(new AccessEvent(identity.getPrincipal().getName(), role, AuditAction.LOGOUT, "session", null, List.of(),
                    HttpHardening.clientAddress(http), HttpHardening.requestId(http), null, "signed out"));
        }
        return Response.status(303).header(HttpHeaders.LOCATION, "/login?signed-out=true").header(HttpHeaders.SET_COOKIE,
                sessions.setCookie(null, true)).header(HttpHeaders.SET_COOKIE, sessions.purposeCookie(null)).build();
    }
}
