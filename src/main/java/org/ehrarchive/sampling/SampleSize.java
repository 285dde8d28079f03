package org.ehrarchive.sampling;

/**
 * The suggested size of a zero-failure acceptance sample: the smallest n such that, were the true error rate of a
 * record type as high as the tolerable rate, a random sample of n records would show no wrong record with a
 * probability of at most 1 − confidence. A sample of that size in which the reviewers find no error therefore
 * supports, at that confidence, that the error rate is below the tolerable one.
 * <p>
 * For a known population of N records the count of wrong records is taken as D = ⌈rate · N⌉ and the sample is drawn
 * without replacement (hypergeometric): P(no error in n) = C(N−D, n) / C(N, n). For an unbounded population it is the
 * binomial n = ⌈ln(1 − C) / ln(1 − p)⌉ (95 % and 5 % give 59). Never more than N.
 */
public final class SampleSize {

    /** Slack for floating-point error at exact boundaries (for instance ln 0.25 / ln 0.5, which is 2 exactly). */
    private static final double EPSILON = 1e-9;

    private SampleSize() {
    }

    /** The size for an unbounded population (binomial). */
    public static int unbounded(double confidence, double tolerableError) {
        check(confidence, tolerableError);
        double n = Math.log(1 - confidence) / Math.log(1 - tolerableError);
        return (int) Math.min(Integer.MAX_VALUE, Math.ceil(n - EPSILON));
    }

    /** The size for a population of {@code population} records (hypergeometric), never more than the population. */
    public static int forPopulation(long population, double confidence, double tolerableError) {
        check(confidence, tolerableError);
        if (population < 0) {
            throw new IllegalArgumentException("a population cannot be negative");
        }
        if (population == 0) {
            return 0;
        }
        long defects = (long) Math.ceil(tolerableError * population - EPSILON);
        double alpha = 1 - confidence;
        double noError = 1;
        int bound = unbounded(confidence, tolerableError); // without replacement never needs more than with
        for (int n = 1; n <= population; n++) {
            noError *= (double) (population - defects - (n - 1)) / (population - (n - 1));
            if (noError <= alpha + EPSILON || n >= bound) {
                return n;
            }
        }
        return (int) population;
    }

    private static void check(double confidence, double tolerableError) {
        if (!(confidence > 0 && confidence < 1)) {
            throw new IllegalArgumentException("the confidence is a fraction between 0 and 1 (0.95 for 95 %)");
        }
        if (!(tolerableError > 0 && tolerableError < 1)) {
            throw new IllegalArgumentException("the tolerable error rate is a fraction between 0 and 1 (0.05 for 5 %)");
        }
    }
}
