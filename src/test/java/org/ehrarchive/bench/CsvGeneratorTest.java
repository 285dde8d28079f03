package org.ehrarchive.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.ehrarchive.support.Requirements;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated Synthea-layout CSV dumps: reproducible, Synthea's headers, every join resolved, counted by their summary. */
class CsvGeneratorTest {

    private static final int PATIENTS = 150;
    private static final CSVFormat FORMAT = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get();
    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final Pattern DAY = Pattern.compile("\\d{4}-\\d\\d-\\d\\d");
    private static final Pattern INSTANT = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
    /** The profile's date formats (archive-schemas/mappings/synthea-csv.yaml), tried in order. */
    private static final DateTimeFormatter PROFILE_INSTANT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssX");
    private static final DateTimeFormatter PROFILE_DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd");
    /** The tables with a DESCRIPTION column that the generator may quote. */
    private static final List<String> DESCRIBED = List.of("encounters", "conditions", "allergies", "medications", "observations",
            "procedures", "immunizations", "careplans", "devices", "supplies");

    @TempDir
    static Path shared;

    private static CsvGenerator.Summary summary;
    private static Path folder;
    /** Every row of every table, by table, in file order. */
    private static Map<String, List<CSVRecord>> rows;

    @BeforeAll
    static void writeDump() throws IOException {
        folder = shared.resolve("dump");
        summary = CsvGenerator.write(folder, PATIENTS, 7);
        rows = new LinkedHashMap<>();
        for (String table : CsvGenerator.TABLES) {
            rows.put(table, parse(folder.resolve(table + ".csv")));
        }
    }

    @Test
    void theSameSeedGivesByteIdenticalFiles(@TempDir Path temp) throws IOException {
        CsvGenerator.write(temp.resolve("a"), 40, 42);
        CsvGenerator.write(temp.resolve("b"), 40, 42);
        CsvGenerator.write(temp.resolve("c"), 40, 43);

        assertThat(namesIn(temp.resolve("a"))).isEqualTo(namesIn(temp.resolve("b")));
        for (String table : CsvGenerator.TABLES) {
            String file = table + ".csv";
            assertThat(Files.mismatch(temp.resolve("a").resolve(file), temp.resolve("b").resolve(file))).as(file).isEqualTo(-1L);
        }
        assertThat(Files.mismatch(temp.resolve("a").resolve("patients.csv"), temp.resolve("c").resolve("patients.csv"))).as("another seed")
                .isNotEqualTo(-1L);
    }

    /** Identifiers decide which archived patient a row files under: two generated people must never share one. */
    @Test
    void everyPatientHasIdentifiersOfItsOwn(@TempDir Path temp) throws IOException {
        CsvGenerator.write(temp, 3_000, 7);
        java.util.Map<String, java.util.Set<String>> seen = new java.util.HashMap<>();
        try (var parser = org.apache.commons.csv.CSVParser.parse(temp.resolve("patients.csv"), java.nio.charset.StandardCharsets.UTF_8, FORMAT)) {
            for (var row : parser) {
                for (String column : List.of("SSN", "DRIVERS", "PASSPORT")) {
                    String value = row.get(column);
                    if (!value.isEmpty()) {
                        assertThat(seen.computeIfAbsent(column, c -> new java.util.HashSet<>()).add(value)).as(column + " " + value + " twice").isTrue();
                    }
                }
            }
        }
        assertThat(seen.get("SSN")).hasSize(3_000);
    }

    @Test
    void theFolderHoldsSyntheasSixteenTablesEachWithItsHeader() throws IOException {
        assertThat(CsvGenerator.TABLES).containsExactly("organizations", "providers", "payers", "patients", "encounters", "conditions",
                "allergies", "medications", "observations", "procedures", "immunizations", "careplans", "devices", "supplies",
                "imaging_studies", "payer_transitions");
        assertThat(namesIn(folder)).containsExactlyInAnyOrderElementsOf(CsvGenerator.TABLES.stream().map(t -> t + ".csv").toList());
        for (String table : CsvGenerator.TABLES) {
            assertThat(firstLine(folder.resolve(table + ".csv"))).as(table).isEqualTo(String.join(",", CsvGenerator.HEADERS.get(table)));
        }
    }

    @Test
    void theHeadersAreThoseOfSyntheasExportInTheCorpus() throws IOException {
        Path corpus = Requirements.corpus("synthea-dev/csv");
        for (String table : CsvGenerator.TABLES) {
            assertThat(firstLine(folder.resolve(table + ".csv"))).as(table).isEqualTo(firstLine(corpus.resolve(table + ".csv")));
        }
    }

    @Test
    void theSummaryCountsWhatTheFilesHold() throws IOException {
        assertThat(summary.patients()).isEqualTo(PATIENTS);
        assertThat(summary.rows().keySet()).containsExactlyElementsOf(CsvGenerator.TABLES);
        long bytes = 0;
        boolean spansLines = false;
        for (String table : CsvGenerator.TABLES) {
            Path file = folder.resolve(table + ".csv");
            bytes += Files.size(file);
            assertThat(summary.rows().get(table)).as(table).isEqualTo(rows.get(table).size());
            long lines;
            try (Stream<String> text = Files.lines(file, StandardCharsets.UTF_8)) {
                lines = text.count();
            }
            spansLines |= lines > rows.get(table).size() + 1;
        }
        assertThat(summary.bytes()).isEqualTo(bytes);
        assertThat(summary.totalRows()).isEqualTo(rows.values().stream().mapToLong(List::size).sum());
        assertThat(rows.get("patients")).hasSize(PATIENTS);
        assertThat(spansLines).as("some row has a line feed inside quotes, and is still counted once").isTrue();
    }

    @Test
    void everyRowHasEveryColumn() {
        rows.forEach((table, records) -> {
            for (CSVRecord record : records) {
                assertThat(record.size()).as("%s row %d", table, record.getRecordNumber()).isEqualTo(CsvGenerator.HEADERS.get(table).size());
            }
        });
    }

    @Test
    void everyJoinFindsItsRow() {
        Set<String> patients = keys("patients", "Id");
        Set<String> organizations = keys("organizations", "Id");
        Set<String> providers = keys("providers", "Id");
        Set<String> payers = keys("payers", "Id");
        Map<String, String> encounterPatient = new HashMap<>();
        for (CSVRecord encounter : rows.get("encounters")) {
            encounterPatient.put(encounter.get("Id"), encounter.get("PATIENT"));
        }
        assertThat(encounterPatient).hasSize(rows.get("encounters").size());
        assertThat(organizations).hasSize(40);
        assertThat(providers).hasSize(80);
        assertThat(payers).hasSize(10);
        keys("careplans", "Id");

        int joins = 0;
        for (Map.Entry<String, List<CSVRecord>> table : rows.entrySet()) {
            List<String> columns = CsvGenerator.HEADERS.get(table.getKey());
            for (CSVRecord row : table.getValue()) {
                String where = table.getKey() + " row " + row.getRecordNumber();
                if (columns.contains("PATIENT")) {
                    assertThat(patients).as(where).contains(row.get("PATIENT"));
                    joins++;
                }
                if (columns.contains("ENCOUNTER")) {
                    assertThat(encounterPatient.get(row.get("ENCOUNTER"))).as("%s: the encounter, of the same patient", where)
                            .isEqualTo(row.get("PATIENT"));
                }
                if (columns.contains("ORGANIZATION")) {
                    assertThat(organizations).as(where).contains(row.get("ORGANIZATION"));
                }
                if (columns.contains("PROVIDER")) {
                    assertThat(providers).as(where).contains(row.get("PROVIDER"));
                }
                if (columns.contains("PAYER")) {
                    assertThat(payers).as(where).contains(row.get("PAYER"));
                }
                if (columns.contains("SECONDARY_PAYER") && !row.get("SECONDARY_PAYER").isEmpty()) {
                    assertThat(payers).as(where).contains(row.get("SECONDARY_PAYER"));
                }
            }
        }
        assertThat(joins).isGreaterThan(PATIENTS * 100);
        // The profile's key of imaging_studies identifies its rows.
        Set<String> instances = new HashSet<>();
        for (CSVRecord row : rows.get("imaging_studies")) {
            assertThat(instances.add(row.get("Id") + " " + row.get("SERIES_UID") + " " + row.get("INSTANCE_UID"))).isTrue();
        }
    }

    @Test
    void theProportionsAreThoseOfSyntheasExport() {
        Map<String, double[]> perPatient = new LinkedHashMap<>();
        perPatient.put("encounters", new double[] { 12, 18 });
        perPatient.put("conditions", new double[] { 10, 18 });
        perPatient.put("allergies", new double[] { 0.5, 1.6 });
        perPatient.put("medications", new double[] { 9, 17 });
        perPatient.put("observations", new double[] { 110, 160 });
        perPatient.put("procedures", new double[] { 20, 32 });
        perPatient.put("immunizations", new double[] { 1, 2.2 });
        perPatient.put("careplans", new double[] { 1.5, 3 });
        perPatient.put("devices", new double[] { 1.3, 3 });
        perPatient.put("supplies", new double[] { 5, 10 });
        perPatient.put("payer_transitions", new double[] { 1, 2 });
        perPatient.forEach((table, range) -> assertThat((double) rows.get(table).size() / PATIENTS).as(table).isBetween(range[0], range[1]));

        // Imaging rows: a few patients with CT series of hundreds of instances hold nearly all of them.
        Map<String, Integer> imaging = new HashMap<>();
        for (CSVRecord row : rows.get("imaging_studies")) {
            imaging.merge(row.get("PATIENT"), 1, Integer::sum);
        }
        List<Integer> heavy = imaging.values().stream().filter(n -> n >= 300).toList();
        assertThat(heavy).isNotEmpty().hasSizeLessThan(PATIENTS / 10);
        assertThat(heavy.stream().mapToInt(Integer::intValue).sum()).isGreaterThan(rows.get("imaging_studies").size() * 9 / 10);
        assertThat((double) rows.get("imaging_studies").size() / PATIENTS).isBetween(15.0, 150.0);

        // Observations: numeric vital signs and results, text answers, and what the profile's kinds name.
        Map<String, Integer> categories = new HashMap<>();
        Map<String, Integer> types = new HashMap<>();
        for (CSVRecord row : rows.get("observations")) {
            categories.merge(row.get("CATEGORY"), 1, Integer::sum);
            types.merge(row.get("TYPE"), 1, Integer::sum);
        }
        assertThat(categories).containsKeys("vital-signs", "laboratory", "survey", "social-history", "");
        assertThat(types.keySet()).containsExactlyInAnyOrder("numeric", "text");
        assertThat(types.get("text")).isBetween(rows.get("observations").size() / 20, rows.get("observations").size() / 2);
        long deceased = rows.get("patients").stream().filter(p -> !p.get("DEATHDATE").isEmpty()).count();
        assertThat(deceased).isBetween(PATIENTS / 20L, PATIENTS / 4L);
        assertThat(rows.get("allergies").stream().filter(a -> !a.get("REACTION1").isEmpty())).isNotEmpty();
    }

    @Test
    void aboutOneDescriptionIn200IsQuotedWithACommaAndDoubledQuotesAndNowAndThenALineFeed() throws IOException {
        long described = 0;
        long quoted = 0;
        long lineFeeds = 0;
        for (String table : DESCRIBED) {
            boolean reasons = CsvGenerator.HEADERS.get(table).contains("REASONDESCRIPTION");
            for (CSVRecord row : rows.get(table)) {
                described++;
                String text = row.get("DESCRIPTION") + (reasons ? "|" + row.get("REASONDESCRIPTION") : "");
                if (text.contains("\"")) {
                    quoted++;
                    assertThat(text).as("%s row %d", table, row.getRecordNumber()).contains(", \"");
                    lineFeeds += text.contains("\n") ? 1 : 0;
                } else {
                    assertThat(text).as("Synthea writes commas as two spaces: %s row %d", table, row.getRecordNumber())
                            .doesNotContain(",").doesNotContain("\n");
                }
            }
        }
        assertThat(described).isGreaterThan(25_000);
        assertThat((double) quoted / described).isBetween(1 / 300.0, 1 / 130.0);
        assertThat(lineFeeds).isBetween(described / 5_000, described / 800);
        String conditions = Files.readString(folder.resolve("conditions.csv"));
        assertThat(conditions).containsPattern(",\"[^\"\n]+, \"\"[^\"\n]+\"\"\"?");
    }

    @Test
    void datesIdsNamesAndValuesAreShapedAsSyntheasAre() throws IOException {
        checkAll("patients", "BIRTHDATE", DAY, false);
        checkAll("patients", "DEATHDATE", DAY, true);
        checkAll("conditions", "START", DAY, false);
        checkAll("conditions", "STOP", DAY, true);
        checkAll("allergies", "START", DAY, false);
        checkAll("careplans", "START", DAY, false);
        checkAll("supplies", "DATE", DAY, false);
        checkAll("encounters", "START", INSTANT, false);
        checkAll("encounters", "STOP", INSTANT, false);
        checkAll("observations", "DATE", INSTANT, false);
        checkAll("medications", "START", INSTANT, false);
        checkAll("medications", "STOP", INSTANT, true);
        checkAll("procedures", "START", INSTANT, false);
        checkAll("immunizations", "DATE", INSTANT, false);
        checkAll("devices", "START", INSTANT, false);
        checkAll("imaging_studies", "DATE", INSTANT, false);
        checkAll("payer_transitions", "START_DATE", INSTANT, false);
        checkAll("patients", "Id", UUID, false);
        checkAll("encounters", "Id", UUID, false);
        checkAll("patients", "FIRST", Pattern.compile("[A-Za-z]+\\d+"), false);
        checkAll("patients", "LAST", Pattern.compile("[A-Za-z]+\\d+"), false);
        checkAll("patients", "SSN", Pattern.compile("999-\\d\\d-\\d{4}"), false);

        // The profile's date formats read every date: instants with the first, days with the second.
        OffsetDateTime.parse(rows.get("observations").get(0).get("DATE"), PROFILE_INSTANT);
        LocalDate.parse(rows.get("conditions").get(0).get("START"), PROFILE_DAY);

        Map<String, LocalDate[]> lives = new HashMap<>();
        for (CSVRecord p : rows.get("patients")) {
            LocalDate birth = LocalDate.parse(p.get("BIRTHDATE"));
            LocalDate end = p.get("DEATHDATE").isEmpty() ? CsvGenerator.EXPORTED : LocalDate.parse(p.get("DEATHDATE"));
            assertThat(end).isAfter(birth).isBeforeOrEqualTo(CsvGenerator.EXPORTED);
            lives.put(p.get("Id"), new LocalDate[] { birth, end });
        }
        for (CSVRecord e : rows.get("encounters")) {
            OffsetDateTime start = OffsetDateTime.parse(e.get("START"), PROFILE_INSTANT);
            OffsetDateTime stop = OffsetDateTime.parse(e.get("STOP"), PROFILE_INSTANT);
            LocalDate[] life = lives.get(e.get("PATIENT"));
            assertThat(stop).isAfterOrEqualTo(start);
            assertThat(start.toLocalDate()).as("encounter %s", e.get("Id")).isAfterOrEqualTo(life[0]).isBeforeOrEqualTo(life[1]);
            assertThat(stop.toLocalDate()).as("encounter %s", e.get("Id")).isBeforeOrEqualTo(life[1]);
        }

        // Numeric observations are numbers with units where they have them; haemoglobin is plausible.
        int haemoglobin = 0;
        for (CSVRecord o : rows.get("observations")) {
            if (o.get("TYPE").equals("numeric")) {
                assertThat(o.get("VALUE")).as("observation row %d", o.getRecordNumber()).matches("-?\\d+(\\.\\d+)?");
            } else {
                assertThat(o.get("VALUE")).isNotBlank().doesNotMatch("-?\\d+(\\.\\d+)?");
            }
            if (o.get("CODE").equals("718-7")) {
                haemoglobin++;
                assertThat(Double.parseDouble(o.get("VALUE"))).isBetween(12.0, 17.0);
                assertThat(o.get("UNITS")).isEqualTo("g/dL");
            }
            if (o.get("CATEGORY").equals("vital-signs")) {
                assertThat(o.get("UNITS")).isNotEmpty();
            }
        }
        assertThat(haemoglobin).isGreaterThan(20);

        // Every byte is ASCII, every line ends with a line feed alone.
        for (String table : CsvGenerator.TABLES) {
            byte[] bytes = Files.readAllBytes(folder.resolve(table + ".csv"));
            int wrong = -1;
            for (int i = 0; i < bytes.length && wrong < 0; i++) {
                wrong = bytes[i] < 0 || bytes[i] == '\r' ? i : -1;
            }
            assertThat(wrong).as("%s: offset of a carriage return or a byte beyond ASCII", table).isEqualTo(-1);
            assertThat(bytes[bytes.length - 1]).isEqualTo((byte) '\n');
        }
    }

    @Test
    void writeAboutStopsAtTheFirstPatientThatReachesTheTarget(@TempDir Path temp) throws IOException {
        long target = 3_000_000;
        CsvGenerator.Summary about = CsvGenerator.writeAbout(temp.resolve("about"), target, 11);
        assertThat(about.bytes()).isGreaterThanOrEqualTo(target).isLessThan(target + 2_000_000);
        assertThat(about.patients()).isBetween(10, 100);

        CsvGenerator.Summary same = CsvGenerator.write(temp.resolve("same"), about.patients(), 11);
        assertThat(same).isEqualTo(about);
        for (String table : CsvGenerator.TABLES) {
            String file = table + ".csv";
            assertThat(Files.mismatch(temp.resolve("about").resolve(file), temp.resolve("same").resolve(file))).as(file).isEqualTo(-1L);
        }
        assertThat(CsvGenerator.write(temp.resolve("fewer"), about.patients() - 1, 11).bytes()).isLessThan(target);

        CsvGenerator.Summary none = CsvGenerator.writeAbout(temp.resolve("none"), 0, 11);
        assertThat(none.patients()).isZero();
        assertThat(none.rows()).containsEntry("organizations", 40L).containsEntry("patients", 0L);
        assertThat(parse(temp.resolve("none").resolve("encounters.csv"))).isEmpty();
    }

    @Test
    void theSmallSyntheaFixtureHasTheSameTablesHeadersAndJoins() throws Exception {
        Path fixture = Path.of(CsvGeneratorTest.class.getResource("/fixtures/table-dump/small-synthea").toURI());
        assertThat(namesIn(fixture)).containsExactlyInAnyOrderElementsOf(CsvGenerator.TABLES.stream().map(t -> t + ".csv").toList());
        Map<String, List<CSVRecord>> tables = new LinkedHashMap<>();
        for (String table : CsvGenerator.TABLES) {
            assertThat(firstLine(fixture.resolve(table + ".csv"))).as(table).isEqualTo(String.join(",", CsvGenerator.HEADERS.get(table)));
            tables.put(table, parse(fixture.resolve(table + ".csv")));
        }
        Set<String> patients = new HashSet<>();
        tables.get("patients").forEach(p -> patients.add(p.get("Id")));
        Map<String, String> encounterPatient = new HashMap<>();
        tables.get("encounters").forEach(e -> encounterPatient.put(e.get("Id"), e.get("PATIENT")));
        assertThat(patients).hasSize(3);
        tables.forEach((table, records) -> {
            for (CSVRecord row : records) {
                if (row.isMapped("PATIENT")) {
                    assertThat(patients).as(table).contains(row.get("PATIENT"));
                }
                if (row.isMapped("ENCOUNTER")) {
                    assertThat(encounterPatient.get(row.get("ENCOUNTER"))).as(table).isEqualTo(row.get("PATIENT"));
                }
            }
        });
    }

    @Test
    void negativeSizesAreRefused(@TempDir Path temp) {
        assertThatThrownBy(() -> CsvGenerator.write(temp, -1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CsvGenerator.writeAbout(temp, -1, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    // ---------------------------------------------------------------- helpers

    private static List<CSVRecord> parse(Path file) throws IOException {
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8); CSVParser parser = FORMAT.parse(in)) {
            return new ArrayList<>(parser.getRecords());
        }
    }

    private static Set<String> keys(String table, String column) {
        Set<String> keys = new HashSet<>();
        for (CSVRecord row : rows.get(table)) {
            assertThat(keys.add(row.get(column))).as("%s.%s %s is unique", table, column, row.get(column)).isTrue();
        }
        return keys;
    }

    private static void checkAll(String table, String column, Pattern pattern, boolean mayBeEmpty) {
        for (CSVRecord row : rows.get(table)) {
            String value = row.get(column);
            if (mayBeEmpty && value.isEmpty()) {
                continue;
            }
            assertThat(value).as("%s.%s of row %d", table, column, row.getRecordNumber()).matches(pattern);
        }
    }

    private static String firstLine(Path file) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return in.readLine();
        }
    }

    private static List<String> namesIn(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
