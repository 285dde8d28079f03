package org.ehrarchive.audit;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * Checks the whole access audit: ids consecutive from 1, each row's previous hash equal to the hash of the row
 * before it, and each row's hash equal to the hash of its fields. Reports the first row where any check fails.
 * <p>
 * What it cannot see on its own: removal of the newest rows leaves a shorter chain that is still whole. The head kept
 * outside the database ({@link AuditAnchor}) closes that: {@link #verifyAfter} checks that it is still there.
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
        return verifyAfter(new AuditAnchor.Head(0, AuditChain.GENESIS));
    }

    /**
     * Checks that {@code head} is still in the audit, as it was, and the chain from it to the newest row. A head that
     * is gone or changed means rows were removed from the end or altered: what a chain cannot show by itself.
     */
    public Result verifyAfter(AuditAnchor.Head head) {
        if (head.rows() > 0) {
            AuditRecord anchored = QuarkusTransaction.requiringNew().call(() -> AuditRecord.<AuditRecord>findById(head.rows()));
            if (anchored == null) {
                AuditRecord newest = QuarkusTransaction.requiringNew().call(() -> AuditRecord.<AuditRecord>find("order by id desc")
                        .firstResult());
                long rows = newest == null ? 0 : newest.id;
                return broken(rows, newest == null ? AuditChain.GENESIS : newest.hash, rows + 1, "row " + head.rows()
                        + ", the newest row when the chain was last anchored, is missing (the audit now ends at row " + rows
                        + "): rows were removed from its end");
            }
            if (!anchored.hash.equals(head.hash())) {
                return broken(head.rows() - 1, anchored.previousHash, head.rows(),
                        "row " + head.rows() + " no longer has the hash it had when the chain was anchored: it was changed");
            }
        }
        long expectedId = head.rows() + 1;
        String previousHash = head.hash();
        long afterId = head.rows();
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
