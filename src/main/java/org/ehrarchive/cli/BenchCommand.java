package org.ehrarchive.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import jakarta.enterprise.context.Dependent;

import org.ehrarchive.bench.CcdaGenerator;
import org.ehrarchive.blob.BlobStore;
import org.ehrarchive.ingest.ImportResult;
import org.ehrarchive.ingest.IngestProgress;
import org.ehrarchive.ingest.IngestReport;
import org.ehrarchive.ingest.IngestService;
import org.ehrarchive.ingest.QuarantineException;
import org.ehrarchive.ingest.SourceInput;
import org.ehrarchive.ingest.ccda.CcdaImporter;

import io.quarkus.arc.Unremovable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench}: the ingest benchmark. Generates synthetic C-CDA documents, then measures in one run
 * (1) the importer alone (parse and map, no storage) and (2) the whole ingest (blob store, parse, map, PostgreSQL),
 * and prints MB/s, entries/s, peak heap and their ratio with the machine it ran on. Run it on a throwaway archive:
 * without {@code ARCHIVE_DATA_DIR} the launcher gives it a temporary one. Results: {@code docs/benchmarks.md}.
 */
@Dependent
@Unremovable
@Command(mixinStandardHelpOptions = true, name = "bench", description = "Ingest benchmark over generated C-CDA documents (uses a throwaway archive by default).")
public class BenchCommand implements Callable<Integer> {

    @Option(names = "--documents", defaultValue = "300", description = "Documents to generate (default ${DEFAULT-VALUE}).")
    int documents;

    @Option(names = "--entries", defaultValue = "20", description = "Entries per section; 3 sections per document (default ${DEFAULT-VALUE}).")
    int entriesPerSection;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed of the generator (default ${DEFAULT-VALUE}).")
    long seed;

    private final IngestService ingest;
    private final CcdaImporter importer;

    public BenchCommand(IngestService ingest, CcdaImporter importer) {
        this.ingest = ingest;
        this.importer = importer;
    }

    @Override
    public Integer call() throws IOException, QuarantineException {
        try (TemporaryDirectory documentsFolder = TemporaryDirectory.create("archive-bench-")) {
            Path folder = documentsFolder.path();
            CcdaGenerator generator = new CcdaGenerator(seed, entriesPerSection);
            generator.writeDocuments(folder, documents);
            List<Path> files;
            try (Stream<Path> list = Files.list(folder)) {
                files = list.sorted().toList();
            }
            long bytes = 0;
            for (Path file : files) {
                bytes += Files.size(file);
            }
            printMachine();
            System.out.printf("workload: %d generated C-CDA documents, %d entries per section, %.1f MB, seed %d%n",
                    documents, entriesPerSection, bytes / 1e6, seed);

            parseOnly(files.subList(0, Math.min(50, files.size()))); // warm-up: JIT, parser pools
            resetPeakHeap();
            long start = System.nanoTime();
            long normalized = parseOnly(files);
            Phase parse = new Phase("importer only (parse + map)", System.nanoTime() - start, bytes,
                    (long) generator.shape().entryElementsPerDocument() * documents, normalized, peakHeap());

            resetPeakHeap();
            start = System.nanoTime();
            IngestReport report = ingest.ingest(folder, IngestProgress.NONE);
            Phase full = new Phase("full ingest (blob + parse + map + PostgreSQL)", System.nanoTime() - start, bytes,
                    report.totals().found(), normalized, peakHeap());
            if (report.totals().archivedFiles() != documents) {
                System.err.printf("bench: expected %d archived files, got %d (were they ingested before?)%n",
                        documents, report.totals().archivedFiles());
                return ArchiveCommand.ExitCodes.RUN_FAILED;
            }
            parse.print();
            full.print();
            System.out.printf("ratio: full ingest runs at %.2f of the importer-only throughput%n", parse.seconds() / full.seconds());
            return ArchiveCommand.ExitCodes.OK;
        }
    }

    private long parseOnly(List<Path> files) throws IOException, QuarantineException {
        long normalized = 0;
        for (Path file : files) {
            byte[] bytes = Files.readAllBytes(file);
            ImportResult result = importer.read(new SourceInput(file.getFileName().toString(), BlobStore.sha256Of(bytes), bytes));
            normalized += result.documents().get(0).entries().size();
        }
        return normalized;
    }

    private record Phase(String name, long nanos, long bytes, long entryElements, long normalizedEntries, long peakHeapBytes) {
        double seconds() {
            return nanos / 1e9;
        }

        void print() {
            System.out.printf("%-46s %7.2f s  %7.2f MB/s  %9.0f entries/s  %9.0f normalized entries/s  peak heap %5d MB%n",
                    name, seconds(), bytes / 1e6 / seconds(), entryElements / seconds(), normalizedEntries / seconds(),
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
        System.out.printf("machine: %s, %d cores, %s %s, Java %s, max heap %d MB%n", cpu, runtime.availableProcessors(),
                System.getProperty("os.name"), System.getProperty("os.arch"), System.getProperty("java.version"),
                runtime.maxMemory() / (1024 * 1024));
    }

    private static void resetPeakHeap() {
        System.gc();
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    private static long peakHeap() {
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                .mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    }
}
