package org.ehrarchive.identity;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import javax.sql.DataSource;

/**
 * The spellings of one assigning authority (docs/patient-identity.md): an OID in C-CDA and HL7 v2
 * ({@code 2.16.840.1.113883.4.1}), a URI in FHIR ({@code http://hl7.org/fhir/sid/us-ssn}), a name in a mapping profile.
 * Matching compares identifiers by the authority their system names, so the same value under two spellings of one
 * authority is the same identifier. The table is seeded (V11) and edited by admins; a system it does not name stands
 * for itself, with {@code urn:oid:X} and {@code X} always the same.
 */
@ApplicationScoped
public class IdentifierSystems {

    static final int MAX_LENGTH = 500;

    /** One spelling and the authority it names. */
    public record Spelling(String system, String authority, String label, boolean seeded, String changedBy, Instant changedAt) {
    }

    /** The authority each spelling names, as one matching run reads it (the table can change between runs). */
    public static final class Authorities {
        private final Map<String, String> bySystem;

        Authorities(Map<String, String> bySystem) {
            this.bySystem = bySystem;
        }

        /** The authority a system names: the table's, else the system itself without an {@code urn:oid:} prefix. */
        public String of(String system) {
            if (system == null || system.isBlank()) {
                return null;
            }
            String trimmed = system.strip();
            String known = bySystem.get(trimmed);
            if (known == null) {
                known = bySystem.get(alternative(trimmed));
            }
            return known != null ? known : bare(trimmed);
        }

        private static String alternative(String system) {
            return system.regionMatches(true, 0, "urn:oid:", 0, 8) ? system.substring(8) : "urn:oid:" + system;
        }

        private static String bare(String system) {
            return system.regionMatches(true, 0, "urn:oid:", 0, 8) ? system.substring(8) : system;
        }
    }

    private final DataSource dataSource;

    public IdentifierSystems(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The table as it stands now. */
    public Authorities authorities() throws SQLException {
        Map<String, String> bySystem = new HashMap<>();
        for (Spelling spelling : all()) {
            bySystem.put(spelling.system(), spelling.authority());
        }
        return new Authorities(bySystem);
    }

    /** Every spelling, by authority then system. */
    public List<Spelling> all() throws SQLException {
        List<Spelling> spellings = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement(
                        "select system, authority, label, seeded, changed_by, changed_at from identifier_system order by authority, system");
                ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                spellings.add(new Spelling(rows.getString(1), rows.getString(2), rows.getString(3), rows.getBoolean(4), rows.getString(5),
                        rows.getTimestamp(6).toInstant()));
            }
        }
        return spellings;
    }

    /**
     * Says that {@code system} is a spelling of {@code authority} (adding it, or changing what it names). A change
     * applies to matching from the next run on ({@code identity match} applies it to everything archived).
     *
     * @throws IllegalArgumentException when either is empty, too long or holds control characters
     */
    public Spelling put(String system, String authority, String label, String changedBy) throws SQLException {
        String keptSystem = checked("system", system);
        String keptAuthority = checked("authority", authority);
        String keptLabel = label == null || label.isBlank() ? null : checked("label", label);
        try (Connection connection = dataSource.getConnection();
                PreparedStatement upsert = connection.prepareStatement("insert into identifier_system"
                        + " (system, authority, label, seeded, changed_by, changed_at) values (?, ?, ?, false, ?, now())"
                        + " on conflict (system) do update set authority = excluded.authority, label = excluded.label,"
                        + " changed_by = excluded.changed_by, changed_at = excluded.changed_at")) {
            upsert.setString(1, keptSystem);
            upsert.setString(2, keptAuthority);
            upsert.setString(3, keptLabel);
            upsert.setString(4, changedBy);
            upsert.executeUpdate();
        }
        return all().stream().filter(s -> s.system().equals(keptSystem)).findFirst().orElseThrow();
    }

    /** Removes a spelling; the system then stands for itself. Whether there was one to remove. */
    public boolean remove(String system) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement delete = connection.prepareStatement("delete from identifier_system where system = ?")) {
            delete.setString(1, system == null ? "" : system.strip());
            return delete.executeUpdate() > 0;
        }
    }

    private static String checked(String what, String value) {
        String kept = value == null ? "" : value.strip();
        if (kept.isEmpty()) {
            throw new IllegalArgumentException("an identifier system spelling needs a " + what);
        }
        if (kept.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("the " + what + " has at most " + MAX_LENGTH + " characters");
        }
        if (kept.codePoints().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("the " + what + " cannot hold control characters");
        }
        return what.equals("label") ? kept : kept.toLowerCase(Locale.ROOT).startsWith("urn:oid:") ? "urn:oid:" + kept.substring(8) : kept;
    }
}
