package org.ehrarchive.portal;

import jakarta.enterprise.context.RequestScoped;

import java.util.List;

import org.ehrarchive.api.AuditedReads;
import org.ehrarchive.audit.PurposeOfUse;
import org.ehrarchive.security.Roles;

import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.ext.web.RoutingContext;

/** Who is signed in, and which parts of the portal their role opens: what the layout's navigation shows. */
@RequestScoped
public class PortalContext {

    /**
     * The navigation bar's data: {@code sources} and {@code fixity} for admins (decommissioning), {@code sampling}
     * for admins, who draw samples, and clinicians, who review them; {@code identity} for admins, who review links;
     * {@code compliance} for compliance staff, who review break-the-glass grants and work release-of-information
     * requests; {@code purpose}, the purpose of use its user stated for their reads (null: none stated), from
     * {@code purposes}.
     */
    public record Nav(String user, boolean patients, boolean audit, boolean fixity, boolean sources, boolean sampling, boolean identity,
            boolean compliance, String purpose, List<Purpose> purposes) {
    }

    /** A purpose of use the navigation bar offers (docs/compliance.md): its code and its words. */
    public record Purpose(String code, String label) {
    }

    private static final List<Purpose> PURPOSES = PurposeOfUse.CODES.entrySet().stream().map(e -> new Purpose(e.getKey(), e.getValue())).toList();

    private final SecurityIdentity identity;
    private final RoutingContext http;

    public PortalContext(SecurityIdentity identity, RoutingContext http) {
        this.identity = identity;
        this.http = http;
    }

    public Nav nav() {
        if (identity.isAnonymous()) {
            return new Nav(null, false, false, false, false, false, false, false, null, List.of());
        }
        var cookie = http.request().getCookie(AuditedReads.PURPOSE_COOKIE);
        String purpose = cookie == null ? null : PurposeOfUse.known(cookie.getValue()).orElse(null);
        return new Nav(identity.getPrincipal().getName(), readsPatients(),
                identity.hasRole(Roles.COMPLIANCE) || identity.hasRole(Roles.ADMIN), identity.hasRole(Roles.ADMIN), identity.hasRole(Roles.ADMIN),
                identity.hasRole(Roles.ADMIN) || identity.hasRole(Roles.CLINICIAN), identity.hasRole(Roles.ADMIN), isCompliance(), purpose, PURPOSES);
    }

    /** Compliance staff: the privacy office, who flag restricted records and review break-the-glass grants. */
    public boolean isCompliance() {
        return identity.hasRole(Roles.COMPLIANCE);
    }

    public boolean readsPatients() {
        return identity.hasRole(Roles.CLINICIAN) || identity.hasRole(Roles.COMPLIANCE);
    }
}
