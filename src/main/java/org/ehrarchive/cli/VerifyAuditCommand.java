package org.ehrarchive.cli;

import java.util.concurrent.Callable;

import jakarta.enterprise.context.Dependent;

import org.ehrarchive.audit.AuditVerifier;

import io.quarkus.arc.Unremovable;
import picocli.CommandLine.Command;

/**
 * {@code verify-audit}: checks the hash chain of the access audit. Exits 0 when it is intact, and
 * {@link ArchiveCommand.ExitCodes#AUDIT_BROKEN} naming the first broken link when a row was altered or removed.
 */
@Dependent
@Unremovable
@Command(mixinStandardHelpOptions = true, name = "verify-audit",
        description = "Verify the access audit's hash chain; exit 3 and name the first broken link if it was tampered with.")
public class VerifyAuditCommand implements Callable<Integer> {

    private final AuditVerifier verifier;

    public VerifyAuditCommand(AuditVerifier verifier) {
        this.verifier = verifier;
    }

    @Override
    public Integer call() {
        AuditVerifier.Result result = verifier.verify();
        if (result.intact()) {
            System.out.printf("access audit intact: %d rows, newest hash %s%n", result.rows(), result.lastHash());
            return ArchiveCommand.ExitCodes.OK;
        }
        System.out.printf("access audit BROKEN at row %d: %s%n", result.firstBrokenId(), result.problem());
        System.out.printf("rows 1 to %d are intact (hash %s)%n", result.rows(), result.lastHash());
        return ArchiveCommand.ExitCodes.AUDIT_BROKEN;
    }
}
