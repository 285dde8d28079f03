package org.ehrarchive.audit;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * Checks the whole access audit: ids consecutive from 1, each row's previous hash equal to the hash of the row
 * before it, and each row's hash equal to the hash of its fields. Reports the first row where any check fails.
 * <p>
 * What it cannot see on its own: removal of the newest rows leaves a shorter chain that is still whole. Compare
 * {@link Result#rows()} and {@link Result#lastHash()} with a value kept elsewhere (a report, a SIEM) to close that.
 */
@ApplicationScoped
public class AuditVerifier {

    private static final int PAGE = 1000;

    /** The outcome: rows checked, the newest hash, and the first broken link if there is one. */
    public record Result(long rows, String lastHash, Long firstBrokenId, String problem) {
        public boolean intact() {
            return firstBrokenId == null;
        }
    }

    public Result verify() {
        long expectedId = 1;
        String previousHash = AuditChain.GENESIS;
        long afterId = 0;
        while (true) {
            long from = afterId;
            List<AuditRecord> page = QuarkusTransaction.requiringNew().call(() -> AuditRecord.<AuditRecord>find("id > ?1 order by id", from)
                    .page(0, PAGE).list());
            if (page.isEmpty()) {
                return new Result(expectedId - 1, previousHash, null, null);
            }
            for (AuditRecord row : page) {
                if (row.id != expectedId) {
                    return broken(expectedId - 1, previousHash, expectedId,
                            "row " + expectedId + " is missing (the next row is " + row.id + "): a row was removed");
                }
                if (!previousHash.equals(row.previousHash)) {
                    return broken(expectedId - 1, previousHash, row.id,
                            "row " + row.id + " does not link to the row before it: a row before it was changed, removed or inserted");
                }
                if (!AuditChain.hashOf(row).equals(row.hash)) {
                    return broken(expectedId - 1, previousHash, row.id, "row " + row.id + " was changed after it was written");
                }
                previousHash = row.hash;
                expectedId++;
                afterId = row.id;
            }
        }
    }

    private static Result broken(long rowsChecked, String lastGoodHash, long id, String problem) {
        return new Result(rowsChecked, lastGoodHash, id, problem);
    }
}
