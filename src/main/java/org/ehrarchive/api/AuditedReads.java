package org.ehrarchive.api;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.RequestScoped;
import jakarta.ws.rs.container.ContainerRequestContext;

import org.ehrarchive.audit.AccessAudit;
import org.ehrarchive.audit.AccessEvent;
import org.ehrarchive.audit.AuditAction;
import org.ehrarchive.audit.PurposeOfUse;
import org.ehrarchive.restriction.BreakGlass;
import org.ehrarchive.restriction.Restrictions;
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
    private final BreakGlass breakGlass;
    /** The read whose restrictions were looked up last in this request, and what they were. */
    private List<Object> checkedRead;
    private List<Restrictions.Reason> checkedReasons;

    public AuditedReads(AccessAudit audit, SecurityIdentity identity, RoutingContext http, ContainerRequestContext request, BreakGlass breakGlass) {
        this.audit = audit;
        this.breakGlass = breakGlass;
        this.identity = identity;
        this.http = http;
        this.request = request;
    }

    /**
     * Records the read, after letting it through the restriction gate: a clinician opening a restricted record
     * (AuditAction#opensRecord) needs a break-the-glass grant for it, and the read names the grant; without one, the
     * refusal is recorded and {@link BreakGlass.Restricted} answers instead (the notice with the form, or a problem).
     * Compliance staff are the privacy office and admins see patient data only in sampled-record review: neither is
     * held back, and their reads of restricted records are in the flagged-access report.
     */
    public void record(AuditAction action, String objectType, String objectId, List<Long> patientIds, String detail) {
        String written = detail;
        if (action.opensRecord() && identity.hasRole(Roles.CLINICIAN)) {
            try {
                Optional<Long> grant = breakGlass.require(identity.getPrincipal().getName(), objectType, objectId, patientIds,
                        restrictionsOf(objectType, objectId, patientIds));
                if (grant.isPresent()) {
                    written = (detail == null ? "" : detail + "; ") + "under break-the-glass grant " + grant.get();
                }
            } catch (BreakGlass.Restricted restricted) {
                write(AuditAction.ACCESS_REFUSED, objectType, objectId, patientIds, "restricted record: asked to break the glass");
                http.put(org.ehrarchive.security.HttpHardening.REFUSAL_RECORDED, true);
                throw restricted;
            }
        }
        write(action, objectType, objectId, patientIds, written);
    }

    /**
     * Why the record a read opens is restricted: the page's banner shows what the gate checked, so the reasons of the
     * read recorded last in this request are kept, not read again.
     */
    public List<Restrictions.Reason> restrictionsOf(String objectType, String objectId, List<Long> patientIds) {
        List<Object> read = java.util.Arrays.asList(objectType, objectId, List.copyOf(patientIds));
        if (!read.equals(checkedRead)) {
            checkedReasons = breakGlass.reasons(objectType, objectId, patientIds);
            checkedRead = read;
        }
        return checkedReasons;
    }

    /** Records that the privacy office flagged a record, or lifted a flag ({@code detail}: what was done). */
    public void restrictionChanged(Restrictions.Flag flag, String detail) {
        write(AuditAction.RESTRICTION, flag.patientId() != null ? "patient" : "document",
                Long.toString(flag.patientId() != null ? flag.patientId() : flag.documentId()), List.of(flag.patientOfRecord()),
                detail + " (flag " + flag.id() + ")");
    }

    private void write(AuditAction action, String objectType, String objectId, List<Long> patientIds, String detail) {
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
