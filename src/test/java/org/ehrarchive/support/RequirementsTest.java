package org.ehrarchive.support;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/** A missing corpus or browser skips a test on a developer machine, and fails it in CI. */
class RequirementsTest {

    private static final Map<String, String> IN_CI = Map.of("CI", "true");
    private static final Map<String, String> ON_A_DEVELOPER_MACHINE = Map.of();
    private static final String MISSING_FOLDER = "no-such-corpus-folder";
    private static final Path NO_SUCH_PROGRAM = Path.of("/no/such/bin/chromium");

    @Test
    void inCiAMissingCorpusFolderFailsTheTestAndNamesTheFolder() {
        assertThatThrownBy(() -> Requirements.from(IN_CI).corpusFolder(MISSING_FOLDER))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining(MISSING_FOLDER)
                .hasMessageContaining("CI=true")
                .hasMessageContaining("must run, not be skipped");
    }

    @Test
    void outsideCiAMissingCorpusFolderSkipsTheTestWithTheReason() {
        assertThatThrownBy(() -> Requirements.from(ON_A_DEVELOPER_MACHINE).corpusFolder(MISSING_FOLDER))
                .isInstanceOf(TestAbortedException.class)
                .hasMessageContaining(MISSING_FOLDER);
    }

    @Test
    void ciSetToAnythingButTrueSkipsLikeADeveloperMachine() {
        assertThatThrownBy(() -> Requirements.from(Map.of("CI", "false")).require(false, "the browser is missing"))
                .isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("the browser is missing");
    }

    @Test
    void ciIsRecognisedWhateverItsCase() {
        assertThatThrownBy(() -> Requirements.from(Map.of("CI", "TRUE")).require(false, "the browser is missing"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("the browser is missing");
    }

    @Test
    void aRequirementThatIsMetLetsTheTestRunInCiAndElsewhere() {
        assertThatCode(() -> Requirements.from(IN_CI).require(true, "nothing")).doesNotThrowAnyException();
        assertThatCode(() -> Requirements.from(ON_A_DEVELOPER_MACHINE).require(true, "nothing")).doesNotThrowAnyException();
    }

    @Test
    void inCiAMissingBrowserFailsTheTestAndSaysWhatToInstall() {
        assertThatThrownBy(() -> Requirements.from(IN_CI).browser(NO_SUCH_PROGRAM, NO_SUCH_PROGRAM))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining(NO_SUCH_PROGRAM.toString())
                .hasMessageContaining("chromium-driver");
    }

    @Test
    void outsideCiAMissingBrowserSkipsTheTest() {
        assertThatThrownBy(() -> Requirements.from(ON_A_DEVELOPER_MACHINE).browser(NO_SUCH_PROGRAM, NO_SUCH_PROGRAM))
                .isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("chromium-driver");
    }
}
