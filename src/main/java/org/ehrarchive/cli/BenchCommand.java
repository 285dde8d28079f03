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
import java.util.Map;
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
import jakarta.enterprise.inject.Instance;

import org.ehrarchive.bench.CcdaGenerator;
import org.ehrarchive.bench.CorpusCopies;
import org.ehrarchive.bench.CsvGenerator;
import org.ehrarchive.bench.FhirGenerator;
import org.ehrarchive.bench.Hl7v2Generator;
import org.ehrarchive.blob.BlobStore;
import org.ehrarchive.ingest.ImportedRecord;
import org.ehrarchive.ingest.ImportedSection;
import org.ehrarchive.ingest.Importer;
import org.ehrarchive.ingest.IngestProgress;
import org.ehrarchive.ingest.IngestReport;
import org.ehrarchive.indexing.SearchIndexer;
import org.ehrarchive.ingest.IngestService;
import org.ehrarchive.ingest.SourceSystems;
import org.ehrarchive.ingest.table.MappingProfile;
import org.ehrarchive.ingest.table.MappingProfiles;
import org.ehrarchive.ingest.table.TableDumpImporter;
import org.ehrarchive.ingest.QuarantineException;
import org.ehrarchive.ingest.RecordSink;
import org.ehrarchive.ingest.RecordTypes;
import org.ehrarchive.ingest.SourceSniff;
import org.ehrarchive.ingest.SourceUnit;
import org.ehrarchive.record.ChartService;
import org.hibernate.SessionFactory;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.persistence.EntityManager;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.GcInfo;

import io.quarkus.arc.Unremovable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * {@code bench}: the ingest benchmark. Its workload is either generated (C-CDA documents, with {@code --format
 * hl7v2} HL7 v2 message archives, with {@code --format fhir} a FHIR bulk export, with {@code --format csv} a Synthea-layout table
 * dump read through synthea-csv), or {@code --copies} distinct copies of a real export folder ({@code --input}, with {@code --profile}
 * for a table dump,
 * patient identifiers rewritten per copy, so that nothing is a duplicate). It measures in one run (1) the importer
 * alone (parse and map, no storage; each file read by the importer the ingest would choose for it) and (2) the
 * whole ingest (blob store, parse, map, PostgreSQL), and prints MB/s, records/s, patients/min (messages/s for HL7
 * v2) and the live heap peak, excluding start-up, with the machine and JVM it ran on. Run it on a throwaway archive:
 * without {@code ARCHIVE_DATA_DIR} the launcher gives it a temporary one. With {@code --workload chart} it measures
 * instead how long a heavy patient's chart takes to read ({@link ChartBench}). Results: {@code docs/benchmarks.md}.
 */
@Dependent
@Unremovable
@Command(mixinStandardHelpOptions = true, name = "bench",
        description = "Ingest benchmark over generated C-CDA documents, HL7 v2 message archives, FHIR bulk exports or CSV table dumps, or copies of a real folder"
                + " (uses a throwaway archive by default).")
public class BenchCommand implements Callable<Integer> {

    /** The formats of a generated workload (lower case: the values are typed as they are). */
    enum Format {
        ccda, hl7v2, fhir, csv
    }

    /**
     * What is measured: the ingest, reading a heavy patient's chart ({@link ChartBench}), matching identities
     * ({@link IdentityBench}), the audit review's reports over a large log ({@link AuditBench}).
     */
    enum Workload {
        ingest, chart, identity, audit
    }

    /** The options that describe a generated workload, which {@code --input} replaces. */
    private static final List<String> GENERATED_OPTIONS = List.of("--format", "--documents", "--entries", "--messages",
            "--messages-per-file", "--patients", "--size-mb", "--seed");
    /** The importers' {@link Importer#format()} whose records are messages. */
    private static final String HL7V2 = "hl7v2";
    /** The record type of a FHIR patient: one per patient, as a C-CDA document is. */
    private static final String FHIR_PATIENT = "Patient";

    @Option(names = "--workload", paramLabel = "WORKLOAD", defaultValue = "ingest",
            description = "What to measure: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}). chart: a generated heavy patient"
                    + " (--documents documents of one patient, default 200, --entries per section, default 10) and the patient with"
                    + " the most entries of --input (default ../shared/corpus/synthea-dev/fhir when it exists): for each, the whole chart read"
                    + " and every chart page and API answer through HTTP on loopback (a port of its own), each --runs times. identity: a new source"
                    + " matched against --patients archived ones. audit: the audit review's reports over --events appended audit events.")
    Workload workload;

    @Option(names = "--arriving", defaultValue = "1000", description = "--workload identity: patients of the new source matched against"
            + " the archive's --patients (default 100,000 there) (default ${DEFAULT-VALUE}).")
    int arriving;

    @Option(names = "--runs", defaultValue = "200", description = "--workload chart: timed reads of each page per patient, after a warm-up"
            + " (default ${DEFAULT-VALUE}); --workload audit: timed runs of each report (default 20 there).")
    int runs;

    @Option(names = "--events", defaultValue = "1000000", description = "--workload audit: audit events appended to the chain before the"
            + " reports are timed (default ${DEFAULT-VALUE}).")
    int events;

    @Option(names = "--input", paramLabel = "FOLDER", description = "A real export folder to copy as the workload, instead of generated documents.")
    Path input;

    @Option(names = "--copies", defaultValue = "1", description = "With --input: distinct copies of the folder to ingest (default ${DEFAULT-VALUE}).")
    int copies;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "ccda",
            description = "Generated workload: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = "--documents", defaultValue = "300", description = "Generated ccda workload: documents (default ${DEFAULT-VALUE}).")
    int documents;

    @Option(names = "--entries", defaultValue = "20", description = "Generated ccda workload: entries per section; 3 sections per document (default ${DEFAULT-VALUE}).")
    int entriesPerSection;

    @Option(names = "--messages", defaultValue = "30000", description = "Generated hl7v2 workload: messages (default ${DEFAULT-VALUE}).")
    int messages;

    @Option(names = "--messages-per-file", defaultValue = "" + Hl7v2Generator.DEFAULT_MESSAGES_PER_FILE,
            description = "Generated hl7v2 workload: messages per file (default ${DEFAULT-VALUE}).")
    int messagesPerFile;

    @Option(names = "--patients", defaultValue = "500",
            description = "Generated fhir workload: patients of a bulk export, about 210 kB of NDJSON each; csv: patients of a Synthea-layout"
                    + " table dump, about 63 kB each (default ${DEFAULT-VALUE}).")
    int patients;

    @Option(names = "--size-mb", paramLabel = "MB", description = "Generated csv workload: a dump of about this many MB (10^6 bytes), instead of --patients.")
    Integer sizeMegabytes;

    /** The mapping profile a table dump is read through: synthea-csv for --format csv, or --profile's for --input. */
    MappingProfile profile;

    @Option(names = "--profile", paramLabel = "NAME|FILE", description = "With --input: read the folder's tables through this mapping profile,"
            + " as `ingest --profile` does (--format csv reads its generated dump with synthea-csv).")
    void profile(String nameOrFile) {
        profile = ProfileCommand.option(spec, nameOrFile);
    }

    @Option(names = "--seed", defaultValue = "1", description = "Generated workload: random seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Spec
    CommandSpec spec;

    private final IngestService ingest;
    private final Instance<Importer> importers;
    private final ChartBench charts;
    private final IdentityBench identities;
    private final AuditBench audits;

    public BenchCommand(IngestService ingest, Instance<Importer> importers, ChartService charts, ObjectMapper json,
            EntityManager entityManager, SessionFactory sessions, SearchIndexer indexer, javax.sql.DataSource dataSource,
            org.ehrarchive.audit.AuditReview review) {
        this.ingest = ingest;
        this.importers = importers;
        this.charts = new ChartBench(ingest, charts, json, entityManager, sessions, indexer);
        this.identities = new IdentityBench(ingest, dataSource);
        this.audits = new AuditBench(dataSource, review);
    }

    /** The corpus patient of {@code --workload chart} when no --input is given. */
    private static final Path DEFAULT_CHART_CORPUS = Path.of("../shared/corpus/synthea-dev/fhir");

    @Override
    public Integer call() throws IOException {
        String usageError = usageError();
        if (usageError != null) {
            System.err.println("bench: " + usageError);
            return ArchiveCommand.ExitCodes.USAGE;
        }
        try (TemporaryDirectory workload = TemporaryDirectory.create("archive-bench-")) {
            Path folder = workload.path();
            printMachine();
            if (this.workload == Workload.chart) {
                ParseResult given = spec.commandLine().getParseResult();
                Path corpus = input != null ? input : Files.isDirectory(DEFAULT_CHART_CORPUS) ? DEFAULT_CHART_CORPUS : null;
                charts.run(folder, given.hasMatchedOption("--documents") ? documents : 200,
                        given.hasMatchedOption("--entries") ? entriesPerSection : 10, seed, corpus, runs);
                return ArchiveCommand.ExitCodes.OK;
            }
            if (this.workload == Workload.audit) {
                try {
                    audits.run(events, spec.commandLine().getParseResult().hasMatchedOption("--runs") ? runs : 20, seed);
                } catch (java.sql.SQLException e) {
                    throw new IOException("The database failed during the audit bench (SQLSTATE " + e.getSQLState() + ")", e);
                }
                return ArchiveCommand.ExitCodes.OK;
            }
            if (this.workload == Workload.identity) {
                ParseResult given = spec.commandLine().getParseResult();
                try {
                    identities.run(folder, given.hasMatchedOption("--patients") ? patients : 100_000, arriving, seed);
                } catch (java.sql.SQLException e) {
                    throw new IOException("The database failed during the identity bench (SQLSTATE " + e.getSQLState() + ")", e);
                }
                return ArchiveCommand.ExitCodes.OK;
            }
            if (input != null) {
                CorpusCopies.Copied copied = CorpusCopies.write(input, folder, copies);
                System.out.printf("workload: %d copies of %s, %d files, %.1f MB%n", copies, input.toAbsolutePath(), copied.files(),
                        copied.bytes() / 1e6);
            } else if (format == Format.csv) {
                profile = MappingProfiles.shipped("synthea-csv").orElseThrow();
                CsvGenerator.Summary shape = sizeMegabytes != null ? CsvGenerator.writeAbout(folder, sizeMegabytes * 1_000_000L, seed)
                        : CsvGenerator.write(folder, patients, seed);
                System.out.printf("workload: a generated Synthea-layout CSV dump of %d patients, %d rows, 16 tables, %.1f MB, seed %d, profile synthea-csv%n",
                        shape.patients(), shape.totalRows(), shape.bytes() / 1e6, seed);
            } else if (format == Format.fhir) {
                FhirGenerator.Shape shape = new FhirGenerator(seed).writeExport(folder, patients);
                System.out.printf("workload: a generated FHIR bulk export of %d patients, %d resources, %d files, %.1f MB, seed %d%n",
                        shape.patients(), shape.resources(), shape.files(), shape.bytes() / 1e6, seed);
                System.out.println("resources: " + shape.resourceTypes().entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                        .collect(Collectors.joining(", ")));
            } else if (format == Format.hl7v2) {
                Hl7v2Generator.Shape shape = new Hl7v2Generator(seed).writeArchive(folder, messages, messagesPerFile);
                System.out.printf("workload: %d generated HL7 v2 messages, %d files, %.1f MB, seed %d%n", shape.messages(), shape.files(),
                        shape.bytes() / 1e6, seed);
                System.out.println("messages: " + shape.messageTypes().entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                        .collect(Collectors.joining(", ")));
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

            // Warm-up (JIT, parser pools): the first 50 files, or a sixth of them when they are few (an HL7 v2 archive
            // is a few large files).
            parseOnly(files.subList(0, Math.min(files.size(), Math.min(50, Math.max(1, files.size() / 6)))));
            Phase parse;
            Counted parsed;
            try (LiveHeap heap = new LiveHeap()) {
                long start = System.nanoTime();
                parsed = parseOnly(files);
                long nanos = System.nanoTime() - start;
                parse = new Phase("importer only (parse + map)", nanos, bytes, parsed.records(), parsed.messagesOnly() ? -1 : parsed.patients(),
                        parsed.messagesOnly() ? parsed.messages() : -1, heap.peak());
            }
            Phase full;
            IngestService.BatchSummary report;
            try (LiveHeap heap = new LiveHeap()) {
                long start = System.nanoTime();
                report = ingest.ingest(folder, SourceSystems.DEFAULT_NAME, profile, IngestProgress.NONE);
                long nanos = System.nanoTime() - start;
                IngestReport.Counts documentsStored = report.totals().records().getOrDefault(RecordTypes.DOCUMENT, IngestReport.Counts.NONE)
                        .plus(report.totals().records().getOrDefault(FHIR_PATIENT, IngestReport.Counts.NONE))
                        .plus(profile == null ? IngestReport.Counts.NONE
                                : report.totals().records().getOrDefault(patientsTable(), IngestReport.Counts.NONE));
                // An HL7 v2 file's records are its messages (their parts are counted apart, as in the report).
                full = new Phase("full ingest (blob + parse + map + PostgreSQL)", nanos, bytes, report.totals().found(),
                        parsed.messagesOnly() ? -1 : documentsStored.archived(), parsed.messagesOnly() ? report.totals().found() : -1,
                        heap.peak());
            }
            if (parsed.unclaimed() > 0) {
                System.out.printf("note: no importer reads %d of the files; the importer-only phase skipped them%n", parsed.unclaimed());
            }
            if (parsed.messageFiles() > 0 && !parsed.messagesOnly()) {
                System.out.println("note: the workload mixes HL7 v2 with other formats: no messages/s, records/s counts both");
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

    /** Why the options do not go together, or null when they do. */
    private String usageError() {
        ParseResult given = spec.commandLine().getParseResult();
        if (workload == Workload.chart) {
            List<String> ingestOnly = Stream.of("--format", "--copies", "--messages", "--messages-per-file", "--patients")
                    .filter(given::hasMatchedOption).toList();
            if (!ingestOnly.isEmpty()) {
                return String.join(", ", ingestOnly) + " describe the ingest workload; --workload chart takes --documents, --entries,"
                        + " --seed, --input and --runs";
            }
            if (input != null && !Files.isDirectory(input)) {
                return "--input must be a folder: " + input;
            }
            if (documents < 1 || entriesPerSection < 1 || runs < 1) {
                return "--documents, --entries and --runs must be at least 1";
            }
            return null;
        }
        if (workload == Workload.identity) {
            List<String> others = Stream.of("--format", "--copies", "--messages", "--messages-per-file", "--documents", "--entries",
                    "--input", "--profile", "--size-mb", "--runs").filter(given::hasMatchedOption).toList();
            if (!others.isEmpty()) {
                return String.join(", ", others) + " describe other workloads; --workload identity takes --patients (archived, default"
                        + " 100,000), --arriving and --seed";
            }
            return patients < 1 || arriving < 1 ? "--patients and --arriving must be at least 1" : null;
        }
        if (workload == Workload.audit) {
            List<String> others = Stream.of("--format", "--copies", "--messages", "--messages-per-file", "--documents", "--entries",
                    "--input", "--profile", "--size-mb", "--patients", "--arriving").filter(given::hasMatchedOption).toList();
            if (!others.isEmpty()) {
                return String.join(", ", others) + " describe other workloads; --workload audit takes --events, --runs and --seed";
            }
            return events < 1 || runs < 1 ? "--events and --runs must be at least 1" : null;
        }
        if (given.hasMatchedOption("--arriving")) {
            return "--arriving is for --workload identity";
        }
        if (given.hasMatchedOption("--events")) {
            return "--events is for --workload audit";
        }
        if (given.hasMatchedOption("--runs")) {
            return "--runs is for --workload chart and --workload audit";
        }
        if (input != null) {
            List<String> generated = GENERATED_OPTIONS.stream().filter(given::hasMatchedOption).toList();
            if (!generated.isEmpty()) {
                return String.join(", ", generated) + (generated.size() == 1 ? " describes" : " describe")
                        + " a generated workload; with --input the workload is the folder's files, each read by the importer that accepts it";
            }
            if (!Files.isDirectory(input)) {
                return "--input must be a folder: " + input;
            }
        } else if (given.hasMatchedOption("--copies")) {
            return "--copies needs --input";
        }
        if (format == Format.ccda && (given.hasMatchedOption("--messages") || given.hasMatchedOption("--messages-per-file"))) {
            return "--messages and --messages-per-file describe the generated HL7 v2 workload: add --format hl7v2";
        }
        if (format == Format.hl7v2 && (given.hasMatchedOption("--documents") || given.hasMatchedOption("--entries"))) {
            return "--documents and --entries describe the generated C-CDA workload, not --format hl7v2 (use --messages, --messages-per-file)";
        }
        if (format != Format.fhir && format != Format.csv && given.hasMatchedOption("--patients")) {
            return "--patients describes the generated FHIR or CSV workload: add --format fhir or --format csv";
        }
        if (format != Format.csv && given.hasMatchedOption("--size-mb")) {
            return "--size-mb describes the generated CSV workload: add --format csv";
        }
        if (given.hasMatchedOption("--size-mb") && given.hasMatchedOption("--patients")) {
            return "--size-mb and --patients both size the generated dump: give one";
        }
        if (sizeMegabytes != null && sizeMegabytes < 1) {
            return "--size-mb must be at least 1";
        }
        if (given.hasMatchedOption("--profile") && input == null) {
            return "--profile reads the tables of --input; the generated --format csv dump is read with synthea-csv";
        }
        if (profile != null && copies > 1) {
            return "--copies makes distinct copies of C-CDA only; a table dump is benchmarked as one copy (generate a larger one with"
                    + " --format csv --size-mb)";
        }
        if ((format == Format.fhir || format == Format.csv) && GENERATED_OPTIONS.stream()
                .filter(o -> !o.equals("--format") && !o.equals("--patients") && !o.equals("--seed") && !o.equals("--size-mb"))
                .anyMatch(given::hasMatchedOption)) {
            return "--format " + format + " is described by --patients" + (format == Format.csv ? " or --size-mb" : "") + " (and --seed) only";
        }
        if (copies < 1 || documents < 1 || entriesPerSection < 1 || messages < 1 || messagesPerFile < 1 || patients < 1) {
            return "--copies, --documents, --entries, --messages, --messages-per-file and --patients must be at least 1";
        }
        return null;
    }

    /**
     * What the importer-only phase read: records as a file's report counts them (the parts an HL7 v2 message is split
     * into are not records of their own), documents, messages (the records of the files an HL7 v2 importer read), the
     * files read and how many of them were HL7 v2, and the files no importer reads.
     */
    private record Counted(long records, long patients, long messages, int files, int messageFiles, int unclaimed) {
        /** Whether every file an importer read is HL7 v2: then the workload's records are messages. */
        boolean messagesOnly() {
            return messageFiles > 0 && messageFiles == files;
        }
    }

    /**
     * The importer alone, reading what the ingest would: the files an importer claims together as one unit (a FHIR
     * export folder), each other file by the first importer that accepts it; every record handed to a sink that only
     * counts; embedded files are hashed, not kept.
     */
    private Counted parseOnly(List<Path> files) throws IOException {
        long[] counts = new long[2];
        RecordSink counting = new RecordSink() {
            @Override
            public void record(ImportedRecord record) {
                if (!RecordTypes.isPart(record.type())) {
                    counts[0]++;
                }
                // one C-CDA document per patient; one Patient resource per FHIR patient; one row of a dump's patients table
                if (RecordTypes.DOCUMENT.equals(record.type()) || FHIR_PATIENT.equals(record.type()) || record.type().equals(patientsTable())) {
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

            @Override
            public void quarantine(SourceUnit.File file, QuarantineException reason) {
            }
        };
        long messages = 0;
        int read = 0;
        int messageFiles = 0;
        int unclaimed = 0;
        for (Map.Entry<Importer, List<Path>> unit : units(files)) {
            if (unit.getKey() == null) {
                unclaimed++; // quarantined by the full ingest as of no known format
                continue;
            }
            long before = counts[0];
            read += unit.getValue().size();
            try {
                unit.getKey().read(new LocalFiles(unit.getValue()), counting);
            } catch (QuarantineException e) {
                // counted by the full ingest; the importer's work up to the refusal is part of this phase
            }
            if (unit.getKey().format().equals(HL7V2)) {
                messages += counts[0] - before;
                messageFiles += unit.getValue().size();
            }
        }
        return new Counted(counts[0], counts[1], messages, read, messageFiles, unclaimed);
    }

    /** The units the ingest reads, folder by folder, as {@code SourceTree} forms them; a null importer reads none. */
    private List<Map.Entry<Importer, List<Path>>> units(List<Path> files) throws IOException {
        Map<Path, List<Path>> byFolder = files.stream().collect(Collectors.groupingBy(Path::getParent, java.util.LinkedHashMap::new,
                Collectors.toList()));
        List<Map.Entry<Importer, List<Path>>> units = new ArrayList<>();
        for (Map.Entry<Path, List<Path>> folder : byFolder.entrySet()) {
            Set<Path> claimed = new java.util.HashSet<>();
            for (Importer importer : runImporters()) {
                for (List<Path> unit : importer.units(folder.getKey(), folder.getValue())) {
                    List<Path> fresh = unit.stream().filter(claimed::add).toList();
                    if (!fresh.isEmpty()) {
                        units.add(Map.entry(importer, fresh));
                    }
                }
            }
            for (Path file : folder.getValue()) {
                if (!claimed.contains(file)) {
                    Optional<Importer> importer = importerFor(file);
                    units.add(new java.util.AbstractMap.SimpleEntry<>(importer.orElse(null), List.of(file)));
                }
            }
        }
        return units;
    }

    /** The importers as the ingest orders them for this run: a table-dump importer first when there is a profile. */
    private List<Importer> runImporters() {
        List<Importer> run = new ArrayList<>();
        if (profile != null) {
            run.add(new TableDumpImporter(profile));
        }
        importers.forEach(run::add);
        return run;
    }

    /** The record type of a dump's patient rows (null without a profile). */
    private String patientsTable() {
        return profile == null ? null : profile.patientsTable().map(MappingProfile.Table::name).orElse(null);
    }

    /** The importer the ingest would choose for the file: the first that accepts its name and first bytes. */
    private Optional<Importer> importerFor(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return SourceSniff.read(file.getFileName().toString(), in).chooseFrom(runImporters());
        }
    }

    /** Files read where they lie, for the importer-only phase: nothing goes to the blob store. */
    private static final class LocalFiles implements SourceUnit {
        private final Map<File, Path> paths = new java.util.LinkedHashMap<>();

        LocalFiles(List<Path> files) throws IOException {
            for (Path path : files) {
                paths.put(new File(path.getFileName().toString(), "0".repeat(64), Files.size(path)), path);
            }
        }

        @Override
        public List<File> files() {
            return List.copyOf(paths.keySet());
        }

        @Override
        public InputStream open(File file) throws IOException {
            return new java.io.BufferedInputStream(Files.newInputStream(paths.get(file)), 1 << 16);
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

    /** One phase's figures; {@code documents} and {@code messages} are -1 where the workload has none to count. */
    private record Phase(String name, long nanos, long bytes, long records, long documents, long messages, long peakHeapBytes) {
        double seconds() {
            return nanos / 1e9;
        }

        void print() {
            String patients = documents < 0 ? "" : String.format("  %9.0f patients/min", documents / seconds() * 60);
            String perMessage = messages < 0 ? "" : String.format("  %9.0f messages/s", messages / seconds());
            System.out.printf("%-46s %7.2f s  %7.2f MB/s  %9.0f records/s%s%s  live heap peak %5d MB%n",
                    name, seconds(), bytes / 1e6 / seconds(), records / seconds(), patients, perMessage,
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
