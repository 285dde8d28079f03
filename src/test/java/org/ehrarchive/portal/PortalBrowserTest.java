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
import org.ehrarchive.support.ArchiveTestDatabase;
import org.ehrarchive.support.Fixtures;
import org.ehrarchive.support.Requirements;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The portal in a real browser (Debian's headless Chromium, installed by the test script): sign in, find a patient
 * with a typo, read the chart, open a document; each read lands in the access audit. Screenshots go to
 * {@code target/screenshots/} (the README's tour uses them).
 */
@QuarkusTest
@WithTestResource(ArchiveTestDatabase.class)
class PortalBrowserTest {

    private static final Path CHROMIUM = Requirements.CHROMIUM;
    private static final Path CHROMEDRIVER = Requirements.CHROMEDRIVER;
    private static final String USER = "browser-clinician";
    private static final String PASSWORD = "browser-test-password";

    @TestHTTPResource("/")
    URL portal;

    @Inject
    IngestService ingest;
    @Inject
    SearchIndexer indexer;

    private WebDriver browser;
    private Path profile;

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

        profile = Files.createTempDirectory("chromium-profile-");
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile()).addArguments("--headless=new", "--no-sandbox",
                "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1280,1000", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
        browser = new ChromeDriver(service, options);
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

        browser.findElement(By.id("username")).sendKeys(USER);
        browser.findElement(By.id("password")).sendKeys(PASSWORD);
        browser.findElement(By.id("sign-in")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("name")));

        browser.findElement(By.id("name")).sendKeys("Testy Fixtur");
        browser.findElement(By.id("find")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("results")));
        assertThat(browser.getCurrentUrl()).as("no search terms in the URL").doesNotContain("Fixtur");
        screenshot("2-search");
        browser.findElement(By.cssSelector("#results a")).click();

        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("chart-title")));
        assertThat(browser.getPageSource()).contains("Diabetes mellitus type 2").contains("Penicillin G").contains("MRN-4711");
        screenshot("3-chart");
        browser.findElement(By.id("documents")).findElement(By.linkText("Fixture Continuity of Care Document")).click();

        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("document-title")));
        assertThat(browser.findElement(By.tagName("main")).getText()).contains("increased thirst");
        screenshot("4-document");

        List<String> actions = QuarkusTransaction.requiringNew().call(() -> AuditRecord.<AuditRecord>list("userName = ?1 order by id", USER)
                .stream().map(row -> row.action).toList());
        assertThat(actions).contains("SEARCH_PATIENTS", "VIEW_CHART", "VIEW_DOCUMENT");
    }

    private void screenshot(String name) throws Exception {
        Path target = Path.of("target", "screenshots");
        Files.createDirectories(target);
        Files.write(target.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }
}
