package org.ehrarchive.cli;

import java.util.concurrent.Callable;

import jakarta.enterprise.context.Dependent;

import org.ehrarchive.audit.AuditChainWatch;

import io.quarkus.arc.Unremovable;
import picocli.CommandLine.Command;

/**
 * {@code verify-audit}: checks the hash chain of the access audit, and that the head anchored outside the database is
 * still in it (so that removing the newest rows shows), then anchors the new head. Exits 0 when it is intact, and
 * {@link ArchiveCommand.ExitCodes#CHECK_FAILED} naming the first broken link when a row was altered or removed.
 */
@Dependent
@Unremovable
@Command(mixinStandardHelpOptions = true, name = "verify-audit",
        description = "Verify the access audit's hash chain; exit 3 and name the first broken link if it was tampered with.")
public class VerifyAuditCommand implements Callable<Integer> {

    private final AuditChainWatch watch;

    public VerifyAuditCommand(AuditChainWatch watch) {
        this.watch = watch;
    }

    @Override
    public Integer call() {
        AuditChainWatch.Status result = watch.check();
        if (result.intact()) {
            System.out.printf("access audit intact: %d rows, newest hash %s%n", result.rows(), result.lastHash());
            System.out.printf("anchored in %s%n", watch.anchor().file());
            return ArchiveCommand.ExitCodes.OK;
        }
        if (result.firstBrokenId() == null) {
            System.out.printf("access audit NOT VERIFIED: %s%n", result.problem());
            return ArchiveCommand.ExitCodes.CHECK_FAILED;
        }
        System.out.printf("access audit BROKEN at row %d: %s%n", result.firstBrokenId(), result.problem());
        System.out.printf("rows 1 to %d are intact (hash %s)%n", result.rows(), result.lastHash());
        return ArchiveCommand.ExitCodes.CHECK_FAILED;
    }
}
