package org.ehrarchive.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.inject.Inject;

import org.ehrarchive.record.ClinicalDocument;
import org.ehrarchive.record.ClinicalEntry;
import org.ehrarchive.record.PatientDemographics;
import org.ehrarchive.support.ArchiveTestDatabase;
import org.ehrarchive.support.CcdaDocuments;
import org.ehrarchive.support.Fixtures;
import org.ehrarchive.support.Ingesting;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
 * report, the normalized records) must validate against them.
 */
@QuarkusTest
@WithTestResource(ArchiveTestDatabase.class)
class PublishedSchemasTest {

    private static final Path SCHEMAS = Path.of("archive-schemas").toAbsolutePath();
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
