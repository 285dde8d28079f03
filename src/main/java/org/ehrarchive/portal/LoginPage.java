package org.ehrarchive.portal;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/**
 * Sign in (a form posting to Quarkus's form authentication) and sign out (a form with a CSRF token that ends the
 * session). Sessions end after {@code quarkus.http.auth.form.timeout} of inactivity.
 */
@Path("/")
@PermitAll
public class LoginPage {

    static final String SESSION_COOKIE = "archive-session";

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance login(boolean failed, boolean signedOut);
    }

    @GET
    @Path("login")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance login(@QueryParam("error") boolean failed, @QueryParam("signed-out") boolean signedOut) {
        return Templates.login(failed, signedOut);
    }

    @POST
    @Path("logout")
    public Response logout() {
        return Response.seeOther(java.net.URI.create("/login?signed-out=true"))
                .cookie(new NewCookie.Builder(SESSION_COOKIE).path("/").maxAge(0).value("").httpOnly(true).build())
                .build();
    }
}
