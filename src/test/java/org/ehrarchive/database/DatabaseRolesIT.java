package org.ehrarchive.database;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;

import org.ehrarchive.support.ArchiveJar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The roles of the embedded PostgreSQL on archives that were not made with them (ADR 0016): an archive made before
 * them (its tables owned by the superuser, trusted connections) and an archive whose credentials file was lost both
 * start, with the schema given to the owner role and new passwords set, and nothing removed by hand.
 */
class DatabaseRolesIT {

    private static final Duration RUN_LIMIT = Duration.ofMinutes(3);

    @Test
    void anArchiveWithTablesOfTheSuperuserAndLostPasswordsStartsAndIsPutRight(@TempDir Path work) throws Exception {
        ArchiveJar archive = new ArchiveJar(work);
        assertThat(archive.run("first", RUN_LIMIT, "user", "list")).as(archive.output("first")).isZero();
        try (EmbeddedDatabase database = EmbeddedDatabase.startOrAttach(archive.dataDir());
                Connection superuser = database.superuserConnection(); var statement = superuser.createStatement()) {
            // What an archive of an earlier version holds: everything the superuser's, as it migrated.
            statement.execute("alter table access_audit owner to postgres");
            statement.execute("alter table clinical_entry owner to postgres");
            statement.execute("alter function refuse_audit_change() owner to postgres");
        }
        Path credentials = archive.dataDir().resolve(DatabaseCredentials.FILE);
        String lostPasswords = Files.readString(credentials);
        Files.delete(credentials);

        assertThat(archive.run("again", RUN_LIMIT, "user", "list")).as(archive.output("again")).isZero();
        assertThat(archive.output("again")).contains("admin");

        assertThat(Files.readString(credentials)).as("new passwords").isNotEqualTo(lostPasswords);
        try (EmbeddedDatabase database = EmbeddedDatabase.startOrAttach(archive.dataDir());
                Connection superuser = database.superuserConnection(); var statement = superuser.createStatement();
                var owners = statement.executeQuery("select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace "
                        + "where n.nspname = 'public' and c.relowner::regrole::text <> '" + DatabaseCredentials.OWNER + "'")) {
            owners.next();
            assertThat(owners.getLong(1)).as("tables, indexes and sequences not owned by " + DatabaseCredentials.OWNER).isZero();
        }
        assertThat(Files.readString(archive.dataDir().resolve("postgres.log"))).as("passwords never reach the server's log")
                .doesNotContain(DatabaseCredentials.ofDataDirectory(archive.dataDir()).superuserPassword())
                .doesNotContain(DatabaseCredentials.ofDataDirectory(archive.dataDir()).applicationPassword());
    }
}
