package org.ehrarchive.identity;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntConsumer;

import jakarta.enterprise.context.ApplicationScoped;
import javax.sql.DataSource;

import org.ehrarchive.ArchiveConfig;
import org.ehrarchive.record.Coded;
import org.ehrarchive.record.ContactPoint;
import org.ehrarchive.record.Identifier;
import org.ehrarchive.record.PersonName;
import org.ehrarchive.record.PostalAddress;
import org.ehrarchive.record.TimeValue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.logging.Log;

/**
 * Finds the archived patients that are one person (docs/patient-identity.md). Each archived patient gets blocking
 * keys (identifier values, birth date, name codes, phone), so a patient is compared only with those sharing a key, not
 * with the whole archive. A pair sharing an identifier value under one assigning authority (by the equivalence table)
 * is linked, unless the rest of the record contradicts it; a pair scored at or above the proposal threshold is
 * proposed for review, or linked when an admin has set an auto-link threshold and it reaches that. Nothing else
 * happens below the threshold. A pair found once is never found again: its decisions are the admin's.
 */
@ApplicationScoped
public class PatientMatcher {

    /** Who the matcher's own decisions are recorded as. */
    public static final String MATCHER = "matcher";
    /** Patients matched per round trip. */
    static final int CHUNK = 1_000;
    /**
     * A key shared by more archived patients than this says nothing about who is who (a placeholder birth date, a
     * clinic's phone number), and comparing with all of them would be slow: it is not used to find candidates.
     */
    static final int MAX_PATIENTS_PER_KEY = 200;
    /**
     * Below this score a shared identifier is not trusted to link by itself (the rest of the record says two people,
     * as a reused or mistyped number would): the pair is proposed for review instead.
     */
    static final double IDENTIFIER_FLOOR = 0.5;

    /** What a matching run did. */
    public record Outcome(int patients, int pairsScored, int linked, int proposed, double seconds) {

        Outcome plus(Outcome other) {
            return new Outcome(patients + other.patients, pairsScored + other.pairsScored, linked + other.linked, proposed + other.proposed,
                    seconds + other.seconds);
        }

        Outcome plusMerges(int merges) {
            return new Outcome(patients, pairsScored, linked + merges, proposed, seconds);
        }

        /** One line for a console: what was matched and what came of it. */
        public String summary() {
            return String.format(java.util.Locale.ROOT, "identity: %d patients matched, %d pairs compared: %d linked, %d proposed for review"
                    + " (%.1f s)", patients, pairsScored, linked, proposed, seconds);
        }
    }

    private final DataSource dataSource;
    private final ObjectMapper json;
    private final IdentifierSystems systems;
    private final PatientLinks links;
    private final ArchiveConfig config;
    private final MatchScorer scorer = new MatchScorer();

    public PatientMatcher(DataSource dataSource, ObjectMapper json, IdentifierSystems systems, PatientLinks links, ArchiveConfig config) {
        this.dataSource = dataSource;
        this.json = json;
        this.systems = systems;
        this.links = links;
        this.config = config;
    }

    /** Matches the archived patients an ingest batch gave identifiers or demographics. */
    public Outcome matchBatch(long batchId) throws SQLException {
        List<Long> patients = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement("select i.patient_id from patient_identifier i"
                        + " join source_record r on r.id = i.source_record_id where r.batch_id = ?"
                        + " union select d.patient_id from patient_demographics d join source_record r on r.id = d.source_record_id"
                        + " where r.batch_id = ? order by 1")) {
            query.setLong(1, batchId);
            query.setLong(2, batchId);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    patients.add(rows.getLong(1));
                }
            }
        }
        Outcome outcome = match(patients, done -> { });
        return outcome.plusMerges(sourceMerges(batchId));
    }

    /** Matches every archived patient again (after the equivalence table changed, or on an archive older than links). */
    public Outcome matchEverything(IntConsumer progress) throws SQLException {
        List<Long> patients = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement("select id from patient order by id");
                ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                patients.add(rows.getLong(1));
            }
        }
        return match(patients, progress).plusMerges(sourceMerges(null));
    }

    /** Matches these archived patients against the whole archive, {@value #CHUNK} at a time. */
    public Outcome match(List<Long> patients, IntConsumer progress) throws SQLException {
        IdentifierSystems.Authorities authorities = systems.authorities();
        Outcome outcome = new Outcome(0, 0, 0, 0, 0);
        long started = System.nanoTime();
        for (int from = 0; from < patients.size(); from += CHUNK) {
            List<Long> chunk = patients.subList(from, Math.min(patients.size(), from + CHUNK));
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(false);
                try {
                    outcome = outcome.plus(matchChunk(connection, chunk, authorities));
                    connection.commit();
                } catch (SQLException | RuntimeException e) {
                    connection.rollback();
                    throw e;
                }
            }
            progress.accept(Math.min(patients.size(), from + CHUNK));
        }
        return new Outcome(outcome.patients(), outcome.pairsScored(), outcome.linked(), outcome.proposed(), (System.nanoTime() - started) / 1e9);
    }

    private Outcome matchChunk(Connection connection, List<Long> chunk, IdentifierSystems.Authorities authorities) throws SQLException {
        Map<Long, MatchScorer.Prepared> prepared = prepared(profiles(connection, chunk, authorities));
        Map<Long, Set<String>> keys = new HashMap<>();
        prepared.forEach((patient, profile) -> keys.put(patient, scorer.blockingKeys(profile)));
        storeKeys(connection, chunk, keys);
        Map<Long, Set<Long>> candidates = candidates(connection, keys);
        Set<Long> involved = new HashSet<>(chunk);
        candidates.values().forEach(involved::addAll);
        Set<String> known = links.knownPairs(connection, involved);
        // Who is one person already: a pair inside one person needs no link of its own.
        UnionFind persons = new UnionFind(links.representatives(involved));
        Set<Long> missing = new HashSet<>(involved);
        missing.removeAll(prepared.keySet());
        prepared.putAll(prepared(profiles(connection, missing, authorities)));
        double proposeAt = config.identity().proposeAt();
        Double autoLinkAt = config.identity().autoLinkAt().isPresent() ? config.identity().autoLinkAt().getAsDouble() : null;
        int scored = 0;
        int linked = 0;
        int proposed = 0;
        Set<String> seen = new HashSet<>();
        for (Long patient : chunk) {
            for (Long candidate : candidates.getOrDefault(patient, Set.of())) {
                String pair = PatientLinks.pairKey(patient, candidate);
                if (!seen.add(pair) || known.contains(pair) || persons.same(patient, candidate)) {
                    continue;
                }
                MatchScorer.Prepared a = prepared.get(Math.min(patient, candidate));
                MatchScorer.Prepared b = prepared.get(Math.max(patient, candidate));
                if (a == null || b == null) {
                    continue;
                }
                MatchResult result = scorer.score(a, b);
                scored++;
                Optional<Decision> decision = decide(a.profile(), b.profile(), result, proposeAt, autoLinkAt);
                if (decision.isEmpty()) {
                    continue;
                }
                Decision d = decision.get();
                if (links.found(connection, a.profile().patientId(), b.profile().patientId(), d.method(), result.score(), result.evidence(),
                        d.state(), d.decidedBy(), d.reason()).isPresent()) {
                    if (d.state() == PatientLinks.State.LINKED) {
                        linked++;
                        persons.union(a.profile().patientId(), b.profile().patientId());
                    } else {
                        proposed++;
                    }
                }
            }
        }
        return new Outcome(chunk.size(), scored, linked, proposed, 0);
    }

    /** Each profile normalised once, for all the pairs it is in. */
    private Map<Long, MatchScorer.Prepared> prepared(Map<Long, MatchProfile> profiles) {
        Map<Long, MatchScorer.Prepared> prepared = new HashMap<>();
        profiles.forEach((patient, profile) -> prepared.put(patient, scorer.prepare(profile)));
        return prepared;
    }

    private record Decision(PatientLinks.Method method, PatientLinks.State state, String decidedBy, String reason) {
    }

    /** What comes of a scored pair: a link, a proposal, or nothing. */
    private static Optional<Decision> decide(MatchProfile a, MatchProfile b, MatchResult result, double proposeAt, Double autoLinkAt) {
        String score = String.format(java.util.Locale.ROOT, "%.3f", result.score());
        Set<String> shared = sharedAuthorities(a, b);
        if (!shared.isEmpty()) {
            String named = String.join(", ", shared);
            if (result.conflictingIdentifier() || result.score() < IDENTIFIER_FLOOR) {
                return Optional.of(new Decision(PatientLinks.Method.IDENTIFIER, PatientLinks.State.PROPOSED, MATCHER,
                        "the same identifier under " + named + ", but the rest of the records disagree (score " + score + "): review"));
            }
            return Optional.of(new Decision(PatientLinks.Method.IDENTIFIER, PatientLinks.State.LINKED, MATCHER,
                    "the same identifier under " + named + " (score " + score + ")"));
        }
        if (autoLinkAt != null && result.score() >= autoLinkAt && !result.conflictingIdentifier()) {
            return Optional.of(new Decision(PatientLinks.Method.SCORED, PatientLinks.State.LINKED, MATCHER + " (auto-link at " + autoLinkAt + ")",
                    "score " + score + " at or above the auto-link threshold"));
        }
        if (result.score() >= proposeAt) {
            return Optional.of(new Decision(PatientLinks.Method.SCORED, PatientLinks.State.PROPOSED, MATCHER,
                    "score " + score + " at or above the proposal threshold " + proposeAt));
        }
        return Optional.empty();
    }

    /** The authorities under which both carry the same identifier value. */
    private static Set<String> sharedAuthorities(MatchProfile a, MatchProfile b) {
        Set<String> mine = new HashSet<>();
        for (Identifier identifier : a.identifiers()) {
            if (identifier.system() != null) {
                mine.add(identifier.system() + "\u0001" + identifier.value());
            }
        }
        Set<String> shared = new TreeSet<>();
        for (Identifier identifier : b.identifiers()) {
            if (identifier.system() != null && mine.contains(identifier.system() + "\u0001" + identifier.value())) {
                shared.add(identifier.system());
            }
        }
        return shared;
    }

    /** The reason an HL7 v2 merge's MRG segment is kept raw with (MessageMapper): how a merge is found again. */
    static final String MERGE_REASON = "a patient merge%";

    /**
     * Links what the source system merged: an HL7 v2 A40, A34, A18... keeps its MRG segment raw on the surviving
     * patient; each prior identifier it names (MRG-1, under its authority) is the record of an archived patient that
     * is the same person. Only the standard component separators are read ({@code ^}, {@code &}, {@code ~}): a merge
     * in a message with others stays raw, unlinked, for an admin. Of one batch, or of the whole archive (null).
     */
    private int sourceMerges(Long batchId) throws SQLException {
        IdentifierSystems.Authorities authorities = systems.authorities();
        int linked = 0;
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                Map<Long, List<Identifier>> priorBySurvivor = new HashMap<>();
                try (PreparedStatement query = connection.prepareStatement("select f.patient_id, f.content from raw_fragment f"
                        + (batchId == null ? "" : " join source_record r on r.id = f.source_record_id")
                        + " where f.reason like ? and f.patient_id is not null" + (batchId == null ? "" : " and r.batch_id = ?"))) {
                    query.setString(1, MERGE_REASON);
                    if (batchId != null) {
                        query.setLong(2, batchId);
                    }
                    try (ResultSet rows = query.executeQuery()) {
                        while (rows.next()) {
                            priorBySurvivor.computeIfAbsent(rows.getLong(1), k -> new ArrayList<>()).addAll(mergedIdentifiers(rows.getString(2)));
                        }
                    }
                }
                for (Map.Entry<Long, List<Identifier>> merge : priorBySurvivor.entrySet()) {
                    for (Identifier prior : merge.getValue()) {
                        for (long other : carriers(connection, prior, authorities)) {
                            if (other != merge.getKey() && links.found(connection, merge.getKey(), other, PatientLinks.Method.SOURCE_MERGE, null,
                                    List.of(new FieldEvidence(MatchScorer.IDENTIFIER, prior.value(), prior.value(), FieldEvidence.Verdict.AGREE, 0,
                                            "the source system merged this identifier into the other record (HL7 v2 MRG-1)")),
                                    PatientLinks.State.LINKED, "source system (HL7 v2 merge)",
                                    "the source system merged the two records (an HL7 v2 merge message's MRG segment)").isPresent()) {
                                linked++;
                            }
                        }
                    }
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
        return linked;
    }

    /** MRG-1's identifiers (every repetition): CX-1 under CX-4.2, else CX-4.1. */
    static List<Identifier> mergedIdentifiers(String mrg) {
        List<Identifier> identifiers = new ArrayList<>();
        if (mrg == null || mrg.length() < 5 || !mrg.startsWith("MRG")) {
            return identifiers;
        }
        String[] fields = mrg.split(java.util.regex.Pattern.quote(String.valueOf(mrg.charAt(3))), -1);
        if (fields.length < 2) {
            return identifiers;
        }
        for (String repetition : fields[1].split("~", -1)) {
            String[] components = repetition.split("\\^", -1);
            String value = components[0].strip();
            if (value.isEmpty()) {
                continue;
            }
            String[] authority = components.length > 3 ? components[3].split("&", -1) : new String[0];
            String namespace = authority.length > 0 && !authority[0].isBlank() ? authority[0] : null;
            String universal = authority.length > 1 && !authority[1].isBlank() ? authority[1] : null;
            identifiers.add(new Identifier(universal != null ? universal : namespace, value, namespace, null));
        }
        return identifiers;
    }

    /** The archived patients carrying this identifier under any spelling of its authority. */
    private static List<Long> carriers(Connection connection, Identifier identifier, IdentifierSystems.Authorities authorities)
            throws SQLException {
        List<Long> carriers = new ArrayList<>();
        String authority = authorities.of(identifier.system());
        try (PreparedStatement query = connection.prepareStatement("select distinct patient_id, system from patient_identifier where value = ?")) {
            query.setString(1, identifier.value());
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    if (java.util.Objects.equals(authorities.of(rows.getString(2)), authority)) {
                        carriers.add(rows.getLong(1));
                    }
                }
            }
        }
        return carriers;
    }

    /**
     * Links two archived patients an admin says are one person, with the scorer's evidence for the record.
     *
     * @throws PatientLinks.RefusedDecision when either is not archived, they are the same, or the pair has a link already
     */
    public PatientLinks.Link linkByAdmin(long a, long b, String decidedBy, String reason) throws SQLException {
        if (a == b) {
            throw new PatientLinks.RefusedDecision("A patient cannot be linked to itself");
        }
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                Map<Long, MatchProfile> profiles = profiles(connection, List.of(a, b), systems.authorities());
                if (!exists(connection, a) || !exists(connection, b)) {
                    throw new PatientLinks.RefusedDecision("There is no archived patient " + (exists(connection, a) ? b : a));
                }
                MatchResult result = scorer.score(profiles.getOrDefault(Math.min(a, b), empty(Math.min(a, b))),
                        profiles.getOrDefault(Math.max(a, b), empty(Math.max(a, b))));
                Optional<Long> id = links.found(connection, a, b, PatientLinks.Method.ADMIN, result.score(), result.evidence(),
                        PatientLinks.State.LINKED, decidedBy, reason);
                if (id.isEmpty()) {
                    throw new PatientLinks.RefusedDecision("Patients " + Math.min(a, b) + " and " + Math.max(a, b)
                            + " have an identity link already: decide on that one");
                }
                connection.commit();
                return links.link(id.get()).orElseThrow();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    private static boolean exists(Connection connection, long patient) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("select 1 from patient where id = ?")) {
            query.setLong(1, patient);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next();
            }
        }
    }

    private static MatchProfile empty(long patient) {
        return new MatchProfile(patient, List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), false);
    }

    /** Replaces the chunk's blocking keys with these. */
    private static void storeKeys(Connection connection, List<Long> chunk, Map<Long, Set<String>> keys) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement("delete from patient_match_key where patient_id = any(?)")) {
            delete.setArray(1, connection.createArrayOf("bigint", chunk.toArray()));
            delete.executeUpdate();
        }
        List<String> keyColumn = new ArrayList<>();
        List<Long> patientColumn = new ArrayList<>();
        keys.forEach((patient, ofPatient) -> ofPatient.forEach(key -> {
            keyColumn.add(key);
            patientColumn.add(patient);
        }));
        if (keyColumn.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = connection.prepareStatement(
                "insert into patient_match_key (key, patient_id) select * from unnest(?::text[], ?::bigint[]) on conflict do nothing")) {
            insert.setArray(1, connection.createArrayOf("text", keyColumn.toArray()));
            insert.setArray(2, connection.createArrayOf("bigint", patientColumn.toArray()));
            insert.executeUpdate();
        }
    }

    /** For each patient, the other archived patients that share a usable key with it: one statement. */
    private static Map<Long, Set<Long>> candidates(Connection connection, Map<Long, Set<String>> keys) throws SQLException {
        Set<String> all = new HashSet<>();
        keys.values().forEach(all::addAll);
        Map<String, List<Long>> byKey = new HashMap<>();
        if (!all.isEmpty()) {
            try (PreparedStatement query = connection.prepareStatement("select key, patient_id from patient_match_key where key = any(?)"
                    + " and key in (select key from patient_match_key where key = any(?) group by key having count(*) <= ?)")) {
                java.sql.Array array = connection.createArrayOf("text", all.toArray());
                query.setArray(1, array);
                query.setArray(2, array);
                query.setInt(3, MAX_PATIENTS_PER_KEY);
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        byKey.computeIfAbsent(rows.getString(1), k -> new ArrayList<>()).add(rows.getLong(2));
                    }
                }
            }
        }
        Map<Long, Set<Long>> candidates = new HashMap<>();
        keys.forEach((patient, ofPatient) -> {
            Set<Long> found = new LinkedHashSet<>();
            for (String key : ofPatient) {
                for (Long other : byKey.getOrDefault(key, List.of())) {
                    if (!other.equals(patient)) {
                        found.add(other);
                    }
                }
            }
            candidates.put(patient, found);
        });
        return candidates;
    }

    /**
     * What matching knows of each patient: every source's names, birth times, sex, addresses, telecoms and death, and
     * its identifiers with their systems named by authority. Two statements.
     */
    Map<Long, MatchProfile> profiles(Connection connection, Collection<Long> patients, IdentifierSystems.Authorities authorities)
            throws SQLException {
        Map<Long, Parts> parts = new HashMap<>();
        if (patients.isEmpty()) {
            return new HashMap<>();
        }
        java.sql.Array ids = connection.createArrayOf("bigint", patients.toArray());
        try (PreparedStatement query = connection.prepareStatement("select patient_id, names::text, birth_time::text, sex::text,"
                + " addresses::text, telecoms::text, deceased from patient_demographics where patient_id = any(?)")) {
            query.setArray(1, ids);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    Parts p = parts.computeIfAbsent(rows.getLong(1), k -> new Parts());
                    p.names.addAll(read(rows.getString(2), NAMES));
                    TimeValue birth = read(rows.getString(3), TimeValue.class);
                    if (birth != null) {
                        p.birthTimes.add(birth);
                    }
                    Coded sex = read(rows.getString(4), Coded.class);
                    if (sex != null) {
                        p.sexes.add(sex);
                    }
                    p.addresses.addAll(read(rows.getString(5), ADDRESSES));
                    p.telecoms.addAll(read(rows.getString(6), TELECOMS));
                    p.deceased |= rows.getBoolean(7);
                }
            }
        }
        try (PreparedStatement query = connection.prepareStatement(
                "select distinct patient_id, system, value, assigning_authority from patient_identifier where patient_id = any(?)")) {
            query.setArray(1, ids);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    parts.computeIfAbsent(rows.getLong(1), k -> new Parts()).identifiers
                            .add(new Identifier(authorities.of(rows.getString(2)), rows.getString(3), rows.getString(4), null));
                }
            }
        }
        Map<Long, MatchProfile> profiles = new HashMap<>();
        parts.forEach((patient, p) -> profiles.put(patient, new MatchProfile(patient, List.copyOf(p.names), List.copyOf(p.birthTimes),
                List.copyOf(p.sexes), List.copyOf(p.addresses), List.copyOf(p.telecoms), List.copyOf(p.identifiers), p.deceased)));
        return profiles;
    }

    /** A patient's parts as the sources give them; the same value from two sources counts once. */
    private static final class Parts {
        final Set<PersonName> names = new LinkedHashSet<>();
        final Set<TimeValue> birthTimes = new LinkedHashSet<>();
        final Set<Coded> sexes = new LinkedHashSet<>();
        final Set<PostalAddress> addresses = new LinkedHashSet<>();
        final Set<ContactPoint> telecoms = new LinkedHashSet<>();
        final Set<Identifier> identifiers = new LinkedHashSet<>();
        boolean deceased;
    }

    private static final TypeReference<List<PersonName>> NAMES = new TypeReference<>() {
    };
    private static final TypeReference<List<PostalAddress>> ADDRESSES = new TypeReference<>() {
    };
    private static final TypeReference<List<ContactPoint>> TELECOMS = new TypeReference<>() {
    };

    private <T> List<T> read(String text, TypeReference<List<T>> type) {
        if (text == null) {
            return List.of();
        }
        try {
            List<T> values = json.readValue(text, type);
            return values == null ? List.of() : values;
        } catch (IOException e) {
            Log.warn("An archived patient's demographics could not be read for matching; that part is left out");
            return List.of();
        }
    }

    private <T> T read(String text, Class<T> type) {
        if (text == null) {
            return null;
        }
        try {
            return json.readValue(text, type);
        } catch (IOException e) {
            Log.warn("An archived patient's demographics could not be read for matching; that part is left out");
            return null;
        }
    }

    /** Who is one person with whom, during one run: seeded with the links there were, joined as links are made. */
    private static final class UnionFind {
        private final Map<Long, Long> parent = new HashMap<>();

        UnionFind(Map<Long, Long> representatives) {
            parent.putAll(representatives);
            representatives.values().forEach(r -> parent.put(r, r));
        }

        long find(long patient) {
            long root = patient;
            while (parent.containsKey(root) && parent.get(root) != root) {
                root = parent.get(root);
            }
            return root;
        }

        boolean same(long a, long b) {
            return find(a) == find(b);
        }

        void union(long a, long b) {
            parent.put(find(a), find(b));
        }
    }
}
