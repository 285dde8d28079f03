package org.ehrarchive.restriction;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import javax.sql.DataSource;

import org.ehrarchive.TypedText;
import org.ehrarchive.chart.ClinicalDates;

/**
 * Why a record is restricted (docs/compliance.md#break-the-glass, ADR 0023): the privacy office's flags on a patient
 * or one document, and the documents their source marked restricted or very restricted (HL7 confidentiality R or V).
 * A chart is restricted when its patient is flagged or any of its documents is restricted, for the chart shows that
 * document's facts; a document is restricted when it, or its patient, is. Flags are append-only: lifting one adds a row.
 */
@ApplicationScoped
public class Restrictions {

    /** What a flag says the record is; the words are the ones a reader is shown. */
    public enum Category {
        RESTRICTED("Restricted"),
        VIP("VIP"),
        EMPLOYEE("Employee"),
        PART2("Substance-use treatment (42 CFR Part 2)"),
        PSYCHOTHERAPY("Psychotherapy notes");

        private final String label;

        Category(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        /** The category a form or a request names ({@code VIP}, {@code vip}), if any. */
        public static Optional<Category> named(String name) {
            for (Category category : values()) {
                if (category.name().equalsIgnoreCase(name == null ? "" : name.trim())) {
                    return Optional.of(category);
                }
            }
            return Optional.empty();
        }
    }

    /** One reason a record is restricted, in the sentence a reader is shown ({@code restrictionId} null for a source's mark). */
    public record Reason(Long restrictionId, Long documentId, String says) {
    }

    /**
     * A flag as it stands, lifted or not, for the privacy office: on {@code patientId} or on {@code documentId};
     * {@code patientOfRecord} is the patient either way (the document's).
     */
    public record Flag(long id, Long patientId, Long documentId, String documentTitle, Category category, String reason, String flaggedBy,
            Instant flaggedAt, String liftedBy, Instant liftedAt, String liftReason, long patientOfRecord) {

        public boolean lifted() {
            return liftedAt != null;
        }
    }

    /** Refused: no such flag, no such record, or a flag lifted already. */
    public static final class Refused extends RuntimeException {
        public Refused(String message) {
            super(message);
        }
    }

    /** At most this many of a chart's documents are named one by one; the rest are counted. */
    private static final int NAMED_DOCUMENTS = 10;

    private static final String FLAG_COLUMNS = "r.id, r.patient_id, r.document_id, d.title, r.category, r.reason, r.flagged_by, r.flagged_at,"
            + " l.lifted_by, l.lifted_at, l.reason, coalesce(r.patient_id, d.patient_id)";
    private static final String FLAGS = "select " + FLAG_COLUMNS + " from access_restriction r"
            + " left join clinical_document d on d.id = r.document_id left join access_restriction_lift l on l.restriction_id = r.id";

    private final DataSource dataSource;
    private final ClinicalDates dates;

    public Restrictions(DataSource dataSource, ClinicalDates dates) {
        this.dataSource = dataSource;
        this.dates = dates;
    }

    /** Why the chart of these archived patients (one person) is restricted; empty when it is not. */
    public List<Reason> ofChart(Collection<Long> patientIds) {
        if (patientIds.isEmpty()) {
            return List.of();
        }
        List<Reason> reasons = new ArrayList<>();
        try (Connection connection = dataSource.getConnection()) {
            for (Flag flag : flags(connection, FLAGS + " where l.restriction_id is null and (r.patient_id = any(?) or d.patient_id = any(?))"
                    + " order by r.id", patientIds, patientIds)) {
                reasons.add(reason(flag));
            }
            try (PreparedStatement marked = connection.prepareStatement("select id, confidentiality ->> 'code', count(*) over ()"
                    + " from clinical_document where patient_id = any(?) and confidentiality ->> 'code' in ('R', 'V') order by id limit ?")) {
                marked.setArray(1, connection.createArrayOf("bigint", patientIds.toArray()));
                marked.setInt(2, NAMED_DOCUMENTS);
                long total = 0;
                try (ResultSet rows = marked.executeQuery()) {
                    while (rows.next()) {
                        reasons.add(marked(rows.getLong(1), rows.getString(2)));
                        total = rows.getLong(3);
                    }
                }
                if (total > NAMED_DOCUMENTS) {
                    reasons.add(new Reason(null, null, (total - NAMED_DOCUMENTS) + " more documents are marked restricted by their source."));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the restrictions", e);
        }
        return reasons;
    }

    /** Why this document is restricted (its own flag or mark, or its patient's flag); empty when it is not. */
    public List<Reason> ofDocument(long documentId) {
        List<Reason> reasons = new ArrayList<>();
        try (Connection connection = dataSource.getConnection()) {
            for (Flag flag : flags(connection, FLAGS + " where l.restriction_id is null and (r.document_id = ?"
                    + " or r.patient_id = (select patient_id from clinical_document where id = ?)) order by r.id", documentId, documentId)) {
                reasons.add(reason(flag));
            }
            try (PreparedStatement marked = connection.prepareStatement("select id, confidentiality ->> 'code' from clinical_document"
                    + " where id = ? and confidentiality ->> 'code' in ('R', 'V')")) {
                marked.setLong(1, documentId);
                try (ResultSet rows = marked.executeQuery()) {
                    while (rows.next()) {
                        reasons.add(marked(rows.getLong(1), rows.getString(2)));
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the restrictions", e);
        }
        return reasons;
    }

    /** Every flag, lifted or not, on these archived patients and on their documents: oldest first. */
    public List<Flag> flagsOfChart(Collection<Long> patientIds) {
        try (Connection connection = dataSource.getConnection()) {
            return flags(connection, FLAGS + " where r.patient_id = any(?) or d.patient_id = any(?) order by r.id", patientIds, patientIds);
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the restrictions", e);
        }
    }

    /** Every flag, lifted or not, on this document and on its patient: oldest first. */
    public List<Flag> flagsOfDocument(long documentId) {
        try (Connection connection = dataSource.getConnection()) {
            return flags(connection, FLAGS + " where r.document_id = ? or r.patient_id = (select patient_id from clinical_document where id = ?)"
                    + " order by r.id", documentId, documentId);
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the restrictions", e);
        }
    }

    /** Flags an archived patient, or (with {@code patientId} null) one document. */
    public Flag flag(Long patientId, Long documentId, Category category, String reason, String by) {
        if ((patientId == null) == (documentId == null)) {
            throw new IllegalArgumentException("a flag is on a patient or on a document");
        }
        String why = TypedText.required(reason, "A flag needs a reason");
        try (Connection connection = dataSource.getConnection()) {
            String exists = patientId != null ? "select 1 from patient where id = ?" : "select 1 from clinical_document where id = ?";
            try (PreparedStatement check = connection.prepareStatement(exists)) {
                check.setLong(1, patientId != null ? patientId : documentId);
                try (ResultSet rows = check.executeQuery()) {
                    if (!rows.next()) {
                        throw new Refused("There is no " + (patientId != null ? "patient " + patientId : "document " + documentId));
                    }
                }
            }
            long id;
            try (PreparedStatement insert = connection.prepareStatement("insert into access_restriction (id, patient_id, document_id, category,"
                    + " reason, flagged_by, flagged_at) values (nextval('restriction_id_seq'), ?, ?, ?, ?, ?, ?) returning id")) {
                insert.setObject(1, patientId);
                insert.setObject(2, documentId);
                insert.setString(3, category.name());
                insert.setString(4, why);
                insert.setString(5, by);
                insert.setTimestamp(6, Timestamp.from(Instant.now()));
                try (ResultSet rows = insert.executeQuery()) {
                    rows.next();
                    id = rows.getLong(1);
                }
            }
            return flag(connection, id);
        } catch (SQLException e) {
            throw new IllegalStateException("could not flag the record", e);
        }
    }

    /** Lifts a flag: the record is no longer restricted by it (the flag and its lifting both stay). */
    public Flag lift(long id, String reason, String by) {
        String why = TypedText.required(reason, "Lifting a flag needs a reason");
        try (Connection connection = dataSource.getConnection()) {
            Flag flag = flag(connection, id);
            if (flag.lifted()) {
                throw new Refused("This flag was lifted already, by " + flag.liftedBy());
            }
            try (PreparedStatement insert = connection.prepareStatement("insert into access_restriction_lift (restriction_id, reason, lifted_by,"
                    + " lifted_at) values (?, ?, ?, ?) on conflict do nothing")) {
                insert.setLong(1, id);
                insert.setString(2, why);
                insert.setString(3, by);
                insert.setTimestamp(4, Timestamp.from(Instant.now()));
                insert.executeUpdate();
            }
            return flag(connection, id);
        } catch (SQLException e) {
            throw new IllegalStateException("could not lift the flag", e);
        }
    }

    /** The flag with this id. */
    public Optional<Flag> flag(long id) {
        try (Connection connection = dataSource.getConnection()) {
            return Optional.of(flag(connection, id));
        } catch (Refused none) {
            return Optional.empty();
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the flag", e);
        }
    }

    private Flag flag(Connection connection, long id) throws SQLException {
        List<Flag> found = flags(connection, FLAGS + " where r.id = ?", id);
        if (found.isEmpty()) {
            throw new Refused("There is no flag " + id);
        }
        return found.get(0);
    }

    private Reason reason(Flag flag) {
        // No document title: a reader who is held back is told why, not what the record says.
        String on = flag.documentId() == null ? "The patient is flagged " : "Document " + flag.documentId() + " is flagged ";
        return new Reason(flag.id(), flag.documentId(), on + flag.category().label() + " by " + flag.flaggedBy() + " on "
                + dates.siteDay(flag.flaggedAt()) + ": " + flag.reason());
    }

    private static Reason marked(long documentId, String code) {
        return new Reason(null, documentId, "Document " + documentId + " is marked "
                + ("V".equals(code) ? "very restricted" : "restricted") + " (confidentiality " + code + ") by its source.");
    }

    private static List<Flag> flags(Connection connection, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                Object parameter = parameters[i];
                if (parameter instanceof Collection<?> ids) {
                    query.setArray(i + 1, connection.createArrayOf("bigint", ids.toArray()));
                } else {
                    query.setObject(i + 1, parameter);
                }
            }
            List<Flag> flags = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    Timestamp lifted = rows.getTimestamp(10);
                    flags.add(new Flag(rows.getLong(1), (Long) rows.getObject(2), (Long) rows.getObject(3), rows.getString(4),
                            Category.valueOf(rows.getString(5)), rows.getString(6), rows.getString(7), rows.getTimestamp(8).toInstant(),
                            rows.getString(9), lifted == null ? null : lifted.toInstant(), rows.getString(11), rows.getLong(12)));
                }
            }
            return flags;
        }
    }
}
