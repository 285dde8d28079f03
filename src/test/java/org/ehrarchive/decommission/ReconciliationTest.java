package org.ehrarchive.decommission;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import jakarta.inject.Inject;

import org.ehrarchive.audit.AuditAction;
import org.ehrarchive.blob.BlobStore;
import org.ehrarchive.ingest.IngestProgress;
import org.ehrarchive.ingest.IngestReport;
import org.ehrarchive.ingest.IngestReport.Counts;
import org.ehrarchive.ingest.IngestService;
import org.ehrarchive.ingest.SourceSystems;
import org.ehrarchive.ingest.SourceSystems.SourceSystem;
import org.ehrarchive.support.ArchiveTestDatabase;
import org.ehrarchive.support.ArchivedFixture;
import org.ehrarchive.support.AuditRows;
import org.ehrarchive.support.CcdaDocuments;
import org.ehrarchive.support.PortalSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The reconciliation an auditor is shown (issue 13): the portal page and the JSON and CSV downloads of a source
 * system add up to its batches' own reports; a quarantined file, fixed and ingested again, shows as resolved; the
 * old system's stated counts are matched, explained or flagged; another source system's batches stay out.
 */
@QuarkusTest
@WithTestResource(ArchiveTestDatabase.class)
class ReconciliationTest {

    private static final String PASSWORD = "reconciliation-test-password";
    private static final Path SCHEMAS = Path.of("archive-schemas").toAbsolutePath();

    @Inject
    IngestService ingest;
    @Inject
    SourceSystems sourceSystems;
    @Inject
    Reconciliation reconciliation;

    private final ObjectMapper json = new ObjectMapper();

    @BeforeEach
    void users() {
        ArchivedFixture.usersOfEveryRole("recon-", PASSWORD);
    }

    /** Two batches of one source system: the first quarantines a truncated file, the second is that file fixed, alone. */
    private record Scenario(SourceSystem system, long first, long second, String brokenSha, String otherSystemSha) {
    }

    private Scenario twoBatches(Path root) throws Exception {
        String name = "Old EHR " + UUID.randomUUID();
        Path export = root.resolve("export");
        CcdaDocuments kept = CcdaDocuments.forNewPatient().problem(new CcdaDocuments.Problem(UUID.randomUUID().toString(), "38341003",
                "Hypertension", "active", "20120301"));
        kept.writeTo(export, "kept.xml");
        CcdaDocuments.forNewPatient().writeTo(export, "other.xml");
        CcdaDocuments fixable = CcdaDocuments.forNewPatient();
        String whole = fixable.xml();
        Path broken = Files.writeString(Files.createDirectories(export.resolve("sub")).resolve("broken.xml"),
                whole.substring(0, whole.length() / 2), StandardCharsets.UTF_8);
        long first = ingest.ingest(export, name, IngestProgress.NONE).batchId();

        Path fixed = fixable.writeTo(root.resolve("fixed"), "broken.xml");
        long second = ingest.ingest(fixed, name, IngestProgress.NONE).batchId();
        // the same document again, in a second export: a duplicate, counted, stored once
        kept.writeTo(root.resolve("again"), "kept.xml");
        long third = ingest.ingest(root.resolve("again"), name, IngestProgress.NONE).batchId();
        assertThat(third).isGreaterThan(second);

        Path elsewhere = CcdaDocuments.forNewPatient().writeTo(root.resolve("elsewhere"), "foreign.xml");
        ingest.ingest(elsewhere, "Another system " + UUID.randomUUID(), IngestProgress.NONE);
        return new Scenario(sourceSystems.byName(name).orElseThrow(), first, second, BlobStore.sha256Of(Files.readAllBytes(broken)),
                BlobStore.sha256Of(Files.readAllBytes(elsewhere)));
    }

    @Test
    void theTotalsAreTheSumOfTheBatchReportsAndEveryCountAddsUp(@TempDir Path root) throws Exception {
        Scenario s = twoBatches(root);
        Reconciliation.Summary summary = reconciliation.summary(s.system());

        assertThat(summary.batches()).as("only this source system's batches").hasSize(3);
        Map<String, Counts> byType = new TreeMap<>();
        int files = 0;
        for (Reconciliation.BatchLine batch : summary.batches()) {
            IngestReport report = ingest.report(batch.batchId());
            assertThat(report.sourceSystem()).isEqualTo(s.system().name());
            assertThat(batch.totals()).as("batch %d as its own report says", batch.batchId()).isEqualTo(report.totals());
            report.totals().records().forEach((type, counts) -> byType.merge(type, counts, Counts::plus));
            files += report.files().size();
        }
        assertThat(summary.totals().records()).isEqualTo(byType);
        assertThat(summary.totals().files()).isEqualTo(files).isEqualTo(5);
        assertThat(summary.totals().duplicateFiles()).isEqualTo(1);
        assertThat(summary.balanced()).isTrue();
        assertThat(summary.recordTypes()).extracting(Reconciliation.TypeLine::recordType).contains("document", "entry");
        assertThat(summary.recordTypes()).allMatch(Reconciliation.TypeLine::balanced);
        assertThat(summary.patients()).as("three patients, the duplicate's is the first's").isEqualTo(3);
    }

    @Test
    void aQuarantinedFileFixedAndIngestedAgainShowsAsResolved(@TempDir Path root) throws Exception {
        String name = "Fixing " + UUID.randomUUID();
        CcdaDocuments document = CcdaDocuments.forNewPatient();
        String whole = document.xml();
        Path export = Files.createDirectories(root.resolve("export/sub"));
        Files.writeString(export.resolve("broken.xml"), whole.substring(0, whole.length() / 2), StandardCharsets.UTF_8);
        ingest.ingest(root.resolve("export"), name, IngestProgress.NONE);
        SourceSystem system = sourceSystems.byName(name).orElseThrow();

        Reconciliation.Summary before = reconciliation.summary(system);
        assertThat(before.openQuarantine()).isEqualTo(1);
        Reconciliation.QuarantineLine open = before.quarantine().get(0);
        assertThat(open.open()).isTrue();
        assertThat(open.path()).isEqualTo("sub/broken.xml");
        assertThat(open.reason()).startsWith("ING-102");
        assertThat(open.remedy()).contains("ingest it again");
        assertThat(before.problems()).anyMatch(p -> p.contains("1 quarantined file or record is open"));

        long fix = ingest.ingest(document.writeTo(root.resolve("fixed"), "broken.xml"), name, IngestProgress.NONE).batchId();

        Reconciliation.Summary after = reconciliation.summary(system);
        assertThat(after.openQuarantine()).isZero();
        assertThat(after.quarantined()).as("the line stays, resolved").isEqualTo(1);
        assertThat(after.quarantine().get(0).resolution()).isEqualTo("ingested again in batch " + fix + ": archived");
        assertThat(after.problems()).isEmpty();

        PortalSession admin = PortalSession.signIn("recon-admin", PASSWORD);
        String page = admin.get("/sources/" + system.id()).then().statusCode(200).extract().asString();
        assertThat(page).contains(name).contains("ingested again in batch " + fix + ": archived").contains("Nothing is left to put right");
        assertThat(org.jsoup.Jsoup.parse(page).select("form#issue-certificate").attr("action")).as("the certificate is one button away")
                .isEqualTo("/sources/" + system.id() + "/certificates");
    }

    @Test
    void theJsonDownloadFollowsItsSchemaAndMatchesTheSummary(@TempDir Path root) throws Exception {
        Scenario s = twoBatches(root);
        PortalSession admin = PortalSession.signIn("recon-admin", PASSWORD);
        String body = admin.get("/sources/" + s.system().id() + "/reconciliation.json").then().statusCode(200)
                .header("Content-Disposition", org.hamcrest.Matchers.containsString("attachment")).extract().asString();
        JsonNode downloaded = json.readTree(body);

        var factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012, builder -> builder.schemaMappers(mappers -> mappers.mappings(Map.of(
                "urn:ehrarchive:archive-schemas:normalized-record:2", SCHEMAS.resolve("normalized-record.schema.json").toUri().toString(),
                "urn:ehrarchive:archive-schemas:ingest-report:2", SCHEMAS.resolve("ingest-report.schema.json").toUri().toString()))));
        Set<ValidationMessage> problems = factory.getSchema(SchemaLocation.of(SCHEMAS.resolve("reconciliation.schema.json").toUri().toString()))
                .validate(downloaded);
        assertThat(problems).as(body.substring(0, Math.min(3000, body.length()))).isEmpty();

        Reconciliation.Summary summary = reconciliation.summary(s.system());
        assertThat(downloaded.path("sourceSystem").path("name").asText()).isEqualTo(s.system().name());
        assertThat(downloaded.path("totals").path("found").asInt()).isEqualTo(summary.totals().found());
        assertThat(downloaded.path("batches")).hasSize(3);
        int found = 0;
        for (JsonNode file : downloaded.path("files")) {
            found += file.path("found").asInt();
        }
        assertThat(downloaded.path("files")).hasSize(summary.totals().files());
        assertThat(found).as("the file lines add up to the totals").isEqualTo(summary.totals().found());
        assertThat(downloaded.path("quarantine")).hasSize(1);
        assertThat(downloaded.path("quarantine").get(0).path("resolution").asText()).contains("batch " + s.second());
        assertThat(AuditRows.newest().action).isEqualTo(AuditAction.EXPORT.name());
    }

    @Test
    void theCsvDownloadHasARowPerBatchFileAndRecordTypeThatAddUp(@TempDir Path root) throws Exception {
        Scenario s = twoBatches(root);
        PortalSession admin = PortalSession.signIn("recon-admin", PASSWORD);
        String csv = admin.get("/sources/" + s.system().id() + "/reconciliation.csv").then().statusCode(200)
                .contentType(org.hamcrest.Matchers.startsWith("text/csv")).extract().asString();
        List<String[]> rows = new ArrayList<>();
        for (String line : csv.split("\r\n")) {
            rows.add(line.split(",", -1)); // the fixture's paths and reasons quoted here hold no comma before the counts
        }
        assertThat(String.join(",", rows.get(0))).isEqualTo(String.join(",", Reconciliation.CSV_COLUMNS));
        Reconciliation.Summary summary = reconciliation.summary(s.system());
        String[] total = rows.stream().filter(r -> r[0].equals("source") && r[3].equals("(all)")).findFirst().orElseThrow();
        assertThat(Integer.parseInt(total[5])).isEqualTo(summary.totals().found());
        int fileFound = rows.stream().filter(r -> r[0].equals("file")).mapToInt(r -> Integer.parseInt(r[5])).sum();
        int batchFound = rows.stream().filter(r -> r[0].equals("batch") && r[3].equals("(all)")).mapToInt(r -> Integer.parseInt(r[5])).sum();
        assertThat(fileFound).isEqualTo(batchFound).isEqualTo(summary.totals().found());
        assertThat(rows.stream().filter(r -> r[0].equals("file") && r[2].equals("sub/broken.xml")).findFirst().orElseThrow()[4])
                .isEqualTo("quarantined");
        assertThat(rows).filteredOn(r -> r[0].equals("quarantine")).singleElement().satisfies(r -> assertThat(r[4]).isEqualTo("resolved"));
        assertThat(rows).allMatch(r -> !r[0].equals("batch") || r[10].equals("true"));
    }

    @Test
    void statedCountsAreMatchedExplainedOrFlagged(@TempDir Path root) throws Exception {
        Scenario s = twoBatches(root);
        PortalSession admin = PortalSession.signIn("recon-admin", PASSWORD);
        String counts = "/sources/" + s.system().id() + "/counts";
        Counts documents = reconciliation.summary(s.system()).totals().records().get("document");

        admin.session().formParam("recordType", "patients").formParam("stated", "3").post(counts).then().statusCode(303);
        admin.session().formParam("recordType", "document").formParam("stated", Integer.toString(documents.found())).post(counts).then()
                .statusCode(303);
        admin.session().formParam("recordType", "entry").formParam("stated", "1,000,000").post(counts).then().statusCode(303);
        String refused = admin.session().formParam("recordType", "entry").formParam("stated", "many").post(counts).then().statusCode(400)
                .extract().asString();
        assertThat(refused).contains("The stated count must be a whole number");

        Map<String, Reconciliation.StatedCount> stated = byType(reconciliation.summary(s.system()));
        assertThat(stated.get("patients").verdict()).isEqualTo("matches");
        assertThat(stated.get("document").verdict()).as("the duplicate explains it").isEqualTo("explained");
        assertThat(stated.get("document").why()).contains("arrived more than once");
        assertThat(stated.get("entry").verdict()).isEqualTo("flagged");
        assertThat(reconciliation.summary(s.system()).problems()).anyMatch(p -> p.contains("states 1000000 entry"));

        admin.session().formParam("recordType", "entry").formParam("stated", "1000000")
                .formParam("explanation", "the old report counts audit trail lines as entries").post(counts).then().statusCode(303);
        Reconciliation.StatedCount restated = byType(reconciliation.summary(s.system())).get("entry");
        assertThat(restated.verdict()).isEqualTo("explained");
        assertThat(restated.why()).contains("recon-admin").contains("audit trail lines");
        String page = admin.get("/sources/" + s.system().id()).then().statusCode(200).extract().asString();
        assertThat(page).contains("audit trail lines").contains("matches");
    }

    private static Map<String, Reconciliation.StatedCount> byType(Reconciliation.Summary summary) {
        Map<String, Reconciliation.StatedCount> byType = new TreeMap<>();
        summary.statedCounts().forEach(c -> byType.put(c.recordType(), c));
        return byType;
    }

    @Test
    void onlyAdminsOpenTheReconciliationAndAnOriginalComesOnlyFromItsOwnSourceSystem(@TempDir Path root) throws Exception {
        Scenario s = twoBatches(root);
        PortalSession.signIn("recon-clinician", PASSWORD).get("/sources/" + s.system().id()).then().statusCode(403);
        PortalSession admin = PortalSession.signIn("recon-admin", PASSWORD);
        String list = admin.get("/sources").then().statusCode(200).extract().asString();
        assertThat(list).contains(s.system().name());

        byte[] original = admin.get("/sources/" + s.system().id() + "/originals/" + s.brokenSha()).then().statusCode(200).extract().asByteArray();
        assertThat(BlobStore.sha256Of(original)).isEqualTo(s.brokenSha());
        assertThat(AuditRows.newest().action).isEqualTo(AuditAction.DOWNLOAD_ORIGINAL.name());
        admin.get("/sources/" + s.system().id() + "/originals/" + s.otherSystemSha()).then().statusCode(404);
        admin.get("/sources/" + s.system().id() + "/originals/not-a-hash").then().statusCode(404);
        admin.get("/sources/999999999").then().statusCode(404);
    }

    @Test
    void aSourceSystemNeedsAUsableName() {
        assertThat(SourceSystems.normalizedName("  Old   EHR ")).isEqualTo("Old EHR");
        for (String bad : new String[] {"", "   ", "a\u0000b", "x".repeat(201)}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> SourceSystems.normalizedName(bad))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
