package org.ehrarchive.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import jakarta.inject.Inject;

import org.ehrarchive.audit.AuditRecord;
import org.ehrarchive.indexing.SearchIndexer;
import org.ehrarchive.ingest.IngestService;
import org.ehrarchive.support.ArchiveTestDatabase;
import org.ehrarchive.support.ArchivedFixture;
import org.ehrarchive.support.AuditRows;
import org.ehrarchive.support.PortalSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.config.HttpClientConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.response.Response;

/**
 * What a security review of the portal and the API found (issue 14), each as the reviewer tried it: hostile URLs,
 * password guessing, replayed sessions, cached pages, forged Host headers, CSRF on sign-in, API credentials, and
 * input that used to be silently ignored.
 */
@QuarkusTest
@WithTestResource(ArchiveTestDatabase.class)
class SignInSecurityTest {

    private static final String PASSWORD = "hardening-test-password";

    @Inject
    IngestService ingest;
    @Inject
    SearchIndexer indexer;
    @Inject
    ApiTokens tokens;

    private long patientId;
    private long documentId;
    private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void archiveAPatientAndCreateUsers() throws Exception {
        ArchivedFixture.usersOfEveryRole("hardening-", PASSWORD);
        ArchivedFixture.Archived archived = ArchivedFixture.archive(ingest, indexer, "full-ccd.xml");
        patientId = archived.patientId();
        documentId = archived.documentId();
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void stopCapturingTheLog() {
        Logger.getLogger("").removeHandler(capture);
    }

    @Test
    void aUrlWithSemicolonsOrCommasIsAnsweredAtOnceAndNothingOfItIsLogged() {
        RestAssuredConfig impatient = RestAssuredConfig.config().httpClient(HttpClientConfig.httpClientConfig()
                .setParam("http.socket.timeout", 3_000).setParam("http.connection.timeout", 3_000));
        for (String url : List.of("/audit;x=Zebediah", "/?a=Zebediah,Quux", "/patients/" + patientId + ";x=Zebediah",
                "/documents/" + documentId + ";jsessionid=Zebediah", "/search?q=Zebediah,Quux")) {
            given().config(impatient).redirects().follow(false).urlEncodingEnabled(false).get(url).then()
                    .statusCode(302).header("Location", startsWith("/login"));
        }
        PortalSession clinician = PortalSession.signIn("hardening-clinician", PASSWORD);
        given().config(impatient).redirects().follow(false).urlEncodingEnabled(false).cookie(PortalSession.SESSION_COOKIE,
                clinician.sessionCookie()).get("/patients/" + patientId + ";x=Zebediah").then().statusCode(200);
        assertThat(logged).extracting(SignInSecurityTest::text).noneMatch(line -> line.contains("Zebediah"));
        assertThat(logged).as("no errors").noneMatch(record -> record.getLevel().intValue() >= Level.SEVERE.intValue());
    }

    @Test
    void repeatedWrongPasswordsLockTheAccountEvenAgainstTheRightOneAndEachIsAudited() throws Exception {
        long before = AuditRows.countOfUser("hardening-compliance");
        for (int i = 0; i < 4; i++) {
            PortalSession.postSignIn("hardening-compliance", "wrong-" + i).then().statusCode(401);
        }
        PortalSession.postSignIn("hardening-compliance", "wrong-4").then().statusCode(429).header("Retry-After", org.hamcrest.Matchers.notNullValue())
                .body(containsString("Too many failed sign-ins"));
        Response right = PortalSession.postSignIn("hardening-compliance", PASSWORD);
        right.then().statusCode(429).body(containsString("locked for 15 minutes"));
        assertThat(right.getCookie(PortalSession.SESSION_COOKIE)).as("no session while locked").isNull();
        // By HTTP Basic too: the same account is locked for the API.
        given().auth().preemptive().basic("hardening-compliance", PASSWORD).get("/api/patients?name=Testy").then().statusCode(429)
                .contentType(containsString("application/problem+json")).body("title", containsString("Too many failed sign-ins"));

        List<AuditRecord> events = AuditRows.awaitNewOfUser("hardening-compliance", before, 8);
        assertThat(events).extracting(event -> event.action).containsExactly("LOGIN_FAILED", "LOGIN_FAILED", "LOGIN_FAILED",
                "LOGIN_FAILED", "LOGIN_FAILED", "LOCKOUT", "LOGIN_FAILED", "LOGIN_FAILED");
        assertThat(events.get(5).detail).isEqualTo("account locked after repeated failed sign-ins");
        assertThat(events.get(6).detail).isEqualTo("form: refused, locked out");
        assertThat(events.get(7).detail).isEqualTo("basic: refused, locked out");
        assertThat(events).allSatisfy(event -> assertThat(event.requestId).isNotBlank());
    }

    @Test
    void wrongBasicPasswordsLockTheApiAccount() {
        for (int i = 0; i < 4; i++) {
            given().auth().preemptive().basic("hardening-admin", "wrong").get("/api/patients?name=x").then().statusCode(401)
                    .header("WWW-Authenticate", containsString("Basic"));
        }
        given().auth().preemptive().basic("hardening-admin", "wrong").get("/api/patients?name=x").then().statusCode(429);
        given().auth().preemptive().basic("hardening-admin", PASSWORD).get("/q/metrics").then().statusCode(429);
    }

    @Test
    void signOutEndsTheSessionOnTheServerSoAReplayedCookieOpensNothing() {
        PortalSession clinician = PortalSession.signIn("hardening-clinician", PASSWORD);
        clinician.get("/patients/" + patientId).then().statusCode(200);
        Response signedOut = clinician.session().post("/logout");
        signedOut.then().statusCode(303).header("Location", "/login?signed-out=true");
        assertThat(signedOut.headers().getValues("Set-Cookie")).as("the browser is told to drop the cookie")
                .anySatisfy(cookie -> assertThat(cookie).startsWith("archive-session=;").contains("Max-Age=0"));

        clinician.get("/patients/" + patientId).then().statusCode(302).header("Location", "/login?next=/patients/" + patientId);
        clinician.get("/").then().statusCode(302);
    }

    @Test
    void aNewPasswordOrADisabledUserEndsSessionsCachedCredentialsAndTokens() {
        ArchivedFixture.usersOfEveryRole("revoked-", PASSWORD);
        PortalSession session = PortalSession.signIn("revoked-clinician", PASSWORD);
        given().auth().preemptive().basic("revoked-clinician", PASSWORD).get("/api/patients/" + patientId).then().statusCode(200);
        String token = tokens.create("revoked-clinician", "test client", Duration.ofDays(1));
        given().auth().oauth2(token).get("/api/patients/" + patientId).then().statusCode(200);

        // As `user password` does it, but without ending the sessions itself: the check on every request suffices.
        QuarkusTransaction.requiringNew().run(() -> ArchiveUser.<ArchiveUser>find("username", "revoked-clinician").firstResult()
                .changePassword("a-new-password-for-revoked"));
        session.get("/patients/" + patientId).then().statusCode(302);
        given().auth().preemptive().basic("revoked-clinician", PASSWORD).get("/api/patients/" + patientId).then()
                .statusCode(401); // the remembered old password no longer works
        given().auth().preemptive().basic("revoked-clinician", "a-new-password-for-revoked").get("/api/patients/" + patientId).then()
                .statusCode(200);
        given().auth().oauth2(token).get("/api/patients/" + patientId).then().statusCode(200); // a token is not a password

        PortalSession again = PortalSession.signIn("revoked-clinician", "a-new-password-for-revoked");
        QuarkusTransaction.requiringNew().run(() -> ArchiveUser.<ArchiveUser>find("username", "revoked-clinician").firstResult()
                .disabledAt = Instant.now());
        again.get("/patients/" + patientId).then().statusCode(302);
        given().auth().preemptive().basic("revoked-clinician", "a-new-password-for-revoked").get("/api/patients/" + patientId).then()
                .statusCode(401);
        given().auth().oauth2(token).get("/api/patients/" + patientId).then().statusCode(401);
        PortalSession.postSignIn("revoked-clinician", "a-new-password-for-revoked").then().statusCode(401);
    }

    @Test
    void apiTokensOpenTheApiUntilRevokedOrExpiredAndNeverThePortal() {
        String token = tokens.create("hardening-clinician", "reporting", Duration.ofDays(30));
        given().auth().oauth2(token).get("/api/patients?name=Testy").then().statusCode(200);
        given().redirects().follow(false).header("Authorization", "Bearer " + token).get("/patients/" + patientId).then()
                .statusCode(302); // the portal takes only its session cookie
        given().auth().oauth2(token + "x").get("/api/patients?name=Testy").then().statusCode(401);
        given().auth().oauth2("eat_not-a-token").get("/api/patients?name=Testy").then().statusCode(401);

        long id = tokens.list().stream().filter(info -> info.name().equals("reporting")).findFirst().orElseThrow().id();
        assertThat(tokens.list()).filteredOn(info -> info.id() == id).singleElement()
                .satisfies(info -> assertThat(info.lastUsedAt()).as("use is recorded").isNotNull());
        assertThat(tokens.revoke(id)).isTrue();
        given().auth().oauth2(token).get("/api/patients?name=Testy").then().statusCode(401);
        assertThat(tokens.revoke(id)).as("revoked once").isFalse();

        String expired = tokens.create("hardening-clinician", "expired", Duration.ofMillis(1));
        given().auth().oauth2(expired).get("/api/patients?name=Testy").then().statusCode(401);
        assertThat(QuarkusTransaction.requiringNew().call(() -> ((Number) ArchiveUser.getEntityManager()
                .createNativeQuery("select count(*) from api_token where token_hash = ?1").setParameter(1, token).getSingleResult())
                .longValue())).as("the token itself is not stored").isZero();
    }

    @Test
    void nothingWithPatientDataMayBeCachedAndTheStyleSheetMay() {
        PortalSession clinician = PortalSession.signIn("hardening-clinician", PASSWORD);
        List<Response> answers = new ArrayList<>();
        answers.add(clinician.get("/patients/" + patientId));
        answers.add(clinician.get("/documents/" + documentId));
        answers.add(clinician.get("/documents/" + documentId + "/original"));
        answers.add(clinician.session().formParam("name", "Testy").post("/"));
        answers.add(clinician.session().formParam("words", "thirst").post("/search"));
        answers.add(given().auth().preemptive().basic("hardening-clinician", PASSWORD).get("/api/patients/" + patientId));
        answers.add(given().auth().preemptive().basic("hardening-clinician", PASSWORD).get("/api/documents/" + documentId + "/original"));
        answers.add(given().auth().preemptive().basic("hardening-clinician", PASSWORD).get("/api/search?q=thirst"));
        answers.add(given().auth().preemptive().basic("hardening-clinician", PASSWORD).get("/api/patients/987654321"));
        for (Response answer : answers) {
            assertThat(answer.statusCode()).isIn(200, 404);
            assertThat(answer.header("Cache-Control")).isEqualTo("no-store");
        }
        assertThat(given().get("/portal.css").header("Cache-Control")).isNotEqualTo("no-store");
    }

    @Test
    void redirectsAreRelativeWhateverTheHostHeaderSays() {
        given().redirects().follow(false).header("Host", "evil.example").get("/patients/" + patientId).then().statusCode(302)
                .header("Location", "/login?next=/patients/" + patientId);
        Response page = given().get("/login");
        String token = page.htmlPath().getString("**.find { it.@name == 'csrf-token' }.@value");
        given().redirects().follow(false).header("Host", "evil.example").cookie(PortalSession.CSRF, page.getCookie(PortalSession.CSRF))
                .formParam(PortalSession.CSRF, token).formParam("username", "hardening-clinician").formParam("password", PASSWORD)
                .formParam("next", "//evil.example/patients").post("/login").then().statusCode(303).header("Location", "/");
    }

    @Test
    void theSessionCookieIsHttpOnlyAndSameSiteAndTheCsrfCookieIsStrict() {
        Response signedIn = PortalSession.postSignIn("hardening-clinician", PASSWORD);
        assertThat(signedIn.headers().getValues("Set-Cookie")).filteredOn(cookie -> cookie.startsWith("archive-session="))
                .singleElement().satisfies(cookie -> assertThat(cookie).startsWith("archive-session=s.").contains("HttpOnly")
                        .contains("SameSite=Lax").as("the test profile serves plain HTTP (archive.security.secure-cookies=false)")
                        .doesNotContain("Secure"));
        assertThat(given().get("/login").header("Set-Cookie")).startsWith("csrf-token=").contains("SameSite=Strict").contains("HTTPOnly");
    }

    @Test
    void anInvalidBirthDateIsAClearErrorNotAnEmptyResult() {
        for (String date : List.of("abc", "1975-13", "1975-02-31", "19750512")) {
            given().auth().preemptive().basic("hardening-clinician", PASSWORD).queryParam("birthDate", date).get("/api/patients").then()
                    .statusCode(400).contentType(containsString("application/problem+json"))
                    .body("type", equalTo("urn:ehrarchive:problem:invalid-birth-date")).body("title", containsString("1975-05-12"));
        }
        given().auth().preemptive().basic("hardening-clinician", PASSWORD).queryParam("birthDate", "1975-02-28").get("/api/patients")
                .then().statusCode(200);
        String page = PortalSession.signIn("hardening-clinician", PASSWORD).session().formParam("birthDate", "1975-02-31").post("/")
                .then().statusCode(200).extract().asString();
        assertThat(page).contains("is not a date in the calendar");
    }

    private static String text(LogRecord record) {
        return record.getMessage() + " " + java.util.Arrays.toString(record.getParameters()) + " " + record.getThrown();
    }
}
