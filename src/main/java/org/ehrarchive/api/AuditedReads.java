package org.ehrarchive.api;

import java.util.List;

import jakarta.enterprise.context.RequestScoped;
import jakarta.ws.rs.container.ContainerRequestContext;

import org.ehrarchive.audit.AccessAudit;
import org.ehrarchive.audit.AccessEvent;
import org.ehrarchive.audit.AuditAction;
import org.ehrarchive.audit.PurposeOfUse;
import org.ehrarchive.security.Roles;

import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.ext.web.RoutingContext;

/**
 * Records, for the request in progress, that patient data was shown: who (user and role), from where (client
 * address), in which request. Every resource that returns patient data calls {@link #record} before answering.
 */
@RequestScoped
public class AuditedReads {

    private final AccessAudit audit;
    private final SecurityIdentity identity;
    private final RoutingContext http;
    private final ContainerRequestContext request;

    public AuditedReads(AccessAudit audit, SecurityIdentity identity, RoutingContext http, ContainerRequestContext request) {
        this.audit = audit;
        this.identity = identity;
        this.http = http;
        this.request = request;
    }

    public void record(AuditAction action, String objectType, String objectId, List<Long> patientIds, String detail) {
        String role = Roles.ALL.stream().filter(identity::hasRole).findFirst().orElse(null);
        Object requestId = request.getProperty(RequestIds.PROPERTY);
        audit.record(new AccessEvent(identity.getPrincipal().getName(), role, action, objectType, objectId, patientIds,
                http.request().remoteAddress() == null ? null : http.request().remoteAddress().hostAddress(),
                requestId == null ? null : requestId.toString(), purpose(), detail));
    }

    /** The API client's header for the purpose of use of its requests, a PurposeOfUse code ({@code TREAT}). */
    public static final String PURPOSE_HEADER = "X-Purpose-Of-Use";
    /** The portal's cookie holding the purpose its user stated (set by the navigation bar's form). */
    public static final String PURPOSE_COOKIE = org.ehrarchive.security.Sessions.PURPOSE_COOKIE;

    /**
     * The purpose of use the user stated for this request: the API's header, else the portal's cookie; null when none
     * was stated. A header that names no known purpose is refused (400) before anything is shown, not recorded as none.
     */
    public String purpose() {
        String header = request.getHeaderString(PURPOSE_HEADER);
        if (header != null && !header.isBlank()) {
            return PurposeOfUse.known(header).orElseThrow(() -> new Problems.ProblemException(400, "purpose-of-use-unknown",
                    "X-Purpose-Of-Use names no purpose of use this archive knows; use one of " + String.join(", ", PurposeOfUse.CODES.keySet())));
        }
        var cookie = request.getCookies().get(PURPOSE_COOKIE);
        return cookie == null ? null : PurposeOfUse.known(cookie.getValue()).orElse(null);
    }
}
