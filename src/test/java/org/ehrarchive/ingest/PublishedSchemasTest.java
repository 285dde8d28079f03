package org.ehrarchive.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.ehrarchive.ingest.table.MappingProfiles;
import org.ehrarchive.record.ClinicalDocument;
import org.ehrarchive.record.ClinicalEntry;
import org.ehrarchive.record.PatientDemographics;
import org.ehrarchive.support.ArchiveTestDatabase;
import org.ehrarchive.support.CcdaDocuments;
import org.ehrarchive.support.Fixtures;
import org.ehrarchive.support.Ingesting;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The JSON Schemas in {@code archive-schemas/} are a published contract: what the archive writes (the ingest
 * report, the normalized records) must validate against them, and what it reads (mapping profiles) must be described
 * by them as the archive reads it.
 */
@QuarkusTest
@WithTestResource(ArchiveTestDatabase.class)
class PublishedSchemasTest {

    private static final Path SCHEMAS = Path.of("archive-schemas").toAbsolutePath();
    private static final Path TABLE_DUMPS = Path.of("src/test/resources/fixtures/table-dump").toAbsolutePath();
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
            builder -> builder.schemaMappers(mappers -> mappers.mappings(Map.of(
                    "urn:ehrarchive:archive-schemas:normalized-record:2", SCHEMAS.resolve("normalized-record.schema.json").toUri().toString(),
                    "urn:ehrarchive:archive-schemas:ingest-report:2", SCHEMAS.resolve("ingest-report.schema.json").toUri().toString()))));

    @Inject
    IngestService ingest;

    private final ObjectMapper json = new ObjectMapper().findAndRegisterModules()
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    @Test
    void theIngestReportMatchesItsSchema(@TempDir Path folder) throws Exception {
        // Fresh content, so that the report has an archived line with its sections and identifiers (the fixtures
        // may be duplicates of what other tests archived), and a quarantined one; the second run's line is a duplicate.
        CcdaDocuments.forNewPatient().problem(new CcdaDocuments.Problem(UUID.randomUUID().toString(), "38341003", "Hypertension",
                "active", "20120301")).writeTo(folder, "fresh.xml");
        Fixtures.copy("ccda", "truncated.xml", folder);
        Fixtures.copy("ccda", "unstructured-embedded.xml", folder);
        // an HL7 v2 archive of a fresh patient: its line counts messages, and parts beside them
        String authority = "GH" + UUID.randomUUID().toString().substring(0, 8);
        java.nio.file.Files.writeString(folder.resolve("results.hl7"), new String(Fixtures.bytes("hl7v2", "oru-r01-values.hl7"),
                java.nio.charset.StandardCharsets.ISO_8859_1).replace("GOODHEALTH", authority).replace("^SSA^", "^" + authority + "^"),
                java.nio.charset.StandardCharsets.ISO_8859_1);
        IngestReport report = Ingesting.report(ingest, folder);
        assertThat(line(report, "results.hl7").parts()).containsKey("result");
        assertThat(report.totals().parts()).containsKey("result");
        assertThat(line(report, "fresh.xml").status()).isEqualTo("archived");
        assertThat(line(report, "fresh.xml").sections()).isNotEmpty();
        assertThat(line(report, "truncated.xml").status()).isEqualTo("quarantined");
        assertValid(schema("ingest-report.schema.json", ""), json.valueToTree(report));

        IngestReport again = Ingesting.report(ingest, folder);
        assertThat(line(again, "fresh.xml").status()).isEqualTo("duplicate");
        assertValid(schema("ingest-report.schema.json", ""), json.valueToTree(again));
    }

    private static IngestReport.FileReport line(IngestReport report, String path) {
        return report.files().stream().filter(f -> f.path().equals(path)).findFirst().orElseThrow();
    }

    @Test
    void normalizedRecordsMatchTheirSchema(@TempDir Path folder) throws Exception {
        Fixtures.copy("ccda", "full-ccd.xml", folder);
        ingest.ingest(folder, IngestProgress.NONE);
        String sha = org.ehrarchive.blob.BlobStore.sha256Of(Fixtures.bytes("ccda", "full-ccd.xml"));
        QuarkusTransaction.requiringNew().run(() -> {
            ClinicalDocument document = ClinicalDocument.find("sourceSha256", sha).firstResult();
            assertValid(schema("normalized-record.schema.json", "#/$defs/Document"), withoutPanacheState(document));
            for (ClinicalEntry entry : ClinicalEntry.<ClinicalEntry>list("documentId", document.id)) {
                assertValid(schema("normalized-record.schema.json", "#/$defs/Entry"), withoutPanacheState(entry));
            }
            for (PatientDemographics demographics : PatientDemographics.<PatientDemographics>list("documentId", document.id)) {
                assertValid(schema("normalized-record.schema.json", "#/$defs/PatientDemographics"), withoutPanacheState(demographics));
            }
        });
    }

    @Test
    void theShippedAndTheFixturesMappingProfilesMatchTheirSchema() throws Exception {
        JsonSchema schema = schema("mapping-profile.schema.json", "");
        Path shipped = SCHEMAS.resolve("mappings/synthea-csv.yaml");
        assertValid(schema, yamlTree(Files.readString(shipped)));
        assertThat(MappingProfiles.file(shipped).problems()).isEmpty();
        List<Path> profiles;
        try (Stream<Path> dumps = Files.list(TABLE_DUMPS)) {
            profiles = dumps.map(dump -> dump.resolve("profile.yaml")).filter(Files::isRegularFile).sorted().toList();
        }
        assertThat(profiles).extracting(profile -> profile.getParent().getFileName().toString())
                .contains("bad-dates", "broken-join", "encodings", "profile-errors", "quoting", "ragged", "semicolon", "unnamed-table");
        for (Path profile : profiles) {
            if (profile.getParent().getFileName().toString().equals("profile-errors")) {
                continue; // wrong on purpose: the next test
            }
            assertValid(schema, yamlTree(Files.readString(profile)));
            assertThat(MappingProfiles.file(profile).problems()).as(profile.toString()).isEmpty();
        }
    }

    @Test
    void theProfileErrorsFixtureDoesNotMatchTheSchema() throws Exception {
        Path profile = TABLE_DUMPS.resolve("profile-errors/profile.yaml");
        Set<ValidationMessage> problems = schema("mapping-profile.schema.json", "").validate(yamlTree(Files.readString(profile)));
        // Two of its five mistakes are the grammar's; the others (a date pattern, a table not declared, a column not in the
        // header) only the loader and profile validate can see.
        assertThat(problems).as("the top-level encoding").anySatisfy(problem -> {
            assertThat(problem.getInstanceLocation().toString()).isEqualTo("$");
            assertThat(problem.getMessage()).contains("'encoding'");
        });
        assertThat(problems).as("the kind PROBLEMS").anySatisfy(problem -> assertThat(problem.getInstanceLocation().toString())
                .isEqualTo("$.tables.problems.entry.kind"));
        assertThat(MappingProfiles.file(profile).problems()).isNotEmpty();
    }

    /** A profile the schema accepts or refuses, as the loader does. */
    private record ProfileCase(String name, boolean valid, String yaml) {
    }

    @Test
    void theMappingProfileSchemaAndTheLoaderAgree() throws Exception {
        String minimal = """
                profile: minimal
                tables:
                  patients:
                    files: [patients.csv]
                    patients:
                      identifiers: [{column: ID, system: "urn:example:minimal"}]
                """;
        String notes = minimal + """
                  notes:
                    files: [notes*.csv]
                    joins: {PATIENT_ID: patients.ID}
                """;
        List<ProfileCase> cases = List.of(
                new ProfileCase("a minimal profile", true, minimal),
                new ProfileCase("every form of an entry", true, notes + """
                            header: false
                            columns: [PATIENT_ID, TAKEN, CATEGORY, CODE, SYSTEM, TEXT, VALUE, UNIT, ENDED]
                            delimiter: '\\t'
                            quote: ""
                            date-formats: dd.MM.yyyy
                            entry:
                              kind: {column: CATEGORY, values: {lab: RESULT, vital: VITAL_SIGN}, otherwise: NOTE}
                              code: {column: CODE, system-column: SYSTEM, systems: {LN: "http://loinc.org"}}
                              display: {constant: a note}
                              date: TAKEN
                              status: {if-empty: ENDED, then: active, otherwise: resolved}
                              value: {column: VALUE, unit: UNIT}
                              details:
                                text: TEXT
                                codes: [{coded: CODE, system: "http://loinc.org"}]
                                group: {inner: {constant: x}, empty: {}}
                        """),
                new ProfileCase("an unknown key", false, notes + """
                            colour: blue
                            raw: true
                        """),
                new ProfileCase("an unknown key at the top (encoding belongs in defaults)", false, minimal + "encoding: UTF-8\n"),
                new ProfileCase("a wrong kind", false, notes + """
                            entry: {kind: PROBLEMS}
                        """),
                new ProfileCase("a wrong kind in a kind rule", false, notes + """
                            entry: {kind: {column: C, values: {a: RESULTS}}}
                        """),
                new ProfileCase("two roles", false, notes + """
                            raw: true
                            reference: {name: NAME}
                        """),
                new ProfileCase("no role", false, notes),
                new ProfileCase("a date and a start", false, notes + """
                            entry: {kind: NOTE, date: D, start: S}
                        """),
                new ProfileCase("raw: false", false, notes + """
                            raw: false
                        """),
                new ProfileCase("a patients table without identifiers", false, minimal.replace(
                        "identifiers: [{column: ID, system: \"urn:example:minimal\"}]", "identifiers: []")),
                new ProfileCase("details nested 9 levels", false, notes + """
                            entry: {kind: NOTE, details: {a: {b: {c: {d: {e: {f: {g: {h: {i: X}}}}}}}}}}
                        """));
        JsonSchema schema = schema("mapping-profile.schema.json", "");
        for (ProfileCase profile : cases) {
            Set<ValidationMessage> schemaSays = schema.validate(yamlTree(profile.yaml()));
            List<MappingProfiles.Problem> loaderSays = MappingProfiles.parse(profile.yaml(), profile.name()).problems();
            assertThat(schemaSays).as(profile.name() + ": the schema").matches(problems -> problems.isEmpty() == profile.valid(),
                    profile.valid() ? "no problem" : "problems");
            assertThat(loaderSays).as(profile.name() + ": the loader").matches(problems -> problems.isEmpty() == profile.valid(),
                    profile.valid() ? "no problem" : "problems");
        }
    }

    /** A YAML text as a JSON tree, as a YAML 1.1 parser builds it (what the schema describes). */
    private JsonNode yamlTree(String text) {
        return json.valueToTree(new Yaml(new SafeConstructor(new LoaderOptions())).load(text));
    }

    /** Panache entities expose {@code isPersistent()}; it is state of the Java object, not of the record. */
    private JsonNode withoutPanacheState(Object entity) {
        com.fasterxml.jackson.databind.node.ObjectNode node = json.valueToTree(entity);
        node.remove("persistent");
        return node;
    }

    private static JsonSchema schema(String file, String pointer) {
        return FACTORY.getSchema(SchemaLocation.of(SCHEMAS.resolve(file).toUri() + pointer));
    }

    private static void assertValid(JsonSchema schema, JsonNode value) {
        Set<ValidationMessage> problems = schema.validate(value);
        assertThat(problems).as(() -> value.toPrettyString().substring(0, Math.min(2000, value.toPrettyString().length()))).isEmpty();
    }
}
