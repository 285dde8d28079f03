package org.ehrarchive.portal;

import java.util.stream.Collectors;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.ehrarchive.api.Problems;
import org.ehrarchive.restriction.BreakGlass;
import org.ehrarchive.restriction.Restrictions;
import org.ehrarchive.security.ArchiveAuthentication;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * What a clinician gets instead of a restricted record (docs/compliance.md#break-the-glass): in the portal, the notice
 * saying why it is restricted, with the form to break the glass and then go on to the page they opened; from the API,
 * a 403 problem naming the reasons and the request that breaks the glass.
 */
public class RestrictedNotice {

    private final PortalContext portal;
    private final BreakGlass breakGlass;

    public RestrictedNotice(PortalContext portal, BreakGlass breakGlass) {
        this.portal = portal;
        this.breakGlass = breakGlass;
    }

    @ServerExceptionMapper
    public Response restricted(BreakGlass.Restricted restricted, ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (path.startsWith("/api")) {
            return Problems.respond(403, "restricted", "This record is restricted. To read it, state why: POST /api/break-glass with"
                    + " {\"patient\": " + restricted.patientId() + (restricted.documentId() == null ? "" : ", \"document\": " + restricted.documentId())
                    + ", \"reason\": \"...\"}; the access is time-limited, recorded with the reason, and reviewed by the privacy officer",
                    restricted.reasons().stream().map(Restrictions.Reason::says).collect(Collectors.joining(" ")), request);
        }
        return Response.status(403).type(MediaType.TEXT_HTML).entity(BreakGlassPage.notice(portal, breakGlass, restricted.patientId(),
                restricted.documentId(), restricted.reasons(), ArchiveAuthentication.safeNext(path), null).render()).build();
    }
}
