package org.ehrarchive.audit;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

import org.ehrarchive.ArchiveConfig;
import org.ehrarchive.chart.ClinicalDates;
import org.ehrarchive.record.PersonName;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Examining the access audit (HIPAA 164.312(b): record <em>and examine</em>; docs/compliance.md): the reports compliance
 * staff run on it, each a filter over the whole log, paged newest first, with the patients named. The reports read the
 * chain; they never write it (the page or command that shows a report records that it was viewed).
 */
@ApplicationScoped
public class AuditReview {

    /** The reports, by the name the portal's {@code report} parameter and the CSV export take. */
    public enum Report {
        ALL("all", "Every access"),
        PATIENT("patient", "Who accessed this patient"),
        USER("user", "Everything one user did"),
        AFTER_HOURS("after-hours", "Access after hours"),
        FLAGGED("flagged", "Access to flagged and restricted patients"),
        MASS("mass", "Mass access"),
        EXPORTS("exports", "Exports, prints and downloads");

        public final String param;
        public final String title;

        Report(String param, String title) {
            this.param = param;
            this.title = title;
        }

        /** The report a parameter names; empty for a name no report has (the caller says so, it does not guess). */
        public static Optional<Report> named(String param) {
            if (param == null || param.isBlank()) {
                return Optional.of(ALL);
            }
            for (Report r : values()) {
                if (r.param.equals(param.trim().toLowerCase(Locale.ROOT))) {
                    return Optional.of(r);
                }
            }
            return Optional.empty();
        }
    }

    /** What takes patient data out of the archive, or onto paper. */
    static final List<String> EXPORT_ACTIONS = List.of(AuditAction.EXPORT.name(), AuditAction.PRINT.name(),
            AuditAction.DOWNLOAD_ORIGINAL.name());

    /**
     * Which rows a report reads. {@code patients} are the archived patients of one person (every linked source), so
     * that "who accessed this patient" misses no source's chart; {@code from} and {@code to} are days in the site's zone,
     * both included.
     */
    public record Filter(Report report, String user, List<Long> patients, String action, LocalDate from, LocalDate to) {
    }

    /** A patient as the audit names it: the archive id and the most recent source's name. */
    public record NamedPatient(long id, String name) {
    }

    /** One access with the patients it showed, named. */
    public record Entry(AuditRecord record, List<NamedPatient> patients) {
    }

    /** A page, newest first; {@code olderThan} is the id to ask the next page before (null on the last page). */
    public record Page(List<Entry> entries, Long olderThan) {
    }

    /** Mass access: one user shown at least the threshold of distinct patients within one window of the clock. */
    public record Burst(String user, Instant windowStart, Instant windowEnd, int patients, int accesses) {
    }

    private static final TypeReference<List<PersonName>> NAMES = new TypeReference<>() {
    };
    private static final String COLUMNS = "a.id, a.occurred_at, a.user_name, a.user_role, a.action, a.object_type, a.object_id,"
            + " a.patient_ids, a.client_address, a.request_id, a.purpose, a.detail, a.previous_hash, a.hash";

    /** Rows naming a patient who was ever restricted (marked by a source, or flagged): the flagged report's candidates. */
    private static final String EVER_RESTRICTED = "string_to_array(a.patient_ids, ',')::bigint[] && array(select d.patient_id"
            + " from clinical_document d where d.confidentiality ->> 'code' in ('R', 'V') union select coalesce(r.patient_id, d.patient_id)"
            + " from access_restriction r left join clinical_document d on d.id = r.document_id)";

    private final DataSource dataSource;
    private final ObjectMapper json;
    private final ZoneId zone;
    private final LocalTime workStarts;
    private final LocalTime workEnds;
    private final int massPatients;
    private final long massWindowSeconds;

    @jakarta.inject.Inject
    public AuditReview(DataSource dataSource, ObjectMapper json, ArchiveConfig config, ClinicalDates dates) {
        this(dataSource, json, dates.siteZone(), config.audit().workingHoursStart(), config.audit().workingHoursEnd(),
                config.audit().massAccessPatients(), config.audit().massAccessWindow());
    }

    /** The review with these working hours (in {@code zone}, Monday to Friday) and this mass-access rule. */
    public AuditReview(DataSource dataSource, ObjectMapper json, ZoneId zone, LocalTime workStarts, LocalTime workEnds, int massPatients,
            java.time.Duration massWindow) {
        this.dataSource = dataSource;
        this.json = json;
        this.zone = zone;
        this.workStarts = workStarts;
        this.workEnds = workEnds;
        this.massPatients = massPatients;
        this.massWindowSeconds = massWindow.toSeconds();
        if (!workStarts.isBefore(workEnds)) {
            throw new IllegalArgumentException("archive.audit.working-hours-start must be before archive.audit.working-hours-end");
        }
        if (massPatients < 2 || massWindowSeconds < 60) {
            throw new IllegalArgumentException("archive.audit.mass-access-patients must be at least 2 and the window at least a minute");
        }
    }

    /** The working hours after-hours access is measured against, in the site's zone, Monday to Friday. */
    public String workingHours() {
        return "Monday to Friday, " + workStarts + " to " + workEnds + " (" + zone.getId() + ")";
    }

    /** "at least 50 patients within 60 minutes". */
    public String massAccessRule() {
        return "at least " + massPatients + " distinct patients within " + (massWindowSeconds / 60) + " minutes of the clock";
    }

    /** Up to {@code size} rows of the report older than {@code before} (null: from the newest). */
    public Page page(Filter filter, Long before, int size) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            List<AuditRecord> rows = rows(connection, filter, before, size + 1);
            Long next = null;
            if (rows.size() > size) {
                rows = rows.subList(0, size);
                next = rows.get(rows.size() - 1).id;
            }
            return new Page(named(connection, rows), next);
        }
    }

    /** The newest row's id: an export reads up to it, so that what it names and what it holds are the same rows. */
    public long newestId() throws SQLException {
        try (Connection connection = dataSource.getConnection(); PreparedStatement query = connection.prepareStatement(
                "select coalesce(max(id), 0) from access_audit"); ResultSet rows = query.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** The distinct patients the report's rows up to {@code upTo} name (what an export of them discloses). */
    public List<Long> patientsNamed(Filter filter, long upTo) throws SQLException {
        Where where = where(filter);
        String sql = "select distinct p.id::bigint from access_audit a cross join lateral unnest(string_to_array(a.patient_ids, ',')) as p(id)"
                + where.sql + (where.sql.isEmpty() ? " where" : " and") + " a.id <= ? order by 1";
        List<Object> parameters = new ArrayList<>(where.parameters);
        parameters.add(upTo);
        List<Long> patients = new ArrayList<>();
        try (Connection connection = dataSource.getConnection(); PreparedStatement query = prepare(connection, sql, parameters);
                ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                patients.add(rows.getLong(1));
            }
        }
        return patients;
    }

    /**
     * Every row of the report up to {@code upTo}, newest first, a thousand at a time: memory stays flat however long the
     * log (the CSV and AuditEvent exports).
     */
    public void each(Filter filter, long upTo, Consumer<Entry> consumer) throws SQLException {
        Long before = upTo + 1;
        while (true) {
            Page page = page(filter, before, 1000);
            page.entries().forEach(consumer);
            if (page.olderThan() == null) {
                return;
            }
            before = page.olderThan();
        }
    }

    /** The mass-access report: every window in which one user was shown {@link #massAccessRule() too many} patients. */
    public List<Burst> bursts(Filter filter) throws SQLException {
        Where where = where(filter);
        String sql = "select a.user_name, floor(extract(epoch from a.occurred_at) / ?)::bigint as slot,"
                + " count(distinct p.id) as patients, count(distinct a.id) as accesses from access_audit a"
                + " cross join lateral unnest(string_to_array(a.patient_ids, ',')) as p(id)" + where.sql
                + " group by a.user_name, slot having count(distinct p.id) >= ? order by slot desc, a.user_name limit 1000";
        List<Object> parameters = new ArrayList<>();
        parameters.add(massWindowSeconds);
        parameters.addAll(where.parameters);
        parameters.add(massPatients);
        List<Burst> bursts = new ArrayList<>();
        try (Connection connection = dataSource.getConnection(); PreparedStatement query = prepare(connection, sql, parameters);
                ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                Instant start = Instant.ofEpochSecond(rows.getLong(2) * massWindowSeconds);
                bursts.add(new Burst(rows.getString(1), start, start.plusSeconds(massWindowSeconds), rows.getInt(3), rows.getInt(4)));
            }
        }
        return bursts;
    }

    private List<AuditRecord> rows(Connection connection, Filter filter, Long before, int limit) throws SQLException {
        Where where = where(filter);
        StringBuilder sql = new StringBuilder("select " + COLUMNS + " from access_audit a").append(where.sql);
        List<Object> parameters = new ArrayList<>(where.parameters);
        if (before != null) {
            sql.append(where.sql.isEmpty() ? " where" : " and").append(" a.id < ?");
            parameters.add(before);
        }
        sql.append(" order by a.id desc limit ?");
        parameters.add(limit);
        List<AuditRecord> found = new ArrayList<>();
        try (PreparedStatement query = prepare(connection, sql.toString(), parameters); ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                AuditRecord r = new AuditRecord();
                r.id = rows.getLong(1);
                r.occurredAt = rows.getTimestamp(2).toInstant();
                r.userName = rows.getString(3);
                r.userRole = rows.getString(4);
                r.action = rows.getString(5);
                r.objectType = rows.getString(6);
                r.objectId = rows.getString(7);
                r.patientIds = rows.getString(8);
                r.clientAddress = rows.getString(9);
                r.requestId = rows.getString(10);
                r.purpose = rows.getString(11);
                r.detail = rows.getString(12);
                r.previousHash = rows.getString(13);
                r.hash = rows.getString(14);
                found.add(r);
            }
        }
        return found;
    }

    private record Where(String sql, List<Object> parameters) {
    }

    private Where where(Filter filter) {
        List<String> conditions = new ArrayList<>();
        List<Object> parameters = new ArrayList<>();
        if (filter.user() != null && !filter.user().isBlank()) {
            conditions.add("a.user_name = ?");
            parameters.add(filter.user().trim());
        }
        if (filter.patients() != null && !filter.patients().isEmpty()) {
            // the expression the GIN index of V12 is built on
            conditions.add("string_to_array(a.patient_ids, ',')::bigint[] && ?");
            parameters.add(filter.patients());
        }
        if (filter.action() != null && !filter.action().isBlank()) {
            conditions.add("a.action = ?");
            parameters.add(filter.action().trim());
        }
        if (filter.from() != null) {
            conditions.add("a.occurred_at >= ?");
            parameters.add(filter.from().atStartOfDay(zone).toOffsetDateTime());
        }
        if (filter.to() != null) {
            conditions.add("a.occurred_at < ?");
            parameters.add(filter.to().plusDays(1).atStartOfDay(zone).toOffsetDateTime());
        }
        switch (filter.report()) {
            case AFTER_HOURS -> {
                conditions.add("((a.occurred_at at time zone ?)::time < ?::time or (a.occurred_at at time zone ?)::time >= ?::time"
                        + " or extract(isodow from a.occurred_at at time zone ?) > 5)");
                parameters.addAll(List.of(zone.getId(), workStarts.toString(), zone.getId(), workEnds.toString(), zone.getId()));
            }
            case EXPORTS -> {
                conditions.add("a.action = any(?)");
                parameters.add(EXPORT_ACTIONS);
            }
            // restricted by its source's mark, or by a privacy-office flag (on the patient or one of its documents) that
            // stood when the access happened. Over the whole log, the patients ever restricted come first: the GIN index
            // on the rows' patients finds the few candidate rows (a patient filter does that already); the exact test per
            // row follows.
            case FLAGGED -> conditions.add((filter.patients() == null || filter.patients().isEmpty() ? EVER_RESTRICTED + " and " : "")
                    + "(exists (select 1 from clinical_document d where d.confidentiality ->> 'code' in ('R', 'V')"
                    + " and d.patient_id = any(string_to_array(a.patient_ids, ',')::bigint[]))"
                    + " or exists (select 1 from access_restriction r left join clinical_document d on d.id = r.document_id"
                    + " left join access_restriction_lift l on l.restriction_id = r.id"
                    + " where coalesce(r.patient_id, d.patient_id) = any(string_to_array(a.patient_ids, ',')::bigint[])"
                    + " and r.flagged_at <= a.occurred_at and (l.lifted_at is null or l.lifted_at > a.occurred_at)))");
            // Reviewing the audit names many patients at once; it is listed in its reviewer's own activity, not here.
            case MASS -> conditions.add("a.patient_ids is not null and a.object_type is distinct from 'access-audit'");
            default -> {
            }
        }
        return new Where(conditions.isEmpty() ? "" : " where " + String.join(" and ", conditions), parameters);
    }

    private static PreparedStatement prepare(Connection connection, String sql, List<Object> parameters) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        for (int i = 0; i < parameters.size(); i++) {
            Object value = parameters.get(i);
            if (value instanceof Collection<?> values && !values.isEmpty() && values.iterator().next() instanceof Long) {
                statement.setArray(i + 1, connection.createArrayOf("bigint", values.toArray()));
            } else if (value instanceof Collection<?> values) {
                statement.setArray(i + 1, connection.createArrayOf("text", values.toArray()));
            } else {
                statement.setObject(i + 1, value);
            }
        }
        return statement;
    }

    private List<Entry> named(Connection connection, List<AuditRecord> rows) throws SQLException {
        Set<Long> ids = new LinkedHashSet<>();
        rows.forEach(r -> ids.addAll(patientIdsOf(r)));
        Map<Long, String> names = names(connection, ids);
        return rows.stream().map(r -> new Entry(r, patientIdsOf(r).stream()
                .map(id -> new NamedPatient(id, names.getOrDefault(id, "Patient " + id))).toList())).toList();
    }

    /** The patients a row names, as numbers. */
    public static List<Long> patientIdsOf(AuditRecord row) {
        if (row.patientIds == null || row.patientIds.isBlank()) {
            return List.of();
        }
        List<Long> ids = new ArrayList<>();
        for (String id : row.patientIds.split(",")) {
            ids.add(Long.parseLong(id.trim()));
        }
        return ids;
    }

    /** Each patient's name as its most recent demographics give it; a patient without one is left out. */
    public Map<Long, String> names(Collection<Long> ids) {
        try (Connection connection = dataSource.getConnection()) {
            return names(connection, ids);
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the patients' names", e);
        }
    }

    /** Each patient's name as its most recent demographics give it (one statement for a page). */
    private Map<Long, String> names(Connection connection, Collection<Long> ids) throws SQLException {
        Map<Long, String> names = new HashMap<>();
        if (ids.isEmpty()) {
            return names;
        }
        try (PreparedStatement query = connection.prepareStatement("select distinct on (patient_id) patient_id, names::text"
                + " from patient_demographics where patient_id = any(?) and names is not null order by patient_id, id desc")) {
            query.setArray(1, connection.createArrayOf("bigint", ids.toArray()));
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    long id = rows.getLong(1);
                    firstName(rows.getString(2)).ifPresent(name -> names.put(id, name));
                }
            }
        }
        return names;
    }

    private Optional<String> firstName(String namesJson) {
        try {
            for (PersonName name : json.readValue(namesJson, NAMES)) {
                String shown = name.display();
                if (shown != null && !shown.isBlank()) {
                    return Optional.of(shown);
                }
            }
        } catch (java.io.IOException e) {
            // a name the archive cannot read is shown by its id: the audit row itself is what matters
        }
        return Optional.empty();
    }
}
