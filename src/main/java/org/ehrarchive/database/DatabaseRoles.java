package org.ehrarchive.database;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.zonky.test.db.postgres.util.LinuxUtils;

/**
 * Least privilege on the embedded PostgreSQL (issue 18, ADR 0016): every connection needs a password (SCRAM), and
 * the archive runs as a role that cannot remove or change what it only appends.
 * <p>
 * The passwords are set while the server is down, in PostgreSQL's single-user mode, which listens on no socket:
 * there is never a moment in which the server trusts whoever connects. The table grants themselves are made by the
 * schema's owner after every migration ({@code db/migration/afterMigrate.sql}), so a new table is never left out.
 */
final class DatabaseRoles {

    /** Kept in the server's data directory: the fingerprint of the passwords the server was last given. */
    private static final String PASSWORDS_MARKER = "archive-passwords";

    private static final String PG_HBA = """
            # Written by the archive at every start (docs/security.md, ADR 0016): a password (SCRAM) for every
            # connection, over the Unix socket or the loopback address; the server listens nowhere else.
            local all all scram-sha-256
            host  all all 127.0.0.1/32 scram-sha-256
            host  all all ::1/128 scram-sha-256
            """;

    private DatabaseRoles() {
    }

    /**
     * Before the server starts: gives the roles the passwords of {@code credentials} unless the server has them
     * already, and writes {@code pg_hba.conf}. Called by zonky after initdb, with the server down.
     */
    static void requirePasswords(Path pgData, Path unpackedBinaries, DatabaseCredentials credentials, Path log) {
        try {
            Path marker = pgData.resolve(PASSWORDS_MARKER);
            String fingerprint = credentials.fingerprint();
            boolean current = Files.exists(marker) && Files.readString(marker, StandardCharsets.US_ASCII).strip().equals(fingerprint);
            if (!current) {
                runSingleUser(pgData, unpackedBinaries.resolve("bin").resolve("postgres"), passwordStatements(credentials), log);
                Files.writeString(marker, fingerprint + "\n", StandardCharsets.US_ASCII);
            }
            Files.writeString(pgData.resolve("pg_hba.conf"), PG_HBA, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * After the server started: the archive database exists and belongs to {@value DatabaseCredentials#OWNER}, with
     * everything in it (an archive made before the roles existed had it all owned by the superuser), and the
     * application may connect to it and use its schema.
     */
    static void prepareArchiveDatabase(int port, DatabaseCredentials credentials) throws IOException {
        String server = "jdbc:postgresql://127.0.0.1:" + port + "/";
        try (Connection admin = DriverManager.getConnection(server + "postgres", DatabaseCredentials.SUPERUSER, credentials.superuserPassword());
                var statement = admin.createStatement()) {
            boolean exists;
            try (var found = statement.executeQuery("select 1 from pg_database where datname = '" + EmbeddedDatabase.DATABASE + "'")) {
                exists = found.next();
            }
            if (!exists) {
                statement.execute("create database " + EmbeddedDatabase.DATABASE + " owner " + DatabaseCredentials.OWNER
                        + " encoding 'UTF8' template template0");
            } else {
                statement.execute("alter database " + EmbeddedDatabase.DATABASE + " owner to " + DatabaseCredentials.OWNER);
            }
            statement.execute("revoke all on database " + EmbeddedDatabase.DATABASE + " from public");
            statement.execute("grant connect, temporary on database " + EmbeddedDatabase.DATABASE + " to " + DatabaseCredentials.APPLICATION);
        } catch (SQLException e) {
            throw new IOException("Could not prepare the archive database on the embedded PostgreSQL server (SQLState " + e.getSQLState() + ")", e);
        }
        try (Connection archive = DriverManager.getConnection(server + EmbeddedDatabase.DATABASE, DatabaseCredentials.SUPERUSER,
                credentials.superuserPassword()); var statement = archive.createStatement()) {
            statement.execute(OWNERSHIP_TO_OWNER);
        } catch (SQLException e) {
            throw new IOException("Could not give the archive's tables to " + DatabaseCredentials.OWNER + " (SQLState " + e.getSQLState() + ")", e);
        }
    }

    /**
     * The schema and every table, view, sequence and function in it to the owner role. A sequence that belongs to a
     * column moves with its table. Only what another role owns is altered, so a start on a prepared archive alters
     * nothing.
     */
    private static final String OWNERSHIP_TO_OWNER = """
            do $$
            declare
                object record;
            begin
                if (select nspowner::regrole::text from pg_namespace where nspname = 'public') <> '%1$s' then
                    alter schema public owner to %1$s;
                end if;
                for object in
                    select c.relname, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace
                    where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm', 'S')
                      and c.relowner::regrole::text <> '%1$s'
                      and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype in ('a', 'i') and c.relkind = 'S')
                loop
                    execute format('alter %%s %%I owner to %1$s',
                        case object.relkind when 'v' then 'view' when 'm' then 'materialized view' when 'S' then 'sequence' else 'table' end,
                        object.relname);
                end loop;
                for object in
                    select p.oid::regprocedure::text as signature from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                    where n.nspname = 'public' and p.proowner::regrole::text <> '%1$s'
                loop
                    execute format('alter routine %%s owner to %1$s', object.signature);
                end loop;
            end
            $$""".formatted(DatabaseCredentials.OWNER);

    private static List<String> passwordStatements(DatabaseCredentials credentials) {
        List<String> statements = new ArrayList<>();
        statements.add("set password_encryption = 'scram-sha-256'");
        statements.add("alter role " + DatabaseCredentials.SUPERUSER + " password '" + credentials.superuserPassword() + "'");
        for (String role : List.of(DatabaseCredentials.OWNER, DatabaseCredentials.APPLICATION)) {
            statements.add("do $$ begin if not exists (select from pg_roles where rolname = '" + role + "') then create role " + role
                    + "; end if; end $$");
        }
        statements.add("alter role " + DatabaseCredentials.OWNER + " login nosuperuser nocreatedb nocreaterole noreplication nobypassrls password '"
                + credentials.ownerPassword() + "'");
        statements.add("alter role " + DatabaseCredentials.APPLICATION + " login nosuperuser nocreatedb nocreaterole noreplication nobypassrls "
                + "noinherit password '" + credentials.applicationPassword() + "'");
        return statements;
    }

    /**
     * Runs {@code statements} in single-user mode, one per line, and fails if PostgreSQL reported an error. Its
     * output goes to the server's log with the passwords masked.
     */
    private static void runSingleUser(Path pgData, Path postgres, List<String> statements, Path log) throws IOException {
        List<String> command = new ArrayList<>();
        if (LinuxUtils.isUnshareAvailable()) {
            command.addAll(List.of("unshare", "-U")); // as zonky runs its server: PostgreSQL refuses to run as root
        }
        command.addAll(List.of(postgres.toString(), "--single", "-D", pgData.toString(), "-c", "listen_addresses=", "postgres"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (OutputStream input = process.getOutputStream()) {
            input.write((String.join("\n", statements) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        process.getInputStream().transferTo(output);
        boolean ended;
        try {
            ended = process.waitFor(2, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("Interrupted while setting the embedded PostgreSQL's passwords", e);
        }
        String said = output.toString(StandardCharsets.UTF_8).replaceAll("password '[0-9a-f]+'", "password '…'");
        Files.writeString(log, said, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        if (!ended || process.exitValue() != 0 || said.contains("ERROR:") || said.contains("FATAL:")) {
            process.destroyForcibly();
            String reason = said.lines().filter(line -> line.contains("ERROR:") || line.contains("FATAL:")).findFirst()
                    .map(String::strip).orElse(ended ? "exit code " + process.exitValue() : "no answer within 2 minutes");
            throw new IOException("Could not set the embedded PostgreSQL's passwords: " + reason + " (see " + log + ")");
        }
    }
}
