package org.ehrarchive.api;

import java.util.UUID;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;

import org.ehrarchive.security.HttpHardening;
import org.jboss.logging.MDC;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Every request carries a request id into the logs (MDC {@code requestId}), the access audit and the response
 * ({@code X-Request-Id}). A caller's own id is kept when it is a plain token, so a request can be followed across
 * systems; otherwise a new one is made.
 */
public class RequestIds {

    public static final String HEADER = HttpHardening.REQUEST_ID_HEADER;
    static final String PROPERTY = "archive.requestId";

    @ServerRequestFilter(preMatching = true)
    public void assign(ContainerRequestContext request) {
        // HttpHardening gave the exchange its id (the caller's when acceptable) before authentication ran.
        String given = request.getHeaderString(HEADER);
        String id = given != null ? given : UUID.randomUUID().toString();
        request.setProperty(PROPERTY, id);
        MDC.put("requestId", id);
    }

    /** The response carries the id already (HttpHardening); the log context is cleared for the thread's next request. */
    @ServerResponseFilter
    public void clear(ContainerRequestContext request, ContainerResponseContext response) {
        MDC.remove("requestId");
    }
}
