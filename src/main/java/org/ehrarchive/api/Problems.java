package org.ehrarchive.api;

import java.net.URI;

import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.ehrarchive.PhiSafe;
import org.ehrarchive.portal.ErrorPage;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.logging.Log;
import io.quarkus.security.ForbiddenException;

/**
 * Errors as RFC 9457 {@code application/problem+json} for the JSON API, and as an error page for the portal: a
 * stable type, a title that says what to do, the request id to quote; never a stack trace, never patient data.
 * A missing or failed sign-in is left to the authentication mechanisms: HTTP Basic answers 401 with its challenge,
 * the portal's form login redirects to the sign-in page.
 */
public class Problems {

    public static final String MEDIA_TYPE = "application/problem+json";

    /** An RFC 9457 problem. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Problem(URI type, String title, int status, String detail, String requestId) {
    }

    /** Thrown by resources for a request that cannot be answered as asked. */
    public static class ProblemException extends RuntimeException {
        final int status;
        final String type;

        public ProblemException(int status, String type, String title) {
            super(title);
            this.status = status;
            this.type = type;
        }
    }

    @ServerExceptionMapper
    public Response problem(ProblemException e, ContainerRequestContext request) {
        return respond(e.status, e.type, e.getMessage(), null, request);
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e, ContainerRequestContext request) {
        return respond(404, "not-found", "Nothing at this address; check the id in the URL", null, request);
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, ContainerRequestContext request) {
        return respond(403, "forbidden", "Your role may not see this; ask an admin for the role your work needs", null, request);
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, ContainerRequestContext request) {
        int status = e.getResponse().getStatus();
        return respond(status, "http-" + status, e.getResponse().getStatusInfo().getReasonPhrase(), null, request);
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e, ContainerRequestContext request) {
        Log.errorf("Request failed: %s", PhiSafe.describe(e));
        return respond(500, "internal-error", "The archive could not answer; quote the request id to the administrator", null, request);
    }

    /**
     * The CSRF filter refuses a form without a valid token with a bare 400 and no body. A person gets the error page
     * instead, with the request id and what to do.
     */
    @ServerResponseFilter
    public void explainRefusedForm(ContainerRequestContext request, ContainerResponseContext response) {
        if (response.getStatus() == 400 && !response.hasEntity() && "POST".equals(request.getMethod())
                && !request.getUriInfo().getPath().startsWith("/api")) {
            Object requestId = request.getProperty(RequestIds.PROPERTY);
            response.setEntity(ErrorPage.Templates.error(400, "The form has expired or did not come from the archive's own page: "
                    + "go back, reload the page and send it again", requestId == null ? null : requestId.toString()).render(),
                    null, MediaType.TEXT_HTML_TYPE);
        }
    }

    /** The answer to a request that failed: the portal's error page, or the API's problem. */
    public static Response respond(int status, String type, String title, String detail, ContainerRequestContext request) {
        Object requestId = request.getProperty(RequestIds.PROPERTY);
        if (!request.getUriInfo().getPath().startsWith("/api")) {
            // The portal: an error page for a person, with the same words and no internals.
            return Response.status(status).type(MediaType.TEXT_HTML)
                    .entity(ErrorPage.Templates.error(status, title, requestId == null ? null : requestId.toString()).render())
                    .build();
        }
        return Response.status(status).type(MEDIA_TYPE)
                .entity(new Problem(URI.create("urn:ehrarchive:problem:" + type), title, status, detail,
                        requestId == null ? null : requestId.toString()))
                .build();
    }
}
