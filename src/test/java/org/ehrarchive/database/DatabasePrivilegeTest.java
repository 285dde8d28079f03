package org.ehrarchive.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;
import javax.sql.DataSource;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.ehrarchive.record.ReadOnlyRecordTest;
import org.ehrarchive.support.ArchiveTestDatabase;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Least privilege on the embedded PostgreSQL (issue 18, ADR 0016): what a local process that is not the archive can
 * do without the passwords (nothing), and what the archive's own role can do to what it only appends (add, never
 * remove or change, nor switch the triggers off). The archive's other tests all run as that role, so they prove it
 * is enough to do the archive's work.
 */
@QuarkusTest
@WithTestResource(ArchiveTestDatabase.class)
class DatabasePrivilegeTest {

    /** The append-only tables: the clinical record and the access audit. */
    private static final List<String> APPEND_ONLY = new ArrayList<>(ReadOnlyRecordTest.CLINICAL_TABLES);

    static {
        APPEND_ONLY.add("access_audit");
        APPEND_ONLY.add("patient_link");
        APPEND_ONLY.add("patient_link_decision");
    }

    @Inject
    DataSource dataSource;

    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String jdbcUrl;

    @ConfigProperty(name = "archive.data-dir")
    Path dataDir;

    @Test
    void theArchiveRunsAsItsApplicationRoleWhichIsNotTheOwnerOfAnything() throws Exception {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
                var result = statement.executeQuery("select current_user, rolsuper, rolcreaterole, rolcreatedb from pg_roles where rolname = current_user")) {
            result.next();
            assertThat(result.getString(1)).isEqualTo(DatabaseCredentials.APPLICATION);
            assertThat(result.getBoolean(2) || result.getBoolean(3) || result.getBoolean(4)).as("no superuser, role or database rights").isFalse();
        }
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
                var owned = statement.executeQuery("select count(*) from pg_class where relowner = (select oid from pg_roles where rolname = current_user)")) {
            owned.next();
            assertThat(owned.getLong(1)).as("tables owned by the application role (an owner may disable their triggers)").isZero();
        }
    }

    @Test
    void theApplicationRoleIsRefusedDeleteUpdateAndTruncateOnEveryAppendOnlyTable() throws Exception {
        for (String table : APPEND_ONLY) {
            for (String change : List.of("delete from " + table, "update " + table + " set id = id", "truncate " + table,
                    "alter table " + table + " disable trigger all", "drop table " + table)) {
                assertRefused(change);
            }
        }
        assertRefused("set session_replication_role = replica"); // the switch that turns every trigger off
        assertRefused("create table planted (id int)");
    }

    @Test
    void theApplicationRoleMayStillAddToTheAppendOnlyTables() throws Exception {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            for (String table : APPEND_ONLY) {
                try (var result = statement.executeQuery("select has_table_privilege(current_user, '" + table + "', 'INSERT'), "
                        + "has_table_privilege(current_user, '" + table + "', 'SELECT')")) {
                    result.next();
                    assertThat(result.getBoolean(1) && result.getBoolean(2)).as(table).isTrue();
                }
            }
        }
    }

    @Test
    void noRoleSignsInWithoutItsPasswordNotEvenTheSuperuser() throws Exception {
        for (String role : List.of(DatabaseCredentials.SUPERUSER, DatabaseCredentials.OWNER, DatabaseCredentials.APPLICATION)) {
            for (String password : List.of("", "postgres", "wrong")) {
                assertThatThrownBy(() -> DriverManager.getConnection(jdbcUrl, role, password).close()).as(role + " with '" + password + "'")
                        // 28P01: the server refused the password; 08004: it asked for one, and there was none to give.
                        .isInstanceOfSatisfying(SQLException.class, refused -> assertThat(refused.getSQLState()).isIn("28P01", "08004"));
            }
        }
        try (Connection superuser = ArchiveTestDatabase.superuserConnection(); Statement statement = superuser.createStatement();
                var rules = statement.executeQuery("select distinct auth_method from pg_hba_file_rules where error is null")) {
            List<String> methods = new ArrayList<>();
            while (rules.next()) {
                methods.add(rules.getString(1));
            }
            assertThat(methods).as("no trust, no peer: a password for every connection").containsExactly("scram-sha-256");
        }
    }

    @Test
    void thePasswordsAreKeptReadableByTheArchivesOsUserOnly() throws Exception {
        Path credentials = dataDir.resolve(DatabaseCredentials.FILE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(credentials))).isEqualTo("rw-------");
        assertThat(DatabaseCredentials.ofDataDirectory(dataDir).toString()).as("never printed").doesNotContain(
                DatabaseCredentials.ofDataDirectory(dataDir).applicationPassword());
    }

    private void assertRefused(String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            try {
                assertThatThrownBy(() -> statement.execute(sql)).as(sql).isInstanceOfSatisfying(SQLException.class,
                        refused -> assertThat(refused.getSQLState()).as(sql + ": insufficient_privilege (" + refused.getMessage() + ")")
                                .isEqualTo("42501"));
            } finally {
                connection.rollback();
            }
        }
    }
}
