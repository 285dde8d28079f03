package org.ehrarchive.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The suggested sizes against values worked out independently (exact binomial coefficients). */
class SampleSizeTest {

    @Test
    void anUnboundedPopulationTakesTheBinomialSize() {
        assertThat(SampleSize.unbounded(0.95, 0.05)).isEqualTo(59);
        assertThat(SampleSize.unbounded(0.90, 0.05)).isEqualTo(45);
        assertThat(SampleSize.unbounded(0.99, 0.05)).isEqualTo(90);
        assertThat(SampleSize.unbounded(0.95, 0.01)).isEqualTo(299);
        assertThat(SampleSize.unbounded(0.75, 0.5)).as("an exact boundary, ln 0.25 / ln 0.5 = 2").isEqualTo(2);
    }

    @Test
    void aSmallPopulationTakesTheHypergeometricSizeAndNeverMoreThanItHas() {
        assertThat(SampleSize.forPopulation(10, 0.95, 0.05)).as("one wrong record in ten: all ten").isEqualTo(10);
        assertThat(SampleSize.forPopulation(100, 0.95, 0.05)).isEqualTo(45);
        assertThat(SampleSize.forPopulation(1000, 0.95, 0.05)).isEqualTo(57);
        assertThat(SampleSize.forPopulation(50, 0.90, 0.10)).isEqualTo(18);
        assertThat(SampleSize.forPopulation(500, 0.99, 0.01)).isEqualTo(300);
        assertThat(SampleSize.forPopulation(20, 0.99, 0.05)).isEqualTo(20);
        assertThat(SampleSize.forPopulation(1, 0.95, 0.05)).isEqualTo(1);
        assertThat(SampleSize.forPopulation(0, 0.95, 0.05)).isZero();
    }

    @Test
    void aLargePopulationComesToTheBinomialSize() {
        assertThat(SampleSize.forPopulation(100_000, 0.95, 0.05)).isEqualTo(59);
        assertThat(SampleSize.forPopulation(10_000_000, 0.99, 0.01)).isEqualTo(SampleSize.unbounded(0.99, 0.01));
    }

    @Test
    void aConfidenceOrRateOutsideZeroAndOneIsRefusedWithWhatToGive() {
        assertThatThrownBy(() -> SampleSize.unbounded(95, 0.05)).hasMessageContaining("0.95 for 95 %");
        assertThatThrownBy(() -> SampleSize.forPopulation(10, 0.95, 0)).hasMessageContaining("0.05 for 5 %");
    }
}
