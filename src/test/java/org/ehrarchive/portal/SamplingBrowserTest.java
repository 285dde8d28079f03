package org.ehrarchive.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.ehrarchive.audit.AuditRecord;
import org.ehrarchive.ingest.IngestService;
import org.ehrarchive.ingest.SourceSystems;
import org.ehrarchive.sampling.SampledFixtures;
import org.ehrarchive.sampling.SamplingPlans;
import org.ehrarchive.security.ArchiveUser;
import org.ehrarchive.security.Roles;
import org.ehrarchive.support.Accessibility;
import org.ehrarchive.support.ArchiveTestDatabase;
import org.ehrarchive.support.HeadlessChromium;
import org.ehrarchive.support.Requirements;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
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
 * A clinician reviews a sampled record in a real browser (headless Chromium, as {@link PortalBrowserTest}): the
 * original beside what the archive shows, a wrong without a note refused, with a note saved, the plan's results
 * updated, and both the view and the decision in the access audit. Each page passes {@link Accessibility}'s axe-core check.
 */
@QuarkusTest
@WithTestResource(ArchiveTestDatabase.class)
class SamplingBrowserTest {

    private static final String USER = "sampling-browser-clinician";
    private static final String PASSWORD = "sampling-browser-password";

    @TestHTTPResource("/")
    URL portal;

    @Inject
    IngestService ingest;
    @Inject
    SourceSystems systems;
    @Inject
    SamplingPlans plans;

    private WebDriver browser;
    private long planId;
    private SamplingPlans.ItemResult item;

    @BeforeEach
    void drawAPlanAndStartTheBrowser() throws Exception {
        Requirements.chromium();
        QuarkusTransaction.requiringNew().run(() -> {
            if (ArchiveUser.count("username", USER) == 0) {
                ArchiveUser.create(USER, PASSWORD, Roles.CLINICIAN);
            }
        });
        long system = SampledFixtures.archive(ingest, systems, "Browser-sampled EHR " + UUID.randomUUID());
        planId = plans.draw(system, 2024, 1, null, null, "sampling-browser-admin");
        item = plans.items(planId).stream().filter(i -> i.recordType().equals("document")).findFirst().orElseThrow();

        browser = HeadlessChromium.start(1400, 1000);
    }

    @AfterEach
    void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void aClinicianComparesASampledRecordWithItsOriginalAndMarksItWrongWithANote() throws Exception {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        browser.get(portal + "sampling/" + planId + "/items/" + item.itemId());
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("username"))).sendKeys(USER);
        browser.findElement(By.id("password")).sendKeys(PASSWORD);
        browser.findElement(By.id("sign-in")).click();

        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("review-title")));
        assertThat(browser.findElement(By.id("excerpt")).getText()).as("the original, left").contains("ClinicalDocument");
        String normalized = browser.findElement(By.id("normalized")).getText();
        assertThat(normalized).as("what the archive shows, right").contains("Record type").contains("Title")
                .contains("Fixture Continuity of Care Document");
        // The reviewer compares the archive's value with the original's 20120806101500-0500: the exact ISO value
        // first, then the form the chart shows it in.
        assertThat(normalized.replace('\u202f', ' ')).as("a date, exact and for people")
                .containsPattern("2012-08-06T10:15(:00)?-05:00 \\(Aug 6, 2012, 10:15");
        int left = browser.findElement(By.id("original")).getLocation().getX();
        int right = browser.findElement(By.id("normalized")).getLocation().getX();
        assertThat(right).as("side by side").isGreaterThan(left + 300);
        screenshot("sampling-1-review");
        Accessibility.assertNoSeriousViolations(browser, "the review of a sampled record");

        browser.findElement(By.id("decision-wrong")).click();
        browser.findElement(By.id("save-decision")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("problem")));
        assertThat(browser.findElement(By.id("problem")).getText()).contains("needs a note");
        assertThat(plans.decisions(item.itemId())).as("nothing saved").isEmpty();
        Accessibility.assertNoSeriousViolations(browser, "the review with a refused decision");

        browser.findElement(By.id("decision-wrong")).click();
        browser.findElement(By.id("note")).sendKeys("The author's organization is missing");
        browser.findElement(By.id("save-decision")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("notice")));
        assertThat(browser.findElement(By.id("history")).getText()).contains("wrong").contains("The author's organization is missing");
        assertThat(java.time.Instant.parse(browser.findElement(By.cssSelector("#history time")).getAttribute("datetime")))
                .as("when it was decided, exact in the attribute").isBefore(java.time.Instant.now());
        screenshot("sampling-2-decided");
        Accessibility.assertNoSeriousViolations(browser, "the review with a saved decision and its history");

        browser.get(portal + "sampling/" + planId);
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("plan-items")));
        assertThat(browser.findElement(By.cssSelector("#plan-items tr.wrong")).getText()).contains("document").contains(USER);
        assertThat(browser.findElement(By.id("plan-types")).getText()).contains("document");
        screenshot("sampling-3-plan");
        Accessibility.assertNoSeriousViolations(browser, "the sampling plan");

        List<AuditRecord> rows = QuarkusTransaction.requiringNew().call(() -> AuditRecord.<AuditRecord>list("userName = ?1 order by id", USER));
        assertThat(rows).filteredOn(r -> r.action.equals("VIEW_SAMPLED_RECORD"))
                .anySatisfy(r -> assertThat(r.objectId).isEqualTo(Long.toString(item.sourceRecordId())));
        assertThat(rows).filteredOn(r -> r.action.equals("SAMPLE_DECISION"))
                .singleElement().satisfies(r -> assertThat(r.objectId).isEqualTo(Long.toString(item.itemId())))
                .satisfies(r -> assertThat(r.detail).isEqualTo("wrong"));
    }

    private void screenshot(String name) throws Exception {
        Path target = Path.of("target", "screenshots");
        Files.createDirectories(target);
        Files.write(target.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }
}
