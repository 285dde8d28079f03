package org.ehrarchive.ingest;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import javax.sql.DataSource;

/**
 * The legacy systems the archive's batches came from (issue 13): every batch belongs to one, named by the admin
 * ({@code ingest --source-system "Old EHR"}) or {@link #DEFAULT_NAME}. A source system is what is decommissioned:
 * its reconciliation, samples and certificate cover its batches and the records they stored.
 */
@ApplicationScoped
public class SourceSystems {

    /** The source system of a batch ingested without a name (and of the batches of earlier versions). */
    public static final String DEFAULT_NAME = "Unnamed source system";
    static final int MAX_NAME_LENGTH = 200;

    /** One source system. */
    public record SourceSystem(long id, String name, Instant createdAt) {
    }

    private final DataSource dataSource;

    public SourceSystems(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * A name as it is kept: trimmed, inner runs of white space made one space.
     *
     * @throws IllegalArgumentException saying what is wrong with it: empty, too long, or holding control characters
     */
    public static String normalizedName(String name) {
        String kept = name == null ? "" : name.strip().replaceAll("\\s+", " ");
        if (kept.isEmpty()) {
            throw new IllegalArgumentException("a source system needs a name");
        }
        if (kept.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("a source system's name has at most " + MAX_NAME_LENGTH + " characters");
        }
        if (kept.codePoints().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("a source system's name cannot hold control characters");
        }
        return kept;
    }

    /** The source system of this name, created when it is new (two ingests naming a new one at once get the same). */
    public SourceSystem named(String name) throws SQLException {
        String kept = normalizedName(name);
        try (Connection connection = dataSource.getConnection()) {
            try (PreparedStatement insert = connection.prepareStatement("insert into source_system (id, name, created_at) "
                    + "values (nextval('decommission_id_seq'), ?, now()) on conflict (name) do nothing")) {
                insert.setString(1, kept);
                insert.executeUpdate();
            }
            return find(connection, "name = ?", kept).orElseThrow();
        }
    }

    public Optional<SourceSystem> byName(String name) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            return find(connection, "name = ?", normalizedName(name));
        }
    }

    public Optional<SourceSystem> byId(long id) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            return find(connection, "id = ?", id);
        }
    }

    /** Every source system, by name. */
    public List<SourceSystem> all() throws SQLException {
        List<SourceSystem> systems = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement("select id, name, created_at from source_system order by name");
                ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                systems.add(row(rows));
            }
        }
        return systems;
    }

    private static Optional<SourceSystem> find(Connection connection, String where, Object value) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("select id, name, created_at from source_system where " + where)) {
            query.setObject(1, value);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? Optional.of(row(rows)) : Optional.empty();
            }
        }
    }

    private static SourceSystem row(ResultSet rows) throws SQLException {
        return new SourceSystem(rows.getLong(1), rows.getString(2), rows.getTimestamp(3).toInstant());
    }
}
