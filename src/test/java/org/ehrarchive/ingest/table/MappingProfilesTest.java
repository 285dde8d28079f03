package org.ehrarchive.ingest.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.ehrarchive.ingest.ImportedFragment;
import org.ehrarchive.ingest.RecordContent;
import org.ehrarchive.ingest.table.MappingProfile.Join;
import org.ehrarchive.ingest.table.MappingProfile.Table;
import org.ehrarchive.ingest.table.MappingProfiles.Problem;
import org.ehrarchive.ingest.table.TableDumpFixtures.Read;
import org.ehrarchive.record.EntryKind;
import org.junit.jupiter.api.Test;

/**
 * Mapping profiles as an admin writes them: the shipped one loads clean; every mistake is a problem with its line, all
 * at once (the profile-errors fixture of src/test/resources/fixtures/table-dump/README.md, and one mistake at a time
 * on a small valid profile given inline).
 */
class MappingProfilesTest {

    /** A valid profile; each case below changes one thing in it. Line numbers are of this text (1-based). */
    private static final String VALID = TableDumpImporterTest.inlineProfile("");

    @Test
    void theShippedSyntheaProfileLoadsWithoutProblemsInReadingOrder() {
        MappingProfiles.Loaded loaded = MappingProfiles.shipped("synthea-csv");
        assertThat(loaded.problems()).isEmpty();
        MappingProfile profile = loaded.profile().orElseThrow();
        assertThat(profile.name()).isEqualTo("synthea-csv");
        assertThat(profile.tables()).hasSize(16);
        assertThat(profile.patientsTable()).map(Table::name).contains("patients");
        assertThat(MappingProfiles.named("synthea-csv").profile()).as("by name, as ingest --profile says it").isPresent();

        List<String> order = profile.tables().stream().map(Table::name).toList();
        assertThat(order.subList(0, 3)).containsExactlyInAnyOrder("organizations", "providers", "payers");
        assertThat(order.get(3)).isEqualTo("patients");
        assertThat(order.indexOf("encounters")).isLessThan(order.indexOf("conditions"));
        for (Table table : profile.tables()) {
            for (Join join : table.joins()) {
                assertThat(order.indexOf(join.table())).as(table.name() + " is read after " + join.table()).isLessThan(order.indexOf(table.name()));
            }
        }
        assertThat(profile.table("organizations").orElseThrow().role()).isEqualTo(MappingProfile.Role.REFERENCE);
        assertThat(profile.table("imaging_studies").orElseThrow().key()).containsExactly("Id", "SERIES_UID", "INSTANCE_UID");
        assertThat(profile.tableOf("OBSERVATIONS.CSV")).as("file globs ignore case").map(Table::name).contains("observations");
    }

    @Test
    void theProfileErrorsFixtureGivesEveryMistakeAtItsLineAndTheHeaderCheckTheFifth() throws Exception {
        Path folder = TableDumpFixtures.folder("profile-errors");
        MappingProfiles.Loaded loaded = MappingProfiles.file(folder.resolve("profile.yaml"));
        assertThat(loaded.profile()).as("a profile with problems is never used").isEmpty();
        assertThat(loaded.problems()).allSatisfy(p -> assertThat(p.file()).endsWith("profile.yaml"));
        assertThat(loaded.problems()).extracting(Problem::line, Problem::message).containsExactlyInAnyOrder(
                tuple(4, "unknown key encoding in the profile (known: defaults, description, profile, tables)"),
                tuple(11, "invalid date pattern yyyy-MM-ddTHH:mm:ss (java.time patterns such as yyyy-MM-dd or dd.MM.yyyy HH:mm; quote letters"
                        + " that are text, as in yyyy-MM-dd'T'HH:mm:ss)"),
                tuple(25, "table problems joins PATIENT_ID to table patient, which the profile does not declare"),
                tuple(27, "unknown entry kind PROBLEMS (one of " + String.join(", ", java.util.Arrays.stream(EntryKind.values()).map(Enum::name).toList())
                        + ")"));

        assertThat(loaded.asRead()).as("what could be read of it, for the header check").isNotNull();
        Map<String, List<Problem>> headers = DumpCheck.headers(loaded.asRead(), folder, TableDumpFixtures.sortedFiles(folder));
        assertThat(headers).containsOnlyKeys("problems.csv");
        assertThat(headers.get("problems.csv")).extracting(Problem::line, Problem::message).containsExactly(tuple(29,
                "table problems maps column DESCRIPTON, which the header of problems.csv does not have (did you mean DESCRIPTION?)"));
        assertThat(headers.get("problems.csv").get(0).file()).endsWith("profile.yaml");
    }

    @Test
    void theInlineProfileIsValid() {
        assertThat(MappingProfiles.parse(VALID, "inline.yaml").problems()).isEmpty();
    }

    @Test
    void brokenYamlIsOneProblemAtTheLineWhereTheParserStopped() {
        // The flow list of line 13 is not closed; the parser finds out at line 14's ':'.
        assertProblems(VALID.replace("files: [results.csv]", "files: [results.csv"),
                tuple(14, "not valid YAML: expected ',' or ']', but got :"));
        assertThat(MappingProfiles.parse(VALID.replace("files: [results.csv]", "files: [results.csv"), "inline.yaml").asRead()).isNull();
    }

    @Test
    void aTableWithTwoRolesIsAProblemAtItsName() {
        assertProblems(VALID.replace("    entry:\n", "    raw: true\n    entry:\n"),
                tuple(12, "table results needs exactly one of patients:, entry:, reference: or raw: (it has entry, raw)"));
    }

    @Test
    void aProfileWithoutAPatientsTableIsAProblem() {
        assertProblems("""
                profile: inline
                tables:
                  notes:
                    files: [notes.csv]
                    raw: true
                """, tuple(3, "no table holds the patients (give one table a patients: mapping)"));
    }

    @Test
    void aProfileWithTwoPatientsTablesIsAProblem() {
        assertProblems(VALID + """
                  people:
                    files: [people.csv]
                    patients:
                      identifiers:
                        - {column: PID, system: "urn:example:people"}
                """, tuple(5, "only one table may hold the patients; 2 do"));
    }

    @Test
    void joinsThatFormACycleAreAProblem() {
        assertProblems(VALID.replace("      PATIENT: patients.ID\n", "      PATIENT: patients.ID\n      ORDER: orders.ID\n") + """
                  orders:
                    files: [orders.csv]
                    joins:
                      PATIENT: patients.ID
                      RESULT: results.ID
                    entry:
                      kind: NOTE
                """, tuple(5, "the joins of tables orders, results form a cycle: a table cannot be read after itself"));
    }

    @Test
    void anUnknownDialectKeyInATableIsAProblemAtItsLine() {
        assertProblems(VALID.replace("    files: [results.csv]\n", "    files: [results.csv]\n    delimeter: \";\"\n"),
                tuple(14, "unknown key delimeter in table results (known: columns, date-formats, delimiter, encoding, entry, escape, files, header, "
                        + "joins, key, nulls, patients, quote, raw, reference, trim)"));
    }

    @Test
    void aDelimiterOfTwoCharactersIsOneProblem() {
        assertProblems(VALID.replace("    files: [results.csv]\n", "    files: [results.csv]\n    delimiter: \";;\"\n"),
                tuple(14, "delimiter is one character (\"\\t\" for a tab)"));
        assertProblems(VALID.replace("    files: [results.csv]\n", "    files: [results.csv]\n    delimiter: \"\"\n"),
                tuple(14, "delimiter cannot be empty"));
        MappingProfile tab = MappingProfiles.parse(VALID.replace("    files: [results.csv]\n", "    files: [results.csv]\n    delimiter: \"\\\\t\"\n"),
                "inline.yaml").orElseThrow();
        assertThat(tab.table("results").orElseThrow().dialect().delimiter()).isEqualTo('\t');
    }

    @Test
    void anUnknownEncodingIsAProblemAtItsLine() {
        assertProblems(VALID.replace("    files: [results.csv]\n", "    files: [results.csv]\n    encoding: klingon-8\n"),
                tuple(14, "unknown character encoding klingon-8 (for example UTF-8, windows-1252, ISO-8859-1)"));
    }

    @Test
    void aTableWithoutHeaderNeedsItsColumns() {
        assertProblems(VALID.replace("    files: [results.csv]\n", "    files: [results.csv]\n    header: false\n"),
                tuple(12, "table results has no header row (header: false) and declares no columns: columns: [A, B, C]"));
        // On the patients table, which results joins, the one mistake is said once too.
        assertProblems(VALID.replace("    files: [patients.csv]\n", "    files: [patients.csv]\n    header: false\n"),
                tuple(5, "table patients has no header row (header: false) and declares no columns: columns: [A, B, C]"));
        assertProblems(VALID.replace("    files: [results.csv]\n", "    files: [results.csv]\n    header: false\n    columns: [PATIENT, CODE, DATE, VALUE]\n"),
                tuple(22, "table results has no header and declares no column UNIT"));
    }

    @Test
    void anIdentifierWithoutSystemIsOneProblemAtItsItem() {
        assertProblems(VALID.replace("{column: ID, system: \"urn:example:inline\"}", "{column: ID}"),
                tuple(9, "an identifier names its column and its system (an OID or a URI): {column: C, system: S}"));
        assertProblems(VALID.replace("      identifiers:\n        - {column: ID, system: \"urn:example:inline\"}\n", ""),
                tuple(8, "the patients table maps no identifier column: patients could not be told apart or found again"));
    }

    @Test
    void aTableDeclaredTwiceIsAProblemAtItsSecondDeclaration() {
        assertProblems(VALID + """
                  results:
                    files: [more-results.csv]
                    raw: true
                """, tuple(21, "table results is declared twice"));
    }

    @Test
    void aKindRuleWithoutOtherwiseQuarantinesARowWhoseValueItDoesNotList() throws Exception {
        MappingProfile profile = TableDumpFixtures.parse(VALID.replace("kind: RESULT", "kind: {column: CATEGORY, values: {lab: RESULT, vitals: VITAL_SIGN}}"));
        Read read = TableDumpFixtures.read(profile, TableDumpFixtures.files("patients.csv", "ID,GIVEN,FAMILY\nP1,Ann,Lee\n", "results.csv",
                "PATIENT,CATEGORY,CODE,DATE,VALUE,UNIT\nP1,lab,718-7,2024-01-05,13.4,g/dL\nP1,imaging,36643-5,2024-01-05,clear,\n"
                        + "P1,vitals,8867-4,2024-01-05,71,/min\n"));
        assertThat(read.entry("results", 2).kind()).isEqualTo(EntryKind.RESULT);
        assertThat(read.entry("results", 4).kind()).isEqualTo(EntryKind.VITAL_SIGN);
        RecordContent.RawContent unknown = read.raw("results", 3);
        assertThat(unknown.status()).isEqualTo(ImportedFragment.Status.QUARANTINED);
        assertThat(unknown.reason()).startsWith("ING-211").contains("line 3: column CATEGORY holds a value the profile's kind rule does not list")
                .doesNotContain("imaging");
        assertThat(read.sink().warnings).containsExactly("rows that cannot be mapped as the profile says are quarantined (ING-211): kind");
    }

    @Test
    void aNameThatIsNeitherShippedNorAFileIsAProblem() {
        MappingProfiles.Loaded loaded = MappingProfiles.named("no-such");
        assertThat(loaded.profile()).isEmpty();
        assertThat(loaded.asRead()).isNull();
        assertThat(loaded.problems()).singleElement().satisfies(p -> {
            assertThat(p.file()).isEqualTo("no-such");
            assertThat(p.line()).isZero();
            assertThat(p).hasToString("no-such: no such profile: neither a shipped profile (synthea-csv) nor a file");
        });
    }

    private static void assertProblems(String yaml, org.assertj.core.groups.Tuple... lineAndMessage) {
        MappingProfiles.Loaded loaded = MappingProfiles.parse(yaml, "inline.yaml");
        assertThat(loaded.profile()).isEmpty();
        assertThat(loaded.problems()).allSatisfy(p -> assertThat(p.file()).isEqualTo("inline.yaml"));
        assertThat(loaded.problems()).extracting(Problem::line, Problem::message).containsExactly(lineAndMessage);
    }

    @Test
    void unquotedNullMarkersAreTheTextWrittenAndPatientsJoinedTwiceIsAProblem() {
        MappingProfile profile = MappingProfiles.parse("""
                profile: nulls
                defaults:
                  nulls: [NULL, ~, ""]
                tables:
                  patients:
                    files: [p.csv]
                    patients:
                      identifiers: [{column: ID, system: "urn:example:nulls"}]
                """, "nulls.yaml").orElseThrow();
        assertThat(profile.defaults().nulls()).containsExactlyInAnyOrder("NULL", "~", "");

        MappingProfiles.Loaded twice = MappingProfiles.parse("""
                profile: twice
                tables:
                  patients:
                    files: [p.csv]
                    patients:
                      identifiers: [{column: ID, system: "urn:example:twice"}]
                  results:
                    files: [r.csv]
                    joins:
                      PATIENT: patients.ID
                      MOTHER: patients.ID
                    entry: {kind: RESULT, code: CODE}
                """, "twice.yaml");
        assertThat(twice.problems()).extracting(MappingProfiles.Problem::line, MappingProfiles.Problem::message).containsExactly(
                org.assertj.core.api.Assertions.tuple(11, "table results joins the patients table twice (PATIENT, MOTHER): one join decides a row's patient"));

        MappingProfiles.Loaded placeholder = MappingProfiles.parse("""
                profile: drafted
                tables:
                  patients:
                    files: [p.csv]
                    patients:
                      identifiers: [{column: MRN, system: "TODO: the identifier's system (OID or URI)"}, {column: ID, system: "urn:example:x"}]
                """, "drafted.yaml");
        assertThat(placeholder.problems()).extracting(MappingProfiles.Problem::message)
                .containsExactly("identifier column MRN still has the draft's placeholder system: name its OID or URI");
    }
}
