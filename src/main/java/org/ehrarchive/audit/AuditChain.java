package org.ehrarchive.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;

/**
 * The hash chain of the access audit: each row's hash is SHA-256 over its fields, in a fixed order, separated by
 * the ASCII unit separator, with null written as NUL, and over the previous row's hash (64 zeros before the first
 * row). Changing, inserting or removing a row breaks every hash after it.
 */
public final class AuditChain {

    /** The "previous hash" of the first row. */
    public static final String GENESIS = "0".repeat(64);

    private static final char SEPARATOR = '\u001f';
    private static final String NULL = "\u0000";

    private AuditChain() {
    }

    /** PostgreSQL keeps microseconds: hash exactly what the database will give back. */
    public static Instant storable(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MICROS);
    }

    public static String hashOf(AuditRecord row) {
        StringBuilder canonical = new StringBuilder(256);
        for (Object field : new Object[] { row.id, storable(row.occurredAt).toString(), row.userName, row.userRole,
                row.action, row.objectType, row.objectId, row.patientIds, row.clientAddress, row.requestId, row.purpose,
                row.detail, row.previousHash }) {
            canonical.append(field == null ? NULL : field.toString()).append(SEPARATOR);
        }
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha256.digest(canonical.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java runtime has SHA-256", e);
        }
    }
}
