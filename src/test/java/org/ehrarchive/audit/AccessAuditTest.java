package org.ehrarchive.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import javax.sql.DataSource;

import org.ehrarchive.support.ArchiveTestDatabase;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@Tag("storage")
@WithTestResource(ArchiveTestDatabase.class)
class AccessAuditTest {

    @Inject
    AccessAudit audit;
    @Inject
    AuditVerifier verifier;
    @Inject
    EntityManager entityManager;
    @Inject
    DataSource dataSource;

    private static AccessEvent chartView(String user, long... patients) {
        return new AccessEvent(user, "clinician", AuditAction.VIEW_CHART, "patient", Long.toString(patients[0]),
                java.util.Arrays.stream(patients).boxed().toList(), "127.0.0.1", "req-" + user, null, null);
    }

    @Test
    void eventsAreChainedInOrderAndVerify() {
        AuditRecord first = audit.record(chartView("alice", 12, 3, 12));
        AuditRecord second = audit.record(chartView("bob", 5));
        assertThat(second.id).isEqualTo(first.id + 1);
        assertThat(second.previousHash).isEqualTo(first.hash);
        assertThat(first.patientIds).as("sorted, without repeats").isEqualTo("3,12");
        AuditVerifier.Result result = verifier.verify();
        assertThat(result.intact()).as(result.problem()).isTrue();
        assertThat(result.rows()).isGreaterThanOrEqualTo(second.id);
    }

    @Test
    void theDatabaseRefusesToUpdateDeleteOrTruncateAuditRows() throws Exception {
        AuditRecord row = audit.record(chartView("carol", 7));
        Map<String, String> refusals = new LinkedHashMap<>();
        refusals.put("update access_audit set user_name = 'mallory' where id = " + row.id, "UPDATE");
        refusals.put("delete from access_audit where id = " + row.id, "DELETE");
        refusals.put("truncate access_audit", "TRUNCATE");
        for (Map.Entry<String, String> change : refusals.entrySet()) {
            // The archive's role has no such privilege (ADR 0016); the trigger refuses even the superuser, unless it is
            // switched off, which only a superuser can do.
            try (Connection application = dataSource.getConnection(); Connection superuser = ArchiveTestDatabase.superuserConnection()) {
                for (Connection connection : List.of(application, superuser)) {
                    connection.setAutoCommit(false);
                    try (Statement statement = connection.createStatement()) {
                        assertThatThrownBy(() -> statement.execute(change.getKey())).as(change.getKey())
                                .isInstanceOfSatisfying(SQLException.class, refused -> {
                                    assertThat(refused.getSQLState()).as("insufficient_privilege").isEqualTo("42501");
                                    assertThat(refused.getMessage()).contains(connection == application ? "permission denied"
                                            : "the access audit is append-only: " + change.getValue() + " refused");
                                });
                    } finally {
                        connection.rollback();
                    }
                }
            }
        }
        AuditRecord kept = QuarkusTransaction.requiringNew().call(() -> AuditRecord.<AuditRecord>findById(row.id));
        assertThat(kept.userName).isEqualTo("carol");
        assertThat(verifier.verify().intact()).isTrue();
    }

    @Test
    void appendsFromManyThreadsAtOnceKeepOneUnbrokenChainAndLoseNoEvent() throws Exception {
        int threads = 8;
        int eventsPerThread = 25;
        String run = "concurrent-" + UUID.randomUUID();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> writers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            writers.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < eventsPerThread; i++) {
                    audit.record(new AccessEvent("writer-" + thread, "clinician", AuditAction.VIEW_CHART, "patient", Long.toString(i),
                            List.of((long) i), "127.0.0.1", run + "-" + thread + "-" + i, null, null));
                }
                return null;
            }));
        }
        start.countDown();
        try {
            for (Future<?> writer : writers) {
                writer.get(2, TimeUnit.MINUTES); // rethrows a writer's failure: a lost event
            }
        } finally {
            pool.shutdownNow();
        }

        List<AuditRecord> mine = QuarkusTransaction.requiringNew().call(() -> AuditRecord.<AuditRecord>list(
                "requestId like ?1 order by id", run + "-%"));
        assertThat(mine).as("every event of every thread is there, once").hasSize(threads * eventsPerThread);
        assertThat(mine.stream().map(row -> row.requestId).distinct()).hasSize(threads * eventsPerThread);
        long first = mine.get(0).id;
        long last = mine.get(mine.size() - 1).id;
        List<AuditRecord> chain = QuarkusTransaction.requiringNew().call(() -> AuditRecord.<AuditRecord>list(
                "id between ?1 and ?2 order by id", first - 1, last));
        for (int i = 1; i < chain.size(); i++) {
            assertThat(chain.get(i).id).as("ids are consecutive").isEqualTo(chain.get(i - 1).id + 1);
            assertThat(chain.get(i).previousHash).as("row " + chain.get(i).id + " links to the row before it").isEqualTo(chain.get(i - 1).hash);
            assertThat(chain.get(i).hash).as("row " + chain.get(i).id + " hashes its own fields").isEqualTo(AuditChain.hashOf(chain.get(i)));
        }
        AuditVerifier.Result result = verifier.verify();
        assertThat(result.intact()).as(result.problem()).isTrue();
        assertThat(result.rows()).isGreaterThanOrEqualTo(last);
    }

    @Test
    void anAppendWaitsWhileAnotherConnectionHoldsTheChainLock() throws Exception {
        // What a second archive process on the same database does while it appends: hold the lock in its transaction.
        ExecutorService other = Executors.newSingleThreadExecutor();
        try (Connection otherProcess = dataSource.getConnection(); Statement statement = otherProcess.createStatement()) {
            otherProcess.setAutoCommit(false);
            statement.execute("select pg_advisory_xact_lock(" + AccessAudit.CHAIN_LOCK + ")");
            Future<AuditRecord> append = other.submit(() -> audit.record(chartView("waiting-" + UUID.randomUUID(), 13)));
            Thread.sleep(500);
            assertThat(append.isDone()).as("the append waits for the other transaction").isFalse();
            otherProcess.commit();
            AuditRecord appended = append.get(30, TimeUnit.SECONDS);
            assertThat(appended.previousHash).isEqualTo(QuarkusTransaction.requiringNew().call(
                    () -> AuditRecord.<AuditRecord>findById(appended.id - 1)).hash);
        } finally {
            other.shutdownNow();
        }
    }

    @Test
    void anAlteredRowIsNamedAsTheFirstBrokenLink() {
        AuditRecord row = audit.record(chartView("dave", 8));
        audit.record(chartView("erin", 9));
        bypassingTriggers("update access_audit set user_name = 'mallory' where id = " + row.id);
        try {
            AuditVerifier.Result result = verifier.verify();
            assertThat(result.intact()).isFalse();
            assertThat(result.firstBrokenId()).isEqualTo(row.id);
            assertThat(result.problem()).contains("changed");
        } finally {
            bypassingTriggers("update access_audit set user_name = 'dave' where id = " + row.id);
        }
        assertThat(verifier.verify().intact()).isTrue();
    }

    @Test
    void aRemovedRowIsNamedAsTheFirstBrokenLink() {
        AuditRecord row = audit.record(chartView("frank", 10));
        audit.record(chartView("grace", 11));
        // A plain table, not a temporary one: the restore below may run on another pooled connection.
        bypassingTriggers("create table audit_test_removed as select * from access_audit where id = " + row.id
                + "; delete from access_audit where id = " + row.id);
        try {
            AuditVerifier.Result result = verifier.verify();
            assertThat(result.intact()).isFalse();
            assertThat(result.firstBrokenId()).isEqualTo(row.id);
            assertThat(result.problem()).contains("missing");
        } finally {
            bypassingTriggers("insert into access_audit select * from audit_test_removed; drop table audit_test_removed");
        }
        assertThat(verifier.verify().intact()).isTrue();
    }

    /**
     * What an attacker with database superuser rights could do: switch triggers off for one transaction. The archive's
     * own role may not (ADR 0016), so this goes through the superuser.
     */
    private static void bypassingTriggers(String sql) {
        try (Connection superuser = ArchiveTestDatabase.superuserConnection(); Statement statement = superuser.createStatement()) {
            superuser.setAutoCommit(false);
            statement.execute("set local session_replication_role = replica");
            for (String part : sql.split(";")) {
                statement.execute(part);
            }
            superuser.commit();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("could not tamper with the audit (SQLState " + e.getSQLState() + ")", e);
        }
    }
}
