package org.ehrarchive.portal;

import jakarta.enterprise.context.RequestScoped;

import org.ehrarchive.security.Roles;

import io.quarkus.security.identity.SecurityIdentity;

/** Who is signed in, and which parts of the portal their role opens: what the layout's navigation shows. */
@RequestScoped
public class PortalContext {

    /**
     * The navigation bar's data: {@code sources} and {@code fixity} for admins (decommissioning), {@code sampling}
     * for admins, who draw samples, and clinicians, who review them; {@code identity} for admins, who review links.
     */
    public record Nav(String user, boolean patients, boolean audit, boolean fixity, boolean sources, boolean sampling, boolean identity) {
    }

    private final SecurityIdentity identity;

    public PortalContext(SecurityIdentity identity) {
        this.identity = identity;
    }

    public Nav nav() {
        if (identity.isAnonymous()) {
            return new Nav(null, false, false, false, false, false, false);
        }
        return new Nav(identity.getPrincipal().getName(), readsPatients(),
                identity.hasRole(Roles.COMPLIANCE) || identity.hasRole(Roles.ADMIN), identity.hasRole(Roles.ADMIN), identity.hasRole(Roles.ADMIN),
                identity.hasRole(Roles.ADMIN) || identity.hasRole(Roles.CLINICIAN), identity.hasRole(Roles.ADMIN));
    }

    public boolean readsPatients() {
        return identity.hasRole(Roles.CLINICIAN) || identity.hasRole(Roles.COMPLIANCE);
    }
}
