package org.ehrarchive.audit;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;

/**
 * The periodic check of the access audit (issue 18): every {@code archive.audit.check-interval} a running archive
 * verifies the chain from where it last checked, checks that the head anchored outside the database
 * ({@link AuditAnchor}) is still there unchanged, and anchors the new head. A broken chain is logged (row ids only)
 * and reported by the readiness check {@code audit-chain} until the chain is whole again.
 * <p>
 * What this cannot see: rows removed from the end between two anchors. The interval bounds that window.
 */
@ApplicationScoped
public class AuditChainWatch {

    /** The outcome of the last check; {@code checkedAt} null before the first. */
    public record Status(Instant checkedAt, boolean intact, long rows, String lastHash, Long firstBrokenId, String problem) {
        static Status notYet() {
            return new Status(null, true, 0, AuditChain.GENESIS, null, null);
        }
    }

    private final AuditVerifier verifier;
    private final AuditAnchor anchor;
    /** The head this process verified last: the next check starts there instead of at row 1. */
    private AuditAnchor.Head verified;
    private volatile Status status = Status.notYet();

    public AuditChainWatch(AuditVerifier verifier, AuditAnchor anchor) {
        this.verifier = verifier;
        this.anchor = anchor;
    }

    @Scheduled(every = "${archive.audit.check-interval:30s}", delayed = "${archive.audit.check-interval:30s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void periodicCheck() {
        check();
    }

    public Status status() {
        return status;
    }

    public AuditAnchor anchor() {
        return anchor;
    }

    /** Verifies the chain against this process's last check and the anchor file, and anchors the head if whole. */
    public synchronized Status check() {
        Status outcome;
        try {
            outcome = verify();
            if (outcome.intact() && (verified == null || verified.rows() != outcome.rows())) {
                anchor.write(new AuditAnchor.Head(outcome.rows(), outcome.lastHash()));
            }
            if (outcome.intact()) {
                verified = new AuditAnchor.Head(outcome.rows(), outcome.lastHash());
            }
        } catch (IOException e) {
            outcome = new Status(Instant.now(), false, 0, null, null, e.getMessage());
        }
        if (!outcome.intact() && (status.intact() || !outcome.problem().equals(status.problem()))) {
            Log.errorf("access audit BROKEN: %s (verify-audit names the first broken row; docs/reliability.md)", outcome.problem());
        } else if (outcome.intact() && !status.intact()) {
            Log.infof("access audit whole again: %d rows", outcome.rows());
        }
        status = outcome;
        return outcome;
    }

    private Status verify() throws IOException {
        List<AuditAnchor.Head> heads = new ArrayList<>();
        // The first check of a process reads the whole chain; later ones start where it left off.
        heads.add(verified == null ? new AuditAnchor.Head(0, AuditChain.GENESIS) : verified);
        Optional<AuditAnchor.Head> anchored = anchor.read();
        anchored.filter(head -> !head.equals(verified)).ifPresent(heads::add);
        AuditVerifier.Result result = null;
        for (AuditAnchor.Head head : heads) {
            result = verifier.verifyAfter(head);
            if (!result.intact()) {
                break;
            }
        }
        return new Status(Instant.now(), result.intact(), result.rows(), result.lastHash(), result.firstBrokenId(), result.problem());
    }
}
