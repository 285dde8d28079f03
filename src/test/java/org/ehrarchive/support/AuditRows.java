package org.ehrarchive.support;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.ehrarchive.audit.AuditRecord;

import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * Reads the access audit the way a test of one request needs it: the rows of one request id, how many rows one
 * user has, and a row's patients as a set (the stored comma list parsed, so that {@code 12} never matches {@code 1}).
 */
public final class AuditRows {

    private AuditRows() {
    }

    /** Every row recorded under this request id, oldest first. */
    public static List<AuditRecord> withRequestId(String requestId) {
        return QuarkusTransaction.requiringNew().call(() -> AuditRecord.<AuditRecord>list("requestId = ?1 order by id", requestId));
    }

    /** How many rows name this user. */
    public static long countOfUser(String user) {
        return QuarkusTransaction.requiringNew().call(() -> AuditRecord.count("userName", user));
    }

    /**
     * The {@code expected} rows of this user recorded after the first {@code before}, waiting up to 10 s for them:
     * a refusal (403) is recorded after its answer left. Fails when more rows arrive than expected.
     */
    public static List<AuditRecord> awaitNewOfUser(String user, long before, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
        while (countOfUser(user) < before + expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        Thread.sleep(200); // and nothing more comes
        List<AuditRecord> rows = QuarkusTransaction.requiringNew()
                .call(() -> AuditRecord.<AuditRecord>list("userName = ?1 order by id", user));
        org.assertj.core.api.Assertions.assertThat(rows).as("rows of " + user).hasSize((int) before + expected);
        return rows.subList((int) before, rows.size());
    }

    /** How many rows the audit has. */
    public static long count() {
        return QuarkusTransaction.requiringNew().call(() -> AuditRecord.count());
    }

    /** The newest row, or null when the audit is empty. */
    public static AuditRecord newest() {
        return QuarkusTransaction.requiringNew().call(() -> AuditRecord.<AuditRecord>find("order by id desc").firstResult());
    }

    /** The patients a row names, parsed from its comma list; empty when it names none. */
    public static Set<Long> patientIds(AuditRecord row) {
        if (row.patientIds == null || row.patientIds.isEmpty()) {
            return Set.of();
        }
        return Arrays.stream(row.patientIds.split(",")).map(Long::valueOf).collect(Collectors.toUnmodifiableSet());
    }
}
