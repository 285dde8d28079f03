package org.ehrarchive.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;

/**
 * What a test needs from the machine (the shared corpus, Chromium). On a developer machine a missing requirement
 * skips the test, with the reason. In CI (the environment variable {@code CI} is {@code true}) it fails the test
 * instead: a CI run that silently skipped the corpus or the browser would pass without testing them.
 */
public final class Requirements {

    /** Where {@code scripts/test.sh} installs Chromium and its WebDriver (Debian packages chromium, chromium-driver). */
    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private final boolean ci;

    /** Requirements as this test run sees them: strict when {@code CI=true}. */
    public static Requirements ofThisRun() {
        return from(System.getenv());
    }

    /** Requirements for the given environment variables (tests of this class pass their own). */
    static Requirements from(Map<String, String> environment) {
        return new Requirements("true".equalsIgnoreCase(environment.getOrDefault("CI", "").trim()));
    }

    private Requirements(boolean ci) {
        this.ci = ci;
    }

    /** The folder {@code ../shared/corpus/<folder>}, which must exist; returns it. */
    public static Path corpus(String folder) {
        return ofThisRun().corpusFolder(folder);
    }

    /** Chromium and chromedriver, which must be installed. */
    public static void chromium() {
        ofThisRun().browser(CHROMIUM, CHROMEDRIVER);
    }

    /** Root (uid 0), as in CI, for what only root may do: {@code why}, for example mounting a small tmpfs. */
    public static void root(String why) {
        ofThisRun().require(isRoot(), "this test is not run as root, which " + why + " needs");
    }

    private static boolean isRoot() {
        try {
            // /proc/self belongs to this process's user: no native call, and no assumption about the user's name.
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (java.io.IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    Path corpusFolder(String folder) {
        Path path = Fixtures.sharedCorpus().resolve(folder);
        require(Files.isDirectory(path), "the shared corpus folder " + path + " is not present (it lies beside the project, in ../shared/corpus)");
        return path;
    }

    void browser(Path chromium, Path chromedriver) {
        require(Files.isExecutable(chromium) && Files.isExecutable(chromedriver), chromium + " or " + chromedriver
                + " is not installed (scripts/test.sh installs the Debian packages chromium and chromium-driver)");
    }

    /** Passes when {@code met}; otherwise fails in CI and skips elsewhere, saying what is missing. */
    void require(boolean met, String missing) {
        if (met) {
            return;
        }
        if (ci) {
            throw new AssertionError("CI=true, and " + missing + ". In CI this test must run, not be skipped.");
        }
        Assumptions.abort("Skipped: " + missing + ". (With CI=true this fails instead.)");
    }
}
