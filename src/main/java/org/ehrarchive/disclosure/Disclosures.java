package org.ehrarchive.disclosure;

import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import javax.sql.DataSource;

import org.ehrarchive.TypedText;
import org.ehrarchive.identity.PatientLinks;
import org.ehrarchive.release.ReleaseRequest.LegalBasis;

/**
 * The disclosure log and the accounting of disclosures (45 CFR 164.528, docs/compliance.md#accounting-of-disclosures).
 * Each release writes a disclosure; one made outside the archive is recorded by hand. A disclosure of a kind the rule
 * excludes (to the individual, under an authorization, for treatment, payment or operations) is kept, with why, but
 * left out of the accounting. The accounting covers the {@value #ACCOUNTING_YEARS} years before the day it is drawn,
 * across every archived patient of the person, and leaves out an entry a health oversight agency or law enforcement
 * official has suspended until the end of the suspension. Append-only.
 */
@ApplicationScoped
public class Disclosures {

    /** 164.528(a)(1): the accounting covers the six years before the request. */
    public static final int ACCOUNTING_YEARS = 6;

    /** A disclosure to record: of which patient, when, to whom, what, why, on what basis, from which release (if any). */
    public record NewDisclosure(long patientId, LocalDate disclosedOn, String recipientName, String recipientAddress, String description,
            String purpose, LegalBasis basis, Long releaseRequestId) {
    }

    /** A suspension of an entry (164.528(a)(2)). */
    public record Suspension(long id, String agency, String statement, LocalDate until, String recordedBy, Instant recordedAt) {
    }

    /** A disclosure as logged, with its suspensions. */
    public record Disclosure(long id, long patientId, List<Long> patientIds, LocalDate disclosedOn, String recipientName, String recipientAddress,
            String description, String purpose, LegalBasis basis, boolean accountable, String excludedBecause, Long releaseRequestId,
            String recordedBy, Instant recordedAt, List<Suspension> suspensions) {

        /** Whether a suspension stands on this day. */
        public boolean suspendedOn(LocalDate day) {
            return suspensions.stream().anyMatch(s -> !day.isAfter(s.until()));
        }
    }

    /** Refused: no such disclosure, or a suspension of one the accounting does not list. */
    public static final class Refused extends RuntimeException {
        public Refused(String message) {
            super(message);
        }
    }

    private static final String COLUMNS = "id, patient_id, patient_ids, disclosed_on, recipient_name, recipient_address, description, purpose,"
            + " legal_basis, accountable, excluded_because, release_request_id, recorded_by, recorded_at";

    private final DataSource dataSource;
    private final PatientLinks links;

    public Disclosures(DataSource dataSource, PatientLinks links) {
        this.dataSource = dataSource;
        this.links = links;
    }

    /** Logs a disclosure of the patient's person, in the caller's connection (a release writes it with its own event). */
    public long record(Connection connection, NewDisclosure disclosure, String by) throws SQLException {
        List<Long> person = links.members(disclosure.patientId());
        try (PreparedStatement insert = connection.prepareStatement("insert into disclosure (id, patient_id, patient_ids, disclosed_on,"
                + " recipient_name, recipient_address, description, purpose, legal_basis, accountable, excluded_because, release_request_id,"
                + " recorded_by, recorded_at) values (nextval('release_id_seq'), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning id")) {
            insert.setLong(1, disclosure.patientId());
            insert.setArray(2, connection.createArrayOf("bigint", person.toArray()));
            insert.setDate(3, Date.valueOf(disclosure.disclosedOn()));
            insert.setString(4, TypedText.required(disclosure.recipientName(), "Name the recipient"));
            insert.setString(5, TypedText.optional(disclosure.recipientAddress()));
            insert.setString(6, TypedText.required(disclosure.description(), "Describe what was disclosed"));
            insert.setString(7, TypedText.required(disclosure.purpose(), "State the purpose of the disclosure"));
            insert.setString(8, disclosure.basis().name());
            insert.setBoolean(9, disclosure.basis().excludedBecause().isEmpty());
            insert.setString(10, disclosure.basis().excludedBecause().orElse(null));
            insert.setObject(11, disclosure.releaseRequestId());
            insert.setString(12, by);
            insert.setTimestamp(13, Timestamp.from(Instant.now()));
            try (ResultSet rows = insert.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    /** Logs a disclosure made outside the archive (a fax, a phone call to public health). */
    public Disclosure record(NewDisclosure disclosure, String by) {
        if (disclosure.disclosedOn() == null || disclosure.disclosedOn().isAfter(LocalDate.now().plusDays(1))) {
            throw new IllegalArgumentException("Give the day of the disclosure (not in the future)");
        }
        try (Connection connection = dataSource.getConnection()) {
            try (PreparedStatement exists = connection.prepareStatement("select 1 from patient where id = ?")) {
                exists.setLong(1, disclosure.patientId());
                try (ResultSet rows = exists.executeQuery()) {
                    if (!rows.next()) {
                        throw new Refused("There is no patient " + disclosure.patientId());
                    }
                }
            }
            long id = record(connection, disclosure, by);
            return disclosure(connection, id).orElseThrow();
        } catch (SQLException e) {
            throw new IllegalStateException("could not record the disclosure", e);
        }
    }

    /** Suspends an accountable entry until a day, at an agency's request, with its statement. */
    public Disclosure suspend(long disclosureId, String agency, String statement, LocalDate until, String by) {
        if (until == null || !until.isAfter(LocalDate.now())) {
            throw new IllegalArgumentException("Give the day the suspension ends (after today)");
        }
        try (Connection connection = dataSource.getConnection()) {
            Disclosure disclosure = disclosure(connection, disclosureId).orElseThrow(() -> new Refused("There is no disclosure " + disclosureId));
            if (!disclosure.accountable()) {
                throw new Refused("This disclosure is not listed in an accounting (" + disclosure.excludedBecause() + "): there is nothing to suspend");
            }
            try (PreparedStatement insert = connection.prepareStatement("insert into disclosure_suspension (id, disclosure_id, agency, statement,"
                    + " suspended_until, recorded_by, recorded_at) values (nextval('release_id_seq'), ?, ?, ?, ?, ?, ?)")) {
                insert.setLong(1, disclosureId);
                insert.setString(2, TypedText.required(agency, "Name the agency or official asking for the suspension"));
                insert.setString(3, TypedText.required(statement, "Record the agency's statement (164.528(a)(2))"));
                insert.setDate(4, Date.valueOf(until));
                insert.setString(5, by);
                insert.setTimestamp(6, Timestamp.from(Instant.now()));
                insert.executeUpdate();
            }
            return disclosure(connection, disclosureId).orElseThrow();
        } catch (SQLException e) {
            throw new IllegalStateException("could not record the suspension", e);
        }
    }

    /** Every disclosure of the person (accountable or not, suspended or not), newest first: the privacy office's view. */
    public List<Disclosure> log(long patientId) {
        try (Connection connection = dataSource.getConnection()) {
            return disclosures(connection, "select " + COLUMNS + " from disclosure where patient_ids && ? order by disclosed_on desc, id desc",
                    links.members(patientId));
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the disclosures", e);
        }
    }

    /**
     * The accounting the patient is given on {@code day}: accountable disclosures of the person in the six years before
     * it, oldest first, without those a suspension holds back on that day.
     */
    public List<Disclosure> accounting(long patientId, LocalDate day) {
        List<Disclosure> listed = new ArrayList<>();
        for (Disclosure disclosure : log(patientId)) {
            if (disclosure.accountable() && !disclosure.disclosedOn().isBefore(day.minusYears(ACCOUNTING_YEARS))
                    && !disclosure.disclosedOn().isAfter(day) && !disclosure.suspendedOn(day)) {
                listed.add(0, disclosure);
            }
        }
        return listed;
    }

    public Optional<Disclosure> disclosure(long id) {
        try (Connection connection = dataSource.getConnection()) {
            return disclosure(connection, id);
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the disclosure", e);
        }
    }

    private Optional<Disclosure> disclosure(Connection connection, long id) throws SQLException {
        return disclosures(connection, "select " + COLUMNS + " from disclosure where id = ?", id).stream().findFirst();
    }

    private static List<Disclosure> disclosures(Connection connection, String sql, Object parameter) throws SQLException {
        Map<Long, Disclosure> found = new LinkedHashMap<>();
        try (PreparedStatement query = connection.prepareStatement(sql)) {
            if (parameter instanceof Collection<?> ids) {
                query.setArray(1, connection.createArrayOf("bigint", ids.toArray()));
            } else {
                query.setObject(1, parameter);
            }
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    List<Long> patients = java.util.Arrays.stream((Object[]) rows.getArray(3).getArray()).map(o -> ((Number) o).longValue()).toList();
                    found.put(rows.getLong(1), new Disclosure(rows.getLong(1), rows.getLong(2), patients, rows.getDate(4).toLocalDate(), rows.getString(5),
                            rows.getString(6), rows.getString(7), rows.getString(8), LegalBasis.valueOf(rows.getString(9)), rows.getBoolean(10),
                            rows.getString(11), (Long) rows.getObject(12), rows.getString(13), rows.getTimestamp(14).toInstant(), new ArrayList<>()));
                }
            }
        }
        if (!found.isEmpty()) {
            try (PreparedStatement query = connection.prepareStatement("select disclosure_id, id, agency, statement, suspended_until, recorded_by,"
                    + " recorded_at from disclosure_suspension where disclosure_id = any(?) order by id")) {
                query.setArray(1, connection.createArrayOf("bigint", found.keySet().toArray()));
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        found.get(rows.getLong(1)).suspensions().add(new Suspension(rows.getLong(2), rows.getString(3), rows.getString(4),
                                rows.getDate(5).toLocalDate(), rows.getString(6), rows.getTimestamp(7).toInstant()));
                    }
                }
            }
        }
        return List.copyOf(found.values());
    }
}
