package org.ehrarchive.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.ehrarchive.support.ArchiveJar;
import org.ehrarchive.support.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exit codes the README promises, on the packaged jar: {@code 1} when the run itself failed (missing input,
 * database unreachable, report not writable), {@code 2} on a usage error. Scripts that run the archive rely on
 * them, and on a message that says what went wrong rather than a stack trace.
 */
class ExitCodesIT {

    private static final Duration RUN_LIMIT = Duration.ofMinutes(3);
    private static final Path TABLE_DUMPS = Path.of("src/test/resources/fixtures/table-dump").toAbsolutePath();
    /** A run that cannot reach its database must say so promptly, not hang. */
    private static final Duration FAILS_WITHIN = Duration.ofSeconds(60);
    /** A usage error is found before anything starts. */
    private static final Duration USAGE_ERROR_WITHIN = Duration.ofSeconds(30);

    @Test
    void aUsageErrorExitsTwoWithTheUsageAndStartsNoDatabase(@TempDir Path work) throws Exception {
        ArchiveJar archive = new ArchiveJar(work);

        int unknownOption = archive.run("unknown-option", USAGE_ERROR_WITHIN, "ingest", "--no-such-option", work.toString());
        int missingArgument = archive.run("missing-argument", USAGE_ERROR_WITHIN, "ingest");
        int missingRole = archive.run("missing-role", USAGE_ERROR_WITHIN, "user", "add", "someone");
        int blankSourceSystem = archive.run("blank-source-system", USAGE_ERROR_WITHIN, "ingest", "--source-system", " ", work.toString());
        int badProfile = archive.run("bad-profile", USAGE_ERROR_WITHIN, "ingest", "--profile", TABLE_DUMPS.resolve("profile-errors/profile.yaml").toString(),
                work.toString());

        assertThat(unknownOption).as(archive.output("unknown-option")).isEqualTo(ArchiveCommand.ExitCodes.USAGE);
        assertThat(archive.output("unknown-option")).contains("Unknown option: '--no-such-option'").contains("Usage: ehr-archive ingest");
        assertThat(missingArgument).as(archive.output("missing-argument")).isEqualTo(ArchiveCommand.ExitCodes.USAGE);
        assertThat(archive.output("missing-argument")).contains("Missing required parameter: '<file-or-folder>'");
        assertThat(missingRole).as(archive.output("missing-role")).isEqualTo(ArchiveCommand.ExitCodes.USAGE);
        assertThat(archive.output("missing-role")).contains("Missing required option: '--role=<role>'");
        assertThat(blankSourceSystem).as(archive.output("blank-source-system")).isEqualTo(ArchiveCommand.ExitCodes.USAGE);
        assertThat(archive.output("blank-source-system")).contains("Invalid value for option '--source-system': a source system needs a name");
        assertThat(badProfile).as(archive.output("bad-profile")).isEqualTo(ArchiveCommand.ExitCodes.USAGE);
        assertThat(archive.output("bad-profile")).contains("Invalid value for option '--profile'").contains("profile.yaml:4: unknown key encoding")
                .contains("profile validate");
        assertThat(archive.dataDir().resolve("postgres")).as("a mistyped command starts no database").doesNotExist();
    }

    /** {@code profile validate} and {@code draft} work on a profile and a dump alone: no archive, no database. */
    @Test
    void theProfileCommandsExitZeroOrThreeAndStartNoDatabase(@TempDir Path work) throws Exception {
        ArchiveJar archive = new ArchiveJar(work);

        int valid = archive.run("valid", USAGE_ERROR_WITHIN, "profile", "validate", "synthea-csv", TABLE_DUMPS.resolve("small-synthea").toString());
        int invalid = archive.run("invalid", USAGE_ERROR_WITHIN, "profile", "validate", TABLE_DUMPS.resolve("profile-errors/profile.yaml").toString(),
                TABLE_DUMPS.resolve("profile-errors").toString());
        int broken = archive.run("broken-join", USAGE_ERROR_WITHIN, "profile", "validate", TABLE_DUMPS.resolve("broken-join/profile.yaml").toString(),
                TABLE_DUMPS.resolve("broken-join").toString());
        Path drafted = work.resolve("drafted.yaml");
        int draft = archive.run("draft", USAGE_ERROR_WITHIN, "profile", "draft", TABLE_DUMPS.resolve("small-synthea").toString(), "--out", drafted.toString());

        assertThat(valid).as(archive.output("valid")).isEqualTo(ArchiveCommand.ExitCodes.OK);
        assertThat(archive.output("valid")).contains("profile synthea-csv: valid (16 tables)").contains("dump: no problem");
        assertThat(invalid).as(archive.output("invalid")).isEqualTo(ArchiveCommand.ExitCodes.CHECK_FAILED);
        assertThat(archive.output("invalid")).contains("profile.yaml:4:").contains("profile.yaml:11:").contains("profile.yaml:25:")
                .contains("profile.yaml:27:").contains("profile.yaml:29:").contains("5 problems");
        assertThat(broken).as(archive.output("broken-join")).isEqualTo(ArchiveCommand.ExitCodes.CHECK_FAILED);
        assertThat(archive.output("broken-join")).contains("observations.csv:3:").contains("observations.csv:5:");
        assertThat(draft).as(archive.output("draft")).isEqualTo(ArchiveCommand.ExitCodes.OK);
        assertThat(drafted).content().contains("tables:").contains("patients:");
        assertThat(archive.dataDir().resolve("postgres")).as("no database for profiles").doesNotExist();
    }

    @Test
    void anUnreachableDatabaseExitsOneWithOneClearLineAndNoStackTrace(@TempDir Path work) throws Exception {
        int closedPort = ArchiveJar.freePort();
        ArchiveJar archive = new ArchiveJar(work).withEnvironment(Map.of(
                "QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://127.0.0.1:" + closedPort + "/archive",
                "QUARKUS_DATASOURCE_USERNAME", "archive",
                "QUARKUS_DATASOURCE_PASSWORD", "not-a-real-password"));
        Path input = work.resolve("export");
        Fixtures.copy("ccda", "undeclared-prefixes.xml", input);

        int exit = archive.run("unreachable", FAILS_WITHIN, "ingest", input.toString());

        String printed = archive.output("unreachable");
        assertThat(exit).as(printed).isEqualTo(ArchiveCommand.ExitCodes.RUN_FAILED);
        assertThat(printed).contains("the archive did not start").contains("127.0.0.1:" + closedPort).contains("refused");
        assertThat(printed.lines()).as("one clear line, not a stack trace: " + printed)
                .noneMatch(line -> line.stripLeading().startsWith("at ") || line.startsWith("Caused by"))
                .hasSizeLessThanOrEqualTo(3);
        assertThat(printed).doesNotContain("not-a-real-password");
    }

    @Test
    void aRunThatCannotDoWhatWasAskedExitsOneAndSaysWhy(@TempDir Path work) throws Exception {
        ArchiveJar archive = new ArchiveJar(work);

        int missing = archive.run("missing", RUN_LIMIT, "ingest", work.resolve("no-such-folder").toString());
        assertThat(missing).as(archive.output("missing")).isEqualTo(ArchiveCommand.ExitCodes.RUN_FAILED);
        assertThat(archive.output("missing")).contains("Nothing to ingest at");

        Path input = work.resolve("export");
        Fixtures.copy("ccda", "undeclared-prefixes.xml", input);
        Path fileInTheWay = Files.writeString(work.resolve("reports"), "a file where the report's folder should be");
        int unwritable = archive.run("unwritable-report", RUN_LIMIT, "ingest", input.toString(),
                "--report-json", fileInTheWay.resolve("report.json").toString());
        assertThat(unwritable).as(archive.output("unwritable-report")).isEqualTo(ArchiveCommand.ExitCodes.RUN_FAILED);
        assertThat(archive.output("unwritable-report")).contains("cannot write the report to " + fileInTheWay.resolve("report.json"))
                .as("it is found before a long batch runs, not after").contains("nothing was ingested").doesNotContain("files:");
    }

    /**
     * Issue 18, item 7: a failed start of the embedded database once dumped thousands of TRACE and DEBUG lines of
     * its library to the console. A data directory whose {@code postgres} folder holds a stray file (initdb refuses
     * it) fails the start at once: one line that says what failed, no library chatter, no stack trace.
     */
    @Test
    void aFailedStartOfTheEmbeddedDatabaseSaysSoInOneLineWithoutTheLibrarysDebugOutput(@TempDir Path work) throws Exception {
        ArchiveJar archive = new ArchiveJar(work);
        Files.createDirectories(archive.dataDir().resolve("postgres"));
        Files.writeString(archive.dataDir().resolve("postgres/left-behind.txt"), "not a PostgreSQL cluster");
        Path input = work.resolve("export");
        Fixtures.copy("ccda", "undeclared-prefixes.xml", input);

        int exit = archive.run("failed-start", FAILS_WITHIN, "ingest", input.toString());

        String printed = archive.output("failed-start");
        assertThat(exit).as(printed).isEqualTo(ArchiveCommand.ExitCodes.RUN_FAILED);
        assertThat(printed).contains("the embedded database did not start").contains("initdb");
        assertThat(printed).doesNotContain("TRACE").doesNotContain("DEBUG").doesNotContain("io.zonky");
        assertThat(printed.lines()).as("one clear line, not a stack trace: " + printed)
                .noneMatch(line -> line.stripLeading().startsWith("at ") || line.startsWith("Caused by"))
                .hasSizeLessThanOrEqualTo(3);
    }
}
