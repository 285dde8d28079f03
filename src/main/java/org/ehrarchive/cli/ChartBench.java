package org.ehrarchive.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.ehrarchive.bench.CcdaGenerator;
import org.ehrarchive.ingest.IngestProgress;
import org.ehrarchive.ingest.IngestService;
import org.ehrarchive.record.ChartService;
import org.ehrarchive.record.EntryKind;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.persistence.EntityManager;

/**
 * {@code bench --workload chart}: how long a heavy patient's chart takes to read. It ingests a generated heavy patient
 * (one MRN over {@code documents} C-CDA documents) and, when given, a real export folder, of which it takes the
 * patient with the most entries; then, for each of the two patients, it times {@link ChartService#chart(long)} alone
 * and with the JSON serialization {@code GET /api/patients/{id}} does (the application's {@link ObjectMapper}), over
 * {@code runs} runs after a warm-up, and prints p50, p95 and max in ms with the chart's size and the SQL statements
 * one chart issues.
 */
final class ChartBench {

    private final IngestService ingest;
    private final ChartService charts;
    private final ObjectMapper json;
    private final EntityManager entityManager;
    private final SessionFactory sessions;

    ChartBench(IngestService ingest, ChartService charts, ObjectMapper json, EntityManager entityManager, SessionFactory sessions) {
        this.ingest = ingest;
        this.charts = charts;
        this.json = json;
        this.entityManager = entityManager;
        this.sessions = sessions;
    }

    void run(Path workload, int documents, int entriesPerSection, long seed, Path corpus, int runs) throws IOException {
        Path generated = workload.resolve("heavy-patient");
        new CcdaGenerator(seed, entriesPerSection, "HEAVY-" + seed).writePatientHistories(generated, 1, documents);
        System.out.printf("workload: one generated patient of %d C-CDA documents, %d entries per section, seed %d%n", documents,
                entriesPerSection, seed);
        long start = System.nanoTime();
        ingest.ingest(generated, "bench generated heavy patient", IngestProgress.NONE);
        System.out.printf("ingested in %.1f s%n", (System.nanoTime() - start) / 1e9);
        String mrn = "HEAVY-" + seed + "-0";
        long heavy = QuarkusTransaction.requiringNew().call(() -> entityManager.createQuery(
                "select min(i.patientId) from PatientIdentifier i where i.value = :value", Long.class).setParameter("value", mrn)
                .getSingleResult());
        measure("generated heavy patient", heavy, runs);
        if (corpus != null) {
            start = System.nanoTime();
            ingest.ingest(corpus, "bench corpus", IngestProgress.NONE);
            System.out.printf("workload: %s, ingested in %.1f s%n", corpus.toAbsolutePath(), (System.nanoTime() - start) / 1e9);
            long heaviest = QuarkusTransaction.requiringNew().call(() -> entityManager.createQuery(
                    "select e.patientId from ClinicalEntry e where e.patientId <> :heavy group by e.patientId order by count(e) desc, e.patientId",
                    Long.class).setParameter("heavy", heavy).setMaxResults(1).getSingleResult());
            measure("heaviest corpus patient", heaviest, runs);
        }
    }

    private void measure(String name, long patientId, int runs) throws IOException {
        ChartService.Chart chart = charts.chart(patientId).orElseThrow();
        long statements = statementsOfOneChart(patientId);
        int shown = chart.encounters().size() + chart.entries().values().stream().mapToInt(List::size).sum();
        int earlier = chart.encounters().stream().mapToInt(e -> e.earlierVersions().size()).sum()
                + chart.entries().values().stream().flatMap(List::stream).mapToInt(e -> e.earlierVersions().size()).sum();
        int results = chart.entries().getOrDefault(EntryKind.RESULT, List.of()).size();
        byte[] body = json.writeValueAsBytes(chart);
        System.out.printf("%s (patient %d): %d entries shown (%d results, %d encounters, %d earlier versions), %d documents,"
                + " %d demographics, %d identifiers; JSON %.1f MB; %s SQL statements per chart%n", name, patientId, shown, results,
                chart.encounters().size(), earlier, chart.documents().size(), chart.demographics().size(), chart.identifiers().size(),
                body.length / 1e6, statements < 0 ? "?" : Long.toString(statements));
        int warmup = Math.max(20, runs / 4);
        long[] chartNanos = new long[runs];
        long[] withJsonNanos = new long[runs];
        long[] outlineNanos = new long[runs];
        long[] firstPagesNanos = new long[runs];
        for (int i = -warmup; i < runs; i++) {
            long start = System.nanoTime();
            ChartService.Chart read = charts.chart(patientId).orElseThrow();
            long read1 = System.nanoTime();
            byte[] written = json.writeValueAsBytes(read);
            long end = System.nanoTime();
            if (written.length == 0) {
                throw new IllegalStateException("empty chart JSON");
            }
            long outlineStart = System.nanoTime();
            charts.outline(patientId).orElseThrow();
            long pagesStart = System.nanoTime();
            json.writeValueAsBytes(charts.firstPages(patientId, 100).orElseThrow());
            long pagesEnd = System.nanoTime();
            if (i >= 0) {
                chartNanos[i] = read1 - start;
                withJsonNanos[i] = end - start;
                outlineNanos[i] = pagesStart - outlineStart;
                firstPagesNanos[i] = pagesEnd - pagesStart;
            }
        }
        print("  chart()", chartNanos);
        print("  chart() + JSON", withJsonNanos);
        print("  outline()", outlineNanos);
        print("  firstPages + JSON", firstPagesNanos);
    }

    private static void print(String what, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.printf("%-18s %4d runs  p50 %7.1f ms  p95 %7.1f ms  max %7.1f ms%n", what, sorted.length, percentile(sorted, 50) / 1e6,
                percentile(sorted, 95) / 1e6, sorted[sorted.length - 1] / 1e6);
    }

    private static long percentile(long[] sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    /** The JDBC statements Hibernate prepared for one chart, or -1 when its statistics cannot be turned on. */
    private long statementsOfOneChart(long patientId) {
        Statistics statistics = sessions.getStatistics();
        boolean was = statistics.isStatisticsEnabled();
        try {
            statistics.setStatisticsEnabled(true);
            statistics.clear();
            charts.chart(patientId);
            return statistics.getPrepareStatementCount();
        } catch (RuntimeException e) {
            return -1;
        } finally {
            statistics.setStatisticsEnabled(was);
        }
    }
}
