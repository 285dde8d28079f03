package org.ehrarchive.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ehrarchive.support.IdentityDocuments.MRN_OID;
import static org.ehrarchive.support.IdentityDocuments.ccda;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import org.ehrarchive.audit.AuditRecord;
import org.ehrarchive.ingest.IngestProgress;
import org.ehrarchive.ingest.IngestService;
import org.ehrarchive.security.Roles;
import org.ehrarchive.support.Accessibility;
import org.ehrarchive.support.ArchiveTestDatabase;
import org.ehrarchive.support.ArchivedFixture;
import org.ehrarchive.support.HeadlessChromium;
import org.ehrarchive.support.IdentityDocuments;
import org.ehrarchive.support.IdentityDocuments.Person;
import org.ehrarchive.support.Requirements;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Break-the-glass end to end in a real browser (headless Chromium, as {@link PortalBrowserTest}): the privacy officer
 * flags a patient VIP from the chart; a clinician who opens that chart gets the notice saying why, is refused without
 * a reason, states one and reads the chart; the privacy officer finds the access in the review queue and signs it off.
 * Each page passes {@link Accessibility}'s axe-core check, and every step is in the access audit.
 */
@QuarkusTest
@WithTestResource(ArchiveTestDatabase.class)
class BreakGlassBrowserTest {

    private static final String PASSWORD = "break glass browser password";
    private static final String CLINICIAN = "glassbrowser-" + Roles.CLINICIAN;
    private static final String COMPLIANCE = "glassbrowser-" + Roles.COMPLIANCE;

    @TestHTTPResource("/")
    URL portal;

    @Inject
    IngestService ingest;

    private WebDriver browser;
    private WebDriverWait wait;
    private long patient;
    private Person person;

    @BeforeEach
    void aPatientAndTheBrowser(@TempDir Path folder) throws Exception {
        Requirements.chromium();
        ArchivedFixture.usersOfEveryRole("glassbrowser-", PASSWORD);
        person = Person.fresh();
        IdentityDocuments.write(folder, "p.xml", ccda(person.mrn(), person.given(), person.family(), "19580607", "F"));
        ingest.ingest(folder, IngestProgress.NONE);
        patient = IdentityDocuments.archivedPatient(MRN_OID, person.mrn());
        browser = HeadlessChromium.start(1400, 1000);
        wait = new WebDriverWait(browser, Duration.ofSeconds(20));
    }

    @AfterEach
    void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void aClinicianBreaksTheGlassWithAReasonAndThePrivacyOfficerSignsItOff() throws Exception {
        // the privacy officer flags the patient from the chart
        signIn("patients/" + patient, COMPLIANCE);
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("restriction-panel")));
        new Select(browser.findElement(By.id("flag-category"))).selectByValue("VIP");
        browser.findElement(By.id("flag-reason")).sendKeys("Member of the hospital board");
        browser.findElement(By.id("flag-set")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("flag-restricted"), "flagged VIP"));
        assertThat(browser.findElement(By.id("restriction-panel")).getText()).contains("Member of the hospital board").contains(COMPLIANCE);
        screenshot("break-glass-1-flagged");
        Accessibility.assertNoSeriousViolations(browser, "a chart with the privacy office's restriction panel");
        signOut();

        // the clinician is told why, and goes on only with a reason
        signIn("patients/" + patient, CLINICIAN);
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("restricted-title")));
        assertThat(browser.findElement(By.id("restriction-reasons")).getText()).contains("flagged VIP").contains("Member of the hospital board");
        assertThat(browser.getPageSource()).as("nothing of the chart before the glass is broken").doesNotContain(person.family());
        screenshot("break-glass-2-notice");
        Accessibility.assertNoSeriousViolations(browser, "the restricted-record notice");
        browser.findElement(By.id("break-glass")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("break-glass-problem")));
        assertThat(browser.findElement(By.id("break-glass-problem")).getText()).contains("Say why you need this record");
        browser.findElement(By.id("break-glass-reason")).sendKeys("Admitted through the emergency department tonight");
        browser.findElement(By.id("break-glass")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("chart-title")));
        assertThat(browser.findElement(By.id("chart-title")).getText()).contains(person.family());
        assertThat(browser.findElement(By.id("flag-restricted")).getText()).contains("flagged VIP");
        assertThat(browser.findElements(By.id("restriction-panel"))).as("flags are the privacy office's").isEmpty();
        List<AuditRecord> clinicianRows = rowsOf(CLINICIAN);
        AuditRecord broke = clinicianRows.stream().filter(r -> r.action.equals("BREAK_GLASS")).findFirst().orElseThrow();
        assertThat(broke.detail).isEqualTo("Admitted through the emergency department tonight");
        assertThat(clinicianRows).filteredOn(r -> r.action.equals("VIEW_CHART")).singleElement()
                .satisfies(r -> assertThat(r.detail).isEqualTo("under break-the-glass grant " + broke.objectId));
        assertThat(clinicianRows).filteredOn(r -> r.action.equals("ACCESS_REFUSED")).hasSize(1);
        signOut();

        // the privacy officer reviews it
        String grant = broke.objectId;
        signIn("break-glass", COMPLIANCE);
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("grant-" + grant)));
        assertThat(browser.findElement(By.id("grant-" + grant)).getText()).contains(CLINICIAN).contains("Pending")
                .contains("Admitted through the emergency department tonight").contains("Member of the hospital board")
                .contains("1 page of this record opened under it");
        screenshot("break-glass-3-queue");
        Accessibility.assertNoSeriousViolations(browser, "the break-the-glass review queue");
        browser.findElement(By.cssSelector("#review-" + grant + " input[value=SIGNED_OFF]")).click();
        browser.findElement(By.cssSelector("#review-" + grant + " button")).click();
        wait.until(ExpectedConditions.urlContains("/break-glass"));
        browser.get(portal + "break-glass?state=signed-off");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("grant-" + grant)));
        assertThat(browser.findElement(By.id("grant-" + grant)).getText()).contains("Signed off by " + COMPLIANCE);
        assertThat(browser.findElements(By.id("review-" + grant))).as("a signed-off grant is closed").isEmpty();
        assertThat(rowsOf(COMPLIANCE)).filteredOn(r -> r.action.equals("BREAK_GLASS_REVIEW")).singleElement()
                .satisfies(r -> assertThat(r.objectId).isEqualTo(grant)).satisfies(r -> assertThat(r.detail).isEqualTo("SIGNED_OFF"));
        assertThat(rowsOf(COMPLIANCE)).filteredOn(r -> r.action.equals("RESTRICTION")).singleElement()
                .satisfies(r -> assertThat(r.detail).startsWith("flagged VIP"));
    }

    private void signIn(String path, String user) {
        browser.get(portal + path);
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("username"))).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(PASSWORD);
        browser.findElement(By.id("sign-in")).click();
    }

    private void signOut() {
        browser.findElement(By.cssSelector("form.signout button")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("username")));
    }

    private static List<AuditRecord> rowsOf(String user) {
        return QuarkusTransaction.requiringNew().call(() -> AuditRecord.<AuditRecord>list("userName = ?1 order by id", user));
    }

    private void screenshot(String name) throws Exception {
        Path target = Path.of("target", "screenshots");
        Files.createDirectories(target);
        Files.write(target.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }
}
