package org.ehrarchive.identity;

/**
 * What one field contributed to a match score, in terms an administrator reviewing a proposed link can check: the two
 * values compared (the best pair over all the values of each side), whether they agree, the log-likelihood weight
 * that added to the score, and why in words.
 *
 * @param field the field compared, one of {@link MatchScorer#FIELDS}
 * @param left the left profile's value as shown to an administrator ({@code "Jamison"}, {@code "1973-03-30"}), or
 *        {@code null} when that side has none
 * @param right the right profile's value, likewise
 * @param verdict how the two compare
 * @param weight the natural-log likelihood ratio this field added: positive when it speaks for one person, negative
 *        when it speaks for two, 0 when it is missing or deliberately not weighed
 * @param note why, in words ({@code "nickname: Bill/William"}, {@code "day and month swapped"})
 */
public record FieldEvidence(String field, String left, String right, Verdict verdict, double weight, String note) {

    /** How the two values of one field compare. */
    public enum Verdict {
        /** The values are the same (after normalisation). */
        AGREE,
        /** The values differ in a way the same person's records often do: a typo, a nickname, a swapped date. */
        PARTIAL,
        /** The values differ in a way that speaks for two different people. */
        DISAGREE,
        /** One side or both have no usable value, so the field says nothing. */
        MISSING
    }
}
