package org.ehrarchive.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import org.ehrarchive.ArchiveConfig;
import org.ehrarchive.PhiSafe;
import org.ehrarchive.blob.BlobStore;
import org.ehrarchive.database.DiskSpace;
import org.ehrarchive.identity.PatientMatcher;
import org.ehrarchive.ingest.IngestReport.Counts;
import org.ehrarchive.ingest.IngestReport.FileReport;
import org.ehrarchive.ingest.WriteEvent.Settled;
import org.ehrarchive.ingest.table.MappingProfile;
import org.ehrarchive.ingest.table.TableDumpImporter;
import org.jboss.logging.MDC;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * Ingests a file or a folder as one batch (architecture principles 1, 2, 7, 8; ADR 0005 and 0009):
 * <ol>
 *   <li>every file is hashed first; content already archived is a duplicate and is neither read nor written again;</li>
 *   <li>every other file's bytes go to the blob store, whatever becomes of the file, and are read back from there;</li>
 *   <li>its importer reads it as a stream and hands over records one at a time; a {@link RecordWriter} on another
 *       thread stores them in chunks, with a checkpoint per file, and decides what is a duplicate or a new version;</li>
 *   <li>a file no importer reads, or one an importer refuses, is quarantined with the reason, and the batch goes
 *       on; so does one that exhausts memory or the stack;</li>
 *   <li>a batch interrupted by a crash is resumed, not repeated, by the next ingest of the same path: files already
 *       done are reported as they were, a file cut off goes on after its last stored chunk.</li>
 * </ol>
 * Memory is bounded by the largest record and the writer's queue, not by the file or the batch: the folder is
 * walked one directory at a time, and the report is built from the stored rows.
 */
@ApplicationScoped
public class IngestService {

    /** A RUNNING batch whose owner has made no progress for this long is taken over, even from another host. */
    static final Duration ABANDONED_AFTER = Duration.ofMinutes(10);

    private final Instance<Importer> importers;
    private final BlobStore blobs;
    private final ArchiveConfig config;
    private final ObjectMapper json;
    private final MeterRegistry metrics;
    private final DataSource dataSource;
    private final SourceSystems sourceSystems;
    private final PatientMatcher matcher;

    public IngestService(Instance<Importer> importers, BlobStore blobs, ArchiveConfig config, ObjectMapper json,
            MeterRegistry metrics, DataSource dataSource, SourceSystems sourceSystems, PatientMatcher matcher) {
        this.importers = importers;
        this.blobs = blobs;
        this.config = config;
        this.json = json.copy().disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        this.metrics = metrics;
        this.dataSource = dataSource;
        this.sourceSystems = sourceSystems;
        this.matcher = matcher;
    }

    /**
     * The totals of a batch, without its file lines (which {@link #report} and {@link #writeReport} give), and what
     * matching its patients did ({@code identity}; null when that failed, and then {@code identity match} does it).
     */
    public record BatchSummary(long batchId, String sourcePath, String sourceSystem, String status, Instant startedAt, Instant finishedAt,
            int attempts, IngestReport.Totals totals, Map<String, Integer> quarantineReasons, PatientMatcher.Outcome identity) {
    }

    /** Ingests {@code input} as a batch of the {@linkplain SourceSystems#DEFAULT_NAME default source system}. */
    public BatchSummary ingest(Path input, IngestProgress progress) throws IOException {
        return ingest(input, SourceSystems.DEFAULT_NAME, progress);
    }

    /**
     * Ingests {@code input} (a file, or a folder read recursively) as a batch of the source system named
     * {@code sourceSystem} (created when new) and returns the batch's totals.
     *
     * @throws IllegalArgumentException when the source system's name cannot be one ({@link SourceSystems#normalizedName})
     * @throws IOException when the input cannot be listed or the run cannot go on (the database or the blob store
     *         failed): the batch stays resumable
     */
    public BatchSummary ingest(Path input, String sourceSystem, IngestProgress progress) throws IOException {
        return ingest(input, sourceSystem, null, progress);
    }

    /**
     * Ingests {@code input} as a batch of {@code sourceSystem}, reading the tables of a dump through {@code profile}
     * ({@code ingest --profile}; null when the input holds no table dump). A resumed batch must be given the same profile.
     */
    public BatchSummary ingest(Path input, String sourceSystem, MappingProfile profile, IngestProgress progress) throws IOException {
        String systemName = SourceSystems.normalizedName(sourceSystem);
        Path root = input.toAbsolutePath().normalize();
        if (!Files.exists(root)) {
            throw new IOException("Nothing to ingest at " + root + ": no such file or folder");
        }
        List<Importer> runImporters = new ArrayList<>();
        if (profile != null) {
            runImporters.add(new TableDumpImporter(profile)); // first: the profile's files are its tables, whatever else reads them
        }
        importers.forEach(runImporters::add);
        SourceTree tree = new SourceTree(root, runImporters);
        SourceTree.Count count = tree.count();
        // Before anything is written: the originals go into the blob store (at most the input's size, less what is
        // already archived), and a disk that fills up mid-batch leaves it to resume later.
        DiskSpace.require(blobs.root(), config.minFreeBytes() + count.bytes(), "an ingest of " + (count.bytes() >> 20) + " MB");
        // Other writers can still fill the disk mid-batch. The embedded PostgreSQL tells of it only in its log (a PANIC
        // on a WAL write ends the connections with 08006): this run's part of the log is read if the batch fails.
        Path postgresLog = config.dataDir().resolve("postgres.log");
        long postgresLogBefore = DiskSpace.sizeOf(postgresLog);
        try {
            long systemId;
            try {
                systemId = sourceSystems.named(systemName).id();
            } catch (SQLException e) {
                throw new IOException("The database failed during ingest (SQLSTATE " + e.getSQLState() + ")", e);
            }
            return runBatch(root, systemId, tree, count, runImporters, progress);
        } catch (IOException | RuntimeException e) {
            if (DiskSpace.isNoSpaceLeft(e, postgresLog, postgresLogBefore)) {
                throw DiskSpace.noSpaceLeft(blobs.root(), "the ingest", e);
            }
            throw e;
        }
    }

    private BatchSummary runBatch(Path root, long sourceSystemId, SourceTree tree, SourceTree.Count count, List<Importer> runImporters,
            IngestProgress progress)
            throws IOException {
        BatchStart start = startOrResumeBatch(root.toString(), sourceSystemId);
        MDC.put("batchId", Long.toString(start.batchId()));
        try {
            int alreadyDone = QuarkusTransaction.requiringNew().call(() -> (int) BatchFile.count("batchId = ?1 and status <> ?2",
                    start.batchId(), BatchFile.Status.READING));
            progress.started(start.batchId(), count.files(), count.bytes(), alreadyDone, start.resumed());
            Log.infof("%s batch %d: %d files, %d bytes", start.resumed() ? "Resuming" : "Starting", start.batchId(), count.files(), count.bytes());
            IngestTimings timings = new IngestTimings();
            RecordWriter writer = new RecordWriter(dataSource, json, start.batchId(), new CountingProgress(progress), timings);
            Thread writing = new Thread(writer, "ingest-writer-" + start.batchId());
            writing.start();
            try (Connection lookups = dataSource.getConnection()) {
                Reading reading = new Reading(start.batchId(), root, writer, lookups, timings, runImporters);
                tree.walk(reading::unit);
                writer.submit(new WriteEvent.End());
            } catch (RecordWriter.Aborted e) {
                throw new IOException(e.getMessage(), e.getCause());
            } catch (SQLException e) {
                throw new IOException("The database failed during ingest (SQLSTATE " + e.getSQLState() + ")", e);
            } finally {
                joinWriter(writing, writer);
            }
            if (writer.failure() != null) {
                throw new IOException("The ingest writer failed: " + PhiSafe.describe(writer.failure()), writer.failure());
            }
            Log.infof("Batch %d time: %s", start.batchId(), timings.summary());
            BatchSummary summary = finishBatch(start.batchId(), matchPatients(start.batchId()));
            progress.finished(summary);
            IngestReport.Totals t = summary.totals();
            Log.infof("Batch %d completed: files %d (archived %d, duplicate %d, quarantined %d); records found %d, archived %d, quarantined %d, duplicates %d",
                    summary.batchId(), t.files(), t.archivedFiles(), t.duplicateFiles(), t.quarantinedFiles(), t.found(), t.archived(),
                    t.quarantined(), t.duplicates());
            return summary;
        } finally {
            MDC.remove("batchId");
        }
    }

    /**
     * The disk filled up while a file was read: not the file's fault, so it is not quarantined; the batch stops
     * and resumes once there is space.
     */
    private static final class DiskFull extends RuntimeException {
        DiskFull(Throwable cause) {
            super("no space left on device", cause);
        }
    }

    private static void joinWriter(Thread writing, RecordWriter writer) {
        try {
            while (writing.isAlive()) {
                if (writer.failure() == null) {
                    writing.join(1_000);
                } else {
                    writing.join();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Counts the metrics as files are done, then tells the caller's progress. */
    private final class CountingProgress implements IngestProgress {
        private final IngestProgress delegate;

        CountingProgress(IngestProgress delegate) {
            this.delegate = delegate;
        }

        @Override
        public void started(long batchId, int files, long bytes, int alreadyDone, boolean resumed) {
            delegate.started(batchId, files, bytes, alreadyDone, resumed);
        }

        @Override
        public void fileDone(FileReport file, long bytes) {
            metrics.counter("archive.ingest.files", "status", file.status()).increment();
            metrics.counter("archive.ingest.records", "status", "archived").increment(file.archived());
            metrics.counter("archive.ingest.records", "status", "quarantined").increment(file.quarantined());
            metrics.counter("archive.ingest.records", "status", "duplicate").increment(file.duplicates());
            delegate.fileDone(file, bytes);
        }

        @Override
        public void finished(BatchSummary summary) {
            delegate.finished(summary);
        }
    }

    // ---- reading --------------------------------------------------------------------------------------------

    /** The reading half of one run, on the caller's thread: files to units, units to records, handed to the writer. */
    private final class Reading {
        private final long batchId;
        private final Path root;
        private final RecordWriter writer;
        private final Connection lookups;
        private final IngestTimings timings;
        /** This run's importers: the beans, after a table-dump importer when the run was given a profile. */
        private final List<Importer> importers;

        Reading(long batchId, Path root, RecordWriter writer, Connection lookups, IngestTimings timings, List<Importer> importers) {
            this.timings = timings;
            this.importers = importers;
            this.batchId = batchId;
            this.root = root;
            this.writer = writer;
            this.lookups = lookups;
        }

        /** One unit: a file, or a set of files an importer claimed together (the deciding file first). */
        void unit(List<Path> paths, Importer claimedBy) throws SQLException {
            List<Prepared> files = new ArrayList<>();
            // A file a table-dump importer claimed is read row by row: its size is bounded by the disk, not by the limit
            // that keeps whole records out of memory.
            long sizeLimit = claimedBy != null && claimedBy.readsAnySize() ? Long.MAX_VALUE : config.ingest().maxFileBytes();
            for (Path path : paths) {
                Prepared prepared = prepare(path, sizeLimit);
                if (prepared != null) {
                    files.add(prepared);
                }
            }
            try {
                if (files.isEmpty()) {
                    return;
                }
                boolean allSettled = files.stream().allMatch(f -> f.settled != null);
                if (paths.size() == 1 || allSettled) {
                    // One file, or a unit whose every file is accounted for: each stands alone.
                    for (Prepared file : files) {
                        if (file.settled != null) {
                            writer.submit(file.settled);
                        } else {
                            read(List.of(file), claimedBy);
                        }
                    }
                } else {
                    read(files, claimedBy); // a unit is read whole; its records dedupe where they were stored before
                }
            } finally {
                for (Prepared file : files) {
                    file.close();
                }
            }
        }

        /** A file, hashed and looked up; with its bytes staged in the blob store unless it is settled already. */
        private final class Prepared implements AutoCloseable {
            final Path path;
            final FileState state;
            Settled settled;
            BlobStore.Staged blob;
            Integer resumeAfter;
            FileTally resumedTally;

            Prepared(Path path, FileState state) {
                this.path = path;
                this.state = state;
            }

            @Override
            public void close() {
                if (blob != null) {
                    try {
                        blob.close();
                    } catch (IOException e) {
                        // a read-only channel: nothing was lost
                    }
                }
            }
        }

        private Prepared prepare(Path path, long sizeLimit) throws SQLException {
            String relative = root.equals(path) ? path.getFileName().toString() : root.relativize(path).toString();
            long size;
            String sha256;
            long step = System.nanoTime();
            try {
                size = Files.size(path);
                sha256 = blobs.hash(path);
                step = timings.add("reader: hash", step);
            } catch (IOException e) {
                // Nothing can be kept of a file that cannot be read; it is recorded and reported, and the batch goes on.
                Log.warnf("Could not read a source file (%s); it is reported as quarantined", e.getClass().getSimpleName());
                String reason = IngestError.READ_FAILED.message(e.getClass().getSimpleName());
                FileState state = new FileState(relative, null, 0, path.getFileName().toString());
                Prepared unreadable = new Prepared(path, state);
                if (!alreadyRecordedUnreadable(relative)) {
                    unreadable.settled = new Settled(state, Settled.Kind.UNREADABLE, reason, quarantinedLine(state, reason, null));
                    return unreadable;
                }
                unreadable.settled = new Settled(state, Settled.Kind.ALREADY_RECORDED, reason, quarantinedLine(state, reason, null));
                return unreadable;
            }
            FileState state = new FileState(relative, sha256, size, path.getFileName().toString());
            Prepared prepared = new Prepared(path, state);
            // Done by an earlier attempt of this batch, or cut off by it (then resumed after its checkpoint)?
            try (PreparedStatement find = lookups.prepareStatement(
                    "select status, checkpoint, outcome from batch_file where batch_id = ? and path = ? and sha256 = ?")) {
                find.setLong(1, batchId);
                find.setString(2, relative);
                find.setString(3, sha256);
                try (ResultSet done = find.executeQuery()) {
                    if (done.next()) {
                        if (!"READING".equals(done.getString(1))) {
                            prepared.settled = new Settled(state, Settled.Kind.ALREADY_RECORDED, null, fromJson(done.getString(3), FileReport.class));
                            return prepared;
                        }
                        prepared.resumeAfter = done.getInt(2);
                        prepared.resumedTally = fromJson(done.getString(3), FileTally.class);
                    }
                }
            }
            step = timings.add("reader: look up", step);
            if (prepared.resumeAfter == null) {
                try (PreparedStatement find = lookups.prepareStatement("select status, outcome from source_file where sha256 = ?")) {
                    find.setString(1, sha256);
                    try (ResultSet stored = find.executeQuery()) {
                        if (stored.next() && "ARCHIVED".equals(stored.getString(1))) {
                            prepared.settled = new Settled(state, Settled.Kind.DUPLICATE, null, fromJson(stored.getString(2), FileReport.class));
                            return prepared;
                        }
                    }
                }
            }
            step = timings.add("reader: look up", step);
            try {
                prepared.blob = blobs.contains(sha256) ? blobs.existing(sha256) : blobs.stage(path, sha256);
                state.blob(prepared.blob.durable());
                timings.add("reader: stage blob", step);
            } catch (IOException e) {
                if (DiskSpace.isNoSpaceLeft(e)) {
                    throw new DiskFull(e); // the file is fine: the batch stops, to go on once there is space
                }
                Log.warnf("Could not keep a source file's bytes (%s); it is reported as quarantined", e.getClass().getSimpleName());
                String reason = IngestError.READ_FAILED.message(e.getMessage() != null && e.getMessage().contains("changed")
                        ? "the file changed while it was read" : e.getClass().getSimpleName());
                prepared.settled = new Settled(new FileState(relative, null, size, state.originalName), Settled.Kind.UNREADABLE, reason,
                        quarantinedLine(state, reason, null));
                return prepared;
            }
            if (size == 0) {
                prepared.settled = quarantine(state, IngestError.EMPTY_FILE.message(null), null);
            } else if (size > sizeLimit) {
                prepared.settled = quarantine(state, IngestError.TOO_LARGE.message(size + " bytes"), null);
            }
            return prepared;
        }

        private boolean alreadyRecordedUnreadable(String relative) throws SQLException {
            try (PreparedStatement find = lookups.prepareStatement(
                    "select 1 from batch_file where batch_id = ? and path = ? and sha256 is null")) {
                find.setLong(1, batchId);
                find.setString(2, relative);
                try (ResultSet found = find.executeQuery()) {
                    return found.next();
                }
            }
        }

        private Settled quarantine(FileState state, String reason, QuarantineException found) {
            return new Settled(state, Settled.Kind.QUARANTINED, reason, quarantinedLine(state, reason, found));
        }

        private FileReport quarantinedLine(FileState state, String reason, QuarantineException found) {
            FileTally tally = new FileTally();
            if (found != null) {
                tally.quarantinedFound(found.recordsFound(), found.sectionsFound());
            }
            return tally.report(state.path, state.sha256, "quarantined", reason, state.format);
        }

        /** Reads a unit with its importer, handing its records to the writer; quarantines what cannot be read. */
        private void read(List<Prepared> files, Importer claimedBy) {
            Prepared first = files.get(0);
            Optional<Importer> importer = Optional.ofNullable(claimedBy).or(() -> importerFor(first));
            if (importer.isEmpty()) {
                String extension = extensionOf(first.state.originalName);
                for (Prepared file : files) {
                    writer.submit(quarantine(file.state, IngestError.UNKNOWN_FORMAT.message(extension), null));
                }
                return;
            }
            for (Prepared file : files) {
                file.state.format = importer.get().format();
                if (file.resumedTally != null) {
                    file.state.tally = file.resumedTally;
                    file.state.checkpoint = file.resumeAfter;
                }
            }
            Sink sink = new Sink(files);
            List<Prepared> readable = new ArrayList<>();
            for (Prepared file : files) {
                if (file.settled == null) {
                    readable.add(file);
                } else {
                    // Accounted for already (a duplicate, done by an earlier attempt): reported as it is, and read again
                    // only for what the unit's other files refer to (a re-export's unchanged Patient file). Too large,
                    // empty or unreadable files are not read at all.
                    writer.submit(file.settled);
                    sink.settledAlready(file);
                    if (file.settled.kind() == Settled.Kind.DUPLICATE || file.settled.kind() == Settled.Kind.ALREADY_RECORDED) {
                        readable.add(file);
                    }
                }
            }
            long started = System.nanoTime();
            try {
                importer.get().read(new Unit(readable), sink);
                timings.add("reader: import (parse, map, hand over)", started);
                for (Prepared file : files) {
                    if (!sink.isEnded(file)) {
                        sink.opened(file);
                        writer.submit(new WriteEvent.Closed(file.state, null));
                    }
                }
            } catch (QuarantineException e) {
                if (DiskSpace.isNoSpaceLeft(e)) {
                    throw new DiskFull(e); // an attachment that did not fit: the file is fine, the batch stops
                }
                endQuarantined(files, sink, e);
            } catch (RecordWriter.Aborted | DiskFull e) {
                throw e;
            } catch (StackOverflowError | OutOfMemoryError e) {
                sink.dropReferences();
                Log.errorf("Importer %s exhausted resources on a file; quarantining it: %s", importer.get().format(), e.getClass().getSimpleName());
                endQuarantined(files, sink, new QuarantineException(IngestError.RESOURCES_EXHAUSTED, e.getClass().getSimpleName()));
            } catch (RuntimeException e) {
                if (DiskSpace.isNoSpaceLeft(e)) {
                    throw new DiskFull(e);
                }
                // A defect or a pathological file must not stop the batch; the reason names the failure, not the data.
                Log.errorf("Importer %s failed on a file; quarantining it: %s", importer.get().format(), PhiSafe.describe(e));
                endQuarantined(files, sink, new QuarantineException(IngestError.READ_FAILED, e.getClass().getSimpleName()));
            }
        }

        /** Files of a unit the importer refused: whole if it handed over nothing of them, else after what it did. */
        private void endQuarantined(List<Prepared> files, Sink sink, QuarantineException e) {
            for (Prepared file : files) {
                if (sink.isEnded(file)) {
                    continue;
                }
                if (sink.isOpened(file)) {
                    writer.submit(new WriteEvent.Closed(file.state, e));
                } else {
                    writer.submit(quarantine(file.state, e.reason(), e));
                }
            }
        }

        private Optional<Importer> importerFor(Prepared file) {
            try (InputStream in = file.blob.open()) {
                return SourceSniff.read(file.state.originalName, in).chooseFrom(importers);
            } catch (IOException e) {
                return Optional.empty();
            }
        }

        /** Numbers the unit's events per file and hands them to the writer, skipping what a resumed file stored. */
        private final class Sink implements RecordSink {
            private final Map<SourceUnit.File, Prepared> byFile = new HashMap<>();
            private final Prepared first;
            private final Map<Prepared, Integer> ordinals = new HashMap<>();
            private final Set<Prepared> opened = new HashSet<>();
            private final Set<Prepared> ended = new HashSet<>();
            /** The file each document came from, for its sections. */
            private final Map<ImportedRecord, Prepared> documentFiles = new java.util.IdentityHashMap<>();

            Sink(List<Prepared> files) {
                this.first = files.get(0);
                for (Prepared file : files) {
                    byFile.put(unitFile(file), file);
                }
            }

            @Override
            public void record(ImportedRecord record) {
                record(first, record);
            }

            @Override
            public void record(SourceUnit.File from, ImportedRecord record) {
                record(fileOf(from), record);
            }

            private void record(Prepared file, ImportedRecord record) {
                if (ended.contains(file)) {
                    return; // a file accounted for already, read for its references, or one quarantined alone
                }
                long waiting = System.nanoTime();
                if (record.content() instanceof RecordContent.DocumentContent && byFile.size() > 1) {
                    documentFiles.put(record, file);
                }
                int ordinal = next(file);
                if (ordinal > file.state.checkpoint) {
                    writer.submit(new WriteEvent.Record(file.state, ordinal, record, weightOf(record)));
                }
                timings.add("reader: hand over (waits for the writer)", waiting);
            }

            @Override
            public void section(ImportedRecord document, ImportedSection section) {
                Prepared file = documentFiles.getOrDefault(document, first);
                if (ended.contains(file)) {
                    return;
                }
                int ordinal = next(file);
                if (ordinal > file.state.checkpoint) {
                    int weight = 1 + (section.narrative() == null ? 0 : section.narrative().length() / 512);
                    writer.submit(new WriteEvent.Section(file.state, ordinal, document, section, weight));
                }
            }

            @Override
            public void warning(String warning) {
                warning(first, warning);
            }

            @Override
            public void warning(SourceUnit.File from, String warning) {
                warning(fileOf(from), warning);
            }

            private void warning(Prepared file, String warning) {
                if (ended.contains(file)) {
                    return;
                }
                opened(file);
                writer.submit(new WriteEvent.Warning(file.state, warning));
            }

            @Override
            public void quarantine(SourceUnit.File from, QuarantineException reason) {
                Prepared file = fileOf(from);
                if (!ended.add(file)) {
                    return;
                }
                if (isOpened(file)) {
                    writer.submit(new WriteEvent.Closed(file.state, reason));
                } else {
                    writer.submit(Reading.this.quarantine(file.state, reason.reason(), reason));
                }
            }

            /** Whether the file was ended already (quarantined alone while its unit went on, or settled before it was read). */
            boolean isEnded(Prepared file) {
                return ended.contains(file);
            }

            /** A file of the unit accounted for before it is read: what the importer hands over from it is not stored again. */
            void settledAlready(Prepared file) {
                ended.add(file);
            }

            private Prepared fileOf(SourceUnit.File from) {
                Prepared file = byFile.get(from);
                if (file == null) {
                    throw new IllegalArgumentException("a file that is not part of the unit");
                }
                return file;
            }

            private int next(Prepared file) {
                opened(file);
                int ordinal = ordinals.merge(file, 1, Integer::sum);
                return ordinal;
            }

            void opened(Prepared file) {
                if (opened.add(file)) {
                    writer.submit(new WriteEvent.Opened(file.state));
                }
            }

            boolean isOpened(Prepared file) {
                return opened.contains(file);
            }

            void dropReferences() {
                ordinals.clear();
            }
        }

        /** The unit as its importer sees it: files read back from the blob store, and a place for embedded files. */
        private final class Unit implements SourceUnit {
            private final List<Prepared> files;
            private final List<SourceUnit.File> unitFiles;

            Unit(List<Prepared> files) {
                this.files = files;
                this.unitFiles = files.stream().map(Reading::unitFile).toList();
            }

            @Override
            public List<SourceUnit.File> files() {
                return unitFiles;
            }

            @Override
            public InputStream open(SourceUnit.File file) throws IOException {
                Prepared prepared = prepared(file);
                // A file settled before it was read (a duplicate of one archived) is not staged: its original is read.
                return prepared.blob != null ? prepared.blob.open() : Files.newInputStream(prepared.path);
            }

            private Prepared prepared(SourceUnit.File file) {
                for (Prepared prepared : files) {
                    if (prepared.state.path.equals(file.path())) {
                        return prepared;
                    }
                }
                throw new IllegalArgumentException("not a file of this unit");
            }

            @Override
            public BlobOutput newBlob(long maxBytes) throws IOException {
                BlobStore.Output out = blobs.newOutput(maxBytes);
                FileState owner = files.get(0).state;
                return new BlobOutput() {
                    @Override
                    public void write(int b) throws IOException {
                        try {
                            out.write(b);
                        } catch (BlobStore.TooLargeException e) {
                            throw new BlobTooLargeException(maxBytes);
                        }
                    }

                    @Override
                    public void write(byte[] bytes, int offset, int length) throws IOException {
                        try {
                            out.write(bytes, offset, length);
                        } catch (BlobStore.TooLargeException e) {
                            throw new BlobTooLargeException(maxBytes);
                        }
                    }

                    @Override
                    public StoredBlob store() throws IOException {
                        BlobStore.Staged staged = out.stage();
                        owner.blob(staged.durable());
                        staged.close();
                        return new StoredBlob(staged.sha256(), staged.size());
                    }

                    @Override
                    public void discard() {
                        out.discard();
                    }

                    @Override
                    public InputStream readBack() throws IOException {
                        return out.readBack();
                    }
                };
            }

            @Override
            public Optional<StoredBlob> storeReferenced(SourceUnit.File from, String reference) throws IOException {
                Path folder = prepared(from).path.getParent();
                if (folder == null || reference == null || reference.isBlank()) {
                    return Optional.empty();
                }
                Path referenced;
                try {
                    referenced = folder.resolve(reference).normalize();
                } catch (java.nio.file.InvalidPathException e) {
                    return Optional.empty();
                }
                // Real paths: neither "../" nor a symbolic link may pull in a file from outside the export.
                if (!Files.isRegularFile(referenced) || !referenced.toRealPath().startsWith(folder.toRealPath())) {
                    return Optional.empty();
                }
                String sha256 = blobs.hash(referenced);
                long size = Files.size(referenced);
                if (!blobs.contains(sha256)) {
                    BlobStore.Staged staged = blobs.stage(referenced, sha256);
                    files.get(0).state.blob(staged.durable());
                    staged.close();
                }
                return Optional.of(new StoredBlob(sha256, size));
            }

            @Override
            public long maxEmbeddedBytes() {
                return config.ingest().maxFileBytes();
            }
        }

        private static SourceUnit.File unitFile(Prepared file) {
            return new SourceUnit.File(file.state.path, file.state.sha256, file.state.sizeBytes);
        }
    }

    /** How much a record holds until it is stored, in kibibytes, roughly: the writer's queue is bounded by it. */
    private static int weightOf(ImportedRecord record) {
        int characters = record.locator().length();
        RecordContent content = record.content();
        if (content instanceof RecordContent.EntriesContent entries) {
            characters += 1024 * entries.entries().size();
        } else if (content instanceof RecordContent.RawContent raw) {
            characters += raw.content() == null ? 0 : raw.content().length();
        } else if (content instanceof RecordContent.DocumentContent document) {
            characters += 4096 + (document.document().headerFragment() == null ? 0 : document.document().headerFragment().length());
        }
        return 1 + characters / 1024;
    }

    private static String extensionOf(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot < 0 ? null : fileName.substring(dot).toLowerCase(java.util.Locale.ROOT);
    }

    private <T> T fromJson(String value, Class<T> type) {
        if (value == null) {
            return null;
        }
        try {
            return json.readValue(value, type);
        } catch (IOException e) {
            throw new IllegalStateException("A stored reconciliation could not be read back", e);
        }
    }

    // ---- batches --------------------------------------------------------------------------------------------

    private record BatchStart(long batchId, boolean resumed) {
    }

    /** A batch of the same path and source system left RUNNING by a process that is gone is resumed. */
    private BatchStart startOrResumeBatch(String sourcePath, long sourceSystemId) {
        return QuarkusTransaction.requiringNew().call(() -> {
            List<IngestBatch> running = IngestBatch.list("sourcePath = ?1 and status = ?2 and sourceSystemId = ?3 order by id",
                    sourcePath, IngestBatch.Status.RUNNING, sourceSystemId);
            for (IngestBatch batch : running) {
                if (isAbandoned(batch)) {
                    batch.attempts++;
                    batch.owner = ownerId();
                    batch.heartbeatAt = Instant.now();
                    return new BatchStart(batch.id, true);
                }
            }
            IngestBatch batch = new IngestBatch();
            batch.sourcePath = sourcePath;
            batch.sourceSystemId = sourceSystemId;
            batch.status = IngestBatch.Status.RUNNING;
            batch.startedAt = Instant.now();
            batch.attempts = 1;
            batch.owner = ownerId();
            batch.heartbeatAt = batch.startedAt;
            batch.persist();
            return new BatchStart(batch.id, false);
        });
    }

    /** A batch is abandoned when the process that ran it is gone (same host), or it has been silent too long. */
    private static boolean isAbandoned(IngestBatch batch) {
        String[] owner = batch.owner.split(":", 2);
        if (owner.length == 2 && owner[0].equals(hostName())) {
            long pid = Long.parseLong(owner[1]);
            return ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true) || pid == ProcessHandle.current().pid();
        }
        return batch.heartbeatAt.isBefore(Instant.now().minus(ABANDONED_AFTER));
    }

    /**
     * Matches the patients the batch wrote against the archive (docs/patient-identity.md). A failure here loses
     * nothing (the records are stored, links are only proposed or drawn between them): it is logged, and
     * {@code identity match} does it again.
     */
    private PatientMatcher.Outcome matchPatients(long batchId) {
        try {
            PatientMatcher.Outcome outcome = matcher.matchBatch(batchId);
            Log.infof("Batch %d %s", batchId, outcome.summary());
            return outcome;
        } catch (SQLException | RuntimeException e) {
            Log.warnf("Batch %d: its patients could not be matched (%s%s); run `identity match` to match them", batchId,
                    e instanceof SQLException sql ? "SQLSTATE " + sql.getSQLState() + ", " : "", PhiSafe.describe(e));
            return null;
        }
    }

    private BatchSummary finishBatch(long batchId, PatientMatcher.Outcome identity) {
        return QuarkusTransaction.requiringNew().call(() -> {
            IngestBatch batch = IngestBatch.findById(batchId);
            batch.status = IngestBatch.Status.COMPLETED;
            batch.finishedAt = Instant.now();
            batch.heartbeatAt = batch.finishedAt;
            IngestReport.Totals totals = totals(batchId);
            batch.report = json.convertValue(totals, new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() {
            });
            return summary(batch, totals, identity);
        });
    }

    private BatchSummary summary(IngestBatch batch, IngestReport.Totals totals, PatientMatcher.Outcome identity) {
        return new BatchSummary(batch.id, batch.sourcePath, sourceSystemName(batch), batch.status.name().toLowerCase(java.util.Locale.ROOT), batch.startedAt,
                batch.finishedAt, batch.attempts, totals, quarantineReasons(batch.id), identity);
    }

    private static String sourceSystemName(IngestBatch batch) {
        return (String) IngestBatch.getEntityManager().createNativeQuery("select name from source_system where id = ?1")
                .setParameter(1, batch.sourceSystemId).getSingleResult();
    }

    /** The totals of a batch, summed by the database over its file lines (in the caller's transaction, or a new one). */
    public IngestReport.Totals totals(long batchId) {
        return QuarkusTransaction.joiningExisting().call(() -> {
            var em = IngestBatch.getEntityManager();
            Object[] sums = (Object[]) em.createNativeQuery("select count(*), count(*) filter (where status = 'ARCHIVED'),"
                    + " count(*) filter (where status = 'DUPLICATE'), count(*) filter (where status = 'QUARANTINED'),"
                    + " coalesce(sum(found), 0), coalesce(sum(archived), 0), coalesce(sum(quarantined), 0), coalesce(sum(kept_raw), 0),"
                    + " coalesce(sum(duplicates), 0) from batch_file where batch_id = ?1 and status <> 'READING'")
                    .setParameter(1, batchId).getSingleResult();
            return new IngestReport.Totals(number(sums[0]), number(sums[1]), number(sums[2]), number(sums[3]), number(sums[4]),
                    number(sums[5]), number(sums[6]), number(sums[7]), number(sums[8]), countsByType(batchId, "records"),
                    countsByType(batchId, "parts"));
        });
    }

    /** The batch's file lines' {@code records} or {@code parts}, summed per type by the database. */
    private static Map<String, Counts> countsByType(long batchId, String member) {
        @SuppressWarnings("unchecked")
        List<Object[]> byType = IngestBatch.getEntityManager().createNativeQuery("select r.key, sum((r.value->>'found')::int),"
                + " sum((r.value->>'archived')::int), sum((r.value->>'quarantined')::int), sum((r.value->>'keptRaw')::int),"
                + " sum((r.value->>'duplicates')::int) from batch_file b, jsonb_each(coalesce(b.outcome->'" + member + "', '{}'::jsonb)) r"
                + " where b.batch_id = ?1 and b.status <> 'READING' group by r.key order by r.key").setParameter(1, batchId).getResultList();
        Map<String, Counts> counts = new TreeMap<>();
        for (Object[] row : byType) {
            counts.put((String) row[0], new Counts(number(row[1]), number(row[2]), number(row[3]), number(row[4]), number(row[5])));
        }
        return java.util.Collections.unmodifiableMap(counts);
    }

    private static int number(Object value) {
        return value == null ? 0 : ((Number) value).intValue();
    }

    /** How many files each quarantine reason accounts for (by its ING id), with the reason's text. */
    private Map<String, Integer> quarantineReasons(long batchId) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = IngestBatch.getEntityManager().createNativeQuery("select split_part(reason, ':', 1), min(reason), count(*)"
                + " from batch_file where batch_id = ?1 and status = 'QUARANTINED' group by 1 order by 1").setParameter(1, batchId)
                .getResultList();
        Map<String, Integer> reasons = new LinkedHashMap<>();
        for (Object[] row : rows) {
            reasons.put(((String) row[1]).replaceAll(" \\(.*\\)$", ""), number(row[2]));
        }
        return reasons;
    }

    /** The whole reconciliation of a batch as stored, whether finished or still running; for batches of a size to hold. */
    public IngestReport report(long batchId) {
        return QuarkusTransaction.requiringNew().call(() -> {
            IngestBatch batch = IngestBatch.findById(batchId);
            List<FileReport> files = new ArrayList<>();
            for (BatchFile file : BatchFile.ofBatch(batchId)) {
                files.add(line(file));
            }
            return new IngestReport(IngestReport.SCHEMA, batch.id, batch.sourcePath, sourceSystemName(batch), batch.status.name().toLowerCase(java.util.Locale.ROOT),
                    batch.startedAt, batch.finishedAt, batch.attempts, files, totals(batchId));
        });
    }

    /** Writes the reconciliation of a batch as JSON, file line by file line from the database: any batch size. */
    public void writeReport(long batchId, OutputStream out) throws IOException {
        QuarkusTransaction.requiringNew().run(() -> {
            IngestBatch batch = IngestBatch.findById(batchId);
            try (JsonGenerator generator = json.copy().enable(SerializationFeature.INDENT_OUTPUT).getFactory().createGenerator(out)) {
                generator.useDefaultPrettyPrinter();
                generator.writeStartObject();
                generator.writeStringField("schema", IngestReport.SCHEMA);
                generator.writeNumberField("batchId", batch.id);
                generator.writeStringField("sourcePath", batch.sourcePath);
                generator.writeStringField("sourceSystem", sourceSystemName(batch));
                generator.writeStringField("status", batch.status.name().toLowerCase(java.util.Locale.ROOT));
                generator.writeStringField("startedAt", batch.startedAt.toString());
                if (batch.finishedAt != null) {
                    generator.writeStringField("finishedAt", batch.finishedAt.toString());
                }
                generator.writeNumberField("attempts", batch.attempts);
                generator.writeArrayFieldStart("files");
                try (Stream<BatchFile> files = BatchFile.<BatchFile>find("batchId = ?1 order by path", batchId).stream()) {
                    for (BatchFile file : (Iterable<BatchFile>) files::iterator) {
                        generator.writeObject(line(file));
                        IngestBatch.getEntityManager().detach(file);
                    }
                }
                generator.writeEndArray();
                generator.writeObjectField("totals", totals(batchId));
                generator.writeEndObject();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    private FileReport line(BatchFile file) {
        if (file.status == BatchFile.Status.READING) {
            FileTally tally = json.convertValue(file.outcome, FileTally.class);
            return tally.report(file.path, file.sha256, "reading", null, null);
        }
        return json.convertValue(file.outcome, FileReport.class);
    }

    private static String ownerId() {
        return hostName() + ":" + ProcessHandle.current().pid();
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
