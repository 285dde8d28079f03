package org.ehrarchive.decommission;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;
import javax.sql.DataSource;

import org.ehrarchive.audit.AccessAudit;
import org.ehrarchive.audit.AccessEvent;
import org.ehrarchive.audit.AuditAction;
import org.ehrarchive.audit.AuditVerifier;
import org.ehrarchive.blob.BlobStore;
import org.ehrarchive.decommission.Reconciliation.BatchLine;
import org.ehrarchive.decommission.Reconciliation.QuarantineLine;
import org.ehrarchive.decommission.Reconciliation.Summary;
import org.ehrarchive.decommission.Reconciliation.TypeLine;
import org.ehrarchive.ingest.SourceSystems.SourceSystem;
import org.ehrarchive.sampling.SamplingPlans;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * The decommission certificate of a source system (issue 13, docs/decommissioning.md): what an admin
 * shows before the old system is switched off, that nothing was lost. Two files, {@code certificate.json} (every
 * fact, schema {@value #SCHEMA}) and {@code certificate.pdf} (the same for a person to read, naming the JSON's
 * SHA-256), both kept in the blob store by their hash and recorded in {@code decommission_certificate}, where
 * {@code verify-fixity} checks them like the originals they vouch for. Issuing and every download are audited.
 * <p>
 * The JSON is written as it is read from the database: the quarantine and the manifest of originals, which grow with
 * the archive, are never held in memory; the PDF lists them up to a limit and refers to the JSON for the rest.
 */
@ApplicationScoped
public class Certificates {

    /** The {@code $id} of the JSON's schema ({@code archive-schemas/decommission-certificate.schema.json}). */
    public static final String SCHEMA = "urn:ehrarchive:archive-schemas:decommission-certificate:1";
    /** How the manifest's SHA-256 is computed; written into every certificate, so an auditor can recompute it. */
    public static final String MANIFEST_CANONICAL_FORM = "UTF-8 text, one line per entry, each ended by a line feed (0x0A): first "
            + "every original as 'original <sha256> <sizeBytes> <format> <status> <firstBatchId>', in the order of sha256, then every "
            + "attachment as 'attachment <sha256> <sizeBytes>', in the order of sha256; fields separated by one space, a missing value "
            + "written as '-'. manifest.sha256 is the SHA-256 (lowercase hex) of these lines concatenated.";
    /** The two files of a certificate. */
    public static final List<String> KINDS = List.of("json", "pdf");
    /** Manifest lines the PDF lists; certificate.json always has them all. */
    static final int PDF_MANIFEST_LINES = 2000;
    /** Quarantine lines the PDF lists (after the counts by reason). */
    static final int PDF_QUARANTINE_LINES = 50;

    /** A certificate issued: who, when, and its two files' hashes and sizes. */
    public record Issued(long id, long sourceSystemId, String generatedBy, Instant generatedAt, String jsonSha256, long jsonBytes,
            String pdfSha256, long pdfBytes) {

        public String sha256(String kind) {
            return "pdf".equals(kind) ? pdfSha256 : jsonSha256;
        }

        public long bytes(String kind) {
            return "pdf".equals(kind) ? pdfBytes : jsonBytes;
        }
    }

    /** One of a certificate's files, opened for download: read it and close it. */
    public record Opened(Issued certificate, String kind, String sha256, long size, String mediaType, String fileName, InputStream content)
            implements AutoCloseable {
        @Override
        public void close() throws IOException {
            content.close();
        }
    }

    /** Who records an issue or a download in the access audit: the command line's OS user, or a portal request. */
    @FunctionalInterface
    public interface Audit {
        void record(AuditAction action, String objectType, String objectId, String detail);
    }

    /** What an issue says as it goes: the manifest lines written so far (for a large archive's progress line). */
    @FunctionalInterface
    public interface Progress {
        void manifest(long lines);

        Progress NONE = lines -> {
        };
    }

    private final DataSource dataSource;
    private final Reconciliation reconciliation;
    private final SamplingPlans sampling;
    private final AuditVerifier auditVerifier;
    private final AccessAudit accessAudit;
    private final BlobStore blobs;
    private final ObjectMapper json;

    public Certificates(DataSource dataSource, Reconciliation reconciliation, SamplingPlans sampling,
            AuditVerifier auditVerifier, AccessAudit accessAudit, BlobStore blobs, ObjectMapper json) {
        this.dataSource = dataSource;
        this.reconciliation = reconciliation;
        this.sampling = sampling;
        this.auditVerifier = auditVerifier;
        this.accessAudit = accessAudit;
        this.blobs = blobs;
        this.json = json.copy().disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    }

    /** Audits as the command line does: the OS user, role {@code cli}. */
    public Audit commandLineAudit() {
        return (action, objectType, objectId, detail) -> accessAudit.record(AccessEvent.byCommandLine(action, objectType, objectId, detail));
    }

    /** Issues a certificate, audited as done from the command line. */
    public Issued issue(SourceSystem system, String generatedBy) throws SQLException, IOException {
        return issue(system, generatedBy, commandLineAudit(), Progress.NONE);
    }

    /**
     * Builds the certificate of the source system as it is now, stores both files in the blob store, records them,
     * and audits the issue. The audit chain is verified first, so the certificate states what the audit was before it.
     */
    public Issued issue(SourceSystem system, String generatedBy, Audit audit, Progress progress) throws SQLException, IOException {
        long id;
        try (Connection connection = dataSource.getConnection();
                PreparedStatement next = connection.prepareStatement("select nextval('decommission_id_seq')");
                ResultSet row = next.executeQuery()) {
            row.next();
            id = row.getLong(1);
        }
        Instant generatedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Summary summary = reconciliation.summary(system);
        AuditVerifier.Result chain = auditVerifier.verify();
        Optional<FixityLine> fixity = latestFixity();
        List<PlanLine> plans = new ArrayList<>();
        for (SamplingPlans.PlanSummary plan : sampling.plans(system.id())) {
            plans.add(new PlanLine(plan, sampling.items(plan.id())));
        }
        Facts facts = new Facts(id, system, generatedAt, generatedBy, summary, chain, fixity.orElse(null), plans);

        BlobStore.Output out = blobs.newOutput(Long.MAX_VALUE);
        BlobStore.Staged jsonBlob;
        try {
            writeJson(facts, out, progress);
            out.close();
            jsonBlob = out.stage();
        } catch (IOException | SQLException | RuntimeException e) {
            out.discard();
            throw e;
        }
        try {
            BlobStore.awaitDurable(jsonBlob.durable());
        } finally {
            jsonBlob.close();
        }
        facts.jsonSha256 = jsonBlob.sha256();
        facts.jsonBytes = jsonBlob.size();

        ByteArrayOutputStream pdf = new ByteArrayOutputStream();
        new CertificatePdf(facts).write(pdf);
        byte[] pdfBytes = pdf.toByteArray();
        String pdfSha256 = blobs.put(pdfBytes);

        try (Connection connection = dataSource.getConnection(); PreparedStatement insert = connection.prepareStatement(
                "insert into decommission_certificate (id, source_system_id, generated_by, generated_at, json_sha256, pdf_sha256, json_bytes, "
                        + "pdf_bytes) values (?, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setLong(1, id);
            insert.setLong(2, system.id());
            insert.setString(3, generatedBy);
            insert.setTimestamp(4, Timestamp.from(generatedAt));
            insert.setString(5, facts.jsonSha256);
            insert.setString(6, pdfSha256);
            insert.setLong(7, facts.jsonBytes);
            insert.setLong(8, pdfBytes.length);
            insert.executeUpdate();
        }
        audit.record(AuditAction.CERTIFICATE, "decommission_certificate", Long.toString(id), String.format(
                "issued for source system %d: certificate.json sha256 %s (%d bytes), certificate.pdf sha256 %s (%d bytes); %d originals, "
                        + "%d attachments in the manifest (sha256 %s)", system.id(), facts.jsonSha256, facts.jsonBytes, pdfSha256,
                pdfBytes.length, facts.originals, facts.attachments, facts.manifestSha256));
        return new Issued(id, system.id(), generatedBy, generatedAt, facts.jsonSha256, facts.jsonBytes, pdfSha256, pdfBytes.length);
    }

    /** The certificates issued for a source system, newest first. */
    public List<Issued> list(long systemId) throws SQLException {
        List<Issued> issued = new ArrayList<>();
        try (Connection connection = dataSource.getConnection(); PreparedStatement query = connection.prepareStatement(SELECT
                + "where source_system_id = ? order by id desc")) {
            query.setLong(1, systemId);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    issued.add(issued(rows));
                }
            }
        }
        return issued;
    }

    public Optional<Issued> byId(long certificateId) throws SQLException {
        try (Connection connection = dataSource.getConnection(); PreparedStatement query = connection.prepareStatement(SELECT + "where id = ?")) {
            query.setLong(1, certificateId);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? Optional.of(issued(rows)) : Optional.empty();
            }
        }
    }

    /** Opens a certificate's {@code "json"} or {@code "pdf"} again, audited as from the command line. */
    public Optional<Opened> open(long certificateId, String kind) throws SQLException, IOException {
        return open(certificateId, kind, commandLineAudit());
    }

    /**
     * Opens a certificate's {@code "json"} or {@code "pdf"} from the blob store, byte-exact, and audits the download;
     * empty when there is no such certificate.
     *
     * @throws IOException when the blob store no longer has the file (a fixity check names it)
     */
    public Optional<Opened> open(long certificateId, String kind, Audit audit) throws SQLException, IOException {
        if (!KINDS.contains(kind)) {
            throw new IllegalArgumentException("a certificate's files are \"json\" and \"pdf\"");
        }
        Optional<Issued> found = byId(certificateId);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Issued certificate = found.get();
        String sha256 = certificate.sha256(kind);
        InputStream content = blobs.open(sha256).orElseThrow(() -> new IOException("certificate " + certificateId + "'s certificate." + kind
                + " (sha256 " + sha256 + ") is missing from the blob store: run verify-fixity"));
        audit.record(AuditAction.CERTIFICATE, "decommission_certificate", Long.toString(certificateId),
                "downloaded certificate." + kind + " (sha256 " + sha256 + ")");
        return Optional.of(new Opened(certificate, kind, sha256, certificate.bytes(kind), "pdf".equals(kind) ? "application/pdf" : "application/json",
                "certificate." + kind, content));
    }

    private static final String SELECT = "select id, source_system_id, generated_by, generated_at, json_sha256, json_bytes, pdf_sha256, pdf_bytes "
            + "from decommission_certificate ";

    private static Issued issued(ResultSet rows) throws SQLException {
        return new Issued(rows.getLong(1), rows.getLong(2), rows.getString(3), rows.getTimestamp(4).toInstant(), rows.getString(5).trim(),
                rows.getLong(6), rows.getString(7).trim(), rows.getLong(8));
    }

    // ---- what goes into both files ----------------------------------------------------------------------------

    /** The newest fixity check of the archive (fixity covers every original, not one source system's). */
    record FixityLine(long checkId, Instant startedAt, Instant endedAt, String agent, String outcome, long originals, long matched, long changed,
            long missing, long unexpected, long bytesRead) {
    }

    /** A sampling plan with its items. */
    record PlanLine(SamplingPlans.PlanSummary plan, List<SamplingPlans.ItemResult> items) {
    }

    /** The quarantine lines of one reason (by its ING id, or its text when it has none). */
    static final class ReasonCount {
        final String reason;
        long files;
        long records;

        ReasonCount(String reason) {
            this.reason = reason;
        }
    }

    /**
     * Everything the PDF shows: what was known before the JSON was written, and what writing it counted (the
     * manifest's digest and first lines, the quarantine by reason), which the PDF cannot read again from the JSON.
     */
    static final class Facts {
        final long id;
        final SourceSystem system;
        final Instant generatedAt;
        final String generatedBy;
        final Summary summary;
        final AuditVerifier.Result chain;
        final FixityLine fixity;
        final List<PlanLine> plans;
        final Map<String, ReasonCount> reasons = new TreeMap<>();
        final List<QuarantineLine> firstQuarantine = new ArrayList<>();
        long quarantineLines;
        final List<String> firstManifestLines = new ArrayList<>();
        long originals;
        long attachments;
        String manifestSha256;
        String jsonSha256;
        long jsonBytes;

        Facts(long id, SourceSystem system, Instant generatedAt, String generatedBy, Summary summary, AuditVerifier.Result chain,
                FixityLine fixity, List<PlanLine> plans) {
            this.id = id;
            this.system = system;
            this.generatedAt = generatedAt;
            this.generatedBy = generatedBy;
            this.summary = summary;
            this.chain = chain;
            this.fixity = fixity;
            this.plans = plans;
        }

        String statement() {
            return "This certificate states what the archive holds of the legacy system \"" + system.name() + "\" at " + generatedAt
                    + ": every batch ingested from it and its reconciliation (for every record type, found = archived + quarantined + "
                    + "duplicates), the old system's own counts with their verdicts, every quarantined file and record with its reason, "
                    + "the record-level samples and their reviewers' decisions, the newest fixity check of the originals, the verification "
                    + "of the access audit's hash chain at generation, and a manifest of every original and embedded attachment by "
                    + "SHA-256, kept byte-exact in the archive's content-addressed blob store.";
        }
    }

    private Optional<FixityLine> latestFixity() throws SQLException {
        try (Connection connection = dataSource.getConnection(); PreparedStatement query = connection.prepareStatement("select id, started_at, "
                + "ended_at, agent, outcome, originals, matched, changed, missing, unexpected, bytes_read from fixity_check order by id desc limit 1");
                ResultSet r = query.executeQuery()) {
            if (!r.next()) {
                return Optional.empty();
            }
            return Optional.of(new FixityLine(r.getLong(1), r.getTimestamp(2).toInstant(), r.getTimestamp(3).toInstant(), r.getString(4),
                    r.getString(5), r.getLong(6), r.getLong(7), r.getLong(8), r.getLong(9), r.getLong(10), r.getLong(11)));
        }
    }

    // ---- certificate.json -------------------------------------------------------------------------------------

    private void writeJson(Facts facts, OutputStream out, Progress progress) throws IOException, SQLException {
        Summary summary = facts.summary;
        SourceSystem system = facts.system;
        try (JsonGenerator g = json.copy().enable(SerializationFeature.INDENT_OUTPUT).getFactory().createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("schema", SCHEMA);
            g.writeNumberField("certificateId", facts.id);
            g.writeObjectFieldStart("sourceSystem");
            g.writeNumberField("id", system.id());
            g.writeStringField("name", system.name());
            g.writeStringField("createdAt", system.createdAt().toString());
            g.writeEndObject();
            g.writeStringField("generatedAt", facts.generatedAt.toString());
            g.writeStringField("generatedBy", facts.generatedBy);
            g.writeStringField("statement", facts.statement());

            g.writeArrayFieldStart("batches");
            for (BatchLine batch : summary.batches()) {
                g.writeStartObject();
                g.writeNumberField("batchId", batch.batchId());
                g.writeStringField("sourcePath", batch.sourcePath());
                g.writeStringField("status", batch.status());
                g.writeStringField("startedAt", text(batch.startedAt()));
                g.writeStringField("finishedAt", text(batch.finishedAt()));
                g.writeNumberField("attempts", batch.attempts());
                g.writeBooleanField("balanced", batch.balanced());
                g.writeObjectField("totals", batch.totals());
                g.writeEndObject();
            }
            g.writeEndArray();

            g.writeObjectFieldStart("reconciliation");
            g.writeBooleanField("balanced", summary.balanced());
            g.writeObjectField("totals", summary.totals());
            g.writeFieldName("recordTypes");
            typeLines(g, summary.recordTypes());
            g.writeFieldName("partTypes");
            typeLines(g, summary.partTypes());
            g.writeNumberField("patients", summary.patients());
            g.writeObjectField("problems", summary.problems());
            g.writeEndObject();

            g.writeArrayFieldStart("statedCounts");
            for (Reconciliation.StatedCount stated : summary.statedCounts()) {
                g.writeStartObject();
                g.writeStringField("recordType", stated.recordType());
                g.writeNumberField("stated", stated.stated());
                g.writeNumberField("received", stated.received());
                g.writeNumberField("duplicates", stated.duplicates());
                g.writeNumberField("difference", stated.difference());
                g.writeStringField("verdict", stated.verdict());
                g.writeStringField("why", stated.why());
                g.writeStringField("explanation", stated.explanation());
                g.writeStringField("statedBy", stated.statedBy());
                g.writeStringField("statedAt", text(stated.statedAt()));
                g.writeEndObject();
            }
            g.writeEndArray();

            writeQuarantine(g, facts);
            writeSampling(g, facts.plans);
            writeFixity(g, facts.fixity);

            g.writeObjectFieldStart("auditChain");
            g.writeStringField("verifiedAt", facts.generatedAt.toString());
            g.writeNumberField("rows", facts.chain.rows());
            g.writeBooleanField("intact", facts.chain.intact());
            g.writeStringField("lastHash", facts.chain.lastHash());
            if (facts.chain.firstBrokenId() == null) {
                g.writeNullField("firstBrokenId");
            } else {
                g.writeNumberField("firstBrokenId", facts.chain.firstBrokenId());
            }
            g.writeStringField("problem", facts.chain.problem());
            g.writeEndObject();

            writeManifest(g, facts, progress);
            g.writeEndObject();
        }
    }

    private static void typeLines(JsonGenerator g, List<TypeLine> lines) throws IOException {
        g.writeStartArray();
        for (TypeLine line : lines) {
            g.writeStartObject();
            g.writeStringField("recordType", line.recordType());
            g.writeNumberField("found", line.counts().found());
            g.writeNumberField("archived", line.counts().archived());
            g.writeNumberField("quarantined", line.counts().quarantined());
            g.writeNumberField("keptRaw", line.counts().keptRaw());
            g.writeNumberField("duplicates", line.counts().duplicates());
            g.writeBooleanField("balanced", line.balanced());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private void writeQuarantine(JsonGenerator g, Facts facts) throws IOException, SQLException {
        g.writeObjectFieldStart("quarantine");
        g.writeNumberField("count", facts.summary.quarantined());
        g.writeNumberField("open", facts.summary.openQuarantine());
        g.writeArrayFieldStart("lines");
        try {
            facts.quarantineLines = reconciliation.eachQuarantineLine(facts.system, line -> {
                try {
                    g.writeStartObject();
                    g.writeStringField("kind", line.kind());
                    g.writeNumberField("batchId", line.batchId());
                    g.writeStringField("path", line.path());
                    g.writeStringField("locator", line.locator());
                    g.writeStringField("recordType", line.recordType());
                    g.writeStringField("sha256", line.sha256());
                    g.writeStringField("reason", line.reason());
                    g.writeStringField("remedy", line.remedy());
                    g.writeStringField("resolution", line.resolution());
                    if (line.laterBatchId() == null) {
                        g.writeNullField("laterBatchId");
                    } else {
                        g.writeNumberField("laterBatchId", line.laterBatchId());
                    }
                    g.writeEndObject();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                ReasonCount count = facts.reasons.computeIfAbsent(reasonKey(line.reason()), ReasonCount::new);
                if ("file".equals(line.kind())) {
                    count.files++;
                } else {
                    count.records++;
                }
                if (facts.firstQuarantine.size() < PDF_QUARANTINE_LINES) {
                    facts.firstQuarantine.add(line);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    /** A reason's stable id ({@code ING-nnn}) when it has one, else the reason itself (cut short). */
    static String reasonKey(String reason) {
        if (reason == null) {
            return "(no reason recorded)";
        }
        int colon = reason.indexOf(':');
        if (colon > 0 && colon <= 12) {
            return reason.substring(0, colon);
        }
        return reason.length() > 120 ? reason.substring(0, 120) + "..." : reason;
    }

    private static void writeSampling(JsonGenerator g, List<PlanLine> plans) throws IOException {
        g.writeArrayFieldStart("sampling");
        for (PlanLine line : plans) {
            SamplingPlans.PlanSummary plan = line.plan();
            g.writeStartObject();
            g.writeNumberField("planId", plan.id());
            g.writeNumberField("seed", plan.seed());
            g.writeNumberField("perType", plan.perType());
            g.writeObjectField("confidence", plan.confidence());
            g.writeObjectField("tolerableError", plan.tolerableError());
            g.writeStringField("createdBy", plan.createdBy());
            g.writeStringField("createdAt", text(plan.createdAt()));
            g.writeObjectField("reviewers", plan.reviewers());
            g.writeStringField("firstDecision", text(plan.firstDecision()));
            g.writeStringField("lastDecision", text(plan.lastDecision()));
            g.writeArrayFieldStart("types");
            for (SamplingPlans.TypeResult type : plan.types()) {
                g.writeStartObject();
                g.writeStringField("recordType", type.recordType());
                g.writeNumberField("population", type.population());
                g.writeNumberField("sampled", type.sampled());
                g.writeNumberField("reviewerPicked", type.reviewerPicked());
                g.writeNumberField("reviewed", type.reviewed());
                g.writeNumberField("correct", type.correct());
                g.writeNumberField("wrong", type.wrong());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("items");
            for (SamplingPlans.ItemResult item : line.items()) {
                g.writeStartObject();
                g.writeNumberField("itemId", item.itemId());
                g.writeNumberField("sourceRecordId", item.sourceRecordId());
                g.writeStringField("recordType", item.recordType());
                g.writeStringField("chosen", item.chosen());
                g.writeStringField("chosenBy", item.chosenBy());
                g.writeStringField("decision", item.decision());
                g.writeStringField("note", item.note());
                g.writeStringField("reviewer", item.reviewer());
                g.writeStringField("decidedAt", text(item.decidedAt()));
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void writeFixity(JsonGenerator g, FixityLine fixity) throws IOException {
        if (fixity == null) {
            g.writeNullField("fixity");
            g.writeStringField("fixityNote", "No fixity check has run on this archive: run verify-fixity, then issue the certificate again.");
            return;
        }
        g.writeObjectFieldStart("fixity");
        g.writeNumberField("checkId", fixity.checkId());
        g.writeStringField("startedAt", fixity.startedAt().toString());
        g.writeStringField("endedAt", fixity.endedAt().toString());
        g.writeStringField("agent", fixity.agent());
        g.writeStringField("outcome", fixity.outcome());
        g.writeNumberField("originals", fixity.originals());
        g.writeNumberField("matched", fixity.matched());
        g.writeNumberField("changed", fixity.changed());
        g.writeNumberField("missing", fixity.missing());
        g.writeNumberField("unexpected", fixity.unexpected());
        g.writeNumberField("bytesRead", fixity.bytesRead());
        g.writeEndObject();
        g.writeStringField("fixityNote", "The newest fixity check of the whole archive, which covers this source system's originals.");
    }

    /** The originals of the source system's batches, once each, in the order of their hash. */
    private static final String ORIGINALS = """
            select s.sha256, s.size_bytes, s.format, s.status, min(f.batch_id)
            from source_file s join batch_file f on f.source_file_id = s.id join ingest_batch b on b.id = f.batch_id
            where b.source_system_id = ? group by s.id, s.sha256, s.size_bytes, s.format, s.status order by s.sha256 collate "C"
            """;
    /** The attachments stored as blobs of the documents read from those originals. */
    private static final String ATTACHMENTS = """
            select a.sha256, max(a.size_bytes) from document_attachment a join clinical_document d on d.id = a.document_id
            where a.sha256 is not null and d.source_file_id in (
                select f.source_file_id from batch_file f join ingest_batch b on b.id = f.batch_id where b.source_system_id = ?)
            group by a.sha256 order by a.sha256 collate "C"
            """;

    private void writeManifest(JsonGenerator g, Facts facts, Progress progress) throws IOException, SQLException {
        MessageDigest digest = sha256();
        g.writeObjectFieldStart("manifest");
        g.writeStringField("canonicalForm", MANIFEST_CANONICAL_FORM);
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false); // the driver streams (fetch size) only inside a transaction
            try {
                g.writeArrayFieldStart("originals");
                try (PreparedStatement query = connection.prepareStatement(ORIGINALS)) {
                    query.setLong(1, facts.system.id());
                    query.setFetchSize(1000);
                    try (ResultSet r = query.executeQuery()) {
                        while (r.next()) {
                            String sha256 = r.getString(1).trim();
                            long size = r.getLong(2);
                            String format = r.getString(3);
                            String status = r.getString(4).toLowerCase(Locale.ROOT);
                            long firstBatch = r.getLong(5);
                            g.writeStartObject();
                            g.writeStringField("sha256", sha256);
                            g.writeNumberField("sizeBytes", size);
                            g.writeStringField("format", format);
                            g.writeStringField("status", status);
                            g.writeNumberField("firstBatchId", firstBatch);
                            g.writeEndObject();
                            manifestLine(facts, digest, "original " + sha256 + " " + size + " " + field(format) + " " + status + " " + firstBatch);
                            facts.originals++;
                            if (facts.originals % 1000 == 0) {
                                progress.manifest(facts.originals);
                            }
                        }
                    }
                }
                g.writeEndArray();
                g.writeArrayFieldStart("attachments");
                try (PreparedStatement query = connection.prepareStatement(ATTACHMENTS)) {
                    query.setLong(1, facts.system.id());
                    query.setFetchSize(1000);
                    try (ResultSet r = query.executeQuery()) {
                        while (r.next()) {
                            String sha256 = r.getString(1).trim();
                            Long size = (Long) r.getObject(2);
                            g.writeStartObject();
                            g.writeStringField("sha256", sha256);
                            if (size == null) {
                                g.writeNullField("sizeBytes");
                            } else {
                                g.writeNumberField("sizeBytes", size);
                            }
                            g.writeEndObject();
                            manifestLine(facts, digest, "attachment " + sha256 + " " + (size == null ? "-" : size));
                            facts.attachments++;
                            if ((facts.originals + facts.attachments) % 1000 == 0) {
                                progress.manifest(facts.originals + facts.attachments);
                            }
                        }
                    }
                }
                g.writeEndArray();
            } finally {
                connection.commit();
                connection.setAutoCommit(true);
            }
        }
        progress.manifest(facts.originals + facts.attachments);
        facts.manifestSha256 = HexFormat.of().formatHex(digest.digest());
        g.writeNumberField("originalCount", facts.originals);
        g.writeNumberField("attachmentCount", facts.attachments);
        g.writeStringField("sha256", facts.manifestSha256);
        g.writeEndObject();
    }

    private static void manifestLine(Facts facts, MessageDigest digest, String line) {
        digest.update((line + "\n").getBytes(StandardCharsets.UTF_8));
        if (facts.firstManifestLines.size() < PDF_MANIFEST_LINES) {
            facts.firstManifestLines.add(line);
        }
    }

    /** A manifest field as the canonical form writes it: '-' when missing, else as it is in the JSON. */
    private static String field(String value) {
        return value == null ? "-" : value;
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java runtime has SHA-256", e);
        }
    }
}
