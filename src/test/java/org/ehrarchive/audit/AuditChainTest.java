package org.ehrarchive.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

class AuditChainTest {

    private static AuditRecord row() {
        AuditRecord row = new AuditRecord();
        row.id = 7L;
        row.occurredAt = Instant.parse("2026-11-25T10:15:30.123456789Z");
        row.userName = "clinician1";
        row.userRole = "clinician";
        row.action = AuditAction.VIEW_CHART.name();
        row.objectType = "patient";
        row.objectId = "42";
        row.patientIds = "42";
        row.clientAddress = "10.0.0.8";
        row.requestId = "req-1";
        row.previousHash = AuditChain.GENESIS;
        return row;
    }

    @Test
    void everyFieldIsCoveredByTheHash() {
        String original = AuditChain.hashOf(row());
        for (Consumer<AuditRecord> tamper : java.util.List.<Consumer<AuditRecord>>of(
                r -> r.id = 8L, r -> r.occurredAt = r.occurredAt.plusSeconds(1), r -> r.userName = "someone-else",
                r -> r.userRole = "admin", r -> r.action = AuditAction.VIEW_DOCUMENT.name(), r -> r.objectType = "document",
                r -> r.objectId = "43", r -> r.patientIds = "42,43", r -> r.clientAddress = "10.0.0.9",
                r -> r.requestId = "req-2", r -> r.purpose = "TREAT", r -> r.detail = "x",
                r -> r.previousHash = "1".repeat(64))) {
            AuditRecord changed = row();
            tamper.accept(changed);
            assertThat(AuditChain.hashOf(changed)).isNotEqualTo(original);
        }
    }

    @Test
    void anEmptyValueIsNotTheSameAsNoValue() {
        AuditRecord empty = row();
        empty.purpose = "";
        assertThat(AuditChain.hashOf(empty)).isNotEqualTo(AuditChain.hashOf(row()));
    }

    @Test
    void theHashDependsOnlyOnWhatTheDatabaseKeeps() {
        AuditRecord nanos = row();
        AuditRecord micros = row();
        micros.occurredAt = Instant.parse("2026-11-25T10:15:30.123456Z");
        assertThat(AuditChain.hashOf(nanos)).isEqualTo(AuditChain.hashOf(micros)).hasSize(64);
    }
}
