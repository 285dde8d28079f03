package org.ehrarchive.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

/**
 * The accessibility check itself, on small pages of its own: it finds what it should, names it, lets moderate findings
 * pass, and works on a page whose Content-Security-Policy forbids inline script, as the portal's does.
 */
class AccessibilityTest {

    /** The portal's policy, as a meta element: no inline script, nothing from elsewhere. */
    private static final String POLICY = "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'\">";

    private static WebDriver browser;

    @BeforeAll
    static void startBrowser() throws Exception {
        Requirements.chromium();
        browser = HeadlessChromium.start(1000, 800);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void aPageWithAnUnlabelledFieldAndAnImageWithoutTextFailsNamingTheRulesAndTheElements() {
        show("<main><h1>Form</h1><img src=\"x.png\" id=\"photo\"><input type=\"text\" id=\"unnamed\"></main>");
        assertThatThrownBy(() -> Accessibility.assertNoSeriousViolations(browser, "the test page"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("the test page")
                .hasMessageContaining("image-alt (critical)").hasMessageContaining("#photo")
                .hasMessageContaining("label (critical)").hasMessageContaining("#unnamed");
        assertThat(((JavascriptExecutor) browser).executeScript("return document.title"))
                .as("the page's own inline script was blocked by its policy, and axe ran all the same").isEqualTo("Test page");
    }

    @Test
    void lowContrastTextFails() {
        // A presentational attribute: the policy would block a style attribute, as it does on the portal's pages.
        show("<main><h1>Pale</h1><p>Easy to read, <font color=\"#bbbbbb\" id=\"pale\">hard to read</font></p></main>");
        assertThatThrownBy(() -> Accessibility.assertNoSeriousViolations(browser, "the pale page"))
                .hasMessageContaining("color-contrast (serious)").hasMessageContaining("#pale");
    }

    @Test
    void aPageWithOnlyModerateFindingsPasses() {
        // No level-one heading and content outside landmarks: moderate findings of axe's best practices.
        show("<div><h2>No main heading</h2><p>Text outside any landmark.</p></div>");
        Accessibility.assertNoSeriousViolations(browser, "the moderate page");
    }

    private static void show(String body) {
        String page = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">" + POLICY + "<title>Test page</title></head><body>" + body
                + "<script>document.title = 'inline script ran';</script></body></html>";
        browser.get("data:text/html;charset=utf-8," + URLEncoder.encode(page, StandardCharsets.UTF_8).replace("+", "%20"));
    }
}
