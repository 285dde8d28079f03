package org.ehrarchive.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.ehrarchive.support.Requirements;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

/**
 * {@code profile validate|draft} as an admin runs them (no archive): the exit codes (0 valid, 3 problems, 1 the run
 * failed) and what is printed, on the table-dump fixtures (src/test/resources/fixtures/table-dump/README.md) and on the
 * Synthea CSV corpus.
 */
class ProfileCommandTest {

    /** What one run printed and returned. */
    record Run(int exitCode, String out, String err) {
        /** The printed lines that are problems ({@code file:line: message}). */
        List<String> problems() {
            return out.lines().filter(l -> l.matches("\\S+:\\d+: .*")).toList();
        }
    }

    static Run run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            code = new CommandLine(new ProfileCommand()).execute(args);
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    static Path fixture(String name) {
        try {
            return Path.of(ProfileCommandTest.class.getResource("/fixtures/table-dump/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Run validate(String fixture) {
        return run("validate", fixture(fixture).resolve("profile.yaml").toString(), fixture(fixture).toString());
    }

    /** A row of the per-file table: file, table, rows, archived, kept raw, quarantined. */
    static String row(String file, String table, int rows, int archived, int keptRaw, int quarantined) {
        return String.format("%-28s %-20s %10d %10d %10d %12d", file, table, rows, archived, keptRaw, quarantined);
    }

    @Test
    void theShippedProfileIsValid() {
        Run run = run("validate", "synthea-csv");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo("profile synthea-csv: valid (16 tables)\n");
    }

    @Test
    void theShippedProfileValidatesTheSmallSyntheaDumpTableByTable() {
        Run run = run("validate", "synthea-csv", fixture("small-synthea").toString());
        assertThat(run.exitCode()).as(run.out()).isZero();
        assertThat(run.out().lines().toList()).containsExactly(
                "profile synthea-csv: valid (16 tables)",
                String.format("%-28s %-20s %10s %10s %10s %12s", "file", "table", "rows", "archived", "kept raw", "quarantined"),
                row("organizations.csv", "organizations", 2, 0, 2, 0),
                row("providers.csv", "providers", 2, 0, 2, 0),
                row("payers.csv", "payers", 2, 0, 2, 0),
                row("patients.csv", "patients", 3, 3, 0, 0),
                row("encounters.csv", "encounters", 5, 5, 0, 0),
                row("conditions.csv", "conditions", 4, 4, 0, 0),
                row("allergies.csv", "allergies", 2, 2, 0, 0),
                row("medications.csv", "medications", 4, 4, 0, 0),
                row("observations.csv", "observations", 16, 16, 0, 0),
                row("procedures.csv", "procedures", 3, 3, 0, 0),
                row("immunizations.csv", "immunizations", 1, 1, 0, 0),
                row("careplans.csv", "careplans", 2, 2, 0, 0),
                row("devices.csv", "devices", 2, 2, 0, 0),
                row("supplies.csv", "supplies", 2, 2, 0, 0),
                row("imaging_studies.csv", "imaging_studies", 2, 2, 0, 0),
                row("payer_transitions.csv", "payer_transitions", 4, 4, 0, 0),
                "dump: no problem; every row would be archived as the table above says");
    }

    @Test
    void eachValidFixtureValidatesWithItsFolder() {
        assertValid("quoting", row("patients.csv", "patients", 3, 3, 0, 0), row("problems.csv", "problems", 4, 4, 0, 0));
        assertValid("encodings", row("patients.csv", "patients", 3, 3, 0, 0), row("problems.csv", "problems", 3, 3, 0, 0),
                row("allergies.csv", "allergies", 3, 3, 0, 0));
        assertValid("semicolon", row("patienten.csv", "patients", 3, 3, 0, 0), row("labor.csv", "labor", 5, 5, 0, 0));
        assertValid("unnamed-table", row("patients.csv", "patients", 2, 2, 0, 0), row("encounters.csv", "encounters", 2, 2, 0, 0),
                row("claims.csv", "(not in the profile: kept raw)", 3, 0, 3, 0));
    }

    private static void assertValid(String fixture, String... rows) {
        Run run = validate(fixture);
        assertThat(run.exitCode()).as(fixture + ":\n" + run.out() + run.err()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines.get(0)).as(fixture).startsWith("profile " + fixture + "-fixture: valid (");
        assertThat(lines.subList(2, lines.size() - 1)).as(fixture).containsExactly(rows);
        assertThat(lines.get(lines.size() - 1)).isEqualTo("dump: no problem; every row would be archived as the table above says");
        assertThat(run.problems()).isEmpty();
    }

    @Test
    void theProfileErrorsFixtureExitsThreeWithAllFiveProblemsByLine() {
        Run run = validate("profile-errors");
        assertThat(run.exitCode()).isEqualTo(3);
        String profile = fixture("profile-errors").resolve("profile.yaml").toString();
        assertThat(run.problems()).hasSize(5);
        assertThat(run.problems()).extracting(l -> l.substring(0, l.indexOf(": ") + 1)).containsExactly(profile + ":4:", profile + ":11:",
                profile + ":25:", profile + ":27:", profile + ":29:");
        assertThat(run.problems().get(4)).contains("DESCRIPTON");
        assertThat(run.out()).endsWith("profile: 5 problems; mend the profile and validate it again (no row was read)\n");
        assertThat(run.out()).as("no row was read").doesNotContain("archived");
    }

    @Test
    void raggedRowsBrokenJoinsAndBadDatesExitThreeNamingFileAndLine() {
        Run ragged = validate("ragged");
        assertThat(ragged.exitCode()).isEqualTo(3);
        assertThat(ragged.problems()).containsExactly("results.csv:3: the row has 7 fields; the header has 6",
                "results.csv:5: the row has 5 fields; the header has 6");
        assertThat(ragged.out()).contains(row("results.csv", "results", 5, 3, 0, 2), "dump: 2 problems; nothing was written");

        Run brokenJoin = validate("broken-join");
        assertThat(brokenJoin.exitCode()).isEqualTo(3);
        assertThat(brokenJoin.problems()).containsExactly("observations.csv:3: column PATIENT names a patient that patients.Id does not hold",
                "observations.csv:5: column ENCOUNTER names a row that encounters.Id does not hold");
        assertThat(brokenJoin.out()).contains(row("observations.csv", "observations", 5, 4, 0, 1));

        Run badDates = validate("bad-dates");
        assertThat(badDates.exitCode()).isEqualTo(3);
        assertThat(badDates.problems()).containsExactly(
                "problems.csv:3: column ONSET matches none of the date formats yyyy-MM-dd'T'HH:mm:ssX, yyyy-MM-dd",
                "problems.csv:5: column RESOLVED matches none of the date formats yyyy-MM-dd'T'HH:mm:ssX, yyyy-MM-dd");
        assertThat(badDates.out()).contains(row("problems.csv", "problems", 4, 2, 0, 2));
    }

    @Test
    void aMissingFolderOrProfileIsNoValidation() {
        Run noFolder = run("validate", "synthea-csv", fixture("small-synthea").resolve("no-such-folder").toString());
        assertThat(noFolder.exitCode()).isEqualTo(1);
        assertThat(noFolder.err()).startsWith("profile validate: no such folder: ");
        Run noProfile = run("validate", "no-such");
        assertThat(noProfile.exitCode()).isEqualTo(3);
        assertThat(noProfile.out()).startsWith("no-such: no such profile: neither a shipped profile (synthea-csv) nor a file\n");
    }

    @Test
    void aDraftOfTheSyntheaCorpusOnceItsSystemsAreNamedValidatesWithItsFolderSaveTheFarFutureEndDate(@TempDir Path temp) throws Exception {
        Path corpus = Requirements.corpus("synthea-dev/csv");
        Path draft = temp.resolve("draft.yaml");

        Run drafted = run("draft", corpus.toString(), "--name", "synthea-draft", "--out", draft.toString());
        assertThat(drafted.exitCode()).as(drafted.err()).isZero();
        assertThat(drafted.out()).as("written to --out, not printed").isEmpty();
        assertThat(drafted.err()).contains("draft written to " + draft);
        assertThat(Files.readString(draft)).contains("profile: synthea-draft");

        Run unmended = run("validate", draft.toString(), corpus.toString());
        assertThat(unmended.exitCode()).isEqualTo(3);
        assertThat(unmended.problems()).as("the draft's placeholder systems must be named before it is used").isNotEmpty()
                .allMatch(p -> p.contains("still has the draft's placeholder system"));
        Files.writeString(draft, Files.readString(draft).replaceAll("system: \"TODO[^\"]*\"", "system: \"urn:example:drafted\""));

        Run validated = run("validate", draft.toString(), corpus.toString());
        assertThat(validated.out()).startsWith("profile synthea-draft: valid (16 tables)\n");
        // Synthea writes a coverage that never ends as the year 292278994, which the draft's date formats do not read.
        assertThat(validated.problems()).containsExactly(
                "payer_transitions.csv:55: column END_DATE matches none of the date formats yyyy-MM-dd'T'HH:mm:ssX, yyyy-MM-dd");
        assertThat(Files.readAllLines(corpus.resolve("payer_transitions.csv")).get(54)).contains(",292278994-08-17T");
        assertThat(validated.exitCode()).isEqualTo(3);

        byte[] before = Files.readAllBytes(draft);
        Run again = run("draft", corpus.toString(), "--out", draft.toString());
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).contains(draft + " exists");
        assertThat(Files.readAllBytes(draft)).as("an existing --out is not replaced").isEqualTo(before);
    }

    @Test
    void aDraftOfAMissingFolderFails(@TempDir Path temp) {
        Path missing = temp.resolve("no-such-dump");
        Run run = run("draft", missing.toString(), "--out", temp.resolve("draft.yaml").toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("profile draft: no such folder: " + missing + "\n");
        assertThat(temp.resolve("draft.yaml")).doesNotExist();
    }

    @Test
    void aDraftWithoutOutIsPrinted() {
        Run run = run("draft", fixture("semicolon").toString(), "--name", "semicolon-draft");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("profile: semicolon-draft");
        assertThat(Arrays.stream(run.out().split("\n"))).anyMatch(l -> l.contains("delimiter: \";\""));
    }
}
