package org.ehrarchive.decommission;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import jakarta.inject.Inject;
import javax.sql.DataSource;

import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.ehrarchive.blob.BlobStore;
import org.ehrarchive.fixity.FixityCheck;
import org.ehrarchive.ingest.IngestProgress;
import org.ehrarchive.ingest.IngestReport;
import org.ehrarchive.ingest.IngestService;
import org.ehrarchive.ingest.SourceSystems;
import org.ehrarchive.ingest.SourceSystems.SourceSystem;
import org.ehrarchive.support.ArchiveTestDatabase;
import org.ehrarchive.support.CcdaDocuments;
import org.ehrarchive.support.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The decommission certificate (issue 13): it accounts for every batch, record type and original of its source
 * system, as the batch reports and the blob store have them; its two files are stored, recorded, checked by fixity,
 * downloaded again byte-exact, and the issue is audited.
 */
@QuarkusTest
@WithTestResource(ArchiveTestDatabase.class)
class CertificateTest {

    private static final Path SCHEMAS = Path.of("archive-schemas").toAbsolutePath();
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
            builder -> builder.schemaMappers(mappers -> mappers.mappings(Map.of(
                    "urn:ehrarchive:archive-schemas:normalized-record:2", SCHEMAS.resolve("normalized-record.schema.json").toUri().toString(),
                    "urn:ehrarchive:archive-schemas:ingest-report:2", SCHEMAS.resolve("ingest-report.schema.json").toUri().toString(),
                    Certificates.SCHEMA, SCHEMAS.resolve("decommission-certificate.schema.json").toUri().toString()))));

    @Inject
    IngestService ingest;
    @Inject
    SourceSystems sourceSystems;
    @Inject
    Certificates certificates;
    @Inject
    BlobStore blobs;
    @Inject
    FixityCheck fixity;
    @Inject
    DataSource dataSource;

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void theCertificateAccountsForEveryBatchRecordTypeAndOriginalOfItsSourceSystem(@TempDir Path first, @TempDir Path second) throws Exception {
        String name = "Certified EHR " + UUID.randomUUID();
        CcdaDocuments.forNewPatient().problem(new CcdaDocuments.Problem(UUID.randomUUID().toString(), "38341003", "Hypertension", "active",
                "20120301")).writeTo(first, "fresh.xml");
        Fixtures.copy("ccda", "truncated.xml", first); // quarantined
        Fixtures.copy("ccda", "unstructured-embedded.xml", first); // an embedded attachment
        CcdaDocuments.forNewPatient().writeTo(second, "another.xml");
        long batch1 = ingest.ingest(first, name, IngestProgress.NONE).batchId();
        long batch2 = ingest.ingest(second, name, IngestProgress.NONE).batchId();
        SourceSystem system = sourceSystems.byName(name).orElseThrow();
        long planId = samplePlanWithOneCorrectDecision(system, batch1);
        FixityCheck.Result check = fixity.run("certificate-test", FixityCheck.Progress.NONE);

        Certificates.Issued issued = certificates.issue(system, "cert-admin");

        byte[] jsonBytes = blobs.read(issued.jsonSha256());
        byte[] pdfBytes = blobs.read(issued.pdfSha256());
        assertThat(BlobStore.sha256Of(jsonBytes)).isEqualTo(issued.jsonSha256());
        assertThat(BlobStore.sha256Of(pdfBytes)).isEqualTo(issued.pdfSha256());
        assertThat(issued.jsonBytes()).isEqualTo(jsonBytes.length);
        assertThat(issued.pdfBytes()).isEqualTo(pdfBytes.length);
        assertThat(certificates.list(system.id())).containsExactly(issued);

        JsonNode certificate = json.readTree(jsonBytes);
        JsonSchema schema = FACTORY.getSchema(SchemaLocation.of(SCHEMAS.resolve("decommission-certificate.schema.json").toUri().toString()));
        assertThat(schema.validate(certificate)).isEmpty();
        assertThat(certificate.path("certificateId").asLong()).isEqualTo(issued.id());
        assertThat(certificate.path("sourceSystem").path("name").asText()).isEqualTo(name);
        assertThat(certificate.path("generatedBy").asText()).isEqualTo("cert-admin");

        // The totals per record type are the batch reports' totals added up.
        IngestReport report1 = ingest.report(batch1);
        IngestReport report2 = ingest.report(batch2);
        Map<String, Integer> foundByType = new TreeMap<>();
        for (IngestReport report : List.of(report1, report2)) {
            report.totals().records().forEach((type, counts) -> foundByType.merge(type, counts.found(), Integer::sum));
        }
        Map<String, Integer> certified = new TreeMap<>();
        certificate.path("reconciliation").path("totals").path("records").fields()
                .forEachRemaining(type -> certified.put(type.getKey(), type.getValue().path("found").asInt()));
        assertThat(certified).isEqualTo(foundByType);
        assertThat(certificate.path("reconciliation").path("totals").path("found").asInt())
                .isEqualTo(report1.totals().found() + report2.totals().found());
        assertThat(certificate.path("batches")).extracting(b -> b.path("batchId").asLong()).containsExactly(batch1, batch2);
        assertThat(certificate.path("quarantine").path("lines")).anySatisfy(line -> {
            assertThat(line.path("path").asText()).isEqualTo("truncated.xml");
            assertThat(line.path("reason").asText()).startsWith("ING-");
        });

        // Every original of those batches, with its hash and size, and a digest an auditor can recompute.
        Set<String> originals = new HashSet<>();
        for (IngestReport report : List.of(report1, report2)) {
            report.files().stream().filter(f -> f.sha256() != null).forEach(f -> originals.add(f.sha256()));
        }
        JsonNode manifest = certificate.path("manifest");
        Set<String> listed = new HashSet<>();
        StringBuilder canonical = new StringBuilder();
        for (JsonNode original : manifest.path("originals")) {
            String sha256 = original.path("sha256").asText();
            listed.add(sha256);
            assertThat(original.path("sizeBytes").asLong()).as(sha256).isEqualTo(blobs.read(sha256).length);
            assertThat(BlobStore.sha256Of(blobs.read(sha256))).isEqualTo(sha256);
            canonical.append("original ").append(sha256).append(' ').append(original.path("sizeBytes").asLong()).append(' ')
                    .append(original.path("format").isNull() ? "-" : original.path("format").asText()).append(' ')
                    .append(original.path("status").asText()).append(' ').append(original.path("firstBatchId").asLong()).append('\n');
        }
        assertThat(listed).isEqualTo(originals);
        assertThat(manifest.path("attachments")).as("the embedded PDF").isNotEmpty();
        for (JsonNode attachment : manifest.path("attachments")) {
            canonical.append("attachment ").append(attachment.path("sha256").asText()).append(' ')
                    .append(attachment.path("sizeBytes").isNull() ? "-" : attachment.path("sizeBytes").asText()).append('\n');
        }
        String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical.toString().getBytes(StandardCharsets.UTF_8)));
        assertThat(manifest.path("sha256").asText()).isEqualTo(digest);
        assertThat(manifest.path("originalCount").asLong()).isEqualTo(originals.size());

        assertThat(certificate.path("sampling")).hasSize(1);
        JsonNode plan = certificate.path("sampling").get(0);
        assertThat(plan.path("planId").asLong()).isEqualTo(planId);
        assertThat(plan.path("reviewers")).extracting(JsonNode::asText).containsExactly("reviewer-one");
        JsonNode documents = null;
        for (JsonNode type : plan.path("types")) {
            documents = type.path("recordType").asText().equals("document") ? type : documents;
        }
        assertThat(documents).as("the plan's line for documents").isNotNull();
        assertThat(documents.path("sampled").asInt()).isEqualTo(1);
        assertThat(documents.path("correct").asInt()).as("the newest decision counts").isEqualTo(1);
        assertThat(documents.path("wrong").asInt()).isZero();
        assertThat(plan.path("items").get(0).path("decision").asText()).isEqualTo("correct");
        assertThat(certificate.path("fixity").path("checkId").asLong()).isEqualTo(check.checkId());
        assertThat(certificate.path("auditChain").path("intact").asBoolean()).isTrue();

        // The PDF, as an auditor reads it.
        String text;
        try (PDDocument pdf = Loader.loadPDF(pdfBytes)) {
            text = new PDFTextStripper().getText(pdf).replaceAll("\\s+", " ");
            assertThat(text).contains("page 1 of " + pdf.getNumberOfPages());
        }
        assertThat(text).contains("Decommission certificate").contains(name).contains(issued.jsonSha256()).contains(digest);
        assertThat(text).contains("source records found " + certificate.path("reconciliation").path("totals").path("found").asInt());
        assertThat(text).contains("Plan #" + planId).contains("reviewer-one");
        assertThat(text).contains("#" + check.checkId() + ", run by certificate-test").contains(check.passed() ? "pass:" : "fail:");
        assertThat(text).contains("Hash chain intact");

        // Downloaded again: the same bytes, and audited.
        for (String kind : Certificates.KINDS) {
            try (Certificates.Opened opened = certificates.open(issued.id(), kind).orElseThrow(); InputStream in = opened.content()) {
                assertThat(in.readAllBytes()).isEqualTo("pdf".equals(kind) ? pdfBytes : jsonBytes);
            }
        }
        List<String> audited = audited(issued.id());
        assertThat(audited).as("issued, and downloaded twice").hasSize(3);
        assertThat(audited.get(0)).startsWith("issued for source system " + system.id());

        // Fixity checks the certificate's files like originals: recorded, not unexpected.
        FixityCheck.Result after = fixity.run("certificate-test", FixityCheck.Progress.NONE);
        assertThat(fixityProblemsOf(after.checkId(), issued)).isEmpty();
        assertThat(after.originals()).isGreaterThanOrEqualTo(check.originals() + 2);
    }

    @Test
    void aNameInAnyScriptDoesNotBreakThePdf(@TempDir Path folder) throws Exception {
        String name = "Система 東京 \uD83C\uDFE5 Zoë " + UUID.randomUUID();
        CcdaDocuments.forNewPatient().writeTo(folder, "one.xml");
        ingest.ingest(folder, name, IngestProgress.NONE);
        SourceSystem system = sourceSystems.byName(name).orElseThrow();

        Certificates.Issued issued = certificates.issue(system, "Администратор");

        try (PDDocument pdf = Loader.loadPDF(blobs.read(issued.pdfSha256()))) {
            String text = new PDFTextStripper().getText(pdf);
            assertThat(text).contains("Zoë").contains("??????? ?? ?").contains("No sampling plan was drawn");
        }
        JsonNode certificate = json.readTree(blobs.read(issued.jsonSha256()));
        assertThat(certificate.path("sourceSystem").path("name").asText()).as("the JSON keeps the name as it is").isEqualTo(name);
    }

    private long samplePlanWithOneCorrectDecision(SourceSystem system, long batchId) throws Exception {
        try (Connection connection = dataSource.getConnection()) {
            long planId = next(connection);
            long itemId = next(connection);
            long recordId;
            try (PreparedStatement query = connection.prepareStatement(
                    "select id from source_record where batch_id = ? and record_type = 'document' and status = 'ARCHIVED' order by id limit 1")) {
                query.setLong(1, batchId);
                try (ResultSet rows = query.executeQuery()) {
                    assertThat(rows.next()).isTrue();
                    recordId = rows.getLong(1);
                }
            }
            execute(connection, "insert into sample_plan (id, source_system_id, seed, per_type, confidence, tolerable_error, created_by, created_at) "
                    + "values (?, ?, 42, 1, 0.95, 0.05, 'cert-admin', now())", planId, system.id());
            execute(connection, "insert into sample_item (id, plan_id, source_record_id, record_type, chosen, chosen_by, added_at) "
                    + "values (?, ?, ?, 'document', 'random', 'cert-admin', now())", itemId, planId, recordId);
            execute(connection, "insert into sample_review (id, item_id, reviewer, decision, note, decided_at) "
                    + "values (nextval('decommission_id_seq'), ?, 'reviewer-one', 'wrong', 'first look', now() - interval '1 minute')", itemId);
            execute(connection, "insert into sample_review (id, item_id, reviewer, decision, note, decided_at) "
                    + "values (nextval('decommission_id_seq'), ?, 'reviewer-one', 'correct', null, now())", itemId);
            return planId;
        }
    }

    private static long next(Connection connection) throws Exception {
        try (PreparedStatement query = connection.prepareStatement("select nextval('decommission_id_seq')"); ResultSet rows = query.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static void execute(Connection connection, String sql, Object... values) throws Exception {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                statement.setObject(i + 1, values[i]);
            }
            statement.executeUpdate();
        }
    }

    private List<String> audited(long certificateId) throws Exception {
        List<String> details = new ArrayList<>();
        try (Connection connection = dataSource.getConnection(); PreparedStatement query = connection.prepareStatement(
                "select detail from access_audit where action = 'CERTIFICATE' and object_type = 'decommission_certificate' and object_id = ? order by id")) {
            query.setString(1, Long.toString(certificateId));
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    details.add(rows.getString(1));
                }
            }
        }
        return details;
    }

    private List<String> fixityProblemsOf(long checkId, Certificates.Issued issued) throws Exception {
        List<String> problems = new ArrayList<>();
        try (Connection connection = dataSource.getConnection(); PreparedStatement query = connection.prepareStatement(
                "select kind || ' ' || path from fixity_problem where check_id = ? and (sha256 in (?, ?) or path like ? or path like ?)")) {
            query.setLong(1, checkId);
            query.setString(2, issued.jsonSha256());
            query.setString(3, issued.pdfSha256());
            query.setString(4, "%" + issued.jsonSha256());
            query.setString(5, "%" + issued.pdfSha256());
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    problems.add(rows.getString(1));
                }
            }
        }
        return problems;
    }
}
