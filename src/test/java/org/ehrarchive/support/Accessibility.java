package org.ehrarchive.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

/**
 * The portal's accessibility check: axe-core (Deque's, from the test classpath only) run on the page a browser test
 * has open, against WCAG 2.0, 2.1 and 2.2 A and AA and axe's best practices. A serious or critical violation fails
 * the test, naming the rule, what it asks for and the elements it found; moderate and minor findings do not.
 *
 * <p>The script is injected through WebDriver, which Chromium evaluates as a debugger would: the portal's
 * Content-Security-Policy ({@code default-src 'self'}) does not apply to it, and the portal never serves it.
 */
public final class Accessibility {

    /** The rule sets run: WCAG 2.0/2.1/2.2 levels A and AA, and axe's best practices. */
    public static final List<String> TAGS = List.of("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice");
    /** How many offending elements a failure lists per rule. */
    private static final int NODES_SHOWN = 5;
    private static final String AXE_RESOURCE = "axe.min.js";
    private static final String AXE_SOURCE = axeSource();

    private Accessibility() {
    }

    /** Fails, listing each serious or critical axe violation on the page the browser shows, if there is any. */
    public static void assertNoSeriousViolations(WebDriver browser, String pageName) {
        JavascriptExecutor js = (JavascriptExecutor) browser;
        js.executeScript(AXE_SOURCE);
        Object loaded = js.executeScript("return typeof window.axe === 'object' && typeof window.axe.run === 'function';");
        if (!Boolean.TRUE.equals(loaded)) {
            throw new AssertionError(pageName + ": axe-core did not load into the page (" + browser.getCurrentUrl() + ")");
        }
        Object answer = js.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                axe.run(document, { runOnly: { type: 'tag', values: arguments[0] }, resultTypes: ['violations'] })
                    .then(results => done(results.violations
                        .filter(v => v.impact === 'serious' || v.impact === 'critical')
                        .map(v => ({ id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,
                                     targets: v.nodes.slice(0, arguments[1]).map(n => n.target.join(' ')) }))))
                    .catch(e => done('axe-core failed: ' + e));""", TAGS, NODES_SHOWN);
        if (answer instanceof String failure) {
            throw new AssertionError(pageName + ": " + failure);
        }
        List<?> violations = (List<?>) answer;
        if (!violations.isEmpty()) {
            throw new AssertionError(pageName + " (" + browser.getCurrentUrl() + ") has " + violations.size()
                    + " serious or critical accessibility violation(s) (axe-core, " + String.join(", ", TAGS) + "):\n"
                    + violations.stream().map(v -> describe((Map<?, ?>) v)).collect(Collectors.joining("\n")));
        }
    }

    private static String describe(Map<?, ?> violation) {
        List<?> targets = (List<?>) violation.get("targets");
        long count = ((Number) violation.get("count")).longValue();
        return "- " + violation.get("id") + " (" + violation.get("impact") + "): " + violation.get("help") + "; " + count + " element(s): "
                + targets.stream().map(String::valueOf).collect(Collectors.joining(" | "))
                + (count > targets.size() ? " | …" : "");
    }

    private static String axeSource() {
        try (InputStream in = Accessibility.class.getClassLoader().getResourceAsStream(AXE_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(AXE_RESOURCE + " is not on the test classpath (the test dependency com.deque.html.axe-core:selenium bundles it)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
