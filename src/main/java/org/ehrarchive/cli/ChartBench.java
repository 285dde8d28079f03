package org.ehrarchive.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.ehrarchive.bench.CcdaGenerator;
import org.ehrarchive.indexing.SearchIndexer;
import org.ehrarchive.ingest.IngestProgress;
import org.ehrarchive.ingest.IngestService;
import org.ehrarchive.record.ChartService;
import org.ehrarchive.record.EntryKind;
import org.ehrarchive.security.ArchiveUser;
import org.ehrarchive.security.Roles;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.persistence.EntityManager;

/**
 * {@code bench --workload chart}: how long a heavy patient's chart takes to read. It ingests a generated heavy patient
 * (one MRN over {@code documents} C-CDA documents) and, when given, a real export folder, of which it takes the
 * patient with the most entries; then, for each of the two patients, it times the whole chart read
 * ({@link ChartService#chart(long)}, alone and serialized as JSON), and the chart's pages and API answers through the
 * archive's own HTTP server on loopback, signed in as a clinician: {@code runs} runs after a warm-up, printed as p50,
 * p95 and max in ms, with the chart's size and the SQL statements one whole read issues.
 */
final class ChartBench {

    private final IngestService ingest;
    private final ChartService charts;
    private final ObjectMapper json;
    private final EntityManager entityManager;
    private final SessionFactory sessions;

    /** What is timed through HTTP, by the path after the patient's id. */
    private static final List<String> PAGES = List.of("/patients/{id}", "/patients/{id}/trends", "/patients/{id}/sections/result",
            "/patients/{id}/facts/{entry}", "/api/patients/{id}", "/api/patients/{id}/entries?kind=RESULT&page=2");

    private ChartHttp http;
    private final SearchIndexer indexer;

    ChartBench(IngestService ingest, ChartService charts, ObjectMapper json, EntityManager entityManager, SessionFactory sessions,
            SearchIndexer indexer) {
        this.ingest = ingest;
        this.indexer = indexer;
        this.charts = charts;
        this.json = json;
        this.entityManager = entityManager;
        this.sessions = sessions;
    }

    void run(Path workload, int documents, int entriesPerSection, long seed, Path corpus, int runs) throws IOException {
        String password = java.util.UUID.randomUUID().toString();
        QuarkusTransaction.requiringNew().run(() -> ArchiveUser.create("bench-clinician", password, Roles.CLINICIAN));
        int port = org.eclipse.microprofile.config.ConfigProvider.getConfig().getValue("quarkus.http.port", Integer.class);
        http = ChartHttp.signIn(java.net.URI.create("http://127.0.0.1:" + port), "bench-clinician", password);
        Path generated = workload.resolve("heavy-patient");
        new CcdaGenerator(seed, entriesPerSection, "HEAVY-" + seed).writePatientHistories(generated, 1, documents);
        System.out.printf("workload: one generated patient of %d C-CDA documents, %d entries per section, seed %d%n", documents,
                entriesPerSection, seed);
        long start = System.nanoTime();
        ingestAndIndex(generated, "bench generated heavy patient");
        System.out.printf("ingested in %.1f s%n", (System.nanoTime() - start) / 1e9);
        String mrn = "HEAVY-" + seed + "-0";
        long heavy = QuarkusTransaction.requiringNew().call(() -> entityManager.createQuery(
                "select min(i.patientId) from PatientIdentifier i where i.value = :value", Long.class).setParameter("value", mrn)
                .getSingleResult());
        measure("generated heavy patient", heavy, runs);
        if (corpus != null) {
            start = System.nanoTime();
            ingestAndIndex(corpus, "bench corpus");
            System.out.printf("workload: %s, ingested in %.1f s%n", corpus.toAbsolutePath(), (System.nanoTime() - start) / 1e9);
            List<Long> heaviest = QuarkusTransaction.requiringNew().call(() -> entityManager.createQuery(
                    "select e.patientId from ClinicalEntry e where e.patientId <> :heavy group by e.patientId order by count(e) desc, e.patientId",
                    Long.class).setParameter("heavy", heavy).setMaxResults(1).getResultList());
            if (heaviest.isEmpty()) {
                System.out.printf("%s: no patient with entries was archived from it; nothing more to measure%n", corpus);
            } else {
                measure("heaviest corpus patient", heaviest.get(0), runs);
            }
        }
    }

    /**
     * Ingests and indexes what it ingested before anything is timed: the server's background indexing would otherwise
     * compete with the reads for the same cores, and could still be in a transaction when the bench ends.
     */
    private void ingestAndIndex(Path input, String sourceSystem) throws IOException {
        ingest.ingest(input, sourceSystem, IngestProgress.NONE);
        if (indexer.ownsIndex()) {
            indexer.drain(done -> { });
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
        for (int i = -warmup; i < runs; i++) {
            long start = System.nanoTime();
            ChartService.Chart read = charts.chart(patientId).orElseThrow();
            long read1 = System.nanoTime();
            byte[] written = json.writeValueAsBytes(read);
            long end = System.nanoTime();
            if (written.length == 0) {
                throw new IllegalStateException("empty chart JSON");
            }
            if (i >= 0) {
                chartNanos[i] = read1 - start;
                withJsonNanos[i] = end - start;
            }
        }
        print("  chart()", chartNanos);
        print("  chart() + JSON", withJsonNanos);
        // The fact page opens a result, else whatever entry the chart has.
        Optional<Long> fact = chart.entries().getOrDefault(EntryKind.RESULT, List.of()).stream().findFirst()
                .or(() -> chart.entries().values().stream().flatMap(List::stream).findFirst()).map(ChartService.EntryView::id);
        for (String page : PAGES) {
            if (page.contains("{entry}") && fact.isEmpty()) {
                continue;
            }
            String path = page.replace("{id}", Long.toString(patientId)).replace("{entry}", fact.map(Object::toString).orElse(""));
            long[] nanos = new long[runs];
            int size = 0;
            for (int i = -warmup; i < runs; i++) {
                long start = System.nanoTime();
                size = http.get(path).length;
                if (i >= 0) {
                    nanos[i] = System.nanoTime() - start;
                }
            }
            print("  GET " + page, nanos);
            System.out.printf("%-50s %.0f kB%n", "", size / 1e3);
        }
    }

    private static void print(String what, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.printf("%-50s %4d runs  p50 %7.1f ms  p95 %7.1f ms  max %7.1f ms%n", what, sorted.length, percentile(sorted, 50) / 1e6,
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
