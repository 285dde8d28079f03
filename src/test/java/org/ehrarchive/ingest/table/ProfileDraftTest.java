package org.ehrarchive.ingest.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.ehrarchive.support.Requirements;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code profile draft}'s engine: on Synthea's CSV export (the shared corpus) and on small dumps made here, the draft
 * parses as YAML and proposes what the files show.
 */
class ProfileDraftTest {

    private static final List<String> SYNTHEA_TABLES = List.of("allergies", "careplans", "conditions", "devices",
            "encounters", "imaging_studies", "immunizations", "medications", "observations", "organizations", "patients",
            "payer_transitions", "payers", "procedures", "providers", "supplies");

    @TempDir
    Path folder;

    @Test
    void theSyntheaDumpGivesAProfileOfItsSixteenTablesWithPatientsJoinsKeysDatesAndKinds() throws IOException {
        Path csv = Requirements.corpus("synthea-dev/csv");
        String text = ProfileDraft.draft(csv, "synthea-draft");
        Map<String, Object> profile = load(text);

        assertThat(profile).containsEntry("profile", "synthea-draft");
        assertThat(text).startsWith("# DRAFT").contains("profile validate FILE FOLDER");
        Map<String, Object> tables = map(profile, "tables");
        assertThat(tables.keySet()).containsExactlyInAnyOrderElementsOf(SYNTHEA_TABLES);
        for (String name : SYNTHEA_TABLES) {
            assertThat(list(map(tables, name), "files")).as(name).containsExactly(name + ".csv");
        }

        // Reference tables first (each after those it joins), then the patients, then the rest.
        List<String> order = new ArrayList<>(tables.keySet());
        assertThat(order.subList(0, 3)).containsExactly("organizations", "payers", "providers");
        assertThat(order.get(3)).isEqualTo("patients");
        assertThat(order.get(4)).isEqualTo("encounters");
        for (String name : List.of("organizations", "payers", "providers")) {
            assertThat(map(map(tables, name), "reference")).as(name).containsEntry("name", "NAME");
            assertThat(list(map(tables, name), "key")).as(name).containsExactly("Id");
        }
        assertThat(map(map(tables, "providers"), "joins")).containsExactly(Map.entry("ORGANIZATION", "organizations.Id"));

        Map<String, Object> patients = map(map(tables, "patients"), "patients");
        assertThat(list(map(tables, "patients"), "key")).containsExactly("Id");
        List<Map<String, Object>> identifiers = maps(patients, "identifiers");
        assertThat(identifiers).extracting(i -> i.get("column")).contains("Id", "SSN");
        assertThat(identifiers).filteredOn(i -> "Id".equals(i.get("column"))).singleElement()
                .satisfies(i -> assertThat(i).containsEntry("system", "TODO: the identifier's system (OID or URI)"));
        assertThat(identifiers).filteredOn(i -> "SSN".equals(i.get("column"))).singleElement()
                .satisfies(i -> assertThat(i).containsEntry("system", "http://hl7.org/fhir/sid/us-ssn"));
        assertThat(patients).containsEntry("birth-date", "BIRTHDATE").containsEntry("death-date", "DEATHDATE");
        assertThat(maps(patients, "names").get(0)).containsEntry("given", List.of("FIRST", "MIDDLE"))
                .containsEntry("family", "LAST");
        assertThat(map(patients, "sex")).containsEntry("column", "GENDER");
        assertThat(map(patients, "address")).containsEntry("line", "ADDRESS").containsEntry("city", "CITY")
                .containsEntry("postal-code", "ZIP");

        for (String name : List.of("observations", "conditions")) {
            assertThat(map(map(tables, name), "joins")).as(name).containsEntry("PATIENT", "patients.Id")
                    .containsEntry("ENCOUNTER", "encounters.Id");
        }
        assertThat(map(map(tables, "encounters"), "joins")).containsEntry("PATIENT", "patients.Id")
                .containsEntry("PROVIDER", "providers.Id").containsEntry("ORGANIZATION", "organizations.Id")
                .containsEntry("PAYER", "payers.Id");
        assertThat(map(map(tables, "payer_transitions"), "joins")).containsEntry("SECONDARY_PAYER", "payers.Id");
        assertThat(list(map(tables, "encounters"), "key")).containsExactly("Id");
        assertThat(map(tables, "conditions")).doesNotContainKey("key");
        assertThat(map(tables, "imaging_studies")).doesNotContainKey("key"); // its Id repeats (one row per instance)

        assertThat(kind(tables, "conditions")).isEqualTo("PROBLEM");
        assertThat(kind(tables, "medications")).isEqualTo("MEDICATION");
        assertThat(kind(tables, "immunizations")).isEqualTo("IMMUNIZATION");
        assertThat(kind(tables, "encounters")).isEqualTo("ENCOUNTER");
        assertThat(kind(tables, "allergies")).isEqualTo("ALLERGY");
        assertThat(kind(tables, "careplans")).isEqualTo("PLAN_OF_CARE");
        assertThat(kind(tables, "payer_transitions")).isEqualTo("COVERAGE");
        assertThat(kind(tables, "observations")).isEqualTo("RESULT"); // chosen by CATEGORY, RESULT otherwise
        assertThat(map(map(map(tables, "observations"), "entry"), "kind")).containsEntry("column", "CATEGORY")
                .containsEntry("otherwise", "RESULT");
        assertThat(map(map(map(map(tables, "observations"), "entry"), "kind"), "values"))
                .containsEntry("vital-signs", "VITAL_SIGN").containsEntry("laboratory", "RESULT");
        assertThat(map(tables, "imaging_studies")).containsEntry("raw", true).doesNotContainKey("entry");
        assertThat(text).contains("no entry kind guessed from the name imaging_studies");

        Map<String, Object> conditions = map(map(tables, "conditions"), "entry");
        assertThat(conditions).containsEntry("display", "DESCRIPTION").containsEntry("start", "START")
                .containsEntry("end", "STOP");
        assertThat(map(conditions, "code")).containsEntry("column", "CODE").containsEntry("system-column", "SYSTEM");
        Map<String, Object> observations = map(map(tables, "observations"), "entry");
        assertThat(observations).containsEntry("date", "DATE").containsEntry("display", "DESCRIPTION");
        assertThat(map(observations, "value")).containsEntry("column", "VALUE").containsEntry("unit", "UNITS");
        assertThat(map(map(map(tables, "allergies"), "entry"), "code")).extractingByKey("systems")
                .isEqualTo(Map.of("SNOMED-CT", "http://snomed.info/sct", "RxNorm",
                        "http://www.nlm.nih.gov/research/umls/rxnorm"));
        assertThat(map(map(tables, "payer_transitions"), "entry")).containsEntry("start", "START_DATE")
                .containsEntry("end", "END_DATE");
        assertThat(text).contains("Not mapped (the importer keeps them raw): ENCOUNTERCLASS, BASE_ENCOUNTER_COST");

        // The date formats the draft gives parse every value of the dates it maps, in the whole files.
        assertThat(list(map(profile, "defaults"), "date-formats")).contains("yyyy-MM-dd'T'HH:mm:ssX", "yyyy-MM-dd");
        String[][] dates = {{"patients", "BIRTHDATE"}, {"patients", "DEATHDATE"}, {"encounters", "START"},
            {"encounters", "STOP"}, {"conditions", "START"}, {"conditions", "STOP"}, {"observations", "DATE"},
            {"medications", "START"}, {"medications", "STOP"}, {"immunizations", "DATE"}, {"allergies", "START"},
            {"procedures", "START"}, {"supplies", "DATE"}, {"payer_transitions", "START_DATE"}};
        for (String[] date : dates) {
            List<String> formats = list(setting(profile, date[0], "date-formats"));
            List<DateTimeFormatter> formatters = formats.stream().map(DateTimeFormatter::ofPattern).toList();
            int parsed = 0;
            for (String value : column(csv.resolve(date[0] + ".csv"), date[1])) {
                if (!value.isEmpty()) {
                    assertThat(formatters.stream().anyMatch(f -> parsesWith(f, value)))
                            .as("%s.%s %s under %s", date[0], date[1], value, formats).isTrue();
                    parsed++;
                }
            }
            assertThat(parsed).as("%s.%s", date[0], date[1]).isPositive();
        }

        assertThat(ProfileDraft.draft(csv, "synthea-draft")).as("the same folder gives the same text").isEqualTo(text);
    }

    @Test
    void smallDumpsOfEveryShapeGiveTheirDelimiterEncodingHeaderAndColumns() throws IOException {
        // A semicolon file without a header row.
        write("visits.csv", "1;2020-01-02;Smith;John;F\n2;2020-02-03;Doe;Jane;F\n3;2021-03-04;Roe;Richard;M\n");
        // A windows-1252 file with é (a column name and values), the patients.
        Files.write(folder.resolve("patients.csv"),
                "Id,FIRST,LAST,BIRTHDATE,Prénom usuel\n1,Zoé,Dupré,1980-01-02,Zoé\n2,Anaïs,Lefèvre,1975-12-31,Ana\n"
                        .getBytes(Charset.forName("windows-1252")));
        // A tab-separated file.
        write("labs.tsv", "ID\tPATIENT\tDATE\tCODE\tDESCRIPTION\tVALUE\tUNITS\n"
                + "l1\t1\t2020-01-02T10:00:00Z\t718-7\tHemoglobin\t13.5\tg/dL\n"
                + "l2\t2\t2020-01-03T11:30:00Z\t2345-7\tGlucose\t5.4\tmmol/L\n");
        // Quoted delimiters, a quoted line break and quoted quotes, after a UTF-8 byte order mark.
        write("notes.csv", "\uFEFFId,PATIENT,DATE,TEXT\n"
                + "n1,1,2020-01-02,\"Seen today, well.\nFollow up in a week.\"\n"
                + "n2,2,2020-01-03,\"He said \"\"fine\"\", then left\"\n"
                + "n3,1,2020-01-04,plain\n");
        // An empty file, and a file of a header only.
        write("empty.csv", "");
        write("allergies.csv", "Id,PATIENT,START,STOP,CODE,DESCRIPTION\n");
        // A text file that is no table.
        write("readme.txt", "These are the files of the old system.\nAsk the admin, please: she knows, maybe.\n");

        ProfileDraft.Draft draft = ProfileDraft.propose(folder, "small");
        Map<String, Object> profile = load(draft.yaml());
        Map<String, Object> tables = map(profile, "tables");
        assertThat(tables.keySet()).containsExactlyInAnyOrder("visits", "patients", "labs", "notes", "allergies");
        assertThat(map(profile, "defaults")).containsEntry("delimiter", ",").containsEntry("header", true)
                .containsEntry("encoding", "UTF-8").containsEntry("quote", "\"");

        Map<String, Object> visits = map(tables, "visits");
        assertThat(setting(profile, "visits", "delimiter")).isEqualTo(";");
        assertThat(setting(profile, "visits", "header")).isEqualTo(false);
        assertThat(list(visits, "columns")).containsExactly("COLUMN1", "COLUMN2", "COLUMN3", "COLUMN4", "COLUMN5");
        assertThat(map(visits, "entry")).containsEntry("kind", "ENCOUNTER").containsEntry("date", "COLUMN2");
        assertThat(list(setting(profile, "visits", "date-formats"))).contains("yyyy-MM-dd");

        assertThat(setting(profile, "patients", "encoding")).isEqualTo("windows-1252");
        assertThat(draft.yaml()).contains("Prénom usuel");
        Map<String, Object> patients = map(map(tables, "patients"), "patients");
        assertThat(patients).containsEntry("birth-date", "BIRTHDATE");
        assertThat(maps(patients, "identifiers")).extracting(i -> i.get("column")).containsExactly("Id");

        assertThat(setting(profile, "labs", "delimiter")).isEqualTo("\t");
        assertThat(list(map(tables, "labs"), "key")).containsExactly("ID");
        assertThat(map(map(tables, "labs"), "joins")).containsEntry("PATIENT", "patients.Id");
        Map<String, Object> labs = map(map(tables, "labs"), "entry");
        assertThat(labs).containsEntry("kind", "RESULT").containsEntry("date", "DATE");
        assertThat(map(labs, "value")).containsEntry("column", "VALUE").containsEntry("unit", "UNITS");
        assertThat(map(labs, "code")).containsEntry("system", "http://loinc.org");
        assertThat(list(setting(profile, "labs", "date-formats"))).contains("yyyy-MM-dd'T'HH:mm:ssX");

        Map<String, Object> notes = map(tables, "notes");
        assertThat(setting(profile, "notes", "delimiter")).isEqualTo(",");
        assertThat(notes).doesNotContainKey("columns");
        assertThat(list(notes, "key")).containsExactly("Id"); // not "\uFEFFId": the byte order mark is skipped
        assertThat(map(notes, "joins")).containsExactly(Map.entry("PATIENT", "patients.Id"));
        assertThat(map(notes, "entry")).containsEntry("kind", "NOTE").containsEntry("date", "DATE")
                .containsEntry("display", "TEXT");

        Map<String, Object> allergies = map(tables, "allergies");
        assertThat(setting(profile, "allergies", "header")).isEqualTo(true);
        assertThat(list(allergies, "key")).containsExactly("Id");
        assertThat(map(allergies, "joins")).containsEntry("PATIENT", "patients.Id");
        assertThat(map(allergies, "entry")).containsEntry("kind", "ALLERGY").containsEntry("start", "START")
                .containsEntry("end", "STOP").containsEntry("display", "DESCRIPTION");
        assertThat(draft.yaml()).contains("allergies.csv holds no data rows");

        assertThat(draft.yaml()).containsPattern("# Files not drafted: empty.csv: empty; readme.txt: not a delimited table");
        assertThat(draft.notes()).anyMatch(n -> n.startsWith("empty.csv is empty"))
                .anyMatch(n -> n.startsWith("readme.txt is not a delimited table"));

        // Order: the patients, then entries (no reference table here).
        assertThat(new ArrayList<>(tables.keySet()).get(0)).isEqualTo("patients");
    }

    @Test
    void aFolderOfOneEmptyFileGivesAProfileWithoutTables() throws IOException {
        write("empty.csv", "");
        ProfileDraft.Draft draft = ProfileDraft.propose(folder, null);
        Map<String, Object> profile = load(draft.yaml());
        assertThat(map(profile, "tables")).isEmpty();
        assertThat(draft.yaml()).contains("empty.csv: empty");
        assertThat(profile.get("profile")).isInstanceOf(String.class);
    }

    @Test
    void valuesThatNeedQuotingAreQuotedAndReadBackAsTheyWere() throws IOException {
        // The systems a SYSTEM column names become keys of the draft's systems map.
        write("2020 problems.csv", "PATIENT,CODE,SYSTEM,DESCRIPTION,START\n"
                + "p1,1,SNOMED-CT,a,2020-01-01\n"
                + "p1,2,\"local: #1\",b,2020-01-01\n"
                + "p2,3,- dash,c,2020-01-01\n"
                + "p2,4,[x],d,2020-01-01\n"
                + "p2,5,yes,e,2020-01-01\n"
                + "p2,6,\"quote\"\"d\",f,2020-01-01\n"
                + "p2,7,{brace},g,2020-01-01\n");
        Map<String, Object> profile = load(ProfileDraft.draft(folder, "odd: #names"));
        assertThat(profile).containsEntry("profile", "odd: #names");
        Map<String, Object> tables = map(profile, "tables");
        assertThat(tables).containsOnlyKeys("2020_problems");
        Map<String, Object> code = map(map(map(tables, "2020_problems"), "entry"), "code");
        assertThat(map(code, "systems")).containsOnlyKeys("SNOMED-CT", "local: #1", "- dash", "[x]", "yes", "quote\"d",
                "{brace}");
        assertThat(map(code, "systems")).containsEntry("SNOMED-CT", "http://snomed.info/sct")
                .containsEntry("yes", "TODO: the code system (OID or URI)");
        assertThat(list(map(tables, "2020_problems"), "files")).containsExactly("2020 problems.csv");

        for (String value : List.of("plain", "two words", "a: b", "#hash", "a #b", "-", "- x", "?", "!tag", "&anchor",
                "*alias", "|", ">", "%", "@", "`", "'", "\"", "\\", "yes", "No", "ON", "null", "~", "1", "1.5", "0x1F",
                "2020-01-01", "", " lead", "trail ", "tab\there", "line\nbreak", "\u0007bell", "é ü ß", "\uFEFFbom",
                "\t", ",", "[a]", "{a: b}", "yyyy-MM-dd'T'HH:mm:ssX", "http://x/y?z=1#f", "<<", "=", ".inf")) {
            Map<String, Object> read = load("k: " + ProfileDraft.scalar(value) + "\nl: [" + ProfileDraft.scalar(value)
                    + ", " + ProfileDraft.scalar(value) + "]\nm: {" + ProfileDraft.scalar(value) + ": "
                    + ProfileDraft.scalar(value) + "}\n");
            assertThat(read.get("k")).as(value).isEqualTo(value);
            assertThat(read.get("l")).as(value).isEqualTo(List.of(value, value));
            assertThat(read.get("m")).as(value).isEqualTo(Map.of(value, value));
        }
    }

    @Test
    void onlyTheFirstThousandRowsAreRead() throws IOException {
        StringBuilder text = new StringBuilder("Id,PATIENT,DATE,CODE\n");
        for (int i = 1; i <= ProfileDraft.SAMPLE_ROWS; i++) {
            text.append("e").append(i).append(",p1,2020-01-01,c").append(i).append('\n');
        }
        // After the sample: an Id seen before, and a date of another form; neither is seen.
        text.append("e1,p1,01/02/2020,c0\n".repeat(5_000));
        write("encounters.csv", text.toString());
        ProfileDraft.Draft draft = ProfileDraft.propose(folder, "big");
        Map<String, Object> profile = load(draft.yaml());
        assertThat(list(map(map(profile, "tables"), "encounters"), "key")).containsExactly("Id");
        assertThat(list(map(profile, "defaults"), "date-formats")).containsExactly("yyyy-MM-dd");
        assertThat(draft.yaml()).contains("holds more rows than were sampled");
    }

    @Test
    void aFolderThatIsNoFolderIsRefused() {
        assertThatThrownBy(() -> ProfileDraft.draft(folder.resolve("missing"), "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing");
    }

    // ---------------------------------------------------------------------------------------------------------------

    private void write(String name, String text) throws IOException {
        Files.writeString(folder.resolve(name), text, StandardCharsets.UTF_8);
    }

    private static Map<String, Object> load(String yaml) {
        Object loaded = new Yaml().load(yaml);
        assertThat(loaded).as(yaml).isInstanceOf(Map.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) loaded;
        return map;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        assertThat(parent).as("has %s", key).containsKey(key);
        assertThat(parent.get(key)).as(key).isInstanceOf(Map.class);
        return (Map<String, Object>) parent.get(key);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> maps(Map<String, Object> parent, String key) {
        return (List<Map<String, Object>>) rawList(parent, key);
    }

    private static List<?> rawList(Map<String, Object> parent, String key) {
        assertThat(parent.get(key)).as(key).isInstanceOf(List.class);
        return (List<?>) parent.get(key);
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> list(Map<String, Object> parent, String key) {
        return (List<T>) rawList(parent, key);
    }

    @SuppressWarnings("unchecked")
    private static List<String> list(Object value) {
        assertThat(value).isInstanceOf(List.class);
        return (List<String>) value;
    }

    /** A table's own setting, else the profile's default. */
    private static Object setting(Map<String, Object> profile, String table, String key) {
        Map<String, Object> own = map(map(profile, "tables"), table);
        return own.containsKey(key) ? own.get(key) : map(profile, "defaults").get(key);
    }

    /** A table's entry kind: the kind itself, or what a column-driven kind gives otherwise. */
    private static Object kind(Map<String, Object> tables, String table) {
        Object kind = map(map(tables, table), "entry").get("kind");
        if (kind instanceof Map<?, ?> byColumn) {
            return byColumn.get("otherwise");
        }
        return kind;
    }

    private static List<String> column(Path file, String name) throws IOException {
        List<String> values = new ArrayList<>();
        CSVFormat format = CSVFormat.Builder.create(CSVFormat.DEFAULT).setHeader().setSkipHeaderRecord(true).get();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
                CSVParser parser = CSVParser.parse(reader, format)) {
            for (CSVRecord record : parser) {
                values.add(record.get(name));
            }
        }
        return values;
    }

    private static boolean parsesWith(DateTimeFormatter formatter, String value) {
        try {
            formatter.parse(value);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
