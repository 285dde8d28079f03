package org.ehrarchive.restriction;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import javax.sql.DataSource;

import org.ehrarchive.ArchiveConfig;
import org.ehrarchive.TypedText;
import org.ehrarchive.audit.AuditAction;
import org.ehrarchive.identity.PatientLinks;

/**
 * Breaking the glass (45 CFR 164.312(a)(2)(ii), docs/compliance.md#break-the-glass, ADR 0023). A reader whose role
 * does not open restricted records is shown why the record is restricted and may go on only by stating why; the grant
 * covers the patient's whole person for {@code archive.break-glass.grant-for}, every read under it is recorded with
 * its number, and it waits in the privacy officer's queue until it is signed off or escalated. Grants and reviews are
 * append-only.
 */
@ApplicationScoped
public class BreakGlass {

    /** Where a grant stands in the privacy officer's review: its newest review's decision, or pending. */
    public enum State {
        PENDING, SIGNED_OFF, ESCALATED;

        /** The filters the queue offers: {@code open} (pending and escalated), {@code pending}, {@code escalated}, {@code signed-off}, {@code all}. */
        public static final List<String> FILTERS = List.of("open", "pending", "escalated", "signed-off", "all");

        /** The states a filter names; empty for a name that is none of {@link #FILTERS}. */
        public static Optional<Set<State>> filter(String name) {
            return Optional.ofNullable(switch (name) {
                case "open" -> EnumSet.of(PENDING, ESCALATED);
                case "pending" -> EnumSet.of(PENDING);
                case "escalated" -> EnumSet.of(ESCALATED);
                case "signed-off" -> EnumSet.of(SIGNED_OFF);
                case "all" -> EnumSet.allOf(State.class);
                default -> null;
            });
        }
    }

    /** What a privacy officer decides on a grant. */
    public enum Decision {
        /** The access was justified. */
        SIGNED_OFF,
        /** To be looked into (a note says what); it may be signed off later. */
        ESCALATED
    }

    /** One review of a grant. */
    public record Review(long id, Decision decision, String note, String reviewedBy, Instant reviewedAt) {
    }

    /**
     * A grant: who, for which patient (and the archived patients of its person at the time), why, what they were told
     * was restricted, until when; its review state with every review; and how many reads of that person it covered.
     */
    public record Grant(long id, String username, String role, long patientId, List<Long> patientIds, String reason, String restrictions,
            Instant grantedAt, Instant expiresAt, State state, List<Review> reviews, long reads) {

        public boolean activeAt(Instant when) {
            return when.isBefore(expiresAt);
        }
    }

    /** A page of the queue, and how many grants are in each state. */
    public record Queue(List<Grant> grants, long total, Map<State, Long> counts) {
    }

    /**
     * Thrown where a reader would open a restricted record without a grant: the patient (the chart's, or the
     * document's) a grant would be for, the document when one was opened, and why it is restricted.
     */
    public static final class Restricted extends RuntimeException {
        private final long patientId;
        private final Long documentId;
        private final transient List<Restrictions.Reason> reasons;

        Restricted(long patientId, Long documentId, List<Restrictions.Reason> reasons) {
            super("restricted record", null, false, false);
            this.patientId = patientId;
            this.documentId = documentId;
            this.reasons = List.copyOf(reasons);
        }

        public long patientId() {
            return patientId;
        }

        public Long documentId() {
            return documentId;
        }

        public List<Restrictions.Reason> reasons() {
            return reasons;
        }
    }

    /** A reason shorter than this is refused: "x" is not a reason a privacy officer can review. */
    public static final int MIN_REASON_LENGTH = 10;

    /** The reads a grant covers: the ones the gate guards (AuditAction#opensRecord). */
    private static final String READS = Arrays.stream(AuditAction.values()).filter(AuditAction::opensRecord)
            .map(a -> "'" + a.name() + "'").collect(Collectors.joining(", "));
    private static final String GRANT_COLUMNS = "g.id, g.username, g.user_role, g.patient_id, g.patient_ids, g.reason, g.restrictions,"
            + " g.granted_at, g.expires_at, coalesce(s.decision, 'PENDING'), (select count(*) from access_audit a where a.user_name = g.username"
            + " and a.occurred_at >= g.granted_at and a.occurred_at < g.expires_at and a.action in (" + READS + ")"
            + " and string_to_array(a.patient_ids, ',')::bigint[] && g.patient_ids)";
    private static final String STATE = " left join lateral (select decision from break_glass_review r where r.break_glass_id = g.id"
            + " order by r.id desc limit 1) s on true";

    private final DataSource dataSource;
    private final Restrictions restrictions;
    private final PatientLinks links;
    private final Duration grantFor;

    @Inject
    public BreakGlass(DataSource dataSource, Restrictions restrictions, PatientLinks links, ArchiveConfig config) {
        this(dataSource, restrictions, links, config.breakGlass().grantFor());
    }

    BreakGlass(DataSource dataSource, Restrictions restrictions, PatientLinks links, Duration grantFor) {
        this.dataSource = dataSource;
        this.restrictions = restrictions;
        this.links = links;
        this.grantFor = grantFor;
    }

    public Duration grantFor() {
        return grantFor;
    }

    /**
     * Why the record a read opens is restricted (empty: it is not): {@code objectType} "document" is a document's read
     * (its own flags and mark, and its patient's); anything else reads the chart of {@code patientIds}.
     */
    public List<Restrictions.Reason> reasons(String objectType, String objectId, List<Long> patientIds) {
        if (patientIds.isEmpty()) {
            return List.of();
        }
        return "document".equals(objectType) ? restrictions.ofDocument(Long.parseLong(objectId)) : restrictions.ofChart(patientIds);
    }

    /**
     * Lets a read of a record through, or refuses it: nothing to check when {@code why} (its {@link #reasons}) is
     * empty; the grant that covers every one of {@code patientIds} when the user holds one (its id, to be recorded with
     * the read); else {@link Restricted}.
     */
    public Optional<Long> require(String username, String objectType, String objectId, List<Long> patientIds, List<Restrictions.Reason> why) {
        if (why.isEmpty()) {
            return Optional.empty();
        }
        boolean document = "document".equals(objectType);
        try (Connection connection = dataSource.getConnection();
                PreparedStatement active = connection.prepareStatement("select id from break_glass where username = ? and expires_at > ?"
                        + " and patient_ids @> ? order by expires_at desc limit 1")) {
            active.setString(1, username);
            active.setTimestamp(2, Timestamp.from(Instant.now()));
            active.setArray(3, connection.createArrayOf("bigint", patientIds.toArray()));
            try (ResultSet rows = active.executeQuery()) {
                if (rows.next()) {
                    return Optional.of(rows.getLong(1));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the break-the-glass grants", e);
        }
        // a chart's grant is for the patient its address names; any other read's, for the first patient it names
        long patient = "patient".equals(objectType) && objectId != null ? Long.parseLong(objectId) : patientIds.get(0);
        throw new Restricted(patient, document ? Long.valueOf(objectId) : null, why);
    }

    /**
     * Breaks the glass: the user may read the record of this archived patient's person (and, with {@code documentId},
     * that document) for {@link #grantFor()}. Empty when nothing there is restricted (nothing to grant). A reason
     * shorter than {@link #MIN_REASON_LENGTH} is refused.
     */
    public Optional<Grant> grant(String username, String role, long patientId, Long documentId, String reason) {
        String why = TypedText.required(reason, "Say why you need this record");
        if (why.length() < MIN_REASON_LENGTH) {
            throw new IllegalArgumentException("Say why you need this record, in at least " + MIN_REASON_LENGTH + " characters");
        }
        List<Long> person = links.members(patientId);
        List<Restrictions.Reason> told = new ArrayList<>(restrictions.ofChart(person));
        if (documentId != null) {
            restrictions.ofDocument(documentId).stream().filter(r -> !told.contains(r)).forEach(told::add);
        }
        if (told.isEmpty()) {
            return Optional.empty();
        }
        Instant now = Instant.now();
        try (Connection connection = dataSource.getConnection()) {
            try (PreparedStatement exists = connection.prepareStatement("select 1 from patient where id = ?")) {
                exists.setLong(1, patientId);
                try (ResultSet rows = exists.executeQuery()) {
                    if (!rows.next()) {
                        throw new Restrictions.Refused("There is no patient " + patientId);
                    }
                }
            }
            long id;
            try (PreparedStatement insert = connection.prepareStatement("insert into break_glass (id, username, user_role, patient_id, patient_ids,"
                    + " reason, restrictions, granted_at, expires_at) values (nextval('restriction_id_seq'), ?, ?, ?, ?, ?, ?, ?, ?) returning id")) {
                insert.setString(1, username);
                insert.setString(2, role);
                insert.setLong(3, patientId);
                insert.setArray(4, connection.createArrayOf("bigint", person.toArray()));
                insert.setString(5, why);
                insert.setString(6, told.stream().map(Restrictions.Reason::says).collect(Collectors.joining("\n")));
                insert.setTimestamp(7, Timestamp.from(now));
                insert.setTimestamp(8, Timestamp.from(now.plus(grantFor)));
                try (ResultSet rows = insert.executeQuery()) {
                    rows.next();
                    id = rows.getLong(1);
                }
            }
            return Optional.of(grant(connection, id));
        } catch (SQLException e) {
            throw new IllegalStateException("could not record the break-the-glass grant", e);
        }
    }

    /** The grant with this id. */
    public Optional<Grant> grant(long id) {
        try (Connection connection = dataSource.getConnection()) {
            return Optional.of(grant(connection, id));
        } catch (Restrictions.Refused none) {
            return Optional.empty();
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the grant", e);
        }
    }

    /** The grants in these states, oldest first (the one waiting longest on top): a page of them, and the counts. */
    public Queue queue(Set<State> states, int offset, int limit) {
        try (Connection connection = dataSource.getConnection()) {
            Map<State, Long> counts = new EnumMap<>(State.class);
            for (State state : State.values()) {
                counts.put(state, 0L);
            }
            try (PreparedStatement count = connection.prepareStatement("select coalesce(s.decision, 'PENDING'), count(*) from break_glass g"
                    + STATE + " group by 1");
                    ResultSet rows = count.executeQuery()) {
                while (rows.next()) {
                    counts.put(State.valueOf(rows.getString(1)), rows.getLong(2));
                }
            }
            List<String> wanted = states.stream().map(Enum::name).toList();
            List<Grant> grants = grants(connection, "select " + GRANT_COLUMNS + " from break_glass g" + STATE
                    + " where coalesce(s.decision, 'PENDING') = any(?) order by g.id limit ? offset ?", wanted, limit, offset);
            long total = wanted.stream().mapToLong(s -> counts.get(State.valueOf(s))).sum();
            return new Queue(grants, total, counts);
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the break-the-glass queue", e);
        }
    }

    /**
     * A privacy officer's review of a grant. Refused: reviewing one's own grant, a grant signed off already, an
     * escalation without a note.
     */
    public Grant review(long id, Decision decision, String note, String reviewer) {
        String written = note == null || note.isBlank() ? null : TypedText.required(note, "");
        if (decision == Decision.ESCALATED && written == null) {
            throw new IllegalArgumentException("An escalation needs a note saying what is to be looked into");
        }
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                // serializes reviews of one grant, so that two officers cannot both sign it off
                try (PreparedStatement lock = connection.prepareStatement("select pg_advisory_xact_lock(?, hashint8(?))")) {
                    lock.setInt(1, 0xB7_6A);
                    lock.setLong(2, id);
                    lock.execute();
                }
                Grant grant = grant(connection, id);
                if (grant.username().equals(reviewer)) {
                    throw new Restrictions.Refused("A grant is reviewed by someone other than the reader who broke the glass");
                }
                if (grant.state() == State.SIGNED_OFF) {
                    throw new Restrictions.Refused("This grant was signed off already");
                }
                try (PreparedStatement insert = connection.prepareStatement("insert into break_glass_review (id, break_glass_id, decision, note,"
                        + " reviewed_by, reviewed_at) values (nextval('restriction_id_seq'), ?, ?, ?, ?, ?)")) {
                    insert.setLong(1, id);
                    insert.setString(2, decision.name());
                    insert.setString(3, written);
                    insert.setString(4, reviewer);
                    insert.setTimestamp(5, Timestamp.from(Instant.now()));
                    insert.executeUpdate();
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
            return grant(connection, id);
        } catch (SQLException e) {
            throw new IllegalStateException("could not record the review", e);
        }
    }

    private Grant grant(Connection connection, long id) throws SQLException {
        List<Grant> found = grants(connection, "select " + GRANT_COLUMNS + " from break_glass g" + STATE + " where g.id = ?", id);
        if (found.isEmpty()) {
            throw new Restrictions.Refused("There is no break-the-glass grant " + id);
        }
        return found.get(0);
    }

    private static List<Grant> grants(Connection connection, String sql, Object... parameters) throws SQLException {
        Map<Long, Grant> grants = new LinkedHashMap<>();
        try (PreparedStatement query = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                if (parameters[i] instanceof Collection<?> values) {
                    query.setArray(i + 1, connection.createArrayOf("text", values.toArray()));
                } else {
                    query.setObject(i + 1, parameters[i]);
                }
            }
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    Array ids = rows.getArray(5);
                    List<Long> patients = Arrays.stream((Object[]) ids.getArray()).map(o -> ((Number) o).longValue()).toList();
                    grants.put(rows.getLong(1), new Grant(rows.getLong(1), rows.getString(2), rows.getString(3), rows.getLong(4), patients,
                            rows.getString(6), rows.getString(7), rows.getTimestamp(8).toInstant(), rows.getTimestamp(9).toInstant(),
                            State.valueOf(rows.getString(10)), new ArrayList<>(), rows.getLong(11)));
                }
            }
        }
        if (!grants.isEmpty()) {
            try (PreparedStatement reviews = connection.prepareStatement("select break_glass_id, id, decision, note, reviewed_by, reviewed_at"
                    + " from break_glass_review where break_glass_id = any(?) order by id")) {
                reviews.setArray(1, connection.createArrayOf("bigint", grants.keySet().toArray()));
                try (ResultSet rows = reviews.executeQuery()) {
                    while (rows.next()) {
                        grants.get(rows.getLong(1)).reviews().add(new Review(rows.getLong(2), Decision.valueOf(rows.getString(3)),
                                rows.getString(4), rows.getString(5), rows.getTimestamp(6).toInstant()));
                    }
                }
            }
        }
        return List.copyOf(grants.values());
    }
}
