package org.ehrarchive.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import org.ehrarchive.audit.AuditRecord;
import org.ehrarchive.ingest.IngestProgress;
import org.ehrarchive.ingest.IngestService;
import org.ehrarchive.indexing.SearchIndexer;
import org.ehrarchive.security.ArchiveUser;
import org.ehrarchive.security.Roles;
import org.ehrarchive.support.Accessibility;
import org.ehrarchive.support.ArchiveTestDatabase;
import org.ehrarchive.support.ArchivedFixture;
import org.ehrarchive.support.Fixtures;
import org.ehrarchive.support.HeadlessChromium;
import org.ehrarchive.support.Requirements;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The portal in a real browser (Debian's headless Chromium, installed by the test script): sign in, find a patient
 * with a typo, read the chart, open a document; each read lands in the access audit. Markup archived in a document
 * runs nothing. The sign-in, search, chart, document and error pages pass {@link Accessibility}'s axe-core check.
 * Screenshots go to {@code target/screenshots/} (the README's tour uses them).
 */
@QuarkusTest
@WithTestResource(ArchiveTestDatabase.class)
class PortalBrowserTest {

    private static final String USER = "browser-clinician";
    private static final String PASSWORD = "browser-test-password";
    /** Names, titles and narratives full of markup a browser would run (see the file's comment). */
    private static final String HOSTILE_FIXTURE = "hostile-markup.xml";

    @TestHTTPResource("/")
    URL portal;

    @Inject
    IngestService ingest;
    @Inject
    SearchIndexer indexer;

    private WebDriver browser;

    @BeforeEach
    void startBrowserWithAnArchivedPatient() throws Exception {
        Requirements.chromium();
        QuarkusTransaction.requiringNew().run(() -> {
            if (ArchiveUser.count("username", USER) == 0) {
                ArchiveUser.create(USER, PASSWORD, Roles.CLINICIAN);
            }
        });
        Path folder = Files.createTempDirectory("portal-test-");
        Fixtures.copy("ccda", "full-ccd.xml", folder);
        ingest.ingest(folder, IngestProgress.NONE);
        indexer.drain(done -> { });

        browser = HeadlessChromium.start(1280, 1000);
    }

    @AfterEach
    void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void aClinicianSignsInFindsAPatientReadsTheChartAndADocument() throws Exception {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        browser.get(portal.toString());
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("username")));
        assertThat(browser.getCurrentUrl()).as("the portal needs a signed-in user").contains("/login");
        screenshot("1-login");
        Accessibility.assertNoSeriousViolations(browser, "the sign-in page");
        signIn(wait);

        browser.findElement(By.id("name")).sendKeys("Testy Fixtur");
        browser.findElement(By.id("find")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("results")));
        assertThat(browser.getCurrentUrl()).as("no search terms in the URL").doesNotContain("Fixtur");
        screenshot("2-search");
        Accessibility.assertNoSeriousViolations(browser, "the patient search with results");
        browser.findElement(By.cssSelector("#results a")).click();

        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("chart-title")));
        assertThat(browser.getPageSource()).contains("Diabetes mellitus type 2").contains("Penicillin G").contains("MRN-4711");
        screenshot("3-chart");
        Accessibility.assertNoSeriousViolations(browser, "the chart");
        browser.findElement(By.id("documents")).findElement(By.linkText("Fixture Continuity of Care Document")).click();

        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("document-title")));
        assertThat(browser.findElement(By.tagName("main")).getText()).contains("increased thirst");
        screenshot("4-document");
        Accessibility.assertNoSeriousViolations(browser, "the document");

        browser.get(portal.toString() + "no-such-page");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("main.error-page")));
        Accessibility.assertNoSeriousViolations(browser, "the error page (404)");

        List<String> actions = QuarkusTransaction.requiringNew().call(() -> AuditRecord.<AuditRecord>list("userName = ?1 order by id", USER)
                .stream().map(row -> row.action).toList());
        assertThat(actions).contains("SEARCH_PATIENTS", "VIEW_CHART", "VIEW_DOCUMENT");
    }

    @Test
    void markupInAnArchivedDocumentRunsNoScriptOnItsPagesInARealBrowser() throws Exception {
        ArchivedFixture.Archived hostile = ArchivedFixture.archive(ingest, indexer, HOSTILE_FIXTURE);
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        browser.get(portal.toString());
        signIn(wait);

        browser.get(portal.toString() + "documents/" + hostile.documentId());
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("document-title")));
        assertNoScriptRanAndNothingActiveIsInThePage("the document");
        assertThat(browser.findElement(By.id("document-title")).getText()).isEqualTo("Hostile Fixture Summary <script>window.pwned=1</script>");
        assertThat(browser.findElement(By.tagName("main")).getText()).contains("Patient reports a zebrafinch");

        browser.get(portal.toString() + "patients/" + hostile.patientId());
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("chart-title")));
        assertNoScriptRanAndNothingActiveIsInThePage("the chart");

        browser.get(portal.toString() + "search");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("words"))).sendKeys("zebrafinch");
        browser.findElement(By.id("search")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("ol.hits")));
        assertNoScriptRanAndNothingActiveIsInThePage("the text search");
        assertThat(browser.findElements(By.cssSelector("ol.hits .snippet mark")).stream().map(WebElement::getText))
                .as("the word searched for is highlighted").contains("zebrafinch");
        Accessibility.assertNoSeriousViolations(browser, "the text search with hits");
    }

    /**
     * Every payload of the hostile fixture sets {@code window.pwned} or the page title; none may have run, and nothing
     * that runs, loads or restyles may be in the page (the Content-Security-Policy would stop most of it: this checks
     * the page itself).
     */
    private void assertNoScriptRanAndNothingActiveIsInThePage(String page) {
        JavascriptExecutor js = (JavascriptExecutor) browser;
        // Give event handlers (an image's onerror, an svg's onload) a moment to fire if they are there.
        Object pwned = js.executeAsyncScript("const done = arguments[arguments.length - 1]; setTimeout(() => done(typeof window.pwned), 300);");
        assertThat(pwned).as(page + ": window.pwned").isEqualTo("undefined");
        assertThat(browser.getTitle()).as(page + ": title").endsWith("· Legacy EHR archive").doesNotContain("pwned");
        Object active = js.executeScript("""
                const found = [];
                document.querySelectorAll('script, iframe, frame, object, embed, svg, math, style, base, img, meta[http-equiv]')
                    .forEach(e => found.push('<' + e.tagName.toLowerCase() + '>'));
                document.querySelectorAll('*').forEach(e => {
                    for (const a of e.attributes) {
                        const value = a.value.replace(/[\\s\\x00-\\x1f]/g, '').toLowerCase();
                        if (a.name.startsWith('on') || a.name === 'style' || value.includes('javascript:')) {
                            found.push(e.tagName.toLowerCase() + ' ' + a.name);
                        }
                    }
                });
                return found;""");
        assertThat((List<?>) active).as(page + ": elements and attributes that run, load or restyle").isEmpty();
        assertThat(browser.findElement(By.tagName("main")).isDisplayed()).as(page + ": no archived style hides the page").isTrue();
    }

    private void signIn(WebDriverWait wait) {
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("username"))).sendKeys(USER);
        browser.findElement(By.id("password")).sendKeys(PASSWORD);
        browser.findElement(By.id("sign-in")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("name")));
    }

    private void screenshot(String name) throws Exception {
        Path target = Path.of("target", "screenshots");
        Files.createDirectories(target);
        Files.write(target.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }
}
