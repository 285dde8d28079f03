package org.ehrarchive.database;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Properties;

/**
 * The passwords of the embedded PostgreSQL's three roles (ADR 0016): the superuser {@value #SUPERUSER} (creates
 * the database and the roles), {@value #OWNER} (owns the schema; only migrations run as it) and
 * {@value #APPLICATION} (what the archive runs as: it may only append where the archive only appends).
 * <p>
 * They are generated on first start and kept in {@code <data-dir>/database-credentials.properties}, readable by
 * the archive's OS user only, like a {@code .pgpass}. Every archive process on the data directory (a server, an
 * {@code ingest} beside it) reads the same file. A lost file is no lock-out: the next start makes new passwords
 * and sets them while the server is down ({@link EmbeddedDatabase}).
 */
public record DatabaseCredentials(String superuserPassword, String ownerPassword, String applicationPassword) {

    /** Created by initdb; creates the database and the roles, nothing else. */
    public static final String SUPERUSER = "postgres";
    /** Owns the archive's tables, triggers and functions; Flyway migrates as it. */
    public static final String OWNER = "archive_owner";
    /** The archive at run time: SELECT and INSERT on append-only tables, no DDL, no TRUNCATE, no trigger bypass. */
    public static final String APPLICATION = "archive_app";

    static final String FILE = "database-credentials.properties";

    /** The passwords kept under {@code dataDir}, made (and kept) on first use. */
    public static DatabaseCredentials ofDataDirectory(Path dataDir) throws IOException {
        Path file = dataDir.resolve(FILE);
        if (Files.exists(file)) {
            return read(file);
        }
        DatabaseCredentials made = new DatabaseCredentials(randomPassword(), randomPassword(), randomPassword());
        // Callers hold the start lock (EmbeddedDatabase): no second process makes other passwords meanwhile.
        made.write(file);
        return made;
    }

    /**
     * A digest of the three passwords: the embedded server's data directory keeps the one it was last given, so a
     * start can tell whether the server's passwords are these.
     */
    String fingerprint() {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            String all = superuserPassword + "\n" + ownerPassword + "\n" + applicationPassword;
            return HexFormat.of().formatHex(sha256.digest(all.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java runtime has SHA-256", e);
        }
    }

    private static DatabaseCredentials read(Path file) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        String superuser = properties.getProperty(SUPERUSER);
        String owner = properties.getProperty(OWNER);
        String application = properties.getProperty(APPLICATION);
        if (isBlank(superuser) || isBlank(owner) || isBlank(application)) {
            throw new IOException(file + " lacks a password for " + SUPERUSER + ", " + OWNER + " or " + APPLICATION
                    + "; remove the file and start again: new passwords are then set");
        }
        return new DatabaseCredentials(superuser, owner, application);
    }

    /** Written beside, readable by this OS user only from its first byte, then moved into place. */
    private void write(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Path partial = file.resolveSibling(FILE + ".partial-" + ProcessHandle.current().pid());
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.deleteIfExists(partial);
            Files.createFile(partial, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        Properties properties = new Properties();
        properties.setProperty(SUPERUSER, superuserPassword);
        properties.setProperty(OWNER, ownerPassword);
        properties.setProperty(APPLICATION, applicationPassword);
        try (Writer writer = Files.newBufferedWriter(partial, StandardCharsets.UTF_8)) {
            properties.store(writer, "Passwords of the embedded PostgreSQL's roles (docs/security.md). Keep this file private.");
        }
        try {
            Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** 32 random bytes as hex: no character that needs quoting in SQL or in a connection string. */
    private static String randomPassword() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }

    @Override
    public String toString() {
        return "DatabaseCredentials[passwords not shown]";
    }
}
