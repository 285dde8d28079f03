package org.ehrarchive.ingest.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.ehrarchive.ingest.table.TableDumpFixtures.entryOf;
import static org.ehrarchive.ingest.table.TableDumpFixtures.files;
import static org.ehrarchive.ingest.table.TableDumpFixtures.parse;
import static org.ehrarchive.ingest.table.TableDumpFixtures.patientOf;
import static org.ehrarchive.ingest.table.TableDumpFixtures.read;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.ehrarchive.ingest.ImportedEntry;
import org.ehrarchive.ingest.ImportedFragment;
import org.ehrarchive.ingest.ImportedPatient;
import org.ehrarchive.ingest.ImportedRecord;
import org.ehrarchive.ingest.RecordContent;
import org.ehrarchive.ingest.SourceUnit;
import org.ehrarchive.ingest.table.TableDumpFixtures.Read;
import org.ehrarchive.record.Coded;
import org.ehrarchive.record.EntryKind;
import org.ehrarchive.record.Identifier;
import org.ehrarchive.record.ObservedValue;
import org.ehrarchive.record.PersonName;
import org.ehrarchive.record.Quantity;
import org.ehrarchive.record.TimeValue;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The table-dump importer on the fixtures of src/test/resources/fixtures/table-dump (see its README.md for what each
 * holds), read as ingest reads a folder: {@code units(folder, files)}, then one reading of that unit. Every expected
 * value here is the README's. Plus small dumps given inline for what no fixture shows (a blank line between rows,
 * unmapped columns, content hashes, a wrong encoding).
 */
class TableDumpImporterTest {

    private static final String SYNTHEA = "https://github.com/synthetichealth/synthea";
    private static final String ADA = "a1000000-0000-4000-8000-000000000001";
    private static final String BEN = "a1000000-0000-4000-8000-000000000002";
    private static final String CORA = "a1000000-0000-4000-8000-000000000003";
    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();

    // ---- small-synthea: the shipped synthea-csv profile end to end ----

    @Test
    void smallSyntheaIsOneUnitInReadingOrderWithOneRecordPerDataRowOfItsTable() throws Exception {
        Read read = read("small-synthea");

        assertThat(read.unit()).as("reference tables, then patients, then every table after what it joins").containsExactly(
                "organizations.csv", "providers.csv", "payers.csv", "patients.csv", "encounters.csv", "conditions.csv", "allergies.csv",
                "medications.csv", "observations.csv", "procedures.csv", "immunizations.csv", "careplans.csv", "devices.csv", "supplies.csv",
                "imaging_studies.csv", "payer_transitions.csv");

        Map<String, Long> byType = read.records().stream().collect(Collectors.groupingBy(ImportedRecord::type, Collectors.counting()));
        assertThat(byType).containsExactlyInAnyOrderEntriesOf(Map.ofEntries(Map.entry("patients", 3L), Map.entry("organizations", 2L),
                Map.entry("providers", 2L), Map.entry("payers", 2L), Map.entry("encounters", 5L), Map.entry("conditions", 4L),
                Map.entry("allergies", 2L), Map.entry("medications", 4L), Map.entry("observations", 16L), Map.entry("procedures", 3L),
                Map.entry("immunizations", 1L), Map.entry("careplans", 2L), Map.entry("devices", 2L), Map.entry("supplies", 2L),
                Map.entry("imaging_studies", 2L), Map.entry("payer_transitions", 4L)));

        Path folder = TableDumpFixtures.folder("small-synthea");
        for (String file : read.unit()) {
            String table = file.replace(".csv", "");
            long dataRows = Files.readAllLines(folder.resolve(file), StandardCharsets.UTF_8).stream().skip(1).filter(l -> !l.isEmpty()).count();
            // No field of this dump holds a line break: row N of a table starts on line N + 1 (the header is line 1).
            assertThat(read.locators(table)).as(file).containsExactlyElementsOf(
                    IntStream.rangeClosed(2, (int) dataRows + 1).mapToObj(n -> "/line[" + n + "]").toList());
        }
        assertThat(read.sink().quarantinedFiles).isEmpty();
        assertThat(read.sink().warnings).isEmpty();
        assertThat(read.records()).noneMatch(r -> r.content() instanceof RecordContent.RawContent raw
                && raw.status() == ImportedFragment.Status.QUARANTINED);
    }

    @Test
    void smallSyntheaPatientsCarryTheirIdentifiersNamesBirthSexAndDeath() throws Exception {
        Read read = read("small-synthea");
        assertThat(read.ofType("patients")).allMatch(r -> r.content() instanceof RecordContent.DocumentContent);
        assertThat(read.ofType("patients")).extracting(ImportedRecord::key).containsExactly("Id=" + ADA, "Id=" + BEN, "Id=" + CORA);

        ImportedPatient ada = read.patient("Id=" + ADA);
        assertThat(ada.identifiers()).extracting(Identifier::system, Identifier::value).containsExactly(
                tuple(SYNTHEA, ADA), tuple("http://hl7.org/fhir/sid/us-ssn", "999-01-0001"),
                tuple("urn:oid:2.16.840.1.113883.4.3.25", "S99900001"),
                tuple("http://standardhealthrecord.org/fhir/StructureDefinition/passportNumber", "X10000001X"));
        assertThat(ada.names()).extracting(PersonName::use, PersonName::prefixes, PersonName::given, PersonName::family).containsExactly(
                tuple("official", List.of("Mrs."), List.of("Ada512", "June33"), List.of("Quill804")),
                tuple("maiden", List.of(), List.of("Ada512"), List.of("Marsh221")));
        assertThat(ada.birthTime()).isEqualTo(new TimeValue("1968-03-14", "1968-03-14", "DAY", null, null));
        assertThat(ada.sex()).extracting(Coded::code, Coded::codeSystem).containsExactly("F", "2.16.840.1.113883.5.1");
        assertThat(ada.maritalStatus().code()).isEqualTo("M");
        assertThat(ada.deceased()).isNull();
        assertThat(ada.deceasedTime()).isNull();
        assertThat(ada.addresses()).singleElement().satisfies(a -> {
            assertThat(a.lines()).containsExactly("12 Elm Street");
            assertThat(a.city()).isEqualTo("Riverton");
            assertThat(a.postalCode()).isEqualTo("01420");
        });

        ImportedPatient ben = read.patient("Id=" + BEN);
        assertThat(ben.identifiers()).as("no passport: an empty column gives no identifier").extracting(Identifier::value)
                .containsExactly(BEN, "999-01-0002", "S99900002");
        assertThat(ben.names()).as("Ben614 has no maiden name (MAIDEN is empty): his first name alone is no name of its own")
                .extracting(PersonName::use, PersonName::prefixes, PersonName::given, PersonName::family)
                .containsExactly(tuple("official", List.of("Mr."), List.of("Ben614"), List.of("Okafor37")));
        assertThat(ben.birthTime().iso()).isEqualTo("1990-07-22");
        assertThat(ben.sex().code()).isEqualTo("M");
        assertThat(ben.maritalStatus().code()).isEqualTo("S");

        ImportedPatient cora = read.patient("Id=" + CORA);
        assertThat(cora.birthTime().iso()).isEqualTo("1931-11-02");
        assertThat(cora.deceased()).isTrue();
        assertThat(cora.deceasedTime()).isEqualTo(new TimeValue("2022-09-18", "2022-09-18", "DAY", null, null));
        assertThat(cora.maritalStatus().code()).isEqualTo("W");
        assertThat(cora.names().get(0).given()).containsExactly("Cora771", "Mae12");
        assertThat(cora.names().get(0).family()).containsExactly("Lindqvist90");
    }

    @Test
    void smallSyntheaReferenceTablesAreKeptRawAndLendTheirNamesToEncounters() throws Exception {
        Read read = read("small-synthea");
        for (String table : List.of("organizations", "providers", "payers")) {
            assertThat(read.ofType(table)).as(table).hasSize(2).allSatisfy(r -> {
                assertThat(r.content()).isInstanceOfSatisfying(RecordContent.RawContent.class,
                        raw -> assertThat(raw.status()).isEqualTo(ImportedFragment.Status.KEPT));
                assertThat(r.key()).startsWith("Id=");
                assertThat(r.parent()).isNull();
            });
        }
        assertThat(read.raw("organizations", 2).content()).contains("\"NAME\":\"Riverton Outpatient Clinic\"");

        ImportedRecord wellness = read.keyed("encounters", "Id=e1000000-0000-4000-8000-000000000101");
        assertThat(wellness.parent()).isSameAs(read.keyed("patients", "Id=" + ADA));
        ImportedEntry encounter = entryOf(wellness);
        assertThat(encounter.kind()).isEqualTo(EntryKind.ENCOUNTER);
        assertThat(encounter.code()).extracting(Coded::code, Coded::codeSystem, Coded::displayName)
                .containsExactly("162673000", "http://snomed.info/sct", "General examination of patient (procedure)");
        assertThat(encounter.status()).isEqualTo("finished");
        assertThat(encounter.effective().low()).isEqualTo(new TimeValue("2023-04-10T09:00:00Z", "2023-04-10T09:00:00Z", "SECOND", "Z", null));
        assertThat(encounter.effective().high().iso()).isEqualTo("2023-04-10T09:30:00Z");
        assertThat(encounter.details()).containsEntry("organization", "Riverton Outpatient Clinic").containsEntry("provider", "Ana512 Rivera77")
                .containsEntry("payer", "Generic Health Plan").containsEntry("class", "wellness").containsEntry("table", "encounters");
        assertThat(encounter.details().get("columns")).as("the keys the joins named, beside the names they found")
                .asInstanceOf(InstanceOfAssertFactories.MAP).containsOnlyKeys("ORGANIZATION", "PROVIDER", "PAYER");

        ImportedEntry inpatient = entryOf(read.keyed("encounters", "Id=e1000000-0000-4000-8000-000000000301"));
        assertThat(inpatient.details()).containsEntry("organization", "FAIRVIEW HOSPITAL").containsEntry("payer", "Medicare");
        assertThat(inpatient.details().get("reasons")).asInstanceOf(InstanceOfAssertFactories.LIST).singleElement().isInstanceOfSatisfying(Coded.class,
                reason -> assertThat(reason.code()).isEqualTo("414545008"));

        assertThat(read.entries("payer_transitions")).extracting(e -> e.code().originalText())
                .containsExactly("Generic Health Plan", "Generic Health Plan", "Generic Health Plan", "Medicare");
        assertThat(read.entries("payer_transitions")).allMatch(e -> e.kind() == EntryKind.COVERAGE);
    }

    @Test
    void smallSyntheaEntriesFollowTheStatusRulesAndCodeSystems() throws Exception {
        Read read = read("small-synthea");

        assertThat(read.entries("conditions")).extracting(e -> e.code().displayName(), ImportedEntry::status).containsExactly(
                tuple("Prediabetes", "active"), tuple("Medication review due (situation)", "resolved"),
                tuple("Acute bronchitis (disorder)", "resolved"), tuple("Ischemic heart disease (disorder)", "active"));
        assertThat(read.entries("conditions")).allMatch(e -> e.kind() == EntryKind.PROBLEM && "http://snomed.info/sct".equals(e.code().codeSystem()));
        assertThat(read.entry("conditions", 3).effective().high().iso()).isEqualTo("2023-04-10");

        assertThat(read.entries("medications")).extracting(e -> e.code().code(), ImportedEntry::status).containsExactly(
                tuple("860975", "stopped"), tuple("860975", "active"), tuple("313782", "stopped"), tuple("866412", "stopped"));
        assertThat(read.entry("medications", 2).code().codeSystem()).isEqualTo("http://www.nlm.nih.gov/research/umls/rxnorm");
        assertThat(read.entry("medications", 2).effective().high().iso()).isEqualTo("2024-04-15T09:30:00Z");
        assertThat(read.entry("medications", 3).effective().high()).isNull();

        assertThat(read.entries("careplans")).extracting(ImportedEntry::status).containsExactly("active", "completed");
        assertThat(read.entries("devices")).extracting(e -> e.code().displayName(), ImportedEntry::status)
                .containsExactly(tuple("Blood glucose meter (physical object)", "active"), tuple("Hospital bed  device (physical object)", "inactive"));

        ImportedEntry flu = read.entries("immunizations").get(0);
        assertThat(flu.kind()).isEqualTo(EntryKind.IMMUNIZATION);
        assertThat(flu.code()).extracting(Coded::code, Coded::codeSystem, Coded::displayName)
                .containsExactly("140", "http://hl7.org/fhir/sid/cvx", "Influenza  seasonal  injectable  preservative free");
        assertThat(flu.effective().value().iso()).isEqualTo("2024-04-15T09:00:00Z");

        assertThat(read.entry("procedures", 3).details().get("reasons")).asInstanceOf(InstanceOfAssertFactories.LIST).singleElement()
                .isInstanceOfSatisfying(Coded.class, reason -> assertThat(reason.displayName()).isEqualTo("Acute bronchitis (disorder)"));
        assertThat(read.entry("procedures", 2).details()).doesNotContainKey("reasons");
        assertThat(read.entries("supplies")).extracting(e -> e.details().get("quantity")).containsExactly("50", "50");
    }

    @Test
    void smallSyntheaAllergiesCarryTheirReactionsAndTheSystemTheirNameTranslatesTo() throws Exception {
        Read read = read("small-synthea");
        ImportedRecord peanutRecord = read.at("allergies", 2);
        assertThat(peanutRecord.parent()).isSameAs(read.keyed("patients", "Id=" + BEN));
        ImportedEntry peanut = entryOf(peanutRecord);
        assertThat(peanut.kind()).isEqualTo(EntryKind.ALLERGY);
        assertThat(peanut.code()).extracting(Coded::code, Coded::codeSystem, Coded::displayName)
                .containsExactly("762952008", "http://snomed.info/sct", "Peanut (substance)");
        assertThat(peanut.status()).isEqualTo("active");
        assertThat(peanut.details()).containsEntry("category", "food").containsEntry("type", "allergy");
        assertThat(peanut.details().get("reactions")).isEqualTo(List.of(
                Map.of("code", "39579001", "description", "Anaphylaxis (disorder)", "severity", "SEVERE"),
                Map.of("code", "247472004", "description", "Wheal (finding)", "severity", "MILD")));

        ImportedEntry pollen = read.entry("allergies", 3);
        assertThat(pollen.code().displayName()).isEqualTo("Tree pollen (substance)");
        assertThat(pollen.details()).containsEntry("category", "environment").as("no reaction: no empty list").doesNotContainKey("reactions");
    }

    @Test
    void smallSyntheaObservationsAreKindedByCategoryWithNumericAndTextValuesAndATrend() throws Exception {
        Read read = read("small-synthea");
        List<ImportedEntry> observations = read.entries("observations");
        assertThat(observations).hasSize(16);
        Map<EntryKind, Long> kinds = observations.stream().collect(Collectors.groupingBy(ImportedEntry::kind, Collectors.counting()));
        assertThat(kinds).containsExactlyInAnyOrderEntriesOf(Map.of(EntryKind.VITAL_SIGN, 7L, EntryKind.RESULT, 7L, EntryKind.SOCIAL_HISTORY, 1L,
                EntryKind.ASSESSMENT, 1L));
        assertThat(observations.stream().filter(e -> e.kind() == EntryKind.RESULT).map(e -> e.details().get("category")))
                .containsExactlyInAnyOrder("laboratory", "laboratory", "laboratory", "laboratory", "laboratory", "exam", null);

        // The trend: the same tests at both of Ada's wellness visits.
        assertThat(values(observations, "4548-4")).containsExactly(new Quantity("6.1", "%", null), new Quantity("6.6", "%", null));
        assertThat(values(observations, "718-7")).containsExactly(new Quantity("13.2", "g/dL", null), new Quantity("12.6", "g/dL", null));
        assertThat(values(observations, "29463-7")).containsExactly(new Quantity("78.4", "kg", null), new Quantity("80.1", "kg", null));
        assertThat(values(observations, "8480-6")).containsExactly(new Quantity("128.0", "mm[Hg]", null), new Quantity("134.0", "mm[Hg]", null));
        assertThat(read.entry("observations", 5).details()).containsEntry("encounter", "e1000000-0000-4000-8000-000000000101");
        assertThat(read.entry("observations", 10).details()).containsEntry("encounter", "e1000000-0000-4000-8000-000000000102");

        ImportedEntry smoking = read.entry("observations", 7);
        assertThat(smoking.kind()).isEqualTo(EntryKind.SOCIAL_HISTORY);
        assertThat(smoking.values()).containsExactly(new ObservedValue("ST", null, null, null, null, "Never smoked tobacco (finding)", null));
        ImportedEntry stress = read.entry("observations", 12);
        assertThat(stress.kind()).isEqualTo(EntryKind.ASSESSMENT);
        assertThat(stress.values()).extracting(ObservedValue::type, ObservedValue::text).containsExactly(tuple("ST", "A little bit"));

        ImportedEntry causeOfDeath = read.entry("observations", 16);
        assertThat(causeOfDeath.kind()).isEqualTo(EntryKind.RESULT);
        assertThat(causeOfDeath.details()).containsEntry("category", "exam");
        assertThat(causeOfDeath.values()).extracting(ObservedValue::text).containsExactly("Myocardial infarction (disorder)");
        ImportedEntry qaly = read.entry("observations", 17);
        assertThat(qaly.kind()).as("an empty CATEGORY takes the kind rule's otherwise").isEqualTo(EntryKind.RESULT);
        assertThat(qaly.details()).doesNotContainKey("category");
        assertThat(qaly.values()).extracting(ObservedValue::type, ObservedValue::quantity).containsExactly(tuple("PQ", new Quantity("62.4", "a", null)));
        assertThat(qaly.effective().value()).isEqualTo(new TimeValue("2022-09-18T08:00:00Z", "2022-09-18T08:00:00Z", "SECOND", "Z", null));
    }

    @Test
    void smallSyntheaRowsAreKeyedByTheirProfileKey() throws Exception {
        Read read = read("small-synthea");
        assertThat(read.ofType("imaging_studies")).extracting(ImportedRecord::key).containsExactly(
                "Id=d1000000-0000-4000-8000-000000000001|SERIES_UID=1.2.840.99999999.1.10000001.1717353900000"
                        + "|INSTANCE_UID=1.2.840.99999999.1.1.10000001.1717353900000",
                "Id=d1000000-0000-4000-8000-000000000001|SERIES_UID=1.2.840.99999999.1.10000001.1717353900000"
                        + "|INSTANCE_UID=1.2.840.99999999.1.1.10000002.1717353900000");
        assertThat(read.ofType("careplans")).extracting(ImportedRecord::key)
                .containsExactly("Id=c1000000-0000-4000-8000-000000000001", "Id=c1000000-0000-4000-8000-000000000002");
        assertThat(read.ofType("conditions")).as("a table without key: its content is its identity").extracting(ImportedRecord::key)
                .containsOnlyNulls();
        assertThat(read.ofType("conditions")).extracting(ImportedRecord::contentHash).doesNotHaveDuplicates();
        assertThat(read.entry("imaging_studies", 2).details()).containsEntry("study", "d1000000-0000-4000-8000-000000000001");
    }

    private static List<Quantity> values(List<ImportedEntry> entries, String code) {
        return entries.stream().filter(e -> code.equals(e.code().code())).map(e -> e.values().get(0).quantity()).toList();
    }

    // ---- quoting ----

    @Test
    void quotedDelimitersDoubledQuotesAndLineBreaksStayInTheirFieldAndLinesAreThePhysicalOnes() throws Exception {
        Read read = read("quoting");
        assertThat(read.unit()).containsExactly("patients.csv", "problems.csv");
        assertThat(read.locators("patients")).as("Q001's address spans lines 2-3; the trailing empty line is no row")
                .containsExactly("/line[2]", "/line[4]", "/line[5]");
        assertThat(read.locators("problems")).as("CRLF lines; the NOTE of line 3 holds a CRLF, so the next row starts on line 5")
                .containsExactly("/line[2]", "/line[3]", "/line[5]", "/line[6]");

        ImportedPatient doe = read.patient("PATIENT_ID=Q001");
        assertThat(doe.identifiers()).as("the BOM is skipped: the first column is PATIENT_ID").extracting(Identifier::system, Identifier::value)
                .containsExactly(tuple("urn:example:table-dump:quoting", "Q001"));
        assertThat(doe.names().get(0).family()).containsExactly("Doe, Jr.");
        assertThat(doe.addresses().get(0).lines()).containsExactly("12 Elm Street\nFlat 3");
        assertThat(doe.addresses().get(0).city()).isEqualTo("Springfield");
        assertThat(doe.sourceFragment()).startsWith("{\"PATIENT_ID\":\"Q001\",");
        ImportedPatient ohara = read.patient("PATIENT_ID=Q002");
        assertThat(ohara.names().get(0).family()).containsExactly("O\"Hara");
        assertThat(ohara.addresses().get(0).lines()).containsExactly("4 \"The Willows\", Mill Lane");
        assertThat(read.patient("PATIENT_ID=Q003").addresses().get(0).city()).isEqualTo("Fairview");

        assertThat(read.entries("problems")).extracting(e -> e.code().displayName(), e -> e.details().get("note")).containsExactly(
                tuple("Hypertension, essential", "Patient says \"no salt\" diet"),
                tuple("Diabetes mellitus type 2", "First line\r\nsecond line, after a line break"),
                tuple("Asthma", null),
                tuple("Headache, \"tension type\"", "Seen in the \"walk-in\" clinic, Friday"));
        assertThat(read.at("problems", 5).parent()).isSameAs(read.keyed("patients", "PATIENT_ID=Q002"));

        assertThat(read.sink().warnings).as("a trailing empty line is neither a row nor worth a warning").isEmpty();
        assertThat(read.sink().quarantinedFiles).isEmpty();
    }

    @Test
    void aBlankLineBetweenRowsIsNoRowAndTheRowAfterItKeepsItsLine() throws Exception {
        MappingProfile profile = parse(inlineProfile(""));
        Read read = read(profile, files("patients.csv", "ID,GIVEN,FAMILY\nP1,Ann,Lee\n\nP2,Bo,Kim\n", "results.csv",
                "PATIENT,CODE,DATE,VALUE,UNIT\r\nP1,718-7,2024-01-05,13.4,g/dL\r\n\r\nP2,718-7,2024-01-06,12.1,g/dL\r\n"));
        assertThat(read.locators("patients")).containsExactly("/line[2]", "/line[4]");
        assertThat(read.locators("results")).containsExactly("/line[2]", "/line[4]");
        assertThat(read.at("results", 4).parent()).isSameAs(read.keyed("patients", "ID=P2"));
        assertThat(read.sink().warnings).containsExactly("blank lines skipped (they are no rows)", "blank lines skipped (they are no rows)");
    }

    @Test
    void anUnclosedQuoteInTheLastColumnQuarantinesTheRestOfTheFileInsteadOfFilingItUnderOneRow() throws Exception {
        MappingProfile profile = parse(inlineProfile(""));
        Read read = read(profile, files("patients.csv", "ID,GIVEN,FAMILY\nP1,Ann,Lee\nP2,Bo,Kim\n", "results.csv",
                "PATIENT,CODE,DATE,VALUE,UNIT\nP1,718-7,2024-01-05,13.4,\"g/dL\nP2,718-7,2024-01-06,12.1,g/dL\nP2,718-7,2024-01-07,12.2,g/dL\n"));

        assertThat(read.ofType("results")).as("one record from line 2 to the end, quarantined: the other patient's rows are in no chart")
                .singleElement().satisfies(record -> {
                    assertThat(record.locator()).isEqualTo("/line[2]");
                    assertThat(record.parent()).isNull();
                    assertThat(record.content()).isInstanceOfSatisfying(RecordContent.RawContent.class, raw -> {
                        assertThat(raw.status()).isEqualTo(ImportedFragment.Status.QUARANTINED);
                        assertThat(raw.reason()).startsWith("ING-210").contains("from line 2 to the end of the file");
                    });
                });
        assertThat(read.sink().warnings).anyMatch(w -> w.contains("quoting breaks off"));
    }

    @Test
    void aPatientRowWithoutItsKeyIsAPatientOfItsOwnAndAnUnnamedTableWithATablesNameIsNotThatTable() throws Exception {
        MappingProfile profile = parse(inlineProfile("").replace("                    files: [patients.csv]\n",
                "                    files: [patients.csv]\n                    key: [ID]\n"));
        Read read = read(profile, files("patients.csv", "ID,GIVEN,FAMILY\n,Ann,Lee\nP2,Bo,Kim\n", "results.csv",
                "PATIENT,CODE,DATE,VALUE,UNIT\nP2,718-7,2024-01-06,12.1,g/dL\n", "patients.2023.csv", "ID,GIVEN\nP9,Cy\n"));

        assertThat(read.ofType("patients")).hasSize(2).first().satisfies(record -> assertThat(record.key()).isNull());
        assertThat(read.ofType("patients.2023")).singleElement().satisfies(record -> assertThat(record.content())
                .isInstanceOfSatisfying(RecordContent.RawContent.class, raw -> assertThat(raw.status()).isEqualTo(ImportedFragment.Status.KEPT)));
    }

    @Test
    void aReferenceJoinsKeyStaysWithTheEntryBesideTheNameItFound() throws Exception {
        Read read = read("small-synthea");
        ImportedEntry encounter = read.entries("encounters").get(0);
        assertThat(encounter.details()).containsKey("organization");
        assertThat(encounter.details().get("columns")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsKeys("ORGANIZATION", "PROVIDER", "PAYER").doesNotContainKey("PATIENT");
    }

    // ---- encodings ----

    @Test
    void windows1252AndIso88591TablesAreDecodedExactly() throws Exception {
        Read read = read("encodings");
        assertThat(read.unit()).containsExactly("patients.csv", "problems.csv", "allergies.csv");
        assertThat(read.ofType("patients")).extracting(r -> patientOf(r).names().get(0).given().get(0) + " " + patientOf(r).names().get(0).family().get(0))
                .containsExactly("Renée Lefèvre", "Jürgen Müller", "Iñaki Muñoz");
        assertThat(read.ofType("patients")).extracting(r -> patientOf(r).addresses().get(0).lines().get(0) + ", " + patientOf(r).addresses().get(0).city())
                .containsExactly("3 rue de l'Église, Sèvres", "Königstraße 8, Düsseldorf", "Calle Peñalara 14, Logroño");
        assertThat(read.entries("problems")).extracting(e -> e.code().displayName()).containsExactly(
                "Névralgie faciale (consultation privée, 60 €)", "Asthma bronchiale – Überempfindlichkeit",
                "Diabetes mellitus – año del diagnóstico 2019");
        assertThat(read.entry("problems", 3).details()).containsEntry("note", "Zuzahlung 10 € erlassen");
        assertThat(read.entries("allergies")).as("ISO-8859-1, declared on the table").extracting(e -> e.code().displayName(), e -> e.details().get("reaction"))
                .containsExactly(tuple("Pénicilline", "Urticaire généralisée"), tuple("Erdnüsse", "Schwellung der Lippen"),
                        tuple("Anacardos (nueces de cajú)", "Picor en la garganta; año 2020"));
        String everything = JSON.writeValueAsString(read.records());
        assertThat(everything).doesNotContain("\uFFFD").doesNotContain("Ã");
        assertThat(read.sink().quarantinedFiles).isEmpty();
        assertThat(read.sink().warnings).isEmpty();
    }

    @Test
    void aUtf8TableThatWindows1252CanDecodeIsReadAsDeclaredButSaidToLookLikeUtf8() throws Exception {
        // é in UTF-8 is C3 A9, two windows-1252 characters (Ã©): nothing refuses it, so the reading must say so.
        byte[] utf8Problems = ("PATIENT_ID,CODE,DESCRIPTION,ONSET,NOTE\nE001,31681005,Névralgie,2015-09-01,\n").getBytes(StandardCharsets.UTF_8);
        Read read = read(TableDumpFixtures.profile("encodings"), files("patients.csv", TableDumpFixtures.bytes("encodings", "patients.csv"),
                "problems.csv", utf8Problems, "allergies.csv", TableDumpFixtures.bytes("encodings", "allergies.csv")));

        assertThat(read.sink().warnings).containsExactly("the table's bytes look like UTF-8, not the declared windows-1252: check the encoding");
        assertThat(read.entries("problems")).hasSize(1);
    }

    @Test
    void aUtf8TableUnderAWindows1252ProfileIsQuarantinedAndTheOtherFilesGoOn() throws Exception {
        // In UTF-8, Í is C3 8D, and 0x8D is no windows-1252 character: the file cannot be windows-1252.
        byte[] utf8Problems = ("PATIENT_ID,CODE,DESCRIPTION,ONSET,NOTE\nE001,31681005,Índice de masa corporal elevado,2015-09-01,\n")
                .getBytes(StandardCharsets.UTF_8);
        Read read = read(TableDumpFixtures.profile("encodings"), files("patients.csv", TableDumpFixtures.bytes("encodings", "patients.csv"),
                "problems.csv", utf8Problems, "allergies.csv", TableDumpFixtures.bytes("encodings", "allergies.csv")));

        assertThat(read.sink().quarantinedFiles).hasSize(1);
        Map.Entry<SourceUnit.File, String> quarantined = read.sink().quarantinedFiles.entrySet().iterator().next();
        assertThat(quarantined.getKey().path()).isEqualTo("problems.csv");
        assertThat(quarantined.getValue()).startsWith("ING-108").contains("table problems: its bytes are not windows-1252 at line 2;");
        assertThat(read.ofType("problems")).isEmpty();
        assertThat(read.ofType("patients")).hasSize(3);
        assertThat(read.entries("allergies")).hasSize(3);
    }

    @Test
    void bytesThatAreNotTheDeclaredEncodingQuarantineTheirFileAndTheOtherFilesGoOn() throws Exception {
        // The quoting profile says UTF-8; é in windows-1252 is the lone byte E9, which UTF-8 never has before a plain letter.
        byte[] cp1252Problems = "PATIENT_ID,CODE,DESCRIPTION,ONSET,NOTE\nQ001,31681005,Névralgie faciale,2015-09-01,\n"
                .getBytes(Charset.forName("windows-1252"));
        Read read = read(TableDumpFixtures.profile("quoting"), files("patients.csv", TableDumpFixtures.bytes("quoting", "patients.csv"),
                "problems.csv", cp1252Problems));
        assertThat(read.sink().quarantinedFiles.values()).singleElement().asString().startsWith("ING-108")
                .contains("table problems: its bytes are not UTF-8 at line 2;");
        assertThat(read.sink().quarantinedFiles.keySet()).extracting(SourceUnit.File::path).containsExactly("problems.csv");
        assertThat(read.ofType("patients")).hasSize(3);
        assertThat(read.ofType("problems")).isEmpty();
    }

    @Test
    void anUndecodableByteFarIntoALargeTableIsReportedAtItsLine() throws Exception {
        StringBuilder rows = new StringBuilder("PATIENT_ID,CODE,DESCRIPTION,ONSET,NOTE\n");
        for (int i = 0; i < 5_000; i++) {
            rows.append("Q001,59621000,Essential hypertension (disorder),2019-03-01,follow-up visit number ").append(i).append('\n');
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(rows.toString().getBytes(StandardCharsets.UTF_8));
        bytes.writeBytes("Q001,31681005,N".getBytes(StandardCharsets.UTF_8));
        bytes.write(0xE9); // line 5002: windows-1252's é, no UTF-8
        bytes.writeBytes("vralgie faciale,2015-09-01,\n".getBytes(StandardCharsets.UTF_8));
        Read read = read(TableDumpFixtures.profile("quoting"), files("patients.csv", TableDumpFixtures.bytes("quoting", "patients.csv"),
                "problems.csv", bytes.toByteArray()));
        assertThat(read.sink().quarantinedFiles.values()).singleElement().asString().startsWith("ING-108").contains("at line 5002;");
    }

    // ---- semicolon: no header, null markers, dd.MM.yyyy ----

    @Test
    void aHeaderlessSemicolonDumpIsReadByTheProfilesColumnsWithNullMarkersAndItsDateFormats() throws Exception {
        Read read = read("semicolon");
        assertThat(read.unit()).containsExactly("patienten.csv", "labor.csv");
        assertThat(read.locators("patients")).as("no header: the first row is line 1 and data").containsExactly("/line[1]", "/line[2]", "/line[3]");
        assertThat(read.locators("labor")).containsExactly("/line[1]", "/line[2]", "/line[3]", "/line[4]", "/line[5]");

        ImportedPatient anna = read.patient("PATNR=S001");
        assertThat(anna.identifiers()).extracting(Identifier::system, Identifier::value).containsExactly(tuple("urn:example:table-dump:semicolon", "S001"));
        assertThat(anna.names().get(0).given()).containsExactly("Anna");
        assertThat(anna.names().get(0).family()).containsExactly("Schmidt");
        assertThat(anna.birthTime()).isEqualTo(new TimeValue("12.04.1970", "1970-04-12", "DAY", null, null));
        assertThat(anna.sex().code()).isEqualTo("F");
        assertThat(anna.deceased()).as("STERBEDAT NULL").isNull();
        assertThat(anna.deceasedTime()).isNull();
        ImportedPatient lukas = read.patient("PATNR=S002");
        assertThat(lukas.birthTime().iso()).isEqualTo("1948-11-03");
        assertThat(lukas.deceased()).isTrue();
        assertThat(lukas.deceasedTime()).isEqualTo(new TimeValue("27.01.2023", "2023-01-27", "DAY", null, null));
        ImportedPatient mia = read.patient("PATNR=S003");
        assertThat(mia.birthTime().iso()).isEqualTo("2012-06-30");
        assertThat(mia.deceased()).as("STERBEDAT \\N").isNull();
        assertThat(mia.deceasedTime()).isNull();

        ImportedEntry haemoglobin = read.entry("labor", 1);
        assertThat(read.at("labor", 1).parent()).isSameAs(read.keyed("patients", "PATNR=S001"));
        assertThat(haemoglobin.kind()).isEqualTo(EntryKind.RESULT);
        assertThat(haemoglobin.code()).extracting(Coded::code, Coded::codeSystem, Coded::displayName).containsExactly("718-7", "http://loinc.org", "Hämoglobin");
        assertThat(haemoglobin.effective().value()).isEqualTo(new TimeValue("05.01.2024 08:45", "2024-01-05T08:45", "MINUTE", null, null));
        assertThat(haemoglobin.values()).extracting(ObservedValue::type, ObservedValue::quantity).containsExactly(tuple("PQ", new Quantity("13.5", "g/dL", null)));
        assertThat(haemoglobin.referenceRanges()).singleElement().satisfies(range -> {
            assertThat(range.value().low()).isEqualTo(new Quantity("12.0", "g/dL", null));
            assertThat(range.value().high()).isEqualTo(new Quantity("16.0", "g/dL", null));
        });
        assertThat(read.entry("labor", 2).values().get(0).quantity()).isEqualTo(new Quantity("98", "mg/dL", null));
        ImportedEntry creatinine = read.entry("labor", 3);
        assertThat(creatinine.values().get(0).quantity()).isEqualTo(new Quantity("2.4", "mg/dL", null));
        assertThat(creatinine.referenceRanges()).as("range \\N/\\N: none").isEmpty();
        assertThat(creatinine.effective().value().iso()).isEqualTo("2023-01-15T10:10");
        ImportedEntry colour = read.entry("labor", 4);
        assertThat(colour.values()).as("a text value, and unit \\N is no unit").containsExactly(new ObservedValue("ST", null, null, null, null, "gelb", null));
        assertThat(colour.referenceRanges()).as("range NULL/NULL: none").isEmpty();
        ImportedEntry height = read.entry("labor", 5);
        assertThat(height.code().displayName()).isEqualTo("Körpergröße");
        assertThat(height.effective().value()).as("no time: the second date format").isEqualTo(new TimeValue("20.02.2024", "2024-02-20", "DAY", null, null));
        assertThat(height.values().get(0).quantity()).isEqualTo(new Quantity("142", "cm", null));

        String everything = JSON.writeValueAsString(read.records());
        assertThat(everything).as("a null marker is no value, never its text").doesNotContain("NULL").doesNotContain("\\\\N");
        assertThat(read.sink().warnings).isEmpty();
        assertThat(read.sink().quarantinedFiles).isEmpty();
    }

    // ---- ragged rows ----

    @Test
    void raggedRowsAreQuarantinedRawAtTheirLineAndTheirNeighboursAreArchived() throws Exception {
        Read read = read("ragged");
        assertThat(read.ofType("patients")).hasSize(2);
        assertThat(read.locators("results")).containsExactly("/line[2]", "/line[3]", "/line[4]", "/line[5]", "/line[6]");
        assertThat(read.entries("results")).extracting(e -> e.code().displayName()).containsExactly("Hemoglobin", "Creatinine", "Glucose");
        assertThat(read.entry("results", 6).values().get(0).quantity()).isEqualTo(new Quantity("104", "mg/dL", null));

        ImportedRecord tooMany = read.at("results", 3);
        assertThat(tooMany.parent()).as("not mapped, so not filed under a guessed patient").isNull();
        RecordContent.RawContent seven = (RecordContent.RawContent) tooMany.content();
        assertThat(seven.status()).isEqualTo(ImportedFragment.Status.QUARANTINED);
        assertThat(seven.reason()).startsWith("ING-210").contains("line 3: 7 fields, the header has 6");
        assertThat(seven.content()).as("kept as it was read").contains("\"TEST\":\"Glucose\"", "\"VALUE\":\" fasting\"", "mg/dL");
        RecordContent.RawContent five = read.raw("results", 5);
        assertThat(five.status()).isEqualTo(ImportedFragment.Status.QUARANTINED);
        assertThat(five.reason()).startsWith("ING-210").contains("line 5: 5 fields, the header has 6");
        assertThat(five.content()).contains("\"VALUE\":\"12.8\"");

        assertThat(read.sink().quarantinedFiles).as("the file is not rejected as a whole").isEmpty();
        assertThat(read.sink().warnings).containsExactly("rows with more or fewer fields than the header are quarantined (ING-210) (2 rows)");
    }

    // ---- broken joins ----

    @Test
    void aRowWhosePatientIsMissingIsQuarantinedAndOneWithAMissingEncounterIsArchivedWithAWarning() throws Exception {
        Read read = read("broken-join");
        assertThat(read.unit()).containsExactly("patients.csv", "encounters.csv", "observations.csv");
        assertThat(read.locators("observations")).containsExactly("/line[2]", "/line[3]", "/line[4]", "/line[5]", "/line[6]");

        ImportedRecord noPatient = read.at("observations", 3);
        assertThat(noPatient.parent()).as("filed under no one").isNull();
        RecordContent.RawContent raw = (RecordContent.RawContent) noPatient.content();
        assertThat(raw.status()).isEqualTo(ImportedFragment.Status.QUARANTINED);
        assertThat(raw.reason()).startsWith("ING-209").contains("line 3", "column PATIENT");
        assertThat(raw.content()).contains("\"PATIENT\":\"B999\"");

        ImportedRecord noEncounter = read.at("observations", 5);
        assertThat(noEncounter.parent()).as("its patient is known").isSameAs(read.keyed("patients", "Id=B002"));
        ImportedEntry respiratory = entryOf(noEncounter);
        assertThat(respiratory.code().displayName()).isEqualTo("Respiratory rate");
        assertThat(respiratory.details()).as("archived without that link").doesNotContainKey("encounter");
        assertThat(read.sink().warnings).contains("rows whose ENCOUNTER is not in encounters.Id are archived without that link (a broken join in the dump)",
                "rows whose patient is not in the patients table are quarantined (ING-209)");

        assertThat(List.of(2, 4, 6)).allSatisfy(line -> {
            ImportedRecord resolved = read.at("observations", line);
            assertThat(resolved.parent()).isNotNull();
            assertThat(entryOf(resolved).details()).containsKey("encounter");
        });
        assertThat(read.entry("observations", 4).details()).containsEntry("encounter", "V002");
        assertThat(read.at("observations", 6).parent()).isSameAs(read.keyed("patients", "Id=B001"));
    }

    // ---- bad dates ----

    @Test
    void aDateNoFormatReadsQuarantinesItsRowAndFormatsAreTriedInOrder() throws Exception {
        Read read = read("bad-dates");
        ImportedEntry good = read.entry("problems", 2);
        assertThat(good.status()).isEqualTo("active");
        assertThat(good.effective().low()).isEqualTo(new TimeValue("2019-03-01", "2019-03-01", "DAY", null, null));

        RecordContent.RawContent onset = read.raw("problems", 3);
        assertThat(onset.status()).isEqualTo(ImportedFragment.Status.QUARANTINED);
        assertThat(onset.reason()).startsWith("ING-211").contains("line 3", "column ONSET");
        assertThat(onset.content()).as("kept as written, not guessed").contains("\"ONSET\":\"03/15/2021\"");

        ImportedEntry byFirstFormat = read.entry("problems", 4);
        assertThat(byFirstFormat.effective().low()).isEqualTo(new TimeValue("2020-06-15T10:30:00Z", "2020-06-15T10:30:00Z", "SECOND", "Z", null));

        RecordContent.RawContent resolved = read.raw("problems", 5);
        assertThat(resolved.status()).isEqualTo(ImportedFragment.Status.QUARANTINED);
        assertThat(resolved.reason()).startsWith("ING-211").contains("line 5", "column RESOLVED");
        assertThat(read.sink().warnings).containsExactly("rows that cannot be mapped as the profile says are quarantined (ING-211): date (2 rows)");
    }

    // ---- a table no table of the profile names ----

    @Test
    void aFileNoTableNamesIsReadLastAndItsRowsAreKeptRawUnderItsFileStem() throws Exception {
        Read read = read("unnamed-table");
        assertThat(read.unit()).as("named tables in reading order, then the rest; profile.yaml is no table")
                .containsExactly("patients.csv", "encounters.csv", "claims.csv");
        assertThat(read.ofType("patients")).hasSize(2);
        assertThat(read.entries("encounters")).hasSize(2);
        assertThat(read.ofType("claims")).hasSize(3).allSatisfy(r -> {
            assertThat(r.content()).isInstanceOfSatisfying(RecordContent.RawContent.class, raw -> {
                assertThat(raw.status()).isEqualTo(ImportedFragment.Status.KEPT);
                assertThat(raw.reason()).isEqualTo("a table the profile does not name: kept as its row");
            });
            assertThat(r.key()).isNull();
        });
        assertThat(read.locators("claims")).containsExactly("/line[2]", "/line[3]", "/line[4]");
        assertThat(read.raw("claims", 4).content()).contains("\"Id\":\"K003\"", "\"STATUS\":\"OPEN\"");
        assertThat(read.sink().warnings).containsExactly("a table the profile does not name: every row is kept raw and counted");
        assertThat(read.sink().quarantinedFiles).isEmpty();
    }

    @Test
    void unitsOrderNamedTablesByTheProfileAndLeaveOutWhatIsNoTable() throws Exception {
        Path folder = TableDumpFixtures.folder("small-synthea");
        TableDumpImporter importer = new TableDumpImporter(TableDumpFixtures.profile("small-synthea"));
        List<Path> files = new ArrayList<>(TableDumpFixtures.sortedFiles(folder));
        files.add(folder.resolve("zz_extra.tsv"));
        files.add(folder.resolve("README.txt"));
        List<List<Path>> units = importer.units(folder, files);
        assertThat(units).hasSize(1);
        List<String> names = units.get(0).stream().map(p -> p.getFileName().toString()).toList();
        assertThat(names.subList(0, 3)).containsExactlyInAnyOrder("organizations.csv", "providers.csv", "payers.csv");
        assertThat(names.get(3)).isEqualTo("patients.csv");
        assertThat(names.indexOf("encounters.csv")).isLessThan(names.indexOf("conditions.csv"));
        assertThat(names).endsWith("zz_extra.tsv").doesNotContain("README.txt").hasSize(17);
        assertThat(importer.units(folder, List.of(folder.resolve("claims.csv")))).as("no table the profile names: no unit").isEmpty();
    }

    // ---- the header check, unmapped columns, content hashes ----

    @Test
    void aTableWhoseHeaderLacksAMappedColumnIsQuarantinedAndTheOtherFilesGoOn() throws Exception {
        Read read = read(parse(inlineProfile("")), files("patients.csv", "ID,GIVEN,FAMILY\nP1,Ann,Lee\n",
                "results.csv", "PATIENT,CODE,WHEN,VALUE,UNIT\nP1,718-7,2024-01-05,13.4,g/dL\n"));
        assertThat(read.sink().quarantinedFiles.values()).singleElement().asString().startsWith("ING-108")
                .contains("table results: its header lacks column DATE that the profile maps");
        assertThat(read.ofType("patients")).hasSize(1);
        assertThat(read.ofType("results")).isEmpty();
    }

    @Test
    void columnsTheMappingDoesNotReadStayWithTheEntry() throws Exception {
        Read read = read(parse(inlineProfile("")), files("patients.csv", "ID,GIVEN,FAMILY\nP1,Ann,Lee\n",
                "results.csv", "PATIENT,CODE,DATE,VALUE,UNIT,LAB,COMMENT\nP1,718-7,2024-01-05,13.4,g/dL,Central lab,\n"));
        ImportedEntry entry = read.entry("results", 2);
        assertThat(entry.details()).containsEntry("columns", Map.of("LAB", "Central lab")).containsEntry("table", "results");
        assertThat(entry.values().get(0).quantity()).isEqualTo(new Quantity("13.4", "g/dL", null));
        assertThat(entry.code()).extracting(Coded::code, Coded::codeSystem).containsExactly("718-7", null);
    }

    @Test
    void theSameRowWithItsColumnsInAnotherOrderHasTheSameContentHashAndAChangedValueAnother() throws Exception {
        MappingProfile profile = parse(inlineProfile(""));
        String results = "PATIENT,CODE,DATE,VALUE,UNIT\nP1,718-7,2024-01-05,13.4,g/dL\n";
        Read original = read(profile, files("patients.csv", "ID,GIVEN,FAMILY\nP1,Ann,Lee\n", "results.csv", results));
        Read reordered = read(profile, files("patients.csv", "FAMILY,ID,GIVEN\nLee,P1,Ann\n", "results.csv",
                "UNIT,VALUE,DATE,CODE,PATIENT\ng/dL,13.4,2024-01-05,718-7,P1\n"));
        Read changed = read(profile, files("patients.csv", "ID,GIVEN,FAMILY\nP1,Anne,Lee\n", "results.csv",
                "PATIENT,CODE,DATE,VALUE,UNIT\nP1,718-7,2024-01-05,13.5,g/dL\n"));

        Function<Read, String> patientHash = r -> r.keyed("patients", "ID=P1").contentHash();
        Function<Read, String> resultHash = r -> r.at("results", 2).contentHash();
        assertThat(patientHash.apply(reordered)).isEqualTo(patientHash.apply(original));
        assertThat(resultHash.apply(reordered)).isEqualTo(resultHash.apply(original));
        assertThat(patientHash.apply(changed)).as("same key, another version").isNotEqualTo(patientHash.apply(original));
        assertThat(changed.keyed("patients", "ID=P1").key()).isEqualTo(original.keyed("patients", "ID=P1").key());
        assertThat(resultHash.apply(changed)).isNotEqualTo(resultHash.apply(original));
    }

    // ---- no value in any reason or warning ----

    @Test
    void noReasonOrWarningHoldsAFieldValue() throws Exception {
        Map<String, List<String>> values = Map.of(
                "small-synthea", List.of("Ada512", "Quill804", "Ben614", "Okafor37", "Cora771", "Lindqvist90", ADA),
                "quoting", List.of("Jane", "Doe", "O\"Hara", "Q001"),
                "encodings", List.of("Renée", "Lefèvre", "Müller", "Iñaki", "E001"),
                "semicolon", List.of("Anna", "Schmidt", "Weber", "S002"),
                "ragged", List.of("Maria", "Garcia", "Nguyen", "R001", "fasting", "12.8"),
                "broken-join", List.of("Kim", "Okafor", "Arjun", "Patel", "B999", "V999"),
                "bad-dates", List.of("Samira", "Haddad", "Lindqvist", "03/15/2021", "2022-13-40", "D001"),
                "unnamed-table", List.of("Grace", "Okonkwo", "Lindgren", "K001", "U001"));
        for (Map.Entry<String, List<String>> fixture : values.entrySet()) {
            List<String> said = read(fixture.getKey()).reasonsAndWarnings();
            for (String value : fixture.getValue()) {
                assertThat(said).as(fixture.getKey() + ": " + value).noneMatch(text -> text.contains(value));
            }
        }
    }

    /** Patients (ID, GIVEN, FAMILY) and results joined to them; {@code resultsExtra} goes into the results table. */
    static String inlineProfile(String resultsExtra) {
        return """
                profile: inline
                defaults:
                  date-formats: ["yyyy-MM-dd"]
                tables:
                  patients:
                    files: [patients.csv]
                    patients:
                      identifiers:
                        - {column: ID, system: "urn:example:inline"}
                      names:
                        - {given: GIVEN, family: FAMILY}
                  results:
                    files: [results.csv]
                """ + resultsExtra + """
                    joins:
                      PATIENT: patients.ID
                    entry:
                      kind: RESULT
                      code: CODE
                      date: DATE
                      value: {column: VALUE, unit: UNIT}
                """;
    }
}
