package org.ehrarchive;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.BatchUpdateException;
import java.sql.SQLException;

import org.junit.jupiter.api.Test;

/**
 * What the jar prints when it cannot start: one line that says why. A database that cannot be reached is named;
 * any other database error is told by its SQLState only, because its message can quote a row's values.
 */
class ArchiveMainStartFailureTest {

    private static final String ROW_VALUES = "Batch entry 0 insert into app_user (password,username) values (('$2a$10$secrethash'),('admin'))";

    @Test
    void anUnreachableDatabaseIsToldWithTheAddressTheDriverTried() {
        SQLException refused = new SQLException("Connection to 127.0.0.1:5999 refused. Check that the hostname and port are correct.", "08001");
        Throwable failure = new RuntimeException("Failed to start quarkus",
                new IllegalStateException("Unable to obtain connection from database: " + refused.getMessage() + "\n-----\nSQL State  : 08001", refused));

        assertThat(ArchiveMain.describeStartFailure(failure))
                .isEqualTo("Connection to 127.0.0.1:5999 refused. Check that the hostname and port are correct (SQLState 08001)");
    }

    @Test
    void anyOtherDatabaseErrorIsToldByItsSqlStateWithoutTheRowValuesItsMessageQuotes() {
        BatchUpdateException collision = new BatchUpdateException(ROW_VALUES + " was aborted: duplicate key value", "23505", new int[0]);
        Throwable failure = new RuntimeException("Failed to start quarkus",
                new IllegalStateException("Could not commit transaction; could not execute batch [" + ROW_VALUES + "]", collision));

        String described = ArchiveMain.describeStartFailure(failure);

        assertThat(described).contains("SQLState 23505").contains("BatchUpdateException");
        assertThat(described).doesNotContain("secrethash").doesNotContain("insert into");
    }

    @Test
    void aFailureOutsideTheDatabaseIsToldByItsMessagesEachOnceAndOnlyTheirFirstLines() {
        Throwable failure = new RuntimeException("Failed to start quarkus", new IllegalArgumentException(
                "archive.session-key must be at least 16 characters.\nat line 3", new IllegalArgumentException("at least 16 characters")));

        assertThat(ArchiveMain.describeStartFailure(failure)).isEqualTo("archive.session-key must be at least 16 characters");
    }
}
