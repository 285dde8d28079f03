package org.ehrarchive.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

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
    void theDatabaseRefusesToChangeOrRemoveAuditRows() {
        AuditRecord row = audit.record(chartView("carol", 7));
        for (String change : List.of("update access_audit set user_name = 'mallory' where id = " + row.id,
                "delete from access_audit where id = " + row.id, "truncate access_audit")) {
            assertThatThrownBy(() -> QuarkusTransaction.requiringNew().run(() -> entityManager.createNativeQuery(change).executeUpdate()))
                    .as(change).hasStackTraceContaining("append-only");
        }
        assertThat(verifier.verify().intact()).isTrue();
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

    /** What an attacker with database superuser rights could do: switch triggers off for one transaction. */
    private void bypassingTriggers(String sql) {
        QuarkusTransaction.requiringNew().run(() -> {
            entityManager.createNativeQuery("set local session_replication_role = replica").executeUpdate();
            for (String statement : sql.split(";")) {
                entityManager.createNativeQuery(statement).executeUpdate();
            }
        });
    }
}
