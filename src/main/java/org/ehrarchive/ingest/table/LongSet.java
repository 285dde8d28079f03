package org.ehrarchive.ingest.table;

/**
 * A set of 64-bit key hashes, open addressing in one {@code long[]}: 8 to 16 bytes a key where a {@code HashSet<Long>}
 * takes about 60, so that a dump's ten million encounter ids take some 160 MB, not 600. Zero is kept apart (it marks an
 * empty slot).
 */
final class LongSet {

    private long[] slots = new long[1 << 10];
    private int size;
    private boolean hasZero;

    void add(long value) {
        if (value == 0) {
            hasZero = true;
            return;
        }
        if ((size + 1) * 2 > slots.length) {
            grow();
        }
        if (insert(slots, value)) {
            size++;
        }
    }

    boolean contains(long value) {
        if (value == 0) {
            return hasZero;
        }
        int mask = slots.length - 1;
        for (int i = index(value, mask); ; i = (i + 1) & mask) {
            long slot = slots[i];
            if (slot == value) {
                return true;
            }
            if (slot == 0) {
                return false;
            }
        }
    }

    private static boolean insert(long[] table, long value) {
        int mask = table.length - 1;
        for (int i = index(value, mask); ; i = (i + 1) & mask) {
            if (table[i] == value) {
                return false;
            }
            if (table[i] == 0) {
                table[i] = value;
                return true;
            }
        }
    }

    private void grow() {
        long[] larger = new long[slots.length * 2];
        for (long value : slots) {
            if (value != 0) {
                insert(larger, value);
            }
        }
        slots = larger;
    }

    private static int index(long value, int mask) {
        long mixed = value * 0x9E3779B97F4A7C15L; // spreads FNV hashes whose low bits are alike
        return (int) (mixed >>> 40) & mask;
    }
}
