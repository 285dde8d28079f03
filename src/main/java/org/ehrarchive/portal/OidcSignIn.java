package org.ehrarchive.portal;

import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.ehrarchive.ArchiveConfig;
import org.ehrarchive.audit.AccessAudit;
import org.ehrarchive.audit.AccessEvent;
import org.ehrarchive.audit.AuditAction;
import org.ehrarchive.security.Accounts;
import org.ehrarchive.security.HttpHardening;
import org.ehrarchive.security.Roles;
import org.ehrarchive.security.Sessions;

import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.ext.web.RoutingContext;

/**
 * Single sign-on (ADR 0011): {@code /login/oidc} is the only path the OIDC authorization code flow guards. Once the
 * identity provider has signed the user in, this page maps the provider's roles to exactly one archive role,
 * creates or updates the archive's user of that name (source {@code oidc}), and opens the archive's own session,
 * so sign-out, timeouts, {@code user disable} and the audit work as for a password sign-in. The provider's own
 * session cookie is removed: nothing but the archive session opens pages.
 */
@Path("/login/oidc")
@Authenticated
public class OidcSignIn {

    /**
     * Quarkus OIDC's session cookie of the default tenant, and the chunks a large one is split into, scoped to this
     * path (quarkus.oidc.authentication.cookie-path): removed once the archive's own session is open.
     */
    private static final List<String> OIDC_SESSION_COOKIES = List.of("q_session", "q_session_chunk_1", "q_session_chunk_2",
            "q_session_chunk_3", "q_session_chunk_4");

    private final SecurityIdentity identity;
    private final Accounts accounts;
    private final Sessions sessions;
    private final AccessAudit audit;
    private final RoutingContext http;
    private final ArchiveConfig.Oidc roles;

    public OidcSignIn(SecurityIdentity identity, Accounts accounts, Sessions sessions, AccessAudit audit, RoutingContext http,
            ArchiveConfig config) {
        this.identity = identity;
        this.accounts = accounts;
        this.sessions = sessions;
        this.audit = audit;
        this.http = http;
        this.roles = config.security().oidc();
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public Response signIn() {
        String username = identity.getPrincipal().getName();
        Map<String, String> archiveRoleOf = Map.of(roles.clinicianRole(), Roles.CLINICIAN, roles.complianceRole(), Roles.COMPLIANCE,
                roles.adminRole(), Roles.ADMIN);
        Set<String> given = identity.getRoles();
        List<String> archiveRoles = archiveRoleOf.entrySet().stream().filter(role -> given.contains(role.getKey()))
                .map(Map.Entry::getValue).sorted().toList();
        if (archiveRoles.size() != 1) {
            return refuse(username, archiveRoles.isEmpty()
                    ? "Your single sign-on gives you no role in the archive; ask its administrator for one of "
                            + String.join(", ", archiveRoleOf.keySet().stream().sorted().toList())
                    : "Your single sign-on gives you more than one role in the archive (" + String.join(", ", archiveRoles)
                            + "); ask its administrator to leave you exactly one");
        }
        Accounts.Provisioned account = accounts.provisionSingleSignOn(username, archiveRoles.get(0));
        if (account.account().isEmpty()) {
            return refuse(username, "Single sign-on cannot sign you in: " + account.refusal());
        }
        String token = sessions.open(username);
        audit.record(new AccessEvent(username, archiveRoles.get(0), AuditAction.LOGIN, "session", null, List.of(),
                HttpHardening.clientAddress(http), HttpHardening.requestId(http), null, "single sign-on"));
        return withoutProviderSession(Response.status(303).header(HttpHeaders.LOCATION, "/")
                .header(HttpHeaders.SET_COOKIE, sessions.setCookie(token, false))).build();
    }

    private Response refuse(String username, String reason) {
        audit.record(new AccessEvent(username, null, AuditAction.LOGIN_FAILED, "user", username, List.of(),
                HttpHardening.clientAddress(http), HttpHardening.requestId(http), null, "single sign-on: " + reason));
        return withoutProviderSession(Response.status(403).type(MediaType.TEXT_HTML)
                .entity(ErrorPage.Templates.error(403, reason, HttpHardening.requestId(http)).render())).build();
    }

    private static Response.ResponseBuilder withoutProviderSession(Response.ResponseBuilder response) {
        for (String cookie : OIDC_SESSION_COOKIES) {
            response.header(HttpHeaders.SET_COOKIE, cookie + "=; Path=/login/oidc; HttpOnly; Max-Age=0");
        }
        return response;
    }
}
