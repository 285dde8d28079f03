package org.ehrarchive.api;

import java.net.URI;

import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;

import org.ehrarchive.PhiSafe;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.logging.Log;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;

/**
 * Errors of the JSON API as RFC 9457 {@code application/problem+json}: a stable type, a title that says what to
 * do, the request id to quote; never a stack trace, never patient data.
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

    @ServerExceptionMapper({ UnauthorizedException.class, AuthenticationFailedException.class })
    public Response unauthorized(RuntimeException e, ContainerRequestContext request) {
        return Response.fromResponse(respond(401, "unauthorized", "Sign in: HTTP Basic with an archive user", null, request))
                .header("WWW-Authenticate", "Basic realm=\"ehr-archive\"").build();
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

    private static Response respond(int status, String type, String title, String detail, ContainerRequestContext request) {
        Object requestId = request.getProperty(RequestIds.PROPERTY);
        return Response.status(status).type(MEDIA_TYPE)
                .entity(new Problem(URI.create("urn:ehrarchive:problem:" + type), title, status, detail,
                        requestId == null ? null : requestId.toString()))
                .build();
    }
}
