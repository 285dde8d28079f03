package org.ehrarchive.support;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * A browser's sign-in, as the portal expects it: the sign-in page first (its CSRF cookie and token), then the form
 * posted with them; then the session cookie, and the CSRF cookie and token every later form carries.
 */
public record PortalSession(String sessionCookie, String csrfCookie, String csrfToken) {

    public static final String SESSION_COOKIE = "archive-session";
    public static final String CSRF = "csrf-token";

    /** Signs in and fails the test when the sign-in does not open a session. */
    public static PortalSession signIn(String user, String password) {
        Response login = postSignIn(user, password);
        assertThat(login.statusCode()).as("signed in as " + user).isEqualTo(303);
        String session = login.getCookie(SESSION_COOKIE);
        assertThat(session).as("signed in as " + user).isNotEmpty();
        Response form = given().redirects().follow(false).cookie(SESSION_COOKIE, session).get("/"); // every page has the sign-out form
        String token = form.htmlPath().getString("**.find { it.@name == 'csrf-token' }.@value");
        return new PortalSession(session, form.getCookie(CSRF), token);
    }

    /** Posts the sign-in form as a browser would (with the sign-in page's CSRF cookie and token); returns the answer. */
    public static Response postSignIn(String user, String password) {
        Response page = given().get("/login");
        String token = page.htmlPath().getString("**.find { it.@name == 'csrf-token' }.@value");
        return given().redirects().follow(false).cookie(CSRF, page.getCookie(CSRF)).formParam(CSRF, token)
                .formParam("username", user).formParam("password", password).post("/login");
    }

    /** A request with the session and the CSRF token. */
    public RequestSpecification session() {
        return given().redirects().follow(false).cookie(SESSION_COOKIE, sessionCookie).cookie(CSRF, csrfCookie).formParam(CSRF, csrfToken);
    }

    /** A request with the session but no CSRF token in the form. */
    public RequestSpecification withoutCsrf() {
        return given().redirects().follow(false).cookie(SESSION_COOKIE, sessionCookie).cookie(CSRF, csrfCookie);
    }

    /** A GET with the session cookie alone. */
    public Response get(String path) {
        return given().redirects().follow(false).cookie(SESSION_COOKIE, sessionCookie).get(path);
    }
}
