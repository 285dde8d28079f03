package org.ehrarchive.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.ehrarchive.bench.CcdaGenerator;
import org.ehrarchive.ingest.IngestProgress;
import org.ehrarchive.ingest.IngestService;
import org.ehrarchive.indexing.SearchIndexer;
import org.ehrarchive.record.ClinicalDocument;
import org.ehrarchive.security.ArchiveUser;
import org.ehrarchive.security.Roles;
import org.ehrarchive.support.Accessibility;
import org.ehrarchive.support.ArchiveTestDatabase;
import org.ehrarchive.support.ArchivedFixture;
import org.ehrarchive.support.CcdaDocuments;
import org.ehrarchive.support.CcdaDocuments.Problem;
import org.ehrarchive.support.CcdaDocuments.Result;
import org.ehrarchive.support.HeadlessChromium;
import org.ehrarchive.support.Requirements;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.PrintsPage;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.print.PrintOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The chart in a real browser (issue 15): a patient with several documents, a creatinine trend with flags, a
 * corrected result with its history, the encounter timeline, a patient with nothing but demographics, keyboard
 * navigation (a skip link first, every link and field a Tab stop, focus outlined), and printing to PDF (clean on
 * paper: no navigation, the patient and the values). Every page it opens passes {@link Accessibility}'s axe-core
 * check. Screenshots go to {@code target/screenshots/} for docs/portal.md.
 */
@QuarkusTest
@WithTestResource(ArchiveTestDatabase.class)
class ChartBrowserTest {

    private static final String USER = "chart-browser-clinician";
    private static final String PASSWORD = "chart-browser-password";

    @TestHTTPResource("/")
    URL portal;

    @Inject
    IngestService ingest;
    @Inject
    SearchIndexer indexer;

    private WebDriver browser;
    private WebDriverWait wait;

    @BeforeEach
    void startBrowser() throws Exception {
        Requirements.chromium();
        QuarkusTransaction.requiringNew().run(() -> {
            if (ArchiveUser.count("username", USER) == 0) {
                ArchiveUser.create(USER, PASSWORD, Roles.CLINICIAN);
            }
        });
        browser = HeadlessChromium.start(1280, 1100);
        wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        browser.get(portal.toString());
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("username"))).sendKeys(USER);
        browser.findElement(By.id("password")).sendKeys(PASSWORD);
        browser.findElement(By.id("sign-in")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("name")));
    }

    @AfterEach
    void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void aClinicianReadsTheSummaryATrendWithFlagsAndACorrectedResultsHistory() throws Exception {
        long patient = patientWithTwoVisits();
        open("patients/" + patient, "chart-title");
        assertThat(text("section.banner")).contains("Vera Versions").contains("Female").contains("C-CDA (2)");
        assertThat(text("#summary-problems")).contains("Hypertension");
        assertThat(text("#summary-results")).contains("Creatinine").contains("▲ H");
        screenshot("chart-summary");
        Accessibility.assertNoSeriousViolations(browser, "the chart summary");

        browser.findElement(By.cssSelector("figure.trend figcaption a")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("trend-title")));
        WebElement plot = browser.findElement(By.cssSelector("svg.trend-plot"));
        assertThat(plot.isDisplayed()).isTrue();
        assertThat(plot.getSize().getWidth()).as("the plot is drawn at a readable size").isGreaterThan(300);
        assertThat(browser.findElements(By.cssSelector("svg.trend-plot g.point.abnormal"))).hasSize(2);
        screenshot("chart-trend");
        Accessibility.assertNoSeriousViolations(browser, "a trend");

        WebElement corrected = browser.findElements(By.cssSelector("table.facts tbody tr")).stream()
                .filter(row -> row.getText().contains("has earlier versions")).findFirst().orElseThrow();
        corrected.findElement(By.cssSelector("td a")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("occurrences")));
        assertThat(text("#occurrences")).contains("1.9 mg/dL").contains("2.4 mg/dL").contains("version 1, replaced");
        assertThat(text("#history-note")).contains("earlier versions");
        screenshot("chart-history");
        Accessibility.assertNoSeriousViolations(browser, "a corrected fact with its history");
    }

    @Test
    void theDemosGeneratedPatientReadsAsAChartWithTrendsOverYears() throws Exception {
        Path folder = Files.createTempDirectory("chart-demo-");
        // The generator the demo uses, with MRNs of this test's own (the test database is shared).
        new CcdaGenerator(2026, 4, "CHARTDEMO").writePatientHistories(folder, 2, 5);
        ingest.ingest(folder, "Chart browser demo " + UUID.randomUUID(), IngestProgress.NONE);
        long patient = QuarkusTransaction.requiringNew().call(() -> ClinicalDocument.<ClinicalDocument>find(
                "patientId in (select i.patientId from PatientIdentifier i where i.value = 'CHARTDEMO-1')").firstResult().patientId);
        open("patients/" + patient, "chart-title");
        assertThat(text("section.banner")).contains("C-CDA (5)");
        assertThat(browser.findElements(By.cssSelector("svg.trend-plot"))).isNotEmpty();
        int mostPoints = browser.findElements(By.cssSelector("svg.trend-plot")).stream()
                .mapToInt(plot -> plot.findElements(By.cssSelector("g.point")).size()).max().orElse(0);
        assertThat(mostPoints).as("a test repeated over the visits makes a trend").isGreaterThanOrEqualTo(3);
        screenshot("chart-demo");
        Accessibility.assertNoSeriousViolations(browser, "the demo patient's chart");
        open("patients/" + patient + "/encounters", "timeline");
        assertThat(browser.findElements(By.cssSelector("#timeline li.year li"))).hasSize(5);
        Accessibility.assertNoSeriousViolations(browser, "the demo patient's encounters");
    }

    @Test
    void theTimelineListsEncountersByYearAndAPatientWithNothingArchivedSaysSoInEachPart() throws Exception {
        long full = ArchivedFixture.archive(ingest, indexer, "full-ccd.xml").patientId();
        open("patients/" + full + "/encounters", "timeline");
        assertThat(browser.findElements(By.cssSelector("#timeline li.year"))).isNotEmpty();
        screenshot("chart-encounters");
        Accessibility.assertNoSeriousViolations(browser, "the encounters by year");

        CcdaDocuments bare = CcdaDocuments.forNewPatient();
        Path folder = Files.createTempDirectory("chart-bare-");
        bare.writeTo(folder, "bare.xml");
        ingest.ingest(folder, "Chart browser bare " + UUID.randomUUID(), IngestProgress.NONE);
        open("patients/" + patientOf(bare), "chart-title");
        assertThat(text("#summary-problems")).contains("No active problems archived.");
        assertThat(text("#summary-results")).contains("No results archived.");
        assertThat(text("main")).contains("No clinical entries archived for this patient.");
        screenshot("chart-empty");
        Accessibility.assertNoSeriousViolations(browser, "a chart with nothing archived");
    }

    @Test
    void theChartIsUsableFromTheKeyboard() throws Exception {
        long patient = ArchivedFixture.archive(ingest, indexer, "full-ccd.xml").patientId();
        open("patients/" + patient, "chart-title");
        WebElement trends = browser.findElement(By.linkText("Trends"));
        for (int i = 0; i < 40 && !trends.equals(browser.switchTo().activeElement()); i++) {
            browser.switchTo().activeElement().sendKeys(Keys.TAB);
        }
        assertThat(browser.switchTo().activeElement()).as("Tab reaches the chart's navigation").isEqualTo(trends);
        browser.switchTo().activeElement().sendKeys(Keys.ENTER);
        wait.until(ExpectedConditions.urlContains("/trends"));
    }

    @Test
    void theSkipLinkIsTheFirstTabStopAndMovesFocusToTheContent() throws Exception {
        long patient = ArchivedFixture.archive(ingest, indexer, "full-ccd.xml").patientId();
        open("patients/" + patient, "chart-title");
        new Actions(browser).sendKeys(Keys.TAB).perform();
        WebElement first = browser.switchTo().activeElement();
        assertThat(first.getText()).as("the first Tab stop").isEqualTo("Skip to content");
        assertThat(first.isDisplayed()).as("the skip link shows when it has focus").isTrue();
        first.sendKeys(Keys.ENTER);
        assertThat(browser.switchTo().activeElement()).as("the skip link moves focus to the main content")
                .isEqualTo(browser.findElement(By.tagName("main")));
        new Actions(browser).sendKeys(Keys.TAB).perform();
        assertThat(browser.switchTo().activeElement().getText()).as("the next Tab stop is the chart's first link, past the portal's navigation")
                .isEqualTo("Summary");
        Object outline = ((JavascriptExecutor) browser).executeScript("return getComputedStyle(document.activeElement).outlineStyle;");
        assertThat(outline).as("the focused link is outlined (portal.css, :focus-visible)").isEqualTo("solid");
    }

    @Test
    void tabReachesEverythingThatCanBeClickedOnTheChartPages() throws Exception {
        long patient = patientWithTwoVisits();
        for (String page : List.of("patients/" + patient, "patients/" + patient + "/trends", "patients/" + patient + "/trends/loinc-2160-0",
                "patients/" + patient + "/encounters", "patients/" + patient + "/sections/result")) {
            open(page, "chart-title");
            List<WebElement> interactive = browser.findElements(By.cssSelector(
                    "a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex='-1'])"))
                    .stream().filter(WebElement::isDisplayed).toList();
            assertThat(interactive).as(page + ": links and buttons found").hasSizeGreaterThan(5);
            assertThat(tabStops()).as(page + ": every link, button and field is a Tab stop").containsAll(interactive);
        }
    }

    @Test
    void everyOtherPartOfTheChartPassesTheAccessibilityCheck() throws Exception {
        long patient = patientWithTwoVisits();
        open("patients/" + patient + "/sections/result", "section-title");
        Accessibility.assertNoSeriousViolations(browser, "a section of the chart");
        open("patients/" + patient + "/trends", "trends-title");
        Accessibility.assertNoSeriousViolations(browser, "every test's trend");
        browser.findElement(By.cssSelector("figure.trend figcaption a")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("print-trend"))).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("print-now")));
        Accessibility.assertNoSeriousViolations(browser, "a printable trend");

        ArchivedFixture.Archived full = ArchivedFixture.archive(ingest, indexer, "full-ccd.xml");
        open("patients/" + full.patientId() + "/encounters", "timeline");
        browser.findElement(By.cssSelector("#timeline li.year li a")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("encounter-title")));
        Accessibility.assertNoSeriousViolations(browser, "an encounter");
        open("patients/" + full.patientId() + "/encounters?from=last-year", "timeline");
        assertThat(browser.findElements(By.cssSelector("p.error"))).as("the filter explains what it refused").isNotEmpty();
        Accessibility.assertNoSeriousViolations(browser, "the encounters with a refused filter");
        open("documents/" + full.documentId(), "document-title");
        Accessibility.assertNoSeriousViolations(browser, "a document");
        open("documents/" + full.documentId() + "/print", "print-now");
        Accessibility.assertNoSeriousViolations(browser, "a printable document");
    }

    @Test
    void theSummaryPrintsCleanlyOnPaper() throws Exception {
        long patient = patientWithTwoVisits();
        open("patients/" + patient + "/print", "chart-title");
        screenshot("chart-print");
        Accessibility.assertNoSeriousViolations(browser, "the printable summary");
        String pdfBase64 = ((PrintsPage) browser).print(new PrintOptions()).getContent();
        try (PDDocument pdf = Loader.loadPDF(Base64.getDecoder().decode(pdfBase64))) {
            String paper = new PDFTextStripper().getText(pdf);
            assertThat(paper).contains("Vera Versions").contains("Hypertension").contains("Creatinine").contains("Printed by " + USER);
            assertThat(paper).as("no navigation or buttons on paper").doesNotContain("Sign out").doesNotContain("Print summary")
                    .doesNotContain("Text search");
        }
        Object printMedia = ((ChromeDriver) browser).executeCdpCommand("Emulation.setEmulatedMedia", Map.of("media", "print"));
        assertThat(printMedia).isNotNull();
        assertThat(browser.findElement(By.id("print-now")).isDisplayed()).as("the Print button is not printed").isFalse();
    }

    /** Two visits of Vera Versions: creatinine rising over the years, one result corrected by the later document. */
    private long patientWithTwoVisits() throws Exception {
        Path folder = Files.createTempDirectory("chart-browser-");
        String corrected = UUID.randomUUID().toString();
        CcdaDocuments first = CcdaDocuments.forNewPatient().effectiveTime("20200301120000+0000")
                .problem(new Problem(UUID.randomUUID().toString(), "38341003", "Hypertension", "active", "20150301"))
                .result(new Result(UUID.randomUUID().toString(), "2160-0", "Creatinine", "0.9", "mg/dL", "0.6", "1.3", "N", "20170301"))
                .result(new Result(UUID.randomUUID().toString(), "2160-0", "Creatinine", "1.1", "mg/dL", "0.6", "1.3", "N", "20180301"))
                .result(new Result(UUID.randomUUID().toString(), "2160-0", "Creatinine", "1.2", "mg/dL", "0.6", "1.3", "N", "20190301"))
                .result(new Result(corrected, "2160-0", "Creatinine", "2.4", "mg/dL", "0.6", "1.3", "H", "20200301"));
        CcdaDocuments second = CcdaDocuments.forPatientOf(first).effectiveTime("20210301120000+0000")
                .problem(new Problem(UUID.randomUUID().toString(), "38341003", "Hypertension", "active", "20150301"))
                .result(new Result(corrected, "2160-0", "Creatinine", "1.9", "mg/dL", "0.6", "1.3", "H", "20200301"))
                .result(new Result(UUID.randomUUID().toString(), "2160-0", "Creatinine", "2.2", "mg/dL", "0.6", "1.3", "H", "20210301"));
        first.writeTo(folder.resolve("2020"), "visit.xml");
        second.writeTo(folder.resolve("2021"), "visit.xml");
        String system = "Chart browser " + UUID.randomUUID();
        ingest.ingest(folder.resolve("2020"), system, IngestProgress.NONE);
        ingest.ingest(folder.resolve("2021"), system, IngestProgress.NONE);
        return patientOf(first);
    }

    private void open(String path, String waitForId) {
        browser.get(portal.toString() + path);
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id(waitForId)));
    }

    /** Every element Tab stops at, from the top of the page until focus comes round to the first again. */
    private List<WebElement> tabStops() {
        List<WebElement> stops = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            new Actions(browser).sendKeys(Keys.TAB).perform();
            WebElement active = browser.switchTo().activeElement();
            if (!stops.isEmpty() && active.equals(stops.get(0))) {
                return stops;
            }
            if (!"body".equals(active.getTagName())) {
                stops.add(active);
            }
        }
        throw new AssertionError("Tab did not come round to the first stop in 500 presses");
    }

    private String text(String css) {
        return browser.findElement(By.cssSelector(css)).getText();
    }

    private static long patientOf(CcdaDocuments document) {
        return QuarkusTransaction.requiringNew().call(() -> ClinicalDocument.<ClinicalDocument>find(
                "patientId in (select i.patientId from PatientIdentifier i where i.value = ?1)", document.mrn()).firstResult().patientId);
    }

    private void screenshot(String name) throws Exception {
        Path target = Path.of("target", "screenshots");
        Files.createDirectories(target);
        Files.write(target.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }
}
