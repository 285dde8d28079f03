package org.ehrarchive.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ehrarchive.support.IdentityDocuments.MRN_OID;
import static org.ehrarchive.support.IdentityDocuments.ccda;
import static org.ehrarchive.support.IdentityDocuments.fhir;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.ehrarchive.audit.AuditRecord;
import org.ehrarchive.identity.PatientLinks;
import org.ehrarchive.ingest.IngestProgress;
import org.ehrarchive.ingest.IngestService;
import org.ehrarchive.security.ArchiveUser;
import org.ehrarchive.security.Roles;
import org.ehrarchive.support.Accessibility;
import org.ehrarchive.support.ArchiveTestDatabase;
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
import org.openqa.selenium.support.ui.WebDriverWait;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * An admin reviews a proposed identity link in a real browser (headless Chromium, as {@link PortalBrowserTest}): the
 * proposal listed, its evidence field by field, a decision without a reason refused, a rejection with one saved
 * and shown in the history, and both the views and the decision in the access audit. Each page passes
 * {@link Accessibility}'s axe-core check.
 */
@QuarkusTest
@WithTestResource(ArchiveTestDatabase.class)
class IdentityBrowserTest {

    private static final String USER = "identity-browser-admin";
    private static final String PASSWORD = "identity-browser-password";

    @TestHTTPResource("/")
    URL portal;

    @Inject
    IngestService ingest;
    @Inject
    PatientLinks links;

    private WebDriver browser;
    private PatientLinks.Link proposal;

    @BeforeEach
    void proposeALinkAndStartTheBrowser(@TempDir Path folder) throws Exception {
        Requirements.chromium();
        QuarkusTransaction.requiringNew().run(() -> {
            if (ArchiveUser.count("username", USER) == 0) {
                ArchiveUser.create(USER, PASSWORD, Roles.ADMIN);
            }
        });
        Person person = Person.fresh();
        String otherSystem = "urn:test:" + UUID.randomUUID();
        IdentityDocuments.write(folder.resolve("ccda"), "c.xml", ccda(person.mrn(), person.given(), person.family(), "19650412", "F"));
        IdentityDocuments.write(folder.resolve("fhir"), "b.json", fhir("X-1", otherSystem, "Ottilei", person.family(), "1965-04-12", "female"));
        ingest.ingest(folder.resolve("ccda"), IngestProgress.NONE);
        ingest.ingest(folder.resolve("fhir"), IngestProgress.NONE);
        long patient = IdentityDocuments.archivedPatient(MRN_OID, person.mrn());
        proposal = links.ofPatient(patient).get(0);
        assertThat(proposal.state()).isEqualTo(PatientLinks.State.PROPOSED);
        browser = HeadlessChromium.start(1400, 1000);
    }

    @AfterEach
    void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void anAdminReadsTheEvidenceOfAProposalAndRejectsItWithAReason() throws Exception {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        browser.get(portal + "identity");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("username"))).sendKeys(USER);
        browser.findElement(By.id("password")).sendKeys(PASSWORD);
        browser.findElement(By.id("sign-in")).click();

        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("links")));
        assertThat(browser.findElement(By.id("links")).getText()).as("the proposal, both sides named").contains("Ottilei").contains("Ottilie");
        screenshot("identity-1-proposals");
        Accessibility.assertNoSeriousViolations(browser, "the proposed identity links");

        browser.findElement(By.linkText(Long.toString(proposal.id()))).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("evidence")));
        String evidence = browser.findElement(By.id("evidence")).getText();
        assertThat(evidence).as("field by field").contains("1965-04-12").contains("Ottilei").contains("Ottilie");
        screenshot("identity-2-evidence");
        Accessibility.assertNoSeriousViolations(browser, "a link's evidence and its decision form");

        browser.findElement(By.id("decision-REJECTED")).click();
        browser.findElement(By.id("save-decision")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("problem")));
        assertThat(browser.findElement(By.id("problem")).getText()).contains("needs a reason");
        assertThat(links.link(proposal.id()).orElseThrow().state()).as("nothing decided").isEqualTo(PatientLinks.State.PROPOSED);

        browser.findElement(By.id("decision-REJECTED")).click();
        browser.findElement(By.id("reason")).sendKeys("Different mothers' maiden names in the paper records");
        browser.findElement(By.id("save-decision")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("notice")));
        assertThat(browser.findElement(By.id("link-state")).getText()).isEqualTo("rejected");
        assertThat(browser.findElement(By.id("history")).getText()).contains("rejected").contains(USER)
                .contains("Different mothers' maiden names");
        assertThat(browser.findElements(By.id("decision-LINKED"))).as("a rejected pair can still be linked, by hand").hasSize(1);
        screenshot("identity-3-rejected");
        Accessibility.assertNoSeriousViolations(browser, "a rejected link with its history");

        List<AuditRecord> rows = QuarkusTransaction.requiringNew().call(() -> AuditRecord.<AuditRecord>list("userName = ?1 order by id", USER));
        assertThat(rows).filteredOn(r -> r.action.equals("VIEW_IDENTITY_LINKS"))
                .anySatisfy(r -> assertThat(r.objectId).isEqualTo(Long.toString(proposal.id())));
        assertThat(rows).filteredOn(r -> r.action.equals("IDENTITY_DECISION")).singleElement()
                .satisfies(r -> assertThat(r.objectId).isEqualTo(Long.toString(proposal.id())))
                .satisfies(r -> assertThat(r.detail).isEqualTo("REJECTED"));
    }

    private void screenshot(String name) throws Exception {
        Path target = Path.of("target", "screenshots");
        Files.createDirectories(target);
        Files.write(target.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }
}
