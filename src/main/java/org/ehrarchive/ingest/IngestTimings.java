package org.ehrarchive.ingest;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where one batch's time went, by step (hashing, lookups, staging blobs, the import, each table's COPY,
 * commits, waits), logged when the batch ends: the profile of docs/benchmarks.md, for any run. Times only, never data.
 */
final class IngestTimings {

    private final Map<String, LongAdder> nanos = new ConcurrentHashMap<>();

    /** Adds the time since {@code startedNanos} to a step, and returns now (for the next step). */
    long add(String step, long startedNanos) {
        long now = System.nanoTime();
        nanos.computeIfAbsent(step, s -> new LongAdder()).add(now - startedNanos);
        return now;
    }

    /** "step 1.23 s, step 0.45 s, ...", the largest first. */
    String summary() {
        Map<String, Long> sorted = new TreeMap<>();
        nanos.forEach((step, total) -> sorted.put(step, total.sum()));
        StringBuilder out = new StringBuilder();
        sorted.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).forEach(e -> {
            if (out.length() > 0) {
                out.append(", ");
            }
            out.append(e.getKey()).append(' ').append(String.format("%.2f s", e.getValue() / 1e9));
        });
        return out.toString();
    }
}
