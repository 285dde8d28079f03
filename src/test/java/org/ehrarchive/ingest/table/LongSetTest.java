package org.ehrarchive.ingest.table;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** The joined keys' set answers as a HashSet of the same hashes does, zero and growth included. */
class LongSetTest {

    @Test
    void holdsWhatWasAddedAndNothingElseThroughManyGrowths() {
        LongSet set = new LongSet();
        Set<Long> expected = new HashSet<>();
        Random random = new Random(5);
        for (int i = 0; i < 300_000; i++) {
            long value = i % 1000 == 0 ? TableReading.keyHash("encounter-" + i) : random.nextLong();
            set.add(value);
            expected.add(value);
        }
        set.add(0);
        expected.add(0L);
        for (long value : expected) {
            assertThat(set.contains(value)).as("added %d", value).isTrue();
        }
        Random others = new Random(6);
        for (int i = 0; i < 100_000; i++) {
            long value = others.nextLong();
            assertThat(set.contains(value)).isEqualTo(expected.contains(value));
        }
        assertThat(new LongSet().contains(0)).isFalse();
    }
}
