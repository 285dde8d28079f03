package org.ehrarchive.audit;

import java.time.Instant;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * Appends access events to the hash-chained audit (architecture D8). Capture is decoupled from storage: pages,
 * API resources and commands build an {@link AccessEvent}; this service is the only writer of the chain.
 * <p>
 * Each event is written in its own transaction, so an access is recorded even when the work that showed the data
 * fails afterwards. Appends are serialized by a PostgreSQL advisory lock held to the end of that transaction, so
 * several archive processes on one database extend one chain without forks.
 */
@ApplicationScoped
public class AccessAudit {

    /** Any constant works: it names the lock that serializes appends to the chain (the audit bench takes it too). */
    public static final long CHAIN_LOCK = 0x41554449_54434841L;

    private final EntityManager entityManager;
    private final AuditSyslog syslog;

    public AccessAudit(EntityManager entityManager, AuditSyslog syslog) {
        this.entityManager = entityManager;
        this.syslog = syslog;
    }

    /** Records the event and returns its row (id and hash included). */
    public AuditRecord record(AccessEvent event) {
        AuditRecord recorded = QuarkusTransaction.requiringNew().call(() -> {
            entityManager.createNativeQuery("select pg_advisory_xact_lock(" + CHAIN_LOCK + ")").getSingleResult();
            AuditRecord last = AuditRecord.<AuditRecord>find("order by id desc").firstResult();
            AuditRecord row = new AuditRecord();
            row.id = last == null ? 1 : last.id + 1;
            row.occurredAt = AuditChain.storable(Instant.now());
            row.userName = event.userName();
            row.userRole = event.userRole();
            row.action = event.action().name();
            row.objectType = event.objectType();
            row.objectId = event.objectId();
            row.patientIds = event.patientIds().isEmpty() ? null
                    : event.patientIds().stream().sorted().distinct().map(String::valueOf).collect(Collectors.joining(","));
            row.clientAddress = event.clientAddress();
            row.requestId = event.requestId();
            row.purpose = event.purpose();
            row.detail = event.detail();
            row.previousHash = last == null ? AuditChain.GENESIS : last.hash;
            row.hash = AuditChain.hashOf(row);
            row.persist();
            return row;
        });
        // after the commit: a SIEM is only told of what the chain holds
        syslog.forward(recorded);
        return recorded;
    }
}
