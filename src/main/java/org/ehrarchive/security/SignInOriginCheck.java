package org.ehrarchive.security;

import java.net.URI;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.vertx.ext.web.Router;

/**
 * CSRF protection for the sign-in form, which posts to Quarkus's form authentication ({@code j_security_check})
 * rather than to a page that can check a token: a sign-in posted from another site's page (its {@code Origin} is
 * another host) is refused before authentication runs. Browsers send {@code Origin} on every cross-site form post.
 */
@ApplicationScoped
public class SignInOriginCheck {

    void register(@Observes Router router) {
        router.post("/j_security_check").order(Integer.MIN_VALUE).handler(request -> {
            String origin = request.request().getHeader("Origin");
            String host = request.request().getHeader("Host");
            // "null" is what a sandboxed frame sends: never the archive's own sign-in page.
            if (origin != null && ("null".equals(origin) || host == null || !host.equalsIgnoreCase(authorityOf(origin)))) {
                request.response().setStatusCode(403).end("Sign in from the archive's own page.");
                return;
            }
            request.next();
        });
    }

    private static String authorityOf(String origin) {
        try {
            return URI.create(origin).getRawAuthority();
        } catch (IllegalArgumentException e) {
            return "";
        }
    }
}
