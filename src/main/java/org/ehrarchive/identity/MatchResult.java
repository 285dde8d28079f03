package org.ehrarchive.identity;

import java.util.List;

/**
 * The outcome of comparing two profiles.
 *
 * @param score a probability-like figure in [0, 1]: the logistic of the prior plus the summed field weights (see
 *        {@link MatchScorer} for the scale and {@link MatchScorer#DEFAULT_PROPOSE_AT} for the proposal default)
 * @param evidence one entry per field of {@link MatchScorer#FIELDS}, in that order, including the missing ones
 * @param conflictingIdentifier whether both sides carry a usable identifier under the same canonical system with
 *        different values: for a patient-unique system (an MRN, an SSN) very strong evidence of two different people,
 *        which a reviewer should see even when the demographics look alike
 */
public record MatchResult(double score, List<FieldEvidence> evidence, boolean conflictingIdentifier) {

    /** Keeps the evidence list unmodifiable. */
    public MatchResult {
        evidence = evidence == null ? List.of() : List.copyOf(evidence);
    }

    /** The evidence for one field, or {@code null} when there is none by that name. */
    public FieldEvidence field(String field) {
        for (FieldEvidence e : evidence) {
            if (e.field().equals(field)) {
                return e;
            }
        }
        return null;
    }
}
