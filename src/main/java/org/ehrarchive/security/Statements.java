package org.ehrarchive.security;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

import javax.sql.DataSource;

/** One-statement writes of the security tables, each committed on its own (they run outside any transaction). */
final class Statements {

    private Statements() {
    }

    static int update(DataSource dataSource, String sql, Object... values) {
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                statement.setObject(i + 1, values[i]);
            }
            return statement.executeUpdate();
        } catch (SQLException e) {
            // The message can quote values (a user name); the caller's failure is logged without it (PhiSafe).
            throw new IllegalStateException("a security table could not be written", e);
        }
    }
}
