package org.ehrarchive.api;

import java.util.List;

import jakarta.enterprise.context.RequestScoped;
import jakarta.ws.rs.container.ContainerRequestContext;

import org.ehrarchive.audit.AccessAudit;
import org.ehrarchive.audit.AccessEvent;
import org.ehrarchive.audit.AuditAction;
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
                requestId == null ? null : requestId.toString(), null, detail));
    }
}
