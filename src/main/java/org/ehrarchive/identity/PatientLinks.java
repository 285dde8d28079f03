package org.ehrarchive.identity;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import javax.sql.DataSource;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Identity links between archived patients (docs/patient-identity.md, ADR 0021). An archived patient is one source's
 * record of a person; a link in state {@link State#LINKED} joins two of them, and a person is every archived patient
 * reachable over such links. Links join, they never rewrite: no record moves, so undoing a link gives both charts back
 * exactly. Links and their decisions are append-only; a link's state is its newest decision.
 */
@ApplicationScoped
public class PatientLinks {

    /** Where a link stands. */
    public enum State {
        /** Found by the matcher, waiting for an admin: the two stay apart until confirmed. */
        PROPOSED,
        /** The two archived patients are one person. */
        LINKED,
        /** An admin decided they are two people; the matcher never proposes the pair again. */
        REJECTED,
        /** A link was taken back; the charts are apart again, and the matcher does not link the pair again by itself. */
        UNDONE
    }

    /** How the pair was found. */
    public enum Method {
        /** The same identifier value under one assigning authority (spelt the same or, by the equivalence table, not). */
        IDENTIFIER,
        /** Scored on demographics above the proposal threshold. */
        SCORED,
        /** The source system itself merged the two (an HL7 v2 A40/A34 message). */
        SOURCE_MERGE,
        /** An admin linked two records the matcher had not paired. */
        ADMIN
    }

    /** One decision on a link. */
    public record Decision(long id, State state, String decidedBy, String reason, Instant decidedAt) {
    }

    /** A link with its evidence (field by field) and every decision, oldest first; {@code state} is the newest's. */
    public record Link(long id, long patientLow, long patientHigh, Method method, Double score, List<FieldEvidence> evidence,
            Instant foundAt, State state, List<Decision> decisions) {

        /** The archived patients these links pair, each once: what the access audit names when they are shown. */
        public static List<Long> patientsOf(Collection<Link> links) {
            Set<Long> patients = new java.util.LinkedHashSet<>();
            links.forEach(link -> {
                patients.add(link.patientLow());
                patients.add(link.patientHigh());
            });
            return List.copyOf(patients);
        }
    }

    /** Which decisions may follow which (a decision to the state a link is in already is refused). */
    private static final Map<State, Set<State>> NEXT = Map.of(
            State.PROPOSED, Set.of(State.LINKED, State.REJECTED),
            State.LINKED, Set.of(State.UNDONE),
            State.REJECTED, Set.of(State.LINKED),
            State.UNDONE, Set.of(State.LINKED));

    static final int MAX_REASON_LENGTH = 2_000;
    /** The first key of the advisory locks that serialize decisions on one link (any constant; the second is the link). */
    private static final int DECISION_LOCK = 0x1D_11;

    private final DataSource dataSource;
    private final ObjectMapper json;

    public PatientLinks(DataSource dataSource, ObjectMapper json) {
        this.dataSource = dataSource;
        this.json = json;
    }

    /** Refused: the link is not there, or cannot go to that state from where it stands. */
    public static final class RefusedDecision extends RuntimeException {
        public RefusedDecision(String message) {
            super(message);
        }
    }

    /** The archived patients that are one person with this one (itself included), lowest id first. */
    public List<Long> members(long patientId) {
        return List.copyOf(persons(List.of(patientId)).getOrDefault(patientId, List.of(patientId)));
    }

    /** For each of these archived patients, the lowest id of its person: the id a person is shown under. */
    public Map<Long, Long> representatives(Collection<Long> patientIds) {
        Map<Long, Long> representatives = new HashMap<>();
        persons(patientIds).forEach((patient, members) -> representatives.put(patient, members.get(0)));
        return representatives;
    }

    /** Each patient's person (itself and everyone linked to it, directly or not), lowest id first: one statement. */
    private Map<Long, List<Long>> persons(Collection<Long> patientIds) {
        Map<Long, List<Long>> persons = new LinkedHashMap<>();
        if (patientIds.isEmpty()) {
            return persons;
        }
        // The union (not union all) of a recursive query keeps each (seed, member) once: it ends on cycles.
        String sql = "with recursive person (seed, member) as (select s, s from unnest(?::bigint[]) s"
                + " union select p.seed, case when l.patient_low = p.member then l.patient_high else l.patient_low end"
                + " from person p join patient_link l on l.patient_low = p.member or l.patient_high = p.member"
                + " where (select d.state from patient_link_decision d where d.link_id = l.id order by d.id desc limit 1) = 'LINKED')"
                + " select seed, member from person order by seed, member";
        try (Connection connection = dataSource.getConnection(); PreparedStatement query = connection.prepareStatement(sql)) {
            query.setArray(1, connection.createArrayOf("bigint", patientIds.toArray()));
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    persons.computeIfAbsent(rows.getLong(1), k -> new ArrayList<>()).add(rows.getLong(2));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read identity links (SQLSTATE " + e.getSQLState() + ")", e);
        }
        return persons;
    }

    /** The links in this state (every state when null), newest first, at most {@code limit}. */
    public List<Link> inState(State state, int limit) throws SQLException {
        return select(state == null ? "true" : "state = ?", state == null ? null : state.name(), limit);
    }

    /** Every link that names this archived patient, newest first. */
    public List<Link> ofPatient(long patientId) throws SQLException {
        return select("(patient_low = ? or patient_high = ?)", patientId, 1_000);
    }

    /** How many links are in each state. */
    public Map<State, Long> counts() throws SQLException {
        Map<State, Long> counts = new LinkedHashMap<>();
        for (State state : State.values()) {
            counts.put(state, 0L);
        }
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement("select state, count(*) from (" + CURRENT + ") c group by state");
                ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                counts.put(State.valueOf(rows.getString(1)), rows.getLong(2));
            }
        }
        return counts;
    }

    public Optional<Link> link(long id) throws SQLException {
        return select("id = ?", id, 1).stream().findFirst();
    }

    /** Each link with the state of its newest decision. */
    private static final String CURRENT = "select l.*, (select d.state from patient_link_decision d where d.link_id = l.id"
            + " order by d.id desc limit 1) as state from patient_link l";

    private List<Link> select(String where, Object value, int limit) throws SQLException {
        List<Link> links = new ArrayList<>();
        try (Connection connection = dataSource.getConnection()) {
            try (PreparedStatement query = connection.prepareStatement("select id, patient_low, patient_high, method, score, evidence::text,"
                    + " found_at, state from (" + CURRENT + ") c where " + where + " order by id desc limit " + Math.max(1, limit))) {
                if (value != null) {
                    query.setObject(1, value);
                    if (where.contains("or patient_high")) {
                        query.setObject(2, value);
                    }
                }
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        Double score = rows.getDouble(5);
                        links.add(new Link(rows.getLong(1), rows.getLong(2), rows.getLong(3), Method.valueOf(rows.getString(4)),
                                rows.wasNull() ? null : score, evidence(rows.getString(6)), rows.getTimestamp(7).toInstant(),
                                State.valueOf(rows.getString(8)), new ArrayList<>()));
                    }
                }
            }
            if (!links.isEmpty()) {
                Map<Long, Link> byId = new HashMap<>();
                links.forEach(link -> byId.put(link.id(), link));
                try (PreparedStatement query = connection.prepareStatement("select id, link_id, state, decided_by, reason, decided_at"
                        + " from patient_link_decision where link_id = any(?) order by id")) {
                    Array ids = connection.createArrayOf("bigint", byId.keySet().toArray());
                    query.setArray(1, ids);
                    try (ResultSet rows = query.executeQuery()) {
                        while (rows.next()) {
                            byId.get(rows.getLong(2)).decisions().add(new Decision(rows.getLong(1), State.valueOf(rows.getString(3)),
                                    rows.getString(4), rows.getString(5), rows.getTimestamp(6).toInstant()));
                        }
                    }
                }
            }
        }
        return links.stream().map(l -> new Link(l.id(), l.patientLow(), l.patientHigh(), l.method(), l.score(), l.evidence(), l.foundAt(),
                l.state(), List.copyOf(l.decisions()))).toList();
    }

    private List<FieldEvidence> evidence(String text) {
        try {
            return json.readValue(text, new TypeReference<List<FieldEvidence>>() {
            });
        } catch (IOException e) {
            throw new UncheckedIOException("A link's evidence could not be read", e);
        }
    }

    /**
     * Decides on a link: confirm ({@link State#LINKED}) or reject a proposal, undo a link, or link again. Serialized
     * per link (a transaction lock on its id), so two admins deciding at once cannot both move it from the same state.
     *
     * @throws RefusedDecision when there is no such link, or it cannot go from where it stands to {@code to}
     * @throws IllegalArgumentException when the reason is empty or too long
     */
    public Link decide(long linkId, State to, String decidedBy, String reason) throws SQLException {
        String why = reason(reason);
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                // An advisory lock, not FOR UPDATE: the archive's role may not update the append-only link rows.
                try (PreparedStatement lock = connection.prepareStatement("select pg_advisory_xact_lock(?, hashint8(?))")) {
                    lock.setInt(1, DECISION_LOCK);
                    lock.setLong(2, linkId);
                    lock.execute();
                }
                try (PreparedStatement exists = connection.prepareStatement("select 1 from patient_link where id = ?")) {
                    exists.setLong(1, linkId);
                    try (ResultSet rows = exists.executeQuery()) {
                        if (!rows.next()) {
                            throw new RefusedDecision("There is no identity link " + linkId);
                        }
                    }
                }
                State from;
                try (PreparedStatement current = connection.prepareStatement(
                        "select state from patient_link_decision where link_id = ? order by id desc limit 1")) {
                    current.setLong(1, linkId);
                    try (ResultSet rows = current.executeQuery()) {
                        rows.next();
                        from = State.valueOf(rows.getString(1));
                    }
                }
                if (!NEXT.get(from).contains(to)) {
                    throw new RefusedDecision("Identity link " + linkId + " is " + from.name().toLowerCase() + ": it cannot be "
                            + to.name().toLowerCase() + " now");
                }
                insertDecision(connection, linkId, to, decidedBy, why);
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
        return link(linkId).orElseThrow();
    }

    /**
     * Records a pair found by the matcher (or named by an admin) with its first decision, in the caller's transaction.
     * The pair is put lower id first; a pair already found is left as it is. The new link's id, or empty when the pair
     * had one.
     */
    Optional<Long> found(Connection connection, long a, long b, Method method, Double score, List<FieldEvidence> evidence, State state,
            String decidedBy, String reason) throws SQLException {
        long low = Math.min(a, b);
        long high = Math.max(a, b);
        long id;
        try (PreparedStatement insert = connection.prepareStatement("insert into patient_link"
                + " (id, patient_low, patient_high, method, score, evidence, found_at) values (nextval('identity_id_seq'), ?, ?, ?, ?, ?::jsonb, now())"
                + " on conflict (patient_low, patient_high) do nothing returning id")) {
            insert.setLong(1, low);
            insert.setLong(2, high);
            insert.setString(3, method.name());
            insert.setObject(4, score);
            insert.setString(5, json.writeValueAsString(evidence));
            try (ResultSet rows = insert.executeQuery()) {
                if (!rows.next()) {
                    return Optional.empty();
                }
                id = rows.getLong(1);
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("A link's evidence could not be written", e);
        }
        insertDecision(connection, id, state, decidedBy, reason(reason));
        return Optional.of(id);
    }

    /** The pairs among these archived patients that already have a link, whatever its state, as "low:high". */
    Set<String> knownPairs(Connection connection, Collection<Long> patients) throws SQLException {
        Set<String> pairs = new java.util.HashSet<>();
        try (PreparedStatement query = connection.prepareStatement(
                "select patient_low, patient_high from patient_link where patient_low = any(?) or patient_high = any(?)")) {
            Array ids = connection.createArrayOf("bigint", patients.toArray());
            query.setArray(1, ids);
            query.setArray(2, ids);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    pairs.add(pairKey(rows.getLong(1), rows.getLong(2)));
                }
            }
        }
        return pairs;
    }

    static String pairKey(long a, long b) {
        return Math.min(a, b) + ":" + Math.max(a, b);
    }

    private static void insertDecision(Connection connection, long linkId, State state, String decidedBy, String reason) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("insert into patient_link_decision"
                + " (id, link_id, state, decided_by, reason, decided_at) values (nextval('identity_id_seq'), ?, ?, ?, ?, now())")) {
            insert.setLong(1, linkId);
            insert.setString(2, state.name());
            insert.setString(3, decidedBy);
            insert.setString(4, reason);
            insert.executeUpdate();
        }
    }

    private static String reason(String reason) {
        String kept = reason == null ? "" : reason.strip();
        if (kept.isEmpty()) {
            throw new IllegalArgumentException("a decision on an identity link needs a reason");
        }
        if (kept.length() > MAX_REASON_LENGTH) {
            throw new IllegalArgumentException("a reason has at most " + MAX_REASON_LENGTH + " characters");
        }
        return kept;
    }
}
