package org.ehrarchive.decommission;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;
import javax.sql.DataSource;

import org.ehrarchive.ingest.IngestError;
import org.ehrarchive.ingest.IngestReport;
import org.ehrarchive.ingest.IngestReport.Counts;
import org.ehrarchive.ingest.IngestService;
import org.ehrarchive.ingest.SourceSystems;
import org.ehrarchive.ingest.SourceSystems.SourceSystem;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * The reconciliation of a source system, for the auditor (issue 13, docs/decommissioning.md): its batches' reports
 * added up, per batch, per record type and per file; every line's {@code found = archived + quarantined + duplicates}
 * checked, not assumed; the quarantine with each reason, what to do about it, and whether a later batch put it
 * right; and the old system's own counts beside the archive's, each difference explained or flagged.
 * As a summary ({@link #summary}, for the page and the certificate) and as complete JSON and CSV downloads, written
 * row by row from the database, whatever the archive's size.
 */
@ApplicationScoped
public class Reconciliation {

    /** The {@code $id} of the JSON download's schema ({@code archive-schemas/reconciliation.schema.json}). */
    public static final String SCHEMA = "urn:ehrarchive:archive-schemas:reconciliation:1";
    /** The stated count of this "record type" is compared with the patients the source system's records are filed under. */
    public static final String PATIENTS = "patients";
    /** Quarantine lines a summary lists; the downloads list them all. */
    static final int LISTED_QUARANTINE = 500;

    /** One batch and its report's totals; {@code balanced} when each of its counts adds up. */
    public record BatchLine(long batchId, String sourcePath, String status, Instant startedAt, Instant finishedAt, int attempts,
            IngestReport.Totals totals, boolean balanced) {
    }

    /** One record type (or part type), over every batch of the source system. */
    public record TypeLine(String recordType, boolean part, Counts counts, boolean balanced) {
    }

    /**
     * A quarantined file ({@code kind} "file") or record inside an archived file ("record"), with its reason, what to
     * do about it, and, for a file, what became of it when it was ingested again: {@code resolution} is null while
     * it is open, else says which later batch archived it (or quarantined it again, which that batch's line then
     * carries on).
     */
    public record QuarantineLine(String kind, long batchId, String path, String locator, String recordType, String sha256, String reason,
            String remedy, String resolution, Long laterBatchId) {

        public boolean open() {
            return resolution == null;
        }
    }

    /**
     * What the old system says it holds of a record type, beside what the archive received of it ({@code archived +
     * quarantined}: every record found, less the ones that arrived more than once). {@code verdict}: "matches",
     * "explained" (by the duplicates, or by the admin's explanation) or "flagged".
     */
    public record StatedCount(String recordType, long stated, long received, long duplicates, long difference, String verdict,
            String why, String explanation, String statedBy, Instant statedAt) {
    }

    /**
     * The whole reconciliation of a source system, with the quarantine list cut at {@link #LISTED_QUARANTINE}.
     * {@code balanced}: every count adds up; {@code problems}: what an admin must still put right or explain (an
     * unfinished batch, open quarantine, an unexplained difference from a stated count), imbalances first.
     */
    public record Summary(SourceSystem sourceSystem, Instant generatedAt, List<BatchLine> batches, IngestReport.Totals totals,
            boolean balanced, List<TypeLine> recordTypes, List<TypeLine> partTypes, long patients, List<StatedCount> statedCounts,
            long quarantined, long openQuarantine, List<QuarantineLine> quarantine, List<String> problems) {
    }

    private final DataSource dataSource;
    private final IngestService ingest;
    private final ObjectMapper json;

    public Reconciliation(DataSource dataSource, IngestService ingest, ObjectMapper json) {
        this.dataSource = dataSource;
        this.ingest = ingest;
        this.json = json.copy().disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    }

    public Summary summary(SourceSystem system) throws SQLException {
        List<BatchLine> batches = batches(system.id());
        IngestReport.Totals totals = IngestReport.Totals.NONE;
        for (BatchLine batch : batches) {
            totals = totals.plus(batch.totals());
        }
        List<TypeLine> recordTypes = typeLines(totals.records(), false);
        List<TypeLine> partTypes = typeLines(totals.parts(), true);
        List<String> problems = problems(batches, totals, recordTypes, partTypes);
        try (Connection connection = dataSource.getConnection()) {
            long patients = patients(connection, system.id());
            List<QuarantineLine> quarantine = new ArrayList<>();
            long[] counted = quarantine(connection, system.id(), LISTED_QUARANTINE, quarantine::add);
            if (counted[1] > 0) {
                problems.add(counted[1] + " quarantined " + (counted[1] == 1 ? "file or record is" : "files or records are")
                        + " open: each needs its remedy, or an explanation in the stated counts");
            }
            List<StatedCount> stated = statedCounts(connection, system.id(), totals, patients);
            stated.stream().filter(s -> "flagged".equals(s.verdict())).forEach(s -> problems.add("the old system states " + s.stated()
                    + " " + s.recordType() + ", the archive received " + s.received() + ": unexplained"));
            boolean balanced = balanced(totals) && batches.stream().allMatch(BatchLine::balanced);
            return new Summary(system, Instant.now(), batches, totals, balanced, recordTypes, partTypes, patients, stated, counted[0], counted[1], quarantine, problems);
        }
    }

    /** The source system's batches, oldest first, each with its report's totals. */
    public List<BatchLine> batches(long systemId) throws SQLException {
        List<Object[]> rows = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement("select id, source_path, status, started_at, finished_at, attempts "
                        + "from ingest_batch where source_system_id = ? order by id")) {
            query.setLong(1, systemId);
            try (ResultSet r = query.executeQuery()) {
                while (r.next()) {
                    rows.add(new Object[] {r.getLong(1), r.getString(2), r.getString(3).toLowerCase(Locale.ROOT), instant(r.getTimestamp(4)),
                            instant(r.getTimestamp(5)), r.getInt(6)});
                }
            }
        }
        List<BatchLine> batches = new ArrayList<>();
        for (Object[] row : rows) {
            // The batch's own report, summed as it sums it: the source system's totals are these added up.
            IngestReport.Totals totals = QuarkusTransaction.requiringNew().call(() -> ingest.totals((Long) row[0]));
            batches.add(new BatchLine((Long) row[0], (String) row[1], (String) row[2], (Instant) row[3], (Instant) row[4], (Integer) row[5],
                    totals, balanced(totals)));
        }
        return batches;
    }

    /** Each count adds up, the files' outcomes add up to the files, and the record types add up to the totals. */
    static boolean balanced(IngestReport.Totals totals) {
        Counts byType = Counts.NONE;
        for (Counts counts : totals.records().values()) {
            if (!counts.balanced()) {
                return false;
            }
            byType = byType.plus(counts);
        }
        return totals.counts().balanced() && byType.equals(totals.counts())
                && totals.files() == totals.archivedFiles() + totals.duplicateFiles() + totals.quarantinedFiles()
                && (totals.parts() == null || totals.parts().values().stream().allMatch(Counts::balanced));
    }

    private static List<TypeLine> typeLines(Map<String, Counts> counts, boolean part) {
        List<TypeLine> lines = new ArrayList<>();
        (counts == null ? Map.<String, Counts>of() : counts).forEach((type, c) -> lines.add(new TypeLine(type, part, c, c.balanced())));
        return lines;
    }

    private static List<String> problems(List<BatchLine> batches, IngestReport.Totals totals, List<TypeLine> records, List<TypeLine> parts) {
        List<String> problems = new ArrayList<>();
        for (BatchLine batch : batches) {
            if ("running".equals(batch.status())) {
                problems.add("batch " + batch.batchId() + " has not completed: run the same ingest again to resume it; its files read so far are counted");
            }
            if (!batch.balanced()) {
                problems.add("batch " + batch.batchId() + ": its counts do not add up");
            }
        }
        for (TypeLine line : records) {
            if (!line.balanced()) {
                problems.add(describe(line));
            }
        }
        for (TypeLine line : parts) {
            if (!line.balanced()) {
                problems.add(describe(line));
            }
        }
        if (!totals.counts().balanced()) {
            problems.add("the totals do not add up: found " + totals.found() + ", accounted for "
                    + (totals.archived() + totals.quarantined() + totals.duplicates()));
        }
        return problems;
    }

    private static String describe(TypeLine line) {
        Counts c = line.counts();
        return "record type " + line.recordType() + ": found " + c.found() + " is not archived " + c.archived() + " + quarantined "
                + c.quarantined() + " + duplicates " + c.duplicates();
    }

    private static long patients(Connection connection, long systemId) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("select count(distinct r.patient_id) from source_record r "
                + "join ingest_batch b on b.id = r.batch_id where b.source_system_id = ? and r.status <> 'QUARANTINED'")) {
            query.setLong(1, systemId);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    // ---- quarantine -------------------------------------------------------------------------------------------

    /** A file's later attempt in the same source system: the same path, or the same file ingested on its own. */
    private static final String LATER_ATTEMPT = """
            left join lateral (
                select f.batch_id, f.status from batch_file f join ingest_batch lb on lb.id = f.batch_id
                where lb.source_system_id = b.source_system_id and f.batch_id > q.batch_id and f.status <> 'READING'
                  and (f.path = q.path or (f.path = regexp_replace(q.path, '^.*/', '')
                       and right(lb.source_path, length(f.path) + 1) = '/' || f.path))
                order by f.batch_id desc limit 1) later on true
            """;

    /**
     * Hands every quarantine line of the source system to {@code sink}, files first, then records, streamed from the
     * database (for the certificate, which lists them all); returns how many there were.
     */
    public long eachQuarantineLine(SourceSystem system, java.util.function.Consumer<QuarantineLine> sink) throws SQLException {
        try (Connection connection = streaming()) {
            try {
                return quarantine(connection, system.id(), -1, sink)[0];
            } finally {
                connection.commit();
            }
        }
    }

    /**
     * A connection in a transaction of its own: the driver streams a result by its fetch size only inside one, so
     * that millions of file or quarantine lines are read a thousand at a time. The caller commits (it only reads).
     */
    private Connection streaming() throws SQLException {
        Connection connection = dataSource.getConnection();
        connection.setAutoCommit(false);
        return connection;
    }

    /**
     * Hands every quarantine line of the source system to {@code sink} (files first, then records), at most
     * {@code limit} (negative: all), and returns {all, open} counted over every line.
     */
    private long[] quarantine(Connection connection, long systemId, int limit, java.util.function.Consumer<QuarantineLine> sink) throws SQLException {
        long all = 0;
        long open = 0;
        try (PreparedStatement query = connection.prepareStatement("select q.batch_id, q.path, q.sha256, q.reason, later.batch_id, later.status "
                + "from batch_file q join ingest_batch b on b.id = q.batch_id " + LATER_ATTEMPT
                + "where b.source_system_id = ? and q.status = 'QUARANTINED' order by q.batch_id, q.path")) {
            query.setLong(1, systemId);
            query.setFetchSize(1000);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    String reason = rows.getString(4);
                    Long later = (Long) rows.getObject(5);
                    String resolution = later == null ? null : "QUARANTINED".equals(rows.getString(6))
                            ? "ingested again in batch " + later + ": quarantined again (see that line)"
                            : "ingested again in batch " + later + ": " + rows.getString(6).toLowerCase(Locale.ROOT);
                    all++;
                    open += resolution == null ? 1 : 0;
                    if (limit < 0 || all <= limit) {
                        sink.accept(new QuarantineLine("file", rows.getLong(1), rows.getString(2), null, null, rows.getString(3), reason,
                                remedy(reason), resolution, later));
                    }
                }
            }
        }
        // A record quarantined inside an archived file stays so: its file is archived, and its content is kept raw.
        try (PreparedStatement query = connection.prepareStatement("select r.batch_id, f.path, r.locator, r.record_type, r.source_sha256, r.reason "
                + "from source_record r join ingest_batch b on b.id = r.batch_id "
                + "left join batch_file f on f.batch_id = r.batch_id and f.source_file_id = r.source_file_id "
                + "where b.source_system_id = ? and r.status = 'QUARANTINED' order by r.batch_id, r.source_file_id, r.ordinal")) {
            query.setLong(1, systemId);
            query.setFetchSize(1000);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    all++;
                    open++;
                    if (limit < 0 || all <= limit) {
                        String reason = rows.getString(6);
                        sink.accept(new QuarantineLine("record", rows.getLong(1), rows.getString(2), rows.getString(3), rows.getString(4),
                                rows.getString(5), reason, remedy(reason), null, null));
                    }
                }
            }
        }
        return new long[] {all, open};
    }

    static String remedy(String reason) {
        return IngestError.ofReason(reason).map(IngestError::remedy)
                .orElse("Read the reason, compare with the original, and ingest a corrected file again");
    }

    // ---- stated counts ----------------------------------------------------------------------------------------

    /**
     * Records what the old system's own report says it holds of a record type (or {@link #PATIENTS}); the newest
     * statement of a type is the one compared. {@code explanation} says why a difference is expected, if one is.
     */
    public void state(long systemId, String recordType, long stated, String explanation, String statedBy) throws SQLException {
        String type = recordType == null ? "" : recordType.strip();
        if (type.isEmpty() || type.length() > 100) {
            throw new IllegalArgumentException("name the record type (at most 100 characters), as the reconciliation lists it, or \"patients\"");
        }
        if (stated < 0) {
            throw new IllegalArgumentException("a stated count cannot be negative");
        }
        String why = explanation == null || explanation.isBlank() ? null : explanation.strip();
        if (why != null && why.length() > 2000) {
            throw new IllegalArgumentException("an explanation has at most 2,000 characters");
        }
        try (Connection connection = dataSource.getConnection(); PreparedStatement insert = connection.prepareStatement(
                "insert into source_count (id, source_system_id, record_type, stated, explanation, stated_by, stated_at) "
                        + "values (nextval('decommission_id_seq'), ?, ?, ?, ?, ?, now())")) {
            insert.setLong(1, systemId);
            insert.setString(2, type);
            insert.setLong(3, stated);
            insert.setString(4, why);
            insert.setString(5, statedBy);
            insert.executeUpdate();
        }
    }

    private static List<StatedCount> statedCounts(Connection connection, long systemId, IngestReport.Totals totals, long patients)
            throws SQLException {
        List<StatedCount> counts = new ArrayList<>();
        try (PreparedStatement query = connection.prepareStatement("select distinct on (record_type) record_type, stated, explanation, "
                + "stated_by, stated_at from source_count where source_system_id = ? order by record_type, id desc")) {
            query.setLong(1, systemId);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    String type = rows.getString(1);
                    long stated = rows.getLong(2);
                    long received;
                    long duplicates;
                    if (PATIENTS.equals(type)) {
                        received = patients;
                        duplicates = 0;
                    } else {
                        Counts c = totals.records().getOrDefault(type, totals.parts() == null ? Counts.NONE
                                : totals.parts().getOrDefault(type, Counts.NONE));
                        received = c.archived() + c.quarantined();
                        duplicates = c.duplicates();
                    }
                    counts.add(verdict(type, stated, received, duplicates, rows.getString(3), rows.getString(4), instant(rows.getTimestamp(5))));
                }
            }
        }
        return counts;
    }

    static StatedCount verdict(String type, long stated, long received, long duplicates, String explanation, String by, Instant at) {
        long difference = stated - received;
        String verdict;
        String why;
        if (difference == 0) {
            verdict = "matches";
            why = "the archive received as many as the old system states";
        } else if (duplicates > 0 && difference == duplicates) {
            verdict = "explained";
            why = duplicates + " arrived more than once (in overlapping exports, or stated twice) and are stored once";
        } else if (explanation != null) {
            verdict = "explained";
            why = "explained by " + by + ": " + explanation;
        } else {
            verdict = "flagged";
            why = difference > 0 ? difference + " fewer in the archive than the old system states: find them, or explain why"
                    : -difference + " more in the archive than the old system states: find out why, or explain it";
        }
        return new StatedCount(type, stated, received, duplicates, difference, verdict, why, explanation, by, at);
    }

    // ---- downloads --------------------------------------------------------------------------------------------

    /** The whole reconciliation as JSON: the summary, then every file line and every quarantine line. */
    public void writeJson(SourceSystem system, OutputStream out) throws SQLException, IOException {
        Summary summary = summary(system);
        try (JsonGenerator g = json.copy().enable(SerializationFeature.INDENT_OUTPUT).getFactory().createGenerator(out);
                Connection connection = streaming()) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("schema", SCHEMA);
            g.writeObjectFieldStart("sourceSystem");
            g.writeNumberField("id", system.id());
            g.writeStringField("name", system.name());
            g.writeStringField("createdAt", system.createdAt().toString());
            g.writeEndObject();
            g.writeStringField("generatedAt", summary.generatedAt().toString());
            g.writeBooleanField("balanced", summary.balanced());
            g.writeObjectField("problems", summary.problems());
            g.writeObjectField("totals", summary.totals());
            g.writeNumberField("patients", summary.patients());
            g.writeArrayFieldStart("batches");
            for (BatchLine batch : summary.batches()) {
                g.writeObject(batch);
            }
            g.writeEndArray();
            g.writeObjectField("recordTypes", summary.recordTypes());
            g.writeObjectField("partTypes", summary.partTypes());
            g.writeObjectField("statedCounts", summary.statedCounts());
            g.writeArrayFieldStart("files");
            files(connection, system.id(), (batchId, path, sha256, status, reason, format, counts, records) -> {
                g.writeStartObject();
                g.writeNumberField("batchId", batchId);
                g.writeStringField("path", path);
                g.writeStringField("sha256", sha256);
                g.writeStringField("status", status);
                g.writeStringField("reason", reason);
                g.writeStringField("format", format);
                g.writeNumberField("found", counts.found());
                g.writeNumberField("archived", counts.archived());
                g.writeNumberField("quarantined", counts.quarantined());
                g.writeNumberField("keptRaw", counts.keptRaw());
                g.writeNumberField("duplicates", counts.duplicates());
                g.writeBooleanField("balanced", counts.balanced());
                g.writeObjectField("records", records);
                g.writeEndObject();
            });
            g.writeEndArray();
            g.writeNumberField("quarantined", summary.quarantined());
            g.writeNumberField("openQuarantine", summary.openQuarantine());
            g.writeArrayFieldStart("quarantine");
            quarantine(connection, system.id(), -1, line -> {
                try {
                    g.writeObject(line);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            g.writeEndArray();
            g.writeEndObject();
            connection.commit();
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** The CSV columns, one row per line of every level ({@code level}: source, batch, file, quarantine, stated). */
    public static final List<String> CSV_COLUMNS = List.of("level", "batch_id", "path", "record_type", "status", "found", "archived",
            "quarantined", "kept_raw", "duplicates", "balanced", "stated", "verdict", "reason", "remedy", "resolution");

    /** The whole reconciliation as CSV (RFC 4180), one row per total, batch, file and record type, quarantine line and stated count. */
    public void writeCsv(SourceSystem system, Writer out) throws SQLException, IOException {
        Summary summary = summary(system);
        Csv csv = new Csv(out);
        csv.row(CSV_COLUMNS.toArray());
        csv.counts("source", null, null, "(all)", null, summary.totals().counts());
        for (TypeLine line : summary.recordTypes()) {
            csv.counts("source", null, null, line.recordType(), null, line.counts());
        }
        for (TypeLine line : summary.partTypes()) {
            csv.counts("source", null, null, line.recordType() + " (part)", null, line.counts());
        }
        for (BatchLine batch : summary.batches()) {
            csv.counts("batch", batch.batchId(), batch.sourcePath(), "(all)", batch.status(), batch.totals().counts());
            for (Map.Entry<String, Counts> type : batch.totals().records().entrySet()) {
                csv.counts("batch", batch.batchId(), batch.sourcePath(), type.getKey(), batch.status(), type.getValue());
            }
        }
        try (Connection connection = streaming()) {
            files(connection, system.id(), (batchId, path, sha256, status, reason, format, counts, records) -> {
                if (records.isEmpty()) {
                    csv.counts("file", batchId, path, "(none)", status, counts);
                }
                for (Map.Entry<String, Counts> type : records.entrySet()) {
                    csv.counts("file", batchId, path, type.getKey(), status, type.getValue());
                }
            });
            quarantine(connection, system.id(), -1, line -> {
                try {
                    csv.row("quarantine", line.batchId(), line.locator() == null ? line.path() : line.path() + " " + line.locator(),
                            line.recordType(), line.open() ? "open" : "resolved", null, null, null, null, null, null, null, null, line.reason(),
                            line.remedy(), line.resolution());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            connection.commit();
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
        for (StatedCount stated : summary.statedCounts()) {
            csv.row("stated", null, null, stated.recordType(), null, null, stated.received(), null, null, stated.duplicates(), null,
                    stated.stated(), stated.verdict(), null, null, stated.why());
        }
        out.flush();
    }

    @FunctionalInterface
    private interface FileLines {
        void line(long batchId, String path, String sha256, String status, String reason, String format, Counts counts,
                Map<String, Counts> records) throws IOException;
    }

    /** Every file line of the source system's batches, by batch and path, with its counts per record type ({@link #streaming}). */
    private void files(Connection connection, long systemId, FileLines sink) throws SQLException, IOException {
        try (PreparedStatement query = connection.prepareStatement("select f.batch_id, f.path, f.sha256, f.status, f.reason, "
                + "f.outcome->>'format', f.found, f.archived, f.quarantined, f.kept_raw, f.duplicates, f.outcome->'records' "
                + "from batch_file f join ingest_batch b on b.id = f.batch_id where b.source_system_id = ? and f.status <> 'READING' "
                + "order by f.batch_id, f.path")) {
            query.setLong(1, systemId);
            query.setFetchSize(1000);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    Map<String, Counts> records = new TreeMap<>();
                    String recordsJson = rows.getString(12);
                    if (recordsJson != null) {
                        records.putAll(json.readValue(recordsJson, new com.fasterxml.jackson.core.type.TypeReference<Map<String, Counts>>() {
                        }));
                    }
                    sink.line(rows.getLong(1), rows.getString(2), rows.getString(3), rows.getString(4).toLowerCase(Locale.ROOT),
                            rows.getString(5), rows.getString(6), new Counts(rows.getInt(7), rows.getInt(8), rows.getInt(9), rows.getInt(10),
                                    rows.getInt(11)), records);
                }
            }
        }
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }

    /** The reconciliation's rows, as {@link org.ehrarchive.CsvRows} writes them. */
    private static final class Csv extends org.ehrarchive.CsvRows {

        Csv(Writer out) {
            super(out);
        }

        void counts(String level, Long batchId, String path, String type, String status, Counts c) throws IOException {
            row(level, batchId, path, type, status, c.found(), c.archived(), c.quarantined(), c.keptRaw(), c.duplicates(), c.balanced(),
                    null, null, null, null, null);
        }
    }
}
