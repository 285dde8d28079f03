package org.ehrarchive.support;

import java.io.IOException;
import java.nio.file.Files;

import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's Chromium, headless, driven through Debian's chromedriver ({@link Requirements#CHROMIUM},
 * {@link Requirements#CHROMEDRIVER}): the one browser the portal's browser tests use. Each start gets a fresh profile,
 * so no cookie or cache carries over between tests.
 */
public final class HeadlessChromium {

    private HeadlessChromium() {
    }

    /**
     * A new headless Chromium with a window of {@code width} × {@code height} CSS pixels (what the screenshots show);
     * call {@link Requirements#chromium()} first, and {@code quit()} the driver after the test.
     */
    public static ChromeDriver start(int width, int height) throws IOException {
        ChromeOptions options = new ChromeOptions().setBinary(Requirements.CHROMIUM.toFile()).addArguments("--headless=new", "--no-sandbox",
                "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=" + width + "," + height,
                "--user-data-dir=" + Files.createTempDirectory("chromium-profile-"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(Requirements.CHROMEDRIVER.toFile()).build();
        return new ChromeDriver(service, options);
    }
}
