package org.ehrarchive.portal;

import java.net.URI;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.ehrarchive.audit.PurposeOfUse;
import org.ehrarchive.security.ArchiveAuthentication;
import org.ehrarchive.security.Roles;
import org.ehrarchive.security.Sessions;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestHeader;

/**
 * The purpose of use a reader states in the navigation bar (docs/compliance.md): kept in a cookie for the rest of the
 * session, and recorded with each of their accesses from then on. "Not stated" removes it. Back to the page it was set
 * on.
 */
@Path("/purpose")
@RolesAllowed({ Roles.CLINICIAN, Roles.COMPLIANCE })
public class PurposePage {

    private final Sessions sessions;

    public PurposePage(Sessions sessions) {
        this.sessions = sessions;
    }

    @POST
    public Response state(@RestForm String purpose, @RestHeader("Referer") String referer) {
        String code = null;
        if (purpose != null && !purpose.isBlank()) {
            code = PurposeOfUse.known(purpose).orElseThrow(() -> new jakarta.ws.rs.BadRequestException("no such purpose of use"));
        }
        return Response.seeOther(URI.create(back(referer))).header(HttpHeaders.SET_COOKIE, sessions.purposeCookie(code)).build();
    }

    /** The path of the page the form was on, when it is a path of the portal's own; else the start page. */
    private static String back(String referer) {
        if (referer == null) {
            return "/";
        }
        try {
            URI uri = URI.create(referer);
            // the path only: a search's form values are not carried through a redirect
            String safe = ArchiveAuthentication.safeNext(uri.getRawPath());
            return safe == null ? "/" : safe;
        } catch (IllegalArgumentException e) {
            return "/";
        }
    }
}
