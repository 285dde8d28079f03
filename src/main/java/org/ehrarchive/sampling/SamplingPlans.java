package org.ehrarchive.sampling;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import javax.sql.DataSource;

/**
 * The sampling plans of a source system and their reviewers' decisions (issue 13), read for the decommission
 * certificate. This is the read side only, as plain SQL over {@code sample_plan}, {@code sample_item} and
 * {@code sample_review}; drawing samples and recording decisions is the sampling feature's own.
 */
@ApplicationScoped
public class SamplingPlans {

    /**
     * One record type of a plan: its population (the source system's records of that type archived or kept raw),
     * how many were drawn at random and picked by reviewers, and of those how many were reviewed, correct or wrong
     * (by each item's latest decision).
     */
    public record TypeResult(String recordType, long population, int sampled, int reviewerPicked, int reviewed, int correct, int wrong) {
    }

    /** A plan with its results per record type, who reviewed, and when the first and last decisions were made. */
    public record PlanSummary(long id, long sourceSystemId, long seed, int perType, java.math.BigDecimal confidence,
            java.math.BigDecimal tolerableError, String createdBy, java.time.Instant createdAt, List<TypeResult> types, List<String> reviewers,
            java.time.Instant firstDecision, java.time.Instant lastDecision) {
    }

    /** A sampled record with its latest decision ({@code decision} null while none was made, else "correct" or "wrong"). */
    public record ItemResult(long itemId, long sourceRecordId, String recordType, String chosen, String chosenBy, String decision,
            String note, String reviewer, java.time.Instant decidedAt) {
    }

    private final DataSource dataSource;

    public SamplingPlans(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The source system's plans, newest first. */
    public List<PlanSummary> plans(long sourceSystemId) throws SQLException {
        List<PlanSummary> plans = new ArrayList<>();
        try (Connection connection = dataSource.getConnection()) {
            List<Object[]> rows = new ArrayList<>();
            try (PreparedStatement query = connection.prepareStatement("select id, seed, per_type, confidence, tolerable_error, created_by, "
                    + "created_at from sample_plan where source_system_id = ? order by id desc")) {
                query.setLong(1, sourceSystemId);
                try (ResultSet r = query.executeQuery()) {
                    while (r.next()) {
                        rows.add(new Object[] {r.getLong(1), r.getLong(2), r.getInt(3), r.getBigDecimal(4), r.getBigDecimal(5), r.getString(6),
                                instant(r.getTimestamp(7))});
                    }
                }
            }
            for (Object[] row : rows) {
                long planId = (Long) row[0];
                List<String> reviewers = new ArrayList<>();
                Instant first = null;
                Instant last = null;
                try (PreparedStatement query = connection.prepareStatement("select distinct v.reviewer from sample_review v "
                        + "join sample_item i on i.id = v.item_id where i.plan_id = ? order by v.reviewer")) {
                    query.setLong(1, planId);
                    try (ResultSet r = query.executeQuery()) {
                        while (r.next()) {
                            reviewers.add(r.getString(1));
                        }
                    }
                }
                try (PreparedStatement query = connection.prepareStatement("select min(v.decided_at), max(v.decided_at) from sample_review v "
                        + "join sample_item i on i.id = v.item_id where i.plan_id = ?")) {
                    query.setLong(1, planId);
                    try (ResultSet r = query.executeQuery()) {
                        r.next();
                        first = instant(r.getTimestamp(1));
                        last = instant(r.getTimestamp(2));
                    }
                }
                plans.add(new PlanSummary(planId, sourceSystemId, (Long) row[1], (Integer) row[2], (java.math.BigDecimal) row[3],
                        (java.math.BigDecimal) row[4], (String) row[5], (Instant) row[6], types(connection, planId, sourceSystemId), reviewers,
                        first, last));
            }
        }
        return plans;
    }

    private static List<TypeResult> types(Connection connection, long planId, long sourceSystemId) throws SQLException {
        List<TypeResult> types = new ArrayList<>();
        try (PreparedStatement query = connection.prepareStatement("""
                select i.record_type,
                       (select count(*) from source_record r join ingest_batch b on b.id = r.batch_id
                         where b.source_system_id = ? and r.record_type = i.record_type and r.status in ('ARCHIVED', 'KEPT_RAW')),
                       count(*) filter (where i.chosen = 'random'), count(*) filter (where i.chosen = 'reviewer'),
                       count(v.decision), count(*) filter (where v.decision = 'correct'), count(*) filter (where v.decision = 'wrong')
                from sample_item i
                left join lateral (select decision from sample_review where item_id = i.id order by id desc limit 1) v on true
                where i.plan_id = ? group by i.record_type order by i.record_type""")) {
            query.setLong(1, sourceSystemId);
            query.setLong(2, planId);
            try (ResultSet r = query.executeQuery()) {
                while (r.next()) {
                    types.add(new TypeResult(r.getString(1), r.getLong(2), r.getInt(3), r.getInt(4), r.getInt(5), r.getInt(6), r.getInt(7)));
                }
            }
        }
        return types;
    }

    /** The plan's items, by record type and id, each with its latest decision (the newest {@code sample_review} row). */
    public List<ItemResult> items(long planId) throws SQLException {
        List<ItemResult> items = new ArrayList<>();
        try (Connection connection = dataSource.getConnection(); PreparedStatement query = connection.prepareStatement("""
                select i.id, i.source_record_id, i.record_type, i.chosen, i.chosen_by, v.decision, v.note, v.reviewer, v.decided_at
                from sample_item i
                left join lateral (select decision, note, reviewer, decided_at from sample_review where item_id = i.id
                                   order by id desc limit 1) v on true
                where i.plan_id = ? order by i.record_type, i.id""")) {
            query.setLong(1, planId);
            try (ResultSet r = query.executeQuery()) {
                while (r.next()) {
                    items.add(new ItemResult(r.getLong(1), r.getLong(2), r.getString(3), r.getString(4), r.getString(5), r.getString(6),
                            r.getString(7), r.getString(8), instant(r.getTimestamp(9))));
                }
            }
        }
        return items;
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
