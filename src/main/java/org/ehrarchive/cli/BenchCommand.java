package org.ehrarchive.cli;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

import jakarta.enterprise.context.Dependent;

import org.ehrarchive.bench.CcdaGenerator;
import org.ehrarchive.bench.CorpusCopies;
import org.ehrarchive.blob.BlobStore;
import org.ehrarchive.ingest.ImportedRecord;
import org.ehrarchive.ingest.ImportedSection;
import org.ehrarchive.ingest.IngestProgress;
import org.ehrarchive.ingest.IngestReport;
import org.ehrarchive.ingest.IngestService;
import org.ehrarchive.ingest.QuarantineException;
import org.ehrarchive.ingest.RecordContent;
import org.ehrarchive.ingest.RecordSink;
import org.ehrarchive.ingest.RecordTypes;
import org.ehrarchive.ingest.SourceUnit;
import org.ehrarchive.ingest.ccda.CcdaImporter;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.GcInfo;

import io.quarkus.arc.Unremovable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench}: the ingest benchmark. Its workload is either generated C-CDA documents, or {@code --copies}
 * distinct copies of a real export folder ({@code --input}, patient identifiers rewritten per copy, so that nothing
 * is a duplicate). It measures in one run (1) the importer alone (parse and map, no storage) and (2) the whole
 * ingest (blob store, parse, map, PostgreSQL), and prints MB/s, records/s, patients/min and the live heap peak, excluding
 * start-up, with the machine and JVM it ran on. Run it on a throwaway archive: without {@code ARCHIVE_DATA_DIR}
 * the launcher gives it a temporary one. Results: {@code docs/benchmarks.md}.
 */
@Dependent
@Unremovable
@Command(mixinStandardHelpOptions = true, name = "bench",
        description = "Ingest benchmark over generated C-CDA documents or copies of a real folder (uses a throwaway archive by default).")
public class BenchCommand implements Callable<Integer> {

    @Option(names = "--input", paramLabel = "FOLDER", description = "A real export folder to copy as the workload, instead of generated documents.")
    Path input;

    @Option(names = "--copies", defaultValue = "1", description = "With --input: distinct copies of the folder to ingest (default ${DEFAULT-VALUE}).")
    int copies;

    @Option(names = "--documents", defaultValue = "300", description = "Generated workload: documents (default ${DEFAULT-VALUE}).")
    int documents;

    @Option(names = "--entries", defaultValue = "20", description = "Generated workload: entries per section; 3 sections per document (default ${DEFAULT-VALUE}).")
    int entriesPerSection;

    @Option(names = "--seed", defaultValue = "1", description = "Generated workload: random seed (default ${DEFAULT-VALUE}).")
    long seed;

    private final IngestService ingest;
    private final CcdaImporter importer;

    public BenchCommand(IngestService ingest, CcdaImporter importer) {
        this.ingest = ingest;
        this.importer = importer;
    }

    @Override
    public Integer call() throws IOException {
        if (input != null && !Files.isDirectory(input)) {
            System.err.println("bench: --input must be a folder: " + input);
            return ArchiveCommand.ExitCodes.USAGE;
        }
        if (copies < 1 || documents < 1 || entriesPerSection < 1) {
            System.err.println("bench: --copies, --documents and --entries must be at least 1");
            return ArchiveCommand.ExitCodes.USAGE;
        }
        try (TemporaryDirectory workload = TemporaryDirectory.create("archive-bench-")) {
            Path folder = workload.path();
            printMachine();
            if (input != null) {
                CorpusCopies.Copied copied = CorpusCopies.write(input, folder, copies);
                System.out.printf("workload: %d copies of %s, %d files, %.1f MB%n", copies, input.toAbsolutePath(), copied.files(),
                        copied.bytes() / 1e6);
            } else {
                new CcdaGenerator(seed, entriesPerSection).writeDocuments(folder, documents);
                System.out.printf("workload: %d generated C-CDA documents, %d entries per section, seed %d%n", documents,
                        entriesPerSection, seed);
            }
            List<Path> files;
            try (Stream<Path> walk = Files.walk(folder)) {
                files = walk.filter(Files::isRegularFile).sorted().toList();
            }
            long bytes = 0;
            for (Path file : files) {
                bytes += Files.size(file);
            }

            parseOnly(files.subList(0, Math.min(50, files.size()))); // warm-up: JIT, parser pools
            Phase parse;
            try (LiveHeap heap = new LiveHeap()) {
                long start = System.nanoTime();
                Counted parsed = parseOnly(files);
                parse = new Phase("importer only (parse + map)", System.nanoTime() - start, bytes, parsed.records(), parsed.documents(),
                        heap.peak());
            }
            Phase full;
            IngestService.BatchSummary report;
            try (LiveHeap heap = new LiveHeap()) {
                long start = System.nanoTime();
                report = ingest.ingest(folder, IngestProgress.NONE);
                long nanos = System.nanoTime() - start;
                IngestReport.Counts documentsStored = report.totals().records().getOrDefault(RecordTypes.DOCUMENT, IngestReport.Counts.NONE);
                full = new Phase("full ingest (blob + parse + map + PostgreSQL)", nanos, bytes, report.totals().found(),
                        documentsStored.archived(), heap.peak());
            }
            parse.print();
            full.print();
            System.out.printf("ingest: %d files (%d archived, %d duplicate, %d quarantined); records %d found, %d archived, %d duplicates%n",
                    report.totals().files(), report.totals().archivedFiles(), report.totals().duplicateFiles(),
                    report.totals().quarantinedFiles(), report.totals().found(), report.totals().archived(), report.totals().duplicates());
            System.out.printf("ratio: full ingest runs at %.2f of the importer-only throughput%n", parse.seconds() / full.seconds());
            if (report.totals().duplicateFiles() > 0 && input == null) {
                System.err.printf("bench: %d generated files were duplicates (were they ingested before?)%n", report.totals().duplicateFiles());
                return ArchiveCommand.ExitCodes.RUN_FAILED;
            }
            return ArchiveCommand.ExitCodes.OK;
        }
    }

    private record Counted(long records, long documents) {
    }

    /** The importer alone: every record handed to a sink that only counts; embedded files are hashed, not kept. */
    private Counted parseOnly(List<Path> files) throws IOException {
        long[] counts = new long[2];
        RecordSink counting = new RecordSink() {
            @Override
            public void record(ImportedRecord record) {
                counts[0]++;
                if (record.content() instanceof RecordContent.DocumentContent) {
                    counts[1]++;
                }
            }

            @Override
            public void record(SourceUnit.File from, ImportedRecord record) {
                record(record);
            }

            @Override
            public void section(ImportedRecord document, ImportedSection section) {
            }

            @Override
            public void warning(String warning) {
            }
        };
        for (Path file : files) {
            try {
                importer.read(new LocalFile(file), counting);
            } catch (QuarantineException e) {
                // counted by the full ingest; the importer's work up to the refusal is part of this phase
            }
        }
        return new Counted(counts[0], counts[1]);
    }

    /** A file read where it lies, for the importer-only phase: nothing goes to the blob store. */
    private static final class LocalFile implements SourceUnit {
        private final Path path;
        private final List<File> files;

        LocalFile(Path path) throws IOException {
            this.path = path;
            this.files = List.of(new File(path.getFileName().toString(), "0".repeat(64), Files.size(path)));
        }

        @Override
        public List<File> files() {
            return files;
        }

        @Override
        public InputStream open(File file) throws IOException {
            return new java.io.BufferedInputStream(Files.newInputStream(path), 1 << 16);
        }

        @Override
        public BlobOutput newBlob(long maxBytes) {
            java.security.MessageDigest digest;
            try {
                digest = java.security.MessageDigest.getInstance("SHA-256");
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            java.io.ByteArrayOutputStream kept = new java.io.ByteArrayOutputStream();
            return new BlobOutput() {
                @Override
                public void write(int b) {
                    digest.update((byte) b);
                    kept.write(b);
                }

                @Override
                public void write(byte[] bytes, int offset, int length) {
                    digest.update(bytes, offset, length);
                    kept.write(bytes, offset, length);
                }

                @Override
                public StoredBlob store() {
                    return new StoredBlob(java.util.HexFormat.of().formatHex(digest.digest()), kept.size());
                }

                @Override
                public void discard() {
                }

                @Override
                public InputStream readBack() {
                    return new java.io.ByteArrayInputStream(kept.toByteArray());
                }
            };
        }

        @Override
        public Optional<StoredBlob> storeReferenced(File from, String reference) {
            return Optional.empty();
        }

        @Override
        public long maxEmbeddedBytes() {
            return 1L << 30;
        }
    }

    private record Phase(String name, long nanos, long bytes, long records, long documents, long peakHeapBytes) {
        double seconds() {
            return nanos / 1e9;
        }

        void print() {
            System.out.printf("%-46s %7.2f s  %7.2f MB/s  %9.0f records/s  %9.0f patients/min  live heap peak %5d MB%n",
                    name, seconds(), bytes / 1e6 / seconds(), records / seconds(), documents / seconds() * 60,
                    peakHeapBytes / (1024 * 1024));
        }
    }

    private static void printMachine() {
        Runtime runtime = Runtime.getRuntime();
        String cpu = "unknown CPU";
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            cpu = lines.filter(l -> l.startsWith("model name")).findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(cpu);
        } catch (IOException | RuntimeException e) {
            // not Linux: the JVM's view below still names the machine
        }
        System.out.printf("machine: %s, %d cores, %s %s; JVM %s %s, max heap %d MB%n", cpu, runtime.availableProcessors(),
                System.getProperty("os.name"), System.getProperty("os.arch"), System.getProperty("java.vm.name"),
                System.getProperty("java.version"), runtime.maxMemory() / (1024 * 1024));
    }

    /**
     * The most the heap held after a collection during a phase: the live data the phase needed, which is what a heap
     * limit has to fit. (Each memory pool's own peak is reached at a different moment; their sum overstated the
     * figure, past the limit itself.)
     */
    private static final class LiveHeap implements NotificationListener, AutoCloseable {
        private final Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
        private final List<NotificationEmitter> collectors = new ArrayList<>();
        private final AtomicLong peak = new AtomicLong();

        LiveHeap() {
            System.gc(); // the phase before leaves nothing behind
            for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
                if (collector instanceof NotificationEmitter emitter) {
                    emitter.addNotificationListener(this, null, null);
                    collectors.add(emitter);
                }
            }
        }

        @Override
        public void handleNotification(Notification notification, Object handback) {
            if (notification.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
                GcInfo info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData()).getGcInfo();
                long used = info.getMemoryUsageAfterGc().entrySet().stream().filter(e -> heapPools.contains(e.getKey()))
                        .mapToLong(e -> e.getValue().getUsed()).sum();
                peak.accumulateAndGet(used, Math::max);
            }
        }

        /** The peak after a collection; with no collection in the phase, what the heap holds now (an upper bound). */
        long peak() {
            long now = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            return peak.get() > 0 ? peak.get() : now;
        }

        @Override
        public void close() {
            for (NotificationEmitter emitter : collectors) {
                try {
                    emitter.removeNotificationListener(this);
                } catch (ListenerNotFoundException e) {
                    // never added: nothing to remove
                }
            }
        }
    }
}
