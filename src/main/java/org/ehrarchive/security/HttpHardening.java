package org.ehrarchive.security;

import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.ehrarchive.PhiSafe;
import org.ehrarchive.audit.AccessAudit;
import org.ehrarchive.audit.AccessEvent;
import org.ehrarchive.audit.AuditAction;
import org.ehrarchive.portal.ErrorPage;
import org.jboss.logging.MDC;

import io.quarkus.logging.Log;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * What every HTTP exchange gets, before authentication runs and whatever answers it:
 * <ul>
 * <li>a request id ({@code X-Request-Id}, the caller's when it is a plain token), also on sign-in failures and on
 * errors outside the REST layer;</li>
 * <li>{@code Cache-Control: no-store}, so no page or answer with patient data is kept by a browser or a proxy (Back
 * after sign-out shows nothing); only the style sheet may be cached;</li>
 * <li>a refused request (403) of a signed-in user recorded in the access audit ({@code ACCESS_REFUSED});</li>
 * <li>a failure outside the REST layer answered with the request id, and logged without the URL (which can carry
 * a patient's name) and without the exception's message.</li>
 * </ul>
 */
@ApplicationScoped
public class HttpHardening {

    public static final String REQUEST_ID_HEADER = "X-Request-Id";
    private static final String REQUEST_ID = "archive.requestId";
    private static final Pattern ACCEPTABLE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final String STYLE_SHEET = "/portal.css";

    private final AccessAudit audit;

    public HttpHardening(AccessAudit audit) {
        this.audit = audit;
    }

    void register(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::prepare);
        router.route().order(Integer.MIN_VALUE).failureHandler(this::failed);
    }

    private void prepare(RoutingContext context) {
        String given = context.request().getHeader(REQUEST_ID_HEADER);
        String id = given != null && ACCEPTABLE_ID.matcher(given).matches() ? given : UUID.randomUUID().toString();
        context.put(REQUEST_ID, id);
        // The REST layer's request id filter reads the header: one id for the whole exchange.
        context.request().headers().set(REQUEST_ID_HEADER, id);
        context.response().putHeader(REQUEST_ID_HEADER, id);
        if (!STYLE_SHEET.equals(context.normalizedPath())) {
            context.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        }
        context.addHeadersEndHandler(ignored -> {
            if (context.response().getStatusCode() == 403) {
                recordRefusal(context, id);
            }
        });
        context.next();
    }

    /** Set on the request by whoever recorded its 403 already, with more than the path can say. */
    public static final String REFUSAL_RECORDED = "archive.refusal-recorded";

    private void recordRefusal(RoutingContext context, String requestId) {
        if (!(context.user() instanceof QuarkusHttpUser user) || user.getSecurityIdentity().isAnonymous()
                || context.normalizedPath().startsWith("/login")) {
            return; // a refused sign-in is recorded as LOGIN_FAILED, with its reason, by the sign-in itself
        }
        if (Boolean.TRUE.equals(context.get(REFUSAL_RECORDED))) {
            return; // recorded already, with the patient it was about (a restricted record: AuditedReads)
        }
        String name = user.getSecurityIdentity().getPrincipal().getName();
        String role = Roles.ALL.stream().filter(user.getSecurityIdentity()::hasRole).findFirst().orElse(null);
        // The method and path say what was refused; a refusal shows no patient data, so no patient ids.
        AccessEvent event = new AccessEvent(name, role, AuditAction.ACCESS_REFUSED, "http", null, List.of(), clientAddress(context),
                requestId, null, context.request().method().name() + " " + context.normalizedPath());
        context.vertx().executeBlocking(() -> audit.record(event), false)
                .onFailure(failure -> Log.errorf("A refused request could not be audited: %s", PhiSafe.describe(failure)));
    }

    private void failed(RoutingContext context) {
        if (context.failure() instanceof io.quarkus.security.AuthenticationException
                || context.failure() instanceof io.quarkus.security.ForbiddenException
                || context.failure() instanceof io.quarkus.security.UnauthorizedException) {
            context.next(); // Quarkus answers these itself: a challenge (401, sign-in redirect) or 403
            return;
        }
        String id = requestId(context);
        int status = context.statusCode() >= 400 ? context.statusCode() : 500;
        if (status >= 500) {
            // A failure here came before the REST layer (during sign-in, for example with the database down), where
            // RequestIds has not put the id into the log context yet: put it there, so that the structured log's
            // requestId field finds the line an error page asks the user to quote.
            MDC.put("requestId", id);
            try {
                Log.errorf("HTTP request %s failed: %s", id, context.failure() == null ? "status " + status : PhiSafe.describe(context.failure()));
            } finally {
                MDC.remove("requestId");
            }
        }
        if (context.response().headWritten()) {
            context.response().close();
            return;
        }
        String title = status >= 500 ? "The archive could not answer; quote the request id to the administrator"
                : "The request could not be read; check the address";
        if (ArchiveAuthentication.isMachinePath(context.normalizedPath())) {
            context.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/problem+json")
                    .end(problemJson(status, status >= 500 ? "internal-error" : "http-" + status, title, id));
        } else {
            context.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "text/html;charset=UTF-8")
                    .end(ErrorPage.Templates.error(status, title, id).render());
        }
    }

    /** The request id given to this exchange. */
    public static String requestId(RoutingContext context) {
        return context.get(REQUEST_ID);
    }

    /** The client's address as the connection shows it. */
    public static String clientAddress(RoutingContext context) {
        return context.request().remoteAddress() == null ? null : context.request().remoteAddress().hostAddress();
    }

    /** An RFC 9457 problem, as the API's {@code Problems} writes it. */
    static String problemJson(int status, String type, String title, String requestId) {
        return new JsonObject().put("type", "urn:ehrarchive:problem:" + type).put("title", title).put("status", status)
                .put("requestId", requestId).encode();
    }
}
