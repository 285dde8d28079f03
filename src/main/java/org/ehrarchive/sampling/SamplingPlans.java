package org.ehrarchive.sampling;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;
import javax.sql.DataSource;

/**
 * Record-level sampling of a source system before it is switched off (issue 13, docs/decommissioning.md): a plan
 * draws up to {@code perType} records of every record type the source system's batches stored, in an order fixed by
 * a seed, so that the same seed on the same archive draws the same records again; reviewers add records of their
 * own choosing and mark each correct, or wrong with a note. Every row is appended (V10): a changed decision is a new
 * row, and the newest decision of an item is its result.
 * <p>
 * Only archived and kept-raw records are drawn: a quarantined record has no normalized form to compare, and is
 * accounted for by the reconciliation instead. A type's population is what the source system holds now: when a batch
 * of the source system arrives after a plan was drawn, the plan's population outgrows what it drew from, and the
 * plan should be drawn again (its figures show it: the population moved, the sample did not).
 */
@ApplicationScoped
public class SamplingPlans {

    /** The largest per-type size a plan may ask for. */
    public static final int MAX_PER_TYPE = 10_000;
    /** The longest note a reviewer may write. */
    public static final int MAX_NOTE = 4_000;
    public static final String CORRECT = "correct";
    public static final String WRONG = "wrong";

    /** One record type of a plan: its population, how many were drawn and picked, and the reviewers' results. */
    public record TypeResult(String recordType, long population, int sampled, int reviewerPicked, int reviewed, int correct, int wrong) {
    }

    /** A plan with its results per type, who decided, and when the first and last decisions were made (null before). */
    public record PlanSummary(long id, long sourceSystemId, long seed, int perType, BigDecimal confidence, BigDecimal tolerableError,
            String createdBy, Instant createdAt, List<TypeResult> types, List<String> reviewers, Instant firstDecision, Instant lastDecision) {
    }

    /** An item with its newest decision ({@code decision}, {@code note}, {@code reviewer}, {@code decidedAt} null before one). */
    public record ItemResult(long itemId, long sourceRecordId, String recordType, String chosen, String chosenBy, String decision,
            String note, String reviewer, Instant decidedAt) {
    }

    /** One decision on an item, as it was made. */
    public record Decision(long id, String reviewer, String decision, String note, Instant decidedAt) {
    }

    private static final String ELIGIBLE = "from source_record r join ingest_batch b on b.id = r.batch_id "
            + "where b.source_system_id = ? and r.status in ('ARCHIVED', 'KEPT_RAW')";

    private final DataSource dataSource;

    public SamplingPlans(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Draws a plan: of every record type of the source system, {@code min(perType, population)} records; when a
     * confidence and a tolerable error are given, {@code min(perType, SampleSize.forPopulation(...))}, the size that
     * those figures suggest for that type's population. One scan of the source system's records.
     *
     * @return the plan's id
     * @throws IllegalArgumentException when the source system does not exist or a figure is out of range
     */
    public long draw(long sourceSystemId, long seed, int perType, BigDecimal confidence, BigDecimal tolerableError, String createdBy)
            throws SQLException {
        if (perType < 1 || perType > MAX_PER_TYPE) {
            throw new IllegalArgumentException("the size per record type is between 1 and " + MAX_PER_TYPE);
        }
        if ((confidence == null) != (tolerableError == null)) {
            throw new IllegalArgumentException("a suggested size needs both a confidence and a tolerable error rate");
        }
        if (confidence != null) {
            SampleSize.unbounded(confidence.doubleValue(), tolerableError.doubleValue()); // checks both are fractions
        }
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                if (!exists(connection, "select 1 from source_system where id = ?", sourceSystemId)) {
                    throw new IllegalArgumentException("there is no source system " + sourceSystemId);
                }
                long planId;
                Instant createdAt;
                try (PreparedStatement insert = connection.prepareStatement("insert into sample_plan (id, source_system_id, seed, per_type, "
                        + "confidence, tolerable_error, created_by, created_at) values (nextval('decommission_id_seq'), ?, ?, ?, ?, ?, ?, now()) "
                        + "returning id, created_at")) {
                    insert.setLong(1, sourceSystemId);
                    insert.setLong(2, seed);
                    insert.setInt(3, perType);
                    insert.setBigDecimal(4, confidence);
                    insert.setBigDecimal(5, tolerableError);
                    insert.setString(6, createdBy);
                    try (ResultSet row = insert.executeQuery()) {
                        row.next();
                        planId = row.getLong(1);
                        createdAt = row.getTimestamp(2).toInstant();
                    }
                }
                Map<String, Long> populations = populations(connection, sourceSystemId);
                List<String> types = new ArrayList<>(populations.keySet());
                List<Integer> sizes = new ArrayList<>();
                for (String type : types) {
                    long population = populations.get(type);
                    long size = confidence == null ? population
                            : SampleSize.forPopulation(population, confidence.doubleValue(), tolerableError.doubleValue());
                    sizes.add((int) Math.min(perType, size));
                }
                // The seeded order: md5 of the seed and the record's id, ties (none in practice) by id.
                try (PreparedStatement insert = connection.prepareStatement("insert into sample_item (id, plan_id, source_record_id, record_type, "
                        + "chosen, chosen_by, added_at) select nextval('decommission_id_seq'), ?, ranked.id, ranked.record_type, 'random', ?, ? "
                        + "from (select r.id, r.record_type, row_number() over (partition by r.record_type "
                        + "order by md5(?::text || ':' || r.id::text), r.id) as rank " + ELIGIBLE + ") ranked "
                        + "join unnest(?::text[], ?::int[]) as size(record_type, n) on size.record_type = ranked.record_type "
                        + "where ranked.rank <= size.n order by ranked.record_type, ranked.rank")) {
                    Timestamp at = Timestamp.from(createdAt);
                    insert.setLong(1, planId);
                    insert.setString(2, createdBy);
                    insert.setTimestamp(3, at);
                    insert.setString(4, Long.toString(seed));
                    insert.setLong(5, sourceSystemId);
                    insert.setArray(6, connection.createArrayOf("text", types.toArray()));
                    insert.setArray(7, connection.createArrayOf("integer", sizes.toArray()));
                    insert.executeUpdate();
                }
                connection.commit();
                return planId;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    /**
     * Adds a record of a reviewer's own choosing to a plan.
     *
     * @throws IllegalArgumentException when there is no such plan or record, the record is not of the plan's source
     *         system, was quarantined, or is already in the plan
     */
    public void pick(long planId, long sourceRecordId, String pickedBy) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            Long system = single(connection, "select source_system_id from sample_plan where id = ?", planId);
            if (system == null) {
                throw new IllegalArgumentException("there is no sampling plan " + planId);
            }
            String recordType;
            try (PreparedStatement query = connection.prepareStatement("select r.record_type, r.status, b.source_system_id "
                    + "from source_record r join ingest_batch b on b.id = r.batch_id where r.id = ?")) {
                query.setLong(1, sourceRecordId);
                try (ResultSet row = query.executeQuery()) {
                    if (!row.next()) {
                        throw new IllegalArgumentException("there is no source record " + sourceRecordId);
                    }
                    if (row.getLong(3) != system) {
                        throw new IllegalArgumentException("source record " + sourceRecordId + " is not of this plan's source system");
                    }
                    if ("QUARANTINED".equals(row.getString(2))) {
                        throw new IllegalArgumentException("source record " + sourceRecordId
                                + " was quarantined: it has no normalized form to review (the reconciliation accounts for it)");
                    }
                    recordType = row.getString(1);
                }
            }
            try (PreparedStatement insert = connection.prepareStatement("insert into sample_item (id, plan_id, source_record_id, record_type, "
                    + "chosen, chosen_by, added_at) values (nextval('decommission_id_seq'), ?, ?, ?, 'reviewer', ?, now()) "
                    + "on conflict (plan_id, source_record_id) do nothing")) {
                insert.setLong(1, planId);
                insert.setLong(2, sourceRecordId);
                insert.setString(3, recordType);
                insert.setString(4, pickedBy);
                if (insert.executeUpdate() == 0) {
                    throw new IllegalArgumentException("source record " + sourceRecordId + " is already in plan " + planId);
                }
            }
        }
    }

    /**
     * Records a reviewer's decision on an item; a later decision on the same item replaces it in the results.
     *
     * @throws IllegalArgumentException for an unknown item, a decision other than correct or wrong, or a wrong without
     *         a note
     */
    public void decide(long itemId, String reviewer, String decision, String note) throws SQLException {
        if (!CORRECT.equals(decision) && !WRONG.equals(decision)) {
            throw new IllegalArgumentException("a decision is correct or wrong");
        }
        String kept = note == null || note.isBlank() ? null : note.strip();
        if (WRONG.equals(decision) && kept == null) {
            throw new IllegalArgumentException("say what is wrong: a record marked wrong needs a note");
        }
        if (kept != null && kept.length() > MAX_NOTE) {
            throw new IllegalArgumentException("a note has at most " + MAX_NOTE + " characters");
        }
        try (Connection connection = dataSource.getConnection()) {
            if (!exists(connection, "select 1 from sample_item where id = ?", itemId)) {
                throw new IllegalArgumentException("there is no sampled item " + itemId);
            }
            try (PreparedStatement insert = connection.prepareStatement("insert into sample_review (id, item_id, reviewer, decision, note, "
                    + "decided_at) values (nextval('decommission_id_seq'), ?, ?, ?, ?, now())")) {
                insert.setLong(1, itemId);
                insert.setString(2, reviewer);
                insert.setString(3, decision);
                insert.setString(4, kept);
                insert.executeUpdate();
            }
        }
    }

    /** The plans of a source system, newest first. */
    public List<PlanSummary> plans(long sourceSystemId) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            List<Long> ids = new ArrayList<>();
            try (PreparedStatement query = connection.prepareStatement("select id from sample_plan where source_system_id = ? order by id desc")) {
                query.setLong(1, sourceSystemId);
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        ids.add(rows.getLong(1));
                    }
                }
            }
            List<PlanSummary> plans = new ArrayList<>();
            for (long id : ids) {
                summary(connection, id).ifPresent(plans::add);
            }
            return plans;
        }
    }

    public Optional<PlanSummary> plan(long planId) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            return summary(connection, planId);
        }
    }

    /** A plan's items, by record type and then as they were added, each with its newest decision. */
    public List<ItemResult> items(long planId) throws SQLException {
        List<ItemResult> items = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement("select i.id, i.source_record_id, i.record_type, i.chosen, i.chosen_by, "
                        + "d.decision, d.note, d.reviewer, d.decided_at from sample_item i left join (select distinct on (item_id) item_id, "
                        + "decision, note, reviewer, decided_at from sample_review where item_id in (select id from sample_item where plan_id = ?) "
                        + "order by item_id, id desc) d on d.item_id = i.id where i.plan_id = ? order by i.record_type, i.id")) {
            query.setLong(1, planId);
            query.setLong(2, planId);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    Timestamp decided = rows.getTimestamp(9);
                    items.add(new ItemResult(rows.getLong(1), rows.getLong(2), rows.getString(3), rows.getString(4), rows.getString(5),
                            rows.getString(6), rows.getString(7), rows.getString(8), decided == null ? null : decided.toInstant()));
                }
            }
        }
        return items;
    }

    /** Every decision on an item, oldest first: the item's history. */
    public List<Decision> decisions(long itemId) throws SQLException {
        List<Decision> decisions = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement("select id, reviewer, decision, note, decided_at from sample_review "
                        + "where item_id = ? order by id")) {
            query.setLong(1, itemId);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    decisions.add(new Decision(rows.getLong(1), rows.getString(2), rows.getString(3), rows.getString(4),
                            rows.getTimestamp(5).toInstant()));
                }
            }
        }
        return decisions;
    }

    /** The records a plan may draw, per record type, as the source system holds them now. */
    public Map<String, Long> populations(long sourceSystemId) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            return populations(connection, sourceSystemId);
        }
    }

    /** The source record a document was read from, for a reviewer who names a record by its document's URL. */
    public OptionalLong sourceRecordOfDocument(long documentId) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            Long record = single(connection, "select source_record_id from clinical_document where id = ?", documentId);
            return record == null ? OptionalLong.empty() : OptionalLong.of(record);
        }
    }

    private static Map<String, Long> populations(Connection connection, long sourceSystemId) throws SQLException {
        Map<String, Long> populations = new TreeMap<>();
        try (PreparedStatement query = connection.prepareStatement("select r.record_type, count(*) " + ELIGIBLE + " group by r.record_type")) {
            query.setLong(1, sourceSystemId);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    populations.put(rows.getString(1), rows.getLong(2));
                }
            }
        }
        return populations;
    }

    private static Optional<PlanSummary> summary(Connection connection, long planId) throws SQLException {
        long sourceSystemId;
        long seed;
        int perType;
        BigDecimal confidence;
        BigDecimal tolerableError;
        String createdBy;
        Instant createdAt;
        try (PreparedStatement query = connection.prepareStatement("select source_system_id, seed, per_type, confidence, tolerable_error, "
                + "created_by, created_at from sample_plan where id = ?")) {
            query.setLong(1, planId);
            try (ResultSet row = query.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                sourceSystemId = row.getLong(1);
                seed = row.getLong(2);
                perType = row.getInt(3);
                confidence = row.getBigDecimal(4);
                tolerableError = row.getBigDecimal(5);
                createdBy = row.getString(6);
                createdAt = row.getTimestamp(7).toInstant();
            }
        }
        Map<String, Long> populations = populations(connection, sourceSystemId);
        Map<String, int[]> counts = new LinkedHashMap<>(); // sampled, picked, reviewed, correct, wrong
        populations.keySet().forEach(type -> counts.put(type, new int[5]));
        try (PreparedStatement query = connection.prepareStatement("select i.record_type, "
                + "count(*) filter (where i.chosen = 'random'), count(*) filter (where i.chosen = 'reviewer'), "
                + "count(d.decision), count(*) filter (where d.decision = 'correct'), count(*) filter (where d.decision = 'wrong') "
                + "from sample_item i left join (select distinct on (item_id) item_id, decision from sample_review "
                + "where item_id in (select id from sample_item where plan_id = ?) order by item_id, id desc) d on d.item_id = i.id "
                + "where i.plan_id = ? group by i.record_type")) {
            query.setLong(1, planId);
            query.setLong(2, planId);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    int[] c = counts.computeIfAbsent(rows.getString(1), type -> new int[5]);
                    for (int i = 0; i < 5; i++) {
                        c[i] = rows.getInt(i + 2);
                    }
                }
            }
        }
        List<TypeResult> types = new ArrayList<>();
        new TreeMap<>(counts).forEach((type, c) -> types.add(new TypeResult(type, populations.getOrDefault(type, 0L), c[0], c[1], c[2], c[3], c[4])));
        List<String> reviewers = new ArrayList<>();
        Instant first = null;
        Instant last = null;
        try (PreparedStatement query = connection.prepareStatement("select reviewer, min(decided_at), max(decided_at) from sample_review "
                + "where item_id in (select id from sample_item where plan_id = ?) group by reviewer order by reviewer")) {
            query.setLong(1, planId);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    reviewers.add(rows.getString(1));
                    Instant min = rows.getTimestamp(2).toInstant();
                    Instant max = rows.getTimestamp(3).toInstant();
                    first = first == null || min.isBefore(first) ? min : first;
                    last = last == null || max.isAfter(last) ? max : last;
                }
            }
        }
        return Optional.of(new PlanSummary(planId, sourceSystemId, seed, perType, confidence, tolerableError, createdBy, createdAt,
                List.copyOf(types), List.copyOf(reviewers), first, last));
    }

    private static boolean exists(Connection connection, String sql, long id) throws SQLException {
        return single(connection, sql, id) != null;
    }

    private static Long single(Connection connection, String sql, long id) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(sql)) {
            query.setLong(1, id);
            try (ResultSet row = query.executeQuery()) {
                return row.next() ? row.getObject(1) == null ? null : ((Number) row.getObject(1)).longValue() : null;
            }
        }
    }
}
