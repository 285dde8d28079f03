package org.ehrarchive.ingest;

import java.io.IOException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.ehrarchive.PhiSafe;
import org.ehrarchive.blob.BlobStore;
import org.ehrarchive.ingest.IngestReport.FileReport;
import org.ehrarchive.ingest.RecordContent.AttachmentContent;
import org.ehrarchive.ingest.RecordContent.DocumentContent;
import org.ehrarchive.ingest.RecordContent.EntriesContent;
import org.ehrarchive.ingest.RecordContent.RawContent;
import org.ehrarchive.record.Identifier;
import org.ehrarchive.record.SortKeys;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import io.quarkus.logging.Log;

/**
 * The writing half of a batch (ADR 0009), on its own thread while the reader parses the next records: it takes the
 * reader's events in order, groups them into chunks (many small files, or part of a large one) and stores each
 * chunk in one transaction with COPY, together with each file's checkpoint, so that a crash loses at most the chunk
 * in flight and a resumed file goes on after its checkpoint.
 * <p>
 * For every record it decides, against the archive and the rest of the chunk: a duplicate (the same key and
 * content are stored: counted, nothing new stored), a new version (the same key with other content: stored, and it
 * supersedes the current version, or is kept as history when it is older than that one), or new. A chunk the
 * database refuses is stored again record by record, each under a savepoint, so that only a record that cannot be
 * stored is quarantined, with its reason, and the batch goes on.
 * <p>
 * Writers of several archive processes take turns: a chunk's transaction holds an advisory lock, which serializes
 * patient matching and version decisions across processes.
 */
final class RecordWriter implements Runnable {

    /** Any constant works: it names the lock that serializes writers (patient matching, versions) across processes. */
    static final long WRITE_LOCK = 0x45485241_52434856L;

    /** SQLSTATE of a unique key violation: in a chunk, usually another process having stored the same records first. */
    private static final String UNIQUE_VIOLATION = "23505";
    private static final int MAX_CHUNK_RECORDS = 5_000;
    private static final int MAX_CHUNK_WEIGHT_KIB = 32 * 1024;
    private static final int MAX_CHUNK_FILES = 1_000;
    private static final Duration MAX_CHUNK_AGE = Duration.ofSeconds(2);
    /** The reader may be this far ahead of the writer (kibibytes of records not yet stored). */
    private static final int QUEUE_WEIGHT_KIB = 64 * 1024;
    /** Parents (documents, messages, patients) whose stored ids are remembered across chunks. */
    private static final int RESOLVED_PARENTS_KEPT = 10_000;
    private static final int ID_BLOCK = 1_000;

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final DataSource dataSource;
    private final ObjectMapper reports;
    private final long batchId;
    private final IngestProgress progress;
    private final IngestTimings timings;
    private final BlockingQueue<WriteEvent> queue = new ArrayBlockingQueue<>(50_000);
    private final Semaphore room = new Semaphore(QUEUE_WEIGHT_KIB);
    private volatile Throwable failure;

    private Connection connection;
    private CopyManager copy;
    private long nextId;
    private long idsLeft;
    /** Parents whose stored ids are known, by identity: their children name them. */
    private final Map<IdentityKey, Resolution> resolved = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<IdentityKey, Resolution> eldest) {
            return size() > RESOLVED_PARENTS_KEPT;
        }
    };
    /**
     * Files being read, by content hash, to find a second path with the same content while the first is not stored
     * yet (once it is, the archive itself says so); and the second paths that wait for the first's line.
     */
    private final Map<String, FileState> openedBySha = new HashMap<>();
    private final Map<FileState, List<FileState>> waitingDuplicates = new IdentityHashMap<>();

    RecordWriter(DataSource dataSource, ObjectMapper reports, long batchId, IngestProgress progress, IngestTimings timings) {
        this.timings = timings;
        this.dataSource = dataSource;
        this.reports = reports;
        this.batchId = batchId;
        this.progress = progress;
    }

    /** The writer stopped: the run cannot go on. */
    static final class Aborted extends RuntimeException {
        Aborted(Throwable cause) {
            super("the ingest writer failed: " + PhiSafe.describe(cause), cause);
        }
    }

    /** Hands an event to the writer; blocks while the writer is behind. */
    void submit(WriteEvent event) {
        int weight = Math.min(Math.max(1, event.weight()), QUEUE_WEIGHT_KIB);
        try {
            while (!room.tryAcquire(weight, 200, TimeUnit.MILLISECONDS)) {
                checkAlive();
            }
            while (!queue.offer(event, 200, TimeUnit.MILLISECONDS)) {
                checkAlive();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Aborted(e);
        }
        checkAlive();
    }

    void checkAlive() {
        if (failure != null) {
            throw new Aborted(failure);
        }
    }

    Throwable failure() {
        return failure;
    }

    @Override
    public void run() {
        List<WriteEvent> chunk = new ArrayList<>();
        try (Connection opened = dataSource.getConnection()) {
            connection = opened;
            connection.setAutoCommit(false);
            copy = connection.unwrap(PGConnection.class).getCopyAPI();
            int records = 0;
            int weight = 0;
            int files = 0;
            Instant started = null;
            while (true) {
                WriteEvent event = queue.poll(100, TimeUnit.MILLISECONDS);
                if (event == null) {
                    if (!chunk.isEmpty() && Duration.between(started, Instant.now()).compareTo(MAX_CHUNK_AGE) >= 0) {
                        weight = flush(chunk, weight);
                        records = files = 0;
                    }
                    continue;
                }
                if (chunk.isEmpty()) {
                    started = Instant.now();
                }
                if (event instanceof WriteEvent.End) {
                    flush(chunk, weight);
                    return;
                }
                chunk.add(event);
                weight += Math.min(Math.max(1, event.weight()), QUEUE_WEIGHT_KIB);
                if (event instanceof WriteEvent.Record || event instanceof WriteEvent.Section) {
                    records++;
                } else if (event instanceof WriteEvent.Closed || event instanceof WriteEvent.Settled) {
                    files++;
                }
                if (records >= MAX_CHUNK_RECORDS || weight >= MAX_CHUNK_WEIGHT_KIB || files >= MAX_CHUNK_FILES) {
                    weight = flush(chunk, weight);
                    records = files = 0;
                }
            }
        } catch (Throwable e) {
            failure = e;
            Log.errorf("The ingest writer stopped; the batch is resumable: %s", PhiSafe.describe(e));
            room.release(QUEUE_WEIGHT_KIB); // wake a reader waiting for room, so that it sees the failure
        }
    }

    private int flush(List<WriteEvent> chunk, int weight) throws SQLException, IOException {
        if (chunk.isEmpty()) {
            return 0;
        }
        long started = System.nanoTime();
        awaitBlobs(chunk);
        timings.add("writer: wait for blobs", started);
        Attempt done;
        try {
            done = new Attempt(chunk, false).run();
        } catch (SQLException e) {
            connection.rollback();
            if (!isDataError(e)) {
                throw e;
            }
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                // The expected path when another process archives the same content at the same moment: what it stored
                // first becomes a duplicate here, record by record (ConcurrentIngestIT). Not a warning.
                Log.infof("Another archive process stored some of a chunk of %d events first (%s); storing it record by record",
                        chunk.size(), constraintOf(e).isEmpty() ? "a unique key" : constraintOf(e).substring(2));
            } else {
                Log.warnf("The database refused a chunk of %d events (SQLSTATE %s%s); storing it record by record", chunk.size(),
                        e.getSQLState(), constraintOf(e));
            }
            done = new Attempt(chunk, true).run();
        }
        done.apply();
        chunk.clear();
        room.release(weight);
        return 0;
    }

    /** The constraint a refusal names (a schema name, never data), for the log. */
    private static String constraintOf(SQLException e) {
        if (e instanceof org.postgresql.util.PSQLException psql && psql.getServerErrorMessage() != null
                && psql.getServerErrorMessage().getConstraint() != null) {
            return ", constraint " + psql.getServerErrorMessage().getConstraint();
        }
        return "";
    }

    /** Every blob the chunk's files registered must be on disk before any of their rows commit. */
    private static void awaitBlobs(List<WriteEvent> chunk) throws IOException {
        Set<FileState> files = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (WriteEvent event : chunk) {
            FileState file = fileOf(event);
            if (file != null && files.add(file)) {
                for (CompletableFuture<Void> durable : file.pendingBlobs()) {
                    BlobStore.awaitDurable(durable);
                }
            }
        }
    }

    private static FileState fileOf(WriteEvent event) {
        if (event instanceof WriteEvent.Opened opened) {
            return opened.file();
        } else if (event instanceof WriteEvent.Record record) {
            return record.file();
        } else if (event instanceof WriteEvent.Section section) {
            return section.file();
        } else if (event instanceof WriteEvent.Closed closed) {
            return closed.file();
        } else if (event instanceof WriteEvent.Settled settled) {
            return settled.file();
        } else if (event instanceof WriteEvent.Warning warning) {
            return warning.file();
        }
        return null;
    }

    /** SQLSTATE classes of a value the database refused, as opposed to a database that is gone. */
    static boolean isDataError(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                return state.startsWith("22") || state.startsWith("23") || state.startsWith("54");
            }
        }
        return false;
    }

    // ---- one attempt at storing a chunk ------------------------------------------------------------------

    /** What is stored of a record: its source record, and the document or patient it makes known. */
    private record Resolution(long sourceRecordId, Long patientId, Long documentId, Long sourceFileId) {
    }

    /** A stored version of a record key, as the archive and this chunk know it. */
    private static final class Version {
        final long id;
        final String contentHash;
        final int version;
        final String orderKey;
        final boolean historical;
        final String status;
        final Resolution resolution;
        boolean superseded;

        Version(long id, String contentHash, int version, String orderKey, boolean historical, boolean superseded, String status,
                Resolution resolution) {
            this.id = id;
            this.contentHash = contentHash;
            this.version = version;
            this.orderKey = orderKey;
            this.historical = historical;
            this.superseded = superseded;
            this.status = status;
            this.resolution = resolution;
        }
    }

    private final class Attempt {
        private final List<WriteEvent> chunk;
        private final boolean careful;
        private final Map<FileState, FileTally> tallies = new IdentityHashMap<>();
        private final Map<FileState, Integer> checkpoints = new IdentityHashMap<>();
        private final Map<FileState, List<Long>> newDocuments = new IdentityHashMap<>();
        private final Map<FileState, Long> sourceFiles = new IdentityHashMap<>();
        private final Map<FileState, Long> duplicates = new IdentityHashMap<>();
        private final Set<FileState> closed = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        private final Map<IdentityKey, Resolution> resolutions = new HashMap<>();
        private final Map<IdentityKey, Long> patients = new HashMap<>();
        private final Map<String, List<Version>> versions = new HashMap<>();
        private final Map<String, List<Long>> patientsByIdentifier = new HashMap<>();
        private final List<Runnable> afterCommit = new ArrayList<>();
        private final Instant now = Instant.now();
        private final Set<Long> newPatients = new HashSet<>();
        private final Map<String, FileState> openedHere = new HashMap<>();
        private final Map<FileState, List<FileState>> waitingHere = new IdentityHashMap<>();
        private final List<Long> toIndex = new ArrayList<>();
        private final Rows rows = new Rows();

        Attempt(List<WriteEvent> chunk, boolean careful) {
            this.chunk = chunk;
            this.careful = careful;
        }

        Attempt run() throws SQLException, IOException {
            long step = System.nanoTime();
            try (PreparedStatement lock = connection.prepareStatement("select pg_advisory_xact_lock(?)")) {
                lock.setLong(1, WRITE_LOCK);
                lock.execute();
            }
            step = timings.add("writer: lock", step);
            loadStoredFiles();
            loadPatientsByIdentifier();
            prefetchVersions();
            step = timings.add("writer: look up patients and versions", step);
            for (WriteEvent event : chunk) {
                if (event instanceof WriteEvent.Opened opened) {
                    open(opened.file());
                } else if (event instanceof WriteEvent.Record record) {
                    record(record);
                } else if (event instanceof WriteEvent.Section section) {
                    section(section);
                } else if (event instanceof WriteEvent.Closed closedFile) {
                    close(closedFile);
                } else if (event instanceof WriteEvent.Settled settled) {
                    settle(settled);
                } else if (event instanceof WriteEvent.Warning warning && !isDuplicate(warning.file())) {
                    tally(warning.file()).warnings(List.of(warning.warning()));
                }
            }
            step = timings.add("writer: decide and build rows", step);
            checkpointOpenFiles();
            writeSourceFiles();
            rows.copy();
            step = timings.add("writer: copy rows", step);
            writeSourceFiles(); // final states of files written in careful mode
            writeBatchFiles();
            queueForIndexing();
            try (PreparedStatement heartbeat = connection.prepareStatement("update ingest_batch set heartbeat_at = ? where id = ?")) {
                heartbeat.setObject(1, java.time.OffsetDateTime.now());
                heartbeat.setLong(2, batchId);
                heartbeat.executeUpdate();
            }
            step = timings.add("writer: bookkeeping", step);
            connection.commit();
            timings.add("writer: commit", step);
            return this;
        }

        /** After the commit: what the chunk stored becomes what the writer knows. */
        void apply() {
            openedHere.forEach((sha, file) -> {
                if (!closed.contains(file)) {
                    openedBySha.putIfAbsent(sha, file);
                }
            });
            waitingHere.forEach((first, waiting) -> waitingDuplicates.computeIfAbsent(first, f -> new ArrayList<>()).addAll(waiting));
            tallies.forEach((file, tally) -> file.tally = tally);
            checkpoints.forEach((file, checkpoint) -> file.checkpoint = checkpoint);
            sourceFiles.forEach((file, id) -> file.sourceFileId = id);
            duplicates.forEach((file, id) -> {
                file.duplicate = true;
                file.duplicateOf = id;
            });
            newDocuments.forEach((file, ids) -> file.documentIds.addAll(ids));
            // Only what later records can name as their parent: documents, messages, patients (every other record's
            // resolution would push them out, and each later child would then look its parent up on its own).
            resolutions.forEach((key, resolution) -> {
                if (key.record().content() instanceof DocumentContent) {
                    resolved.put(key, resolution);
                }
            });
            afterCommit.forEach(Runnable::run);
        }

        private FileTally tally(FileState file) {
            return tallies.computeIfAbsent(file, f -> f.tally.copy());
        }

        private Long sourceFileId(FileState file) {
            return sourceFiles.containsKey(file) ? sourceFiles.get(file) : file.sourceFileId;
        }

        private boolean isDuplicate(FileState file) {
            return duplicates.containsKey(file) || file.duplicate;
        }

        private Long duplicateOf(FileState file) {
            return duplicates.containsKey(file) ? duplicates.get(file) : file.duplicateOf;
        }

        // ---- files -------------------------------------------------------------------------------------

        // ---- file bookkeeping: few statements per chunk, whatever its number of files -----------------------

        /** A source_file row this chunk writes: new (sent with COPY), or an existing one to update. */
        private static final class SourceFileRow {
            final long id;
            final boolean exists;
            String status;
            String reason;
            String format;
            String outcome;

            SourceFileRow(long id, boolean exists, String status, String format) {
                this.id = id;
                this.exists = exists;
                this.status = status;
                this.format = format;
            }
        }

        private final Map<FileState, SourceFileRow> sourceFileRows = new IdentityHashMap<>();
        /** What the archive knew of the chunk's contents when the chunk began: sha256 to id and status. */
        private final Map<String, StoredFile> storedFiles = new HashMap<>();
        /** batch_file lines to write, one per file (the last state wins). */
        private final Map<FileState, BatchFileRow> batchFileRows = new java.util.LinkedHashMap<>();

        /** A source_file row as the chunk found it. */
        private record StoredFile(long id, String status) {
            boolean archived() {
                return "ARCHIVED".equals(status);
            }
        }

        /** A batch_file line to write. */
        private record BatchFileRow(String status, String reason, Long sourceFileId, String outcome, Integer checkpoint,
                IngestReport.Counts counts) {
        }

        /** One query for every content of the chunk that the archive may know: a file opened, quarantined or a duplicate. */
        private void loadStoredFiles() throws SQLException {
            Set<String> shas = new LinkedHashSet<>();
            for (WriteEvent event : chunk) {
                FileState file = fileOf(event);
                if (file != null && file.sha256 != null && (event instanceof WriteEvent.Opened || event instanceof WriteEvent.Settled)) {
                    shas.add(file.sha256);
                }
            }
            if (shas.isEmpty()) {
                return;
            }
            try (PreparedStatement find = connection.prepareStatement("select sha256, id, status from source_file where sha256 = any(?)")) {
                // bpchar, the column's type: compared with a text[] the column is cast, and its index is not used
                find.setArray(1, connection.createArrayOf("bpchar", shas.toArray()));
                try (ResultSet found = find.executeQuery()) {
                    while (found.next()) {
                        storedFiles.put(found.getString(1).trim(), new StoredFile(found.getLong(2), found.getString(3)));
                    }
                }
            }
        }

        private void open(FileState file) throws SQLException, IOException {
            if (sourceFileId(file) != null) {
                return;
            }
            FileState first = openedHere.containsKey(file.sha256) ? openedHere.get(file.sha256) : openedBySha.get(file.sha256);
            if (first != null && first != file) {
                // A second path with content this run is reading; when the first is a duplicate itself, of what it duplicates.
                duplicates.put(file, isDuplicate(first) ? duplicateOf(first) : sourceFileId(first));
                return;
            }
            openedHere.put(file.sha256, file);
            StoredFile stored = storedFiles.get(file.sha256);
            if (stored != null && stored.archived()) {
                duplicates.put(file, stored.id()); // another process archived the same content meanwhile
                return;
            }
            // Content quarantined (or cut off) before is read again: its one row takes the new outcome.
            SourceFileRow row = stored != null ? new SourceFileRow(stored.id(), true, "READING", file.format)
                    : new SourceFileRow(nextId(), false, "READING", file.format);
            sourceFileRows.put(file, row);
            sourceFiles.put(file, row.id);
            if (careful) {
                writeSourceFiles(); // before any record's savepoint names it
            }
        }

        /** New source_file rows by COPY, changed ones by one batch of updates. */
        private void writeSourceFiles() throws SQLException, IOException {
            List<SourceFileRow> updates = new ArrayList<>();
            for (Map.Entry<FileState, SourceFileRow> entry : sourceFileRows.entrySet()) {
                FileState file = entry.getKey();
                SourceFileRow row = entry.getValue();
                if (row.exists) {
                    updates.add(row);
                } else {
                    rows.sourceFiles.add(row.id).add(file.sha256).add(file.sizeBytes).add(file.originalName).add(row.format).add(row.status)
                            .add(row.reason).add(batchId).add(now).add(row.outcome).endRow();
                }
            }
            rows.sourceFiles.copy(copy);
            if (!updates.isEmpty()) {
                try (PreparedStatement update = connection.prepareStatement("update source_file set status = ?, reason = ?, format = ?,"
                        + " outcome = ?::jsonb, batch_id = ?, archived_at = ? where id = ? and status <> 'ARCHIVED'")) {
                    for (SourceFileRow row : updates) {
                        update.setString(1, row.status);
                        update.setString(2, row.reason);
                        update.setString(3, row.format);
                        update.setString(4, row.outcome);
                        update.setLong(5, batchId);
                        update.setObject(6, java.time.OffsetDateTime.now());
                        update.setLong(7, row.id);
                        update.addBatch();
                    }
                    update.executeBatch();
                }
            }
            // Written: a later change in this attempt (careful mode writes as it goes) updates the row instead.
            sourceFileRows.clear();
        }

        /** A file's final state in source_file. */
        private void finalState(FileState file, String status, String reason, String outcome) {
            SourceFileRow row = sourceFileRows.get(file);
            if (row == null) {
                row = new SourceFileRow(sourceFileId(file), true, status, file.format);
                sourceFileRows.put(file, row);
            }
            row.status = status;
            row.reason = reason;
            row.format = file.format;
            row.outcome = outcome;
        }

        private void close(WriteEvent.Closed event) throws SQLException, IOException {
            FileState file = event.file();
            closed.add(file);
            if (isDuplicate(file)) {
                Long of = duplicateOf(file);
                FileState first = openedHere.containsKey(file.sha256) ? openedHere.get(file.sha256) : openedBySha.get(file.sha256);
                if (first == null || first == file || closed.contains(first)) {
                    // the first is stored (by this process or another): its line is in the archive
                    writeDuplicate(file, of, first != null && closedLines.containsKey(first) ? closedLines.get(first) : storedLine(of));
                } else {
                    waitingHere.computeIfAbsent(first, f -> new ArrayList<>()).add(file); // written with the first's line
                }
                return;
            }
            FileTally tally = tally(file);
            QuarantineException quarantine = event.quarantine();
            String status = quarantine == null ? "archived" : "quarantined";
            String reason = quarantine == null ? null : quarantine.reason();
            if (quarantine != null) {
                tally.quarantinedFound(quarantine.recordsFound(), quarantine.sectionsFound());
            }
            FileReport line = tally.report(file.path, file.sha256, status, reason, file.format);
            closedLines.put(file, line);
            String outcome = reports.writeValueAsString(line);
            finalState(file, quarantine == null ? "ARCHIVED" : "QUARANTINED", reason, outcome);
            writeBatchFile(file, quarantine == null ? "ARCHIVED" : "QUARANTINED", reason, sourceFileId(file), outcome, line.counts());
            List<Long> documents = new ArrayList<>(file.documentIds);
            documents.addAll(newDocuments.getOrDefault(file, List.of()));
            // Queued with the file's last rows: a document is searchable once it is complete, and never missed (ADR 0007).
            toIndex.addAll(documents);
            afterCommit.add(() -> progress.fileDone(line, file.sizeBytes));
            List<FileState> waiting = new ArrayList<>(waitingDuplicates.getOrDefault(file, List.of()));
            waiting.addAll(waitingHere.getOrDefault(file, List.of()));
            waitingHere.remove(file);
            for (FileState duplicate : waiting) {
                writeDuplicate(duplicate, sourceFileId(file), line);
            }
            afterCommit.add(() -> {
                waitingDuplicates.remove(file);
                openedBySha.remove(file.sha256, file);
            });
        }

        /** Lines of the files this attempt closed, for their duplicates in the same chunk. */
        private final Map<FileState, FileReport> closedLines = new IdentityHashMap<>();

        /** The stored line of an original, for a duplicate's line. */
        private FileReport storedLine(Long sourceFile) throws SQLException, IOException {
            if (sourceFile == null) {
                return null;
            }
            try (PreparedStatement find = connection.prepareStatement("select outcome from source_file where id = ?")) {
                find.setLong(1, sourceFile);
                try (ResultSet found = find.executeQuery()) {
                    return found.next() && found.getString(1) != null ? reports.readValue(found.getString(1), FileReport.class) : null;
                }
            }
        }

        /**
         * A duplicate's line: the original's records and sections, every one found again and already archived. When
         * the original turned out quarantined, the same bytes are quarantined here too, for the same reason.
         */
        private void writeDuplicate(FileState file, Long sourceFile, FileReport original) throws SQLException, IOException {
            if (original != null && "quarantined".equals(original.status())) {
                FileReport line = new FileReport(file.path, original.sha256(), original.status(), original.reason(), original.format(),
                        original.patientIdentifiers(), original.records(), original.parts(), original.sections(), original.warnings(), original.found(),
                        original.archived(), original.quarantined(), original.keptRaw(), original.duplicates());
                writeBatchFile(file, "QUARANTINED", line.reason(), sourceFile, reports.writeValueAsString(line), line.counts());
                afterCommit.add(() -> progress.fileDone(line, file.sizeBytes));
                return;
            }
            FileReport line = duplicateLine(file, original, sourceFile);
            writeBatchFile(file, "DUPLICATE", line.reason(), sourceFile, reports.writeValueAsString(line), line.counts());
            afterCommit.add(() -> progress.fileDone(line, file.sizeBytes));
        }

        private void settle(WriteEvent.Settled event) throws SQLException, IOException {
            FileState file = event.file();
            closed.add(file);
            switch (event.kind()) {
                case ALREADY_RECORDED -> {
                    // an earlier attempt of this batch stored the file's line: nothing to write
                }
                case DUPLICATE -> {
                    StoredFile stored = storedFiles.get(file.sha256);
                    writeDuplicate(file, stored == null ? null : stored.id(), event.line());
                    return;
                }
                case QUARANTINED -> {
                    String outcome = reports.writeValueAsString(event.line());
                    StoredFile stored = storedFiles.get(file.sha256);
                    FileState first = openedHere.get(file.sha256);
                    Long id;
                    if (first != null && sourceFiles.containsKey(first)) {
                        id = sourceFiles.get(first); // the same content seen earlier in this chunk
                    } else if (stored != null) {
                        id = stored.id();
                        if (!stored.archived()) {
                            SourceFileRow row = new SourceFileRow(id, true, "QUARANTINED", file.format);
                            sourceFileRows.put(file, row);
                        }
                    } else {
                        id = nextId();
                        sourceFileRows.put(file, new SourceFileRow(id, false, "QUARANTINED", file.format));
                        openedHere.put(file.sha256, file);
                    }
                    if (sourceFileRows.containsKey(file)) {
                        SourceFileRow row = sourceFileRows.get(file);
                        row.reason = event.reason();
                        row.outcome = outcome;
                    }
                    sourceFiles.put(file, id);
                    writeBatchFile(file, "QUARANTINED", event.reason(), id, outcome, event.line().counts());
                }
                case UNREADABLE -> writeBatchFile(file, "QUARANTINED", event.reason(), null,
                        reports.writeValueAsString(event.line()), event.line().counts());
            }
            FileReport line = event.line();
            afterCommit.add(() -> progress.fileDone(line, file.sizeBytes));
        }

        /** The documents of the files this chunk completed go to the search index's outbox, after their rows. */
        private void queueForIndexing() throws SQLException {
            if (toIndex.isEmpty()) {
                return;
            }
            try (PreparedStatement queue = connection.prepareStatement(
                    "insert into index_outbox (document_id, queued_at) values (?, now()) on conflict do nothing")) {
                for (Long document : toIndex) {
                    queue.setLong(1, document);
                    queue.addBatch();
                }
                queue.executeBatch();
            }
        }

        /** The files still open at the end of the chunk record how far they got, with their running tally. */
        private void checkpointOpenFiles() throws SQLException, IOException {
            Set<FileState> open = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
            for (WriteEvent event : chunk) {
                FileState file = fileOf(event);
                if (file != null && !closed.contains(file) && !isDuplicate(file) && sourceFileId(file) != null) {
                    open.add(file);
                }
            }
            for (FileState file : open) {
                FileTally tally = tally(file);
                FileReport partial = tally.report(file.path, file.sha256, "reading", null, file.format);
                writeBatchFile(file, "READING", null, sourceFileId(file), reports.writeValueAsString(tally), partial.counts());
            }
        }

        private void writeBatchFile(FileState file, String status, String reason, Long sourceFileId, String outcome,
                IngestReport.Counts counts) {
            Integer checkpoint = "READING".equals(status) ? checkpoints.getOrDefault(file, file.checkpoint) : null;
            batchFileRows.put(file, new BatchFileRow(status, reason, sourceFileId, outcome, checkpoint, counts));
        }

        /** Every batch_file line of the chunk in one batch of upserts (an unreadable file, with no hash, inserted). */
        private void writeBatchFiles() throws SQLException {
            String columns = "insert into batch_file (id, batch_id, path, sha256, source_file_id, status, reason, processed_at, outcome,"
                    + " checkpoint, found, archived, quarantined, kept_raw, duplicates) values (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?)";
            try (PreparedStatement upsert = connection.prepareStatement(columns + " on conflict (batch_id, path, sha256) do update set"
                    + " source_file_id = excluded.source_file_id, status = excluded.status, reason = excluded.reason,"
                    + " processed_at = excluded.processed_at, outcome = excluded.outcome, checkpoint = excluded.checkpoint,"
                    + " found = excluded.found, archived = excluded.archived, quarantined = excluded.quarantined,"
                    + " kept_raw = excluded.kept_raw, duplicates = excluded.duplicates");
                    PreparedStatement insert = connection.prepareStatement(columns)) {
                boolean upserts = false;
                boolean inserts = false;
                for (Map.Entry<FileState, BatchFileRow> entry : batchFileRows.entrySet()) {
                    FileState file = entry.getKey();
                    BatchFileRow row = entry.getValue();
                    PreparedStatement statement = file.sha256 == null ? insert : upsert;
                    IngestReport.Counts counts = row.counts();
                    statement.setLong(1, nextId());
                    statement.setLong(2, batchId);
                    statement.setString(3, file.path);
                    statement.setString(4, file.sha256);
                    statement.setObject(5, row.sourceFileId(), Types.BIGINT);
                    statement.setString(6, row.status());
                    statement.setString(7, row.reason());
                    statement.setObject(8, java.time.OffsetDateTime.now());
                    statement.setString(9, row.outcome());
                    statement.setObject(10, row.checkpoint(), Types.INTEGER);
                    statement.setInt(11, counts.found());
                    statement.setInt(12, counts.archived());
                    statement.setInt(13, counts.quarantined());
                    statement.setInt(14, counts.keptRaw());
                    statement.setInt(15, counts.duplicates());
                    statement.addBatch();
                    if (statement == insert) {
                        inserts = true;
                    } else {
                        upserts = true;
                    }
                }
                if (upserts) {
                    upsert.executeBatch();
                }
                if (inserts) {
                    insert.executeBatch();
                }
            }
        }

        // ---- patients ----------------------------------------------------------------------------------

        /** One query for every identifier the chunk's documents name: which archived patients carry it. */
        private void loadPatientsByIdentifier() throws SQLException {
            List<DocumentContent> documents = new ArrayList<>();
            for (WriteEvent event : chunk) {
                if (event instanceof WriteEvent.Record r && r.record().content() instanceof DocumentContent document) {
                    documents.add(document);
                }
            }
            loadPatientsByIdentifier(documents);
        }

        private void loadPatientsByIdentifier(List<DocumentContent> documents) throws SQLException {
            Set<String> values = new LinkedHashSet<>();
            for (DocumentContent document : documents) {
                for (Identifier identifier : document.patient().identifiers()) {
                    if (identifier.isUsable() && identifier.value().indexOf('\u0000') < 0) {
                        values.add(identifier.value()); // a NUL cannot be looked up: that record is refused when stored
                    }
                }
            }
            if (values.isEmpty()) {
                return;
            }
            try (PreparedStatement find = connection.prepareStatement(
                    "select distinct system, value, patient_id from patient_identifier where value = any(?)")) {
                find.setArray(1, connection.createArrayOf("text", values.toArray()));
                try (ResultSet found = find.executeQuery()) {
                    while (found.next()) {
                        List<Long> carriers = patientsByIdentifier.computeIfAbsent(identifierKey(found.getString(1), found.getString(2)),
                                k -> new ArrayList<>());
                        if (!carriers.contains(found.getLong(3))) {
                            carriers.add(found.getLong(3));
                        }
                    }
                }
            }
        }

        /** An identifier without an assigning authority only matches another one without. */
        private static String identifierKey(String system, String value) {
            return (system == null ? "\u0000" : system) + "\u0001" + value;
        }

        /**
         * The archived patient a document belongs to: the one already carrying any of its usable identifiers (the lowest
         * id when several do, with a warning), or a new one.
         */
        private long patientFor(DocumentContent document, List<String> warnings) throws SQLException, IOException {
            List<Long> matches = matchingPatients(document);
            long patient;
            if (matches.isEmpty()) {
                patient = nextId();
                newPatients.add(patient);
                rows.patient(patient, now); // in careful mode under the record's savepoint: refused with it, and forgotten
            } else {
                patient = matches.get(0);
                if (matches.size() > 1) {
                    warnings.add("identifiers match " + matches.size() + " archived patients; filed under patient " + patient);
                    Log.warnf("A document's identifiers match %d archived patients; filed under patient %d", matches.size(), patient);
                }
            }
            for (Identifier identifier : document.patient().identifiers()) {
                if (identifier.isUsable()) {
                    List<Long> carriers = patientsByIdentifier.computeIfAbsent(identifierKey(identifier.system(), identifier.value()),
                            k -> new ArrayList<>());
                    if (!carriers.contains(patient)) {
                        carriers.add(patient);
                    }
                }
            }
            return patient;
        }

        /** A patient created for a record the database then refused: it was rolled back, so nothing may name it. */
        private void forgetPatient(long patient, ImportedRecord record) {
            newPatients.remove(patient);
            patients.remove(new IdentityKey(record));
            patientsByIdentifier.values().forEach(carriers -> carriers.remove(patient));
        }

        /** The patients already carrying any of a document's usable identifiers, lowest id first. */
        private List<Long> matchingPatients(DocumentContent document) {
            List<Long> matches = new ArrayList<>();
            for (Identifier identifier : document.patient().identifiers()) {
                if (identifier.isUsable()) {
                    for (Long id : patientsByIdentifier.getOrDefault(identifierKey(identifier.system(), identifier.value()), List.of())) {
                        if (!matches.contains(id)) {
                            matches.add(id);
                        }
                    }
                }
            }
            matches.sort(Long::compare);
            return matches;
        }

        /**
         * One query for the stored versions of every key the chunk's records can already have: those of patients
         * that exist (a patient created by this chunk has nothing stored yet).
         */
        private void prefetchVersions() throws SQLException {
            Map<IdentityKey, Long> predicted = new HashMap<>();
            List<String> keyHashes = new ArrayList<>();
            for (WriteEvent event : chunk) {
                if (!(event instanceof WriteEvent.Record r)) {
                    continue;
                }
                ImportedRecord record = r.record();
                Long patient = null;
                boolean known = true;
                if (record.content() instanceof DocumentContent document) {
                    List<Long> matches = matchingPatients(document);
                    patient = matches.isEmpty() ? null : matches.get(0);
                    known = patient != null;
                } else if (record.parent() != null) {
                    IdentityKey parent = new IdentityKey(record.parent());
                    if (predicted.containsKey(parent)) {
                        patient = predicted.get(parent);
                    } else if (resolved.containsKey(parent)) {
                        patient = resolved.get(parent).patientId();
                    }
                    known = patient != null;
                }
                if (known) {
                    predicted.put(new IdentityKey(record), patient);
                    keyHashes.add(keyHash(patient, record));
                }
            }
            loadVersions(keyHashes);
        }

        // ---- records -----------------------------------------------------------------------------------

        private Resolution resolution(ImportedRecord record) throws SQLException {
            IdentityKey key = new IdentityKey(record);
            Resolution known = resolutions.get(key);
            if (known == null) {
                known = resolved.get(key);
            }
            if (known == null) {
                known = resolveStored(record);
                if (known != null) {
                    resolutions.put(key, known);
                }
            }
            return known;
        }

        /**
         * A parent stored by an earlier run (a file resumed after its checkpoint, which does not hand over the stored
         * records again), found by its key and content.
         */
        private Resolution resolveStored(ImportedRecord record) throws SQLException {
            Long patient;
            if (record.content() instanceof DocumentContent document) {
                loadPatientsByIdentifier(List.of(document)); // a resumed chunk does not hand its document over again
                List<Long> matches = matchingPatients(document);
                if (matches.isEmpty()) {
                    return null;
                }
                patient = matches.get(0);
            } else if (record.parent() != null) {
                Resolution parent = resolution(record.parent());
                if (parent == null) {
                    return null;
                }
                patient = parent.patientId();
            } else {
                patient = null;
            }
            String keyHash = keyHash(patient, record);
            for (Version version : versions(keyHash)) {
                if (version.contentHash.equals(record.contentHash())) {
                    return version.resolution;
                }
            }
            return null;
        }

        private List<Version> versions(String keyHash) throws SQLException {
            List<Version> known = versions.get(keyHash);
            if (known != null) {
                return known;
            }
            loadVersions(List.of(keyHash));
            return versions.get(keyHash);
        }

        /** Loads the stored versions of these keys (one query), unless this attempt knows them already. */
        private void loadVersions(List<String> keyHashes) throws SQLException {
            List<String> missing = keyHashes.stream().filter(k -> !versions.containsKey(k)).distinct().toList();
            if (missing.isEmpty()) {
                return;
            }
            for (String keyHash : missing) {
                versions.put(keyHash, new ArrayList<>());
            }
            try (PreparedStatement find = connection.prepareStatement("select r.key_hash, r.id, r.content_hash, r.version, r.order_key,"
                    + " r.historical, exists (select 1 from source_record s where s.supersedes_id = r.id), r.status, r.patient_id,"
                    + " d.id, r.source_file_id from source_record r left join clinical_document d on d.source_record_id = r.id"
                    + " where r.key_hash = any(?) order by r.version")) {
                // bpchar, the column's type: against a text[] every chunk scanned the whole table (docs/benchmarks.md)
                Array array = connection.createArrayOf("bpchar", missing.toArray());
                find.setArray(1, array);
                try (ResultSet found = find.executeQuery()) {
                    while (found.next()) {
                        Resolution resolution = new Resolution(found.getLong(2), (Long) found.getObject(9), (Long) found.getObject(10),
                                found.getLong(11));
                        versions.get(found.getString(1).trim()).add(new Version(found.getLong(2), found.getString(3).trim(), found.getInt(4),
                                found.getString(5), found.getBoolean(6), found.getBoolean(7), found.getString(8), resolution));
                    }
                }
            }
        }

        private void record(WriteEvent.Record event) throws SQLException, IOException {
            FileState file = event.file();
            if (isDuplicate(file)) {
                return;
            }
            ImportedRecord record = event.record();
            checkpoints.put(file, event.ordinal());
            FileTally tally = tally(file);
            Integer section = sectionOf(record.content());
            List<String> warnings = new ArrayList<>();
            Long patient;
            Resolution parent = null;
            Savepoint savepoint = careful ? connection.setSavepoint() : null;
            Long createdPatient = null;
            if (record.content() instanceof DocumentContent document) {
                IdentityKey key = new IdentityKey(record);
                patient = patients.get(key);
                if (patient == null) {
                    patient = patientFor(document, warnings);
                    patients.put(key, patient);
                    if (newPatients.contains(patient)) {
                        createdPatient = patient;
                    }
                }
                tally.identifiers(document.patient().identifiers());
                tally.warnings(document.warnings());
            } else if (record.parent() != null) {
                parent = resolution(record.parent());
                if (parent == null) {
                    if (savepoint != null) {
                        connection.releaseSavepoint(savepoint);
                    }
                    quarantineUnstorable(file, event, null, null, IngestError.PARENT_UNSTORABLE.message(null), tally);
                    return;
                }
                patient = parent.patientId();
                if (parent.documentId() != null && java.util.Objects.equals(parent.sourceFileId(), sourceFileId(file))
                        && !file.documentIds.contains(parent.documentId())
                        && !newDocuments.getOrDefault(file, List.of()).contains(parent.documentId())) {
                    // a document an earlier attempt stored from this file: it is queued for indexing with the file
                    newDocuments.computeIfAbsent(file, f -> new ArrayList<>()).add(parent.documentId());
                }
            } else {
                patient = null;
            }
            String keyHash = keyHash(patient, record);
            // A patient this chunk created has nothing stored yet.
            List<Version> known = patient != null && newPatients.contains(patient) ? versions.computeIfAbsent(keyHash, k -> new ArrayList<>())
                    : versions(keyHash);
            Version same = null;
            Version head = null;
            int highest = 0;
            for (Version version : known) {
                highest = Math.max(highest, version.version);
                if (version.contentHash.equals(record.contentHash())) {
                    same = version;
                }
                if (!version.superseded && !version.historical) {
                    head = version;
                }
            }
            boolean quarantinedNow = record.content() instanceof RawContent raw && raw.status() == ImportedFragment.Status.QUARANTINED;
            // The same content again is a duplicate; unless it was quarantined before and maps now: the fix takes effect.
            if (same != null && (!"QUARANTINED".equals(same.status) || quarantinedNow)) {
                if (savepoint != null) {
                    connection.releaseSavepoint(savepoint);
                }
                tally.count(record.type(), section, FileTally.Outcome.DUPLICATE);
                resolutions.put(new IdentityKey(record), same.resolution);
                return;
            }
            boolean historical = head != null && record.orderKey() != null && head.orderKey != null
                    && record.orderKey().compareTo(head.orderKey) < 0;
            Long supersedes = head == null || historical ? null : head.id;
            long id = nextId();
            String status = record.content() instanceof RawContent raw
                    ? raw.status() == ImportedFragment.Status.KEPT ? "KEPT_RAW" : "QUARANTINED" : "ARCHIVED";
            Long document = parent == null ? null : parent.documentId();
            Long documentOfRecord = null;
            try {
                rows.sourceRecord(id, sourceFileId(file), file.sha256, record, patient, keyHash, highest + 1, supersedes, historical,
                        event.ordinal(), parent == null ? null : parent.sourceRecordId(), status, status.equals("ARCHIVED") ? null
                                : ((RawContent) record.content()).reason(), now);
                RecordContent content = record.content();
                if (content instanceof DocumentContent documentContent) {
                    documentOfRecord = nextId();
                    List<String> documentWarnings = new ArrayList<>(documentContent.warnings());
                    documentWarnings.addAll(warnings);
                    tally.warnings(warnings);
                    rows.document(documentOfRecord, patient, file, sourceFileId(file), id, documentContent, documentWarnings);
                } else if (content instanceof EntriesContent entriesContent) {
                    for (ImportedEntry entry : entriesContent.entries()) {
                        rows.entry(nextId(), patient, document, id, entry, file.sha256);
                    }
                } else if (content instanceof RawContent raw) {
                    rows.fragment(nextId(), patient, document, id, raw.sectionOrdinal(), raw.status().name(), raw.reason(),
                            file.sha256, record.locator(), raw.content());
                } else if (content instanceof AttachmentContent attachment) {
                    rows.attachment(nextId(), document, id, attachment, record.locator());
                }
                if (careful) {
                    rows.copy();
                    connection.releaseSavepoint(savepoint);
                }
            } catch (SQLException e) {
                if (!careful || !isDataError(e)) {
                    throw e;
                }
                connection.rollback(savepoint);
                rows.clear();
                if (createdPatient != null) {
                    forgetPatient(createdPatient, record);
                    patient = null;
                }
                quarantineUnstorable(file, event, patient, document, IngestError.RECORD_UNSTORABLE.message("SQLSTATE " + e.getSQLState()), tally);
                return;
            }
            // The decision holds: later records of this chunk see this version.
            if (head != null && supersedes != null) {
                head.superseded = true;
            }
            Resolution resolution = new Resolution(id, patient, documentOfRecord, sourceFileId(file));
            known.add(new Version(id, record.contentHash(), highest + 1, record.orderKey(), historical, false, status, resolution));
            resolutions.put(new IdentityKey(record), resolution);
            if (documentOfRecord != null) {
                newDocuments.computeIfAbsent(file, f -> new ArrayList<>()).add(documentOfRecord);
            }
            tally.count(record.type(), section, status.equals("KEPT_RAW") ? FileTally.Outcome.KEPT_RAW
                    : status.equals("QUARANTINED") ? FileTally.Outcome.QUARANTINED : FileTally.Outcome.ARCHIVED);
        }

        /**
         * A record the database refused (or whose parent it refused): kept as a quarantined raw fragment with the reason,
         * under its own savepoint; if even that is refused, it is only counted (the original keeps it at its locator).
         */
        private void quarantineUnstorable(FileState file, WriteEvent.Record event, Long patient, Long document, String reason,
                FileTally tally) throws SQLException, IOException {
            ImportedRecord record = event.record();
            Integer section = sectionOf(record.content());
            // What the record said, as far as the database can hold it: its markup, else its normalized content as JSON.
            String raw = record.content() instanceof RawContent content ? content.content() : json(record.content());
            String storable = raw == null ? "" : withoutNul(raw);
            Savepoint savepoint = connection.setSavepoint();
            try {
                long id = nextId();
                // Keyed apart from the record's own key: a quarantined copy must never stand as a version of the fact.
                String keyHash = sha256("unstorable\u0001" + file.sha256 + "\u0001" + event.ordinal());
                ImportedRecord storableRecord = new ImportedRecord(record.type(), withoutNul(record.key()), record.contentHash(),
                        withoutNul(record.locator()), withoutNul(record.orderKey()), null, record.content());
                rows.sourceRecord(id, sourceFileId(file), file.sha256, storableRecord, patient, keyHash, 1, null, false, event.ordinal(),
                        null, "QUARANTINED", reason, now);
                rows.fragment(nextId(), patient, document, id, section, "QUARANTINED", reason, file.sha256, storableRecord.locator(),
                        storable);
                rows.copy();
                connection.releaseSavepoint(savepoint);
            } catch (SQLException e) {
                connection.rollback(savepoint);
                rows.clear();
                Log.warnf("A quarantined record could not be stored either (SQLSTATE %s); it is counted, and kept in the original", e.getSQLState());
            }
            tally.count(record.type(), section, FileTally.Outcome.QUARANTINED);
        }

        private void section(WriteEvent.Section event) throws SQLException, IOException {
            FileState file = event.file();
            if (isDuplicate(file)) {
                return;
            }
            checkpoints.put(file, event.ordinal());
            FileTally tally = tally(file);
            Resolution document = event.document() == null ? null : resolution(event.document());
            // Only the document this file stored gets its sections; one found elsewhere has its own.
            if (document != null && document.documentId() != null && java.util.Objects.equals(document.sourceFileId(), sourceFileId(file))) {
                IngestReport.Counts counts = tally.section(event.section().ordinal());
                Savepoint savepoint = careful ? connection.setSavepoint() : null;
                try {
                    rows.section(nextId(), document.documentId(), event.section(), counts);
                    if (careful) {
                        rows.copy();
                        connection.releaseSavepoint(savepoint);
                    }
                } catch (SQLException e) {
                    if (!careful || !isDataError(e)) {
                        throw e;
                    }
                    connection.rollback(savepoint);
                    rows.clear();
                    tally.warnings(List.of("a section could not be stored (SQLSTATE " + e.getSQLState() + "); its entries are counted"));
                }
            }
            tally.closeSection(event.section());
        }

        private Integer sectionOf(RecordContent content) {
            if (content instanceof EntriesContent entries) {
                return entries.sectionOrdinal();
            }
            return content instanceof RawContent raw ? raw.sectionOrdinal() : null;
        }
    }

    /** Text as PostgreSQL can store it: a NUL character (which it refuses) becomes U+FFFD. */
    private static String withoutNul(String text) {
        return text == null ? null : text.replace('\u0000', '\uFFFD');
    }

    /** The key of a record in its scope: its patient, its type, and its key (or its content when it has none). */
    static String keyHash(Long patient, ImportedRecord record) {
        String key = record.key() == null ? "content:" + record.contentHash() : "key:" + record.key();
        return sha256((patient == null ? "" : patient.toString()) + "\u0001" + record.type() + "\u0001" + key);
    }

    private static String sha256(String text) {
        return ContentHash.sha256(text);
    }

    /** The line of a file whose content was archived before: everything it holds is found again, and a duplicate. */
    static FileReport duplicateLine(FileState file, FileReport original, Long sourceFile) {
        if (original == null) {
            return new FileReport(file.path, file.sha256, "duplicate", "same content already archived", file.format, List.of(),
                    Map.of(), Map.of(), List.of(), List.of(), 0, 0, 0, 0, 0);
        }
        Map<String, IngestReport.Counts> records = new java.util.TreeMap<>();
        original.records().forEach((type, counts) -> records.put(type, new IngestReport.Counts(counts.found(), 0, 0, 0, counts.found())));
        Map<String, IngestReport.Counts> parts = new java.util.TreeMap<>();
        (original.parts() == null ? Map.<String, IngestReport.Counts>of() : original.parts())
                .forEach((type, counts) -> parts.put(type, new IngestReport.Counts(counts.found(), 0, 0, 0, counts.found())));
        List<IngestReport.SectionReport> sections = original.sections().stream()
                .map(s -> new IngestReport.SectionReport(s.code(), s.codeSystem(), s.title(), s.kind(), s.locator(), s.found(), 0, 0, 0, s.found()))
                .toList();
        return new FileReport(file.path, file.sha256, "duplicate", "same content already archived (source file " + sourceFile + ")",
                original.format(), original.patientIdentifiers(), java.util.Collections.unmodifiableMap(records),
                java.util.Collections.unmodifiableMap(parts), sections, List.of(),
                original.found(), 0, 0, 0, original.found());
    }

    private long nextId() throws SQLException {
        if (idsLeft == 0) {
            try (PreparedStatement next = connection.prepareStatement("select nextval('ingest_id_seq')");
                    ResultSet block = next.executeQuery()) {
                block.next();
                nextId = block.getLong(1);
                idsLeft = ID_BLOCK;
            }
        }
        idsLeft--;
        return nextId++;
    }

    private static String json(Object value) {
        if (value == null) {
            return null;
        }
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A normalized value could not be written as JSON", e);
        }
    }

    /** Identity of a record object: records are values, but a parent is the very object its children name. */
    private record IdentityKey(ImportedRecord record) {
        @Override
        public boolean equals(Object other) {
            return other instanceof IdentityKey key && key.record == record;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(record);
        }
    }

    /** The chunk's rows, table by table, sent with one COPY each. */
    private final class Rows {
        final CopyRows sourceFiles = new CopyRows("source_file", "id", "sha256", "size_bytes", "original_name", "format", "status",
                "reason", "batch_id", "archived_at", "outcome");
        final CopyRows patients = new CopyRows("patient", "id", "created_at");
        final CopyRows sourceRecords = new CopyRows("source_record", "id", "source_file_id", "source_sha256", "batch_id", "record_type",
                "record_key", "key_hash", "content_hash", "version", "supersedes_id", "historical", "order_key", "locator", "ordinal",
                "parent_id", "patient_id", "status", "reason", "archived_at");
        final CopyRows documents = new CopyRows("clinical_document", "id", "patient_id", "source_file_id", "source_sha256",
                "source_record_id", "format", "locator", "document_identifier", "set_identifier", "version_number", "type", "title",
                "effective_time", "effective_sort", "confidentiality", "language", "template_ids", "authors", "custodian",
                "header_fragment", "warnings");
        final CopyRows identifiers = new CopyRows("patient_identifier", "id", "patient_id", "document_id", "source_record_id", "system",
                "value", "assigning_authority", "locator");
        final CopyRows demographics = new CopyRows("patient_demographics", "id", "patient_id", "document_id", "source_record_id",
                "names", "birth_time", "sex", "addresses", "telecoms", "deceased", "deceased_time", "marital_status", "races",
                "ethnicities", "languages", "locator", "source_fragment");
        final CopyRows sections = new CopyRows("document_section", "id", "document_id", "ordinal", "parent_ordinal", "code",
                "template_ids", "title", "kind", "narrative", "locator", "entries_found", "entries_archived", "entries_quarantined",
                "entries_kept_raw", "entries_duplicates");
        final CopyRows entries = new CopyRows("clinical_entry", "id", "patient_id", "document_id", "source_record_id", "section_ordinal",
                "kind", "code", "display", "status", "negated", "mood", "effective", "effective_sort", "observed_values",
                "interpretations", "reference_ranges", "details", "text", "source_sha256", "locator");
        final CopyRows fragments = new CopyRows("raw_fragment", "id", "patient_id", "document_id", "source_record_id", "section_ordinal",
                "status", "reason", "source_sha256", "locator", "content");
        final CopyRows attachments = new CopyRows("document_attachment", "id", "document_id", "source_record_id", "sha256",
                "media_type", "size_bytes", "reference", "locator");
        /** In foreign-key order. */
        final List<CopyRows> all = List.of(patients, sourceRecords, documents, identifiers, demographics, sections, entries, fragments,
                attachments);

        void copy() throws SQLException, IOException {
            for (CopyRows table : all) {
                long started = System.nanoTime();
                if (table.size() > 0) {
                    table.copy(copy);
                    timings.add("copy " + table.table(), started);
                }
            }
        }

        void clear() {
            all.forEach(CopyRows::clear);
        }

        void patient(long id, Instant createdAt) {
            patients.add(id).add(createdAt).endRow();
        }

        void sourceRecord(long id, Long sourceFile, String sha, ImportedRecord record, Long patient, String keyHash, int version,
                Long supersedes, boolean historical, int ordinal, Long parent, String status, String reason, Instant at) {
            sourceRecords.add(id).add(sourceFile).add(sha).add(batchId).add(record.type())
                    .add(record.key() == null ? "content:" + record.contentHash() : record.key()).add(keyHash).add(record.contentHash())
                    .add(version).add(supersedes).add(historical).add(record.orderKey()).add(record.locator()).add(ordinal).add(parent)
                    .add(patient).add(status).add(reason).add(at).endRow();
        }

        void document(long id, long patient, FileState file, long sourceFile, long record, DocumentContent content, List<String> warnings)
                throws SQLException {
            ImportedDocument d = content.document();
            documents.add(id).add(patient).add(sourceFile).add(file.sha256).add(record).add(file.format).add(d.locator())
                    .add(json(d.documentId())).add(json(d.setId())).add(d.versionNumber()).add(json(d.type())).add(d.title())
                    .add(json(d.effectiveTime())).add(SortKeys.of(d.effectiveTime())).add(json(d.confidentiality())).add(d.language())
                    .add(json(d.templateIds())).add(json(d.authors())).add(json(d.custodian())).add(d.headerFragment())
                    .add(warnings.isEmpty() ? null : json(warnings)).endRow();
            ImportedPatient p = content.patient();
            for (Identifier identifier : p.identifiers()) {
                if (identifier.isUsable()) {
                    identifiers.add(nextId()).add(patient).add(id).add(record).add(identifier.system()).add(identifier.value())
                            .add(identifier.assigningAuthority()).add(p.locator()).endRow();
                }
            }
            demographics.add(nextId()).add(patient).add(id).add(record).add(json(p.names())).add(json(p.birthTime())).add(json(p.sex()))
                    .add(json(p.addresses())).add(json(p.telecoms())).add(p.deceased()).add(json(p.deceasedTime()))
                    .add(json(p.maritalStatus())).add(json(p.races())).add(json(p.ethnicities())).add(json(p.languages()))
                    .add(p.locator()).add(p.sourceFragment()).endRow();
            for (ImportedFragment kept : content.keptFragments()) {
                fragment(nextId(), patient, id, record, kept.sectionOrdinal(), kept.status().name(), kept.reason(), file.sha256,
                        kept.locator(), kept.content());
            }
        }

        void entry(long id, Long patient, Long document, long record, ImportedEntry e, String sha) {
            entries.add(id).add(patient).add(document).add(record).add(e.sectionOrdinal()).add(e.kind().name()).add(json(e.code()))
                    .add(e.code() == null || e.code().label() == null ? e.text() : e.code().label()).add(e.status()).add(e.negated())
                    .add(e.mood()).add(json(e.effective())).add(SortKeys.of(e.effective())).add(json(e.values()))
                    .add(json(e.interpretations())).add(json(e.referenceRanges())).add(json(e.details())).add(e.text()).add(sha)
                    .add(e.locator()).endRow();
        }

        void fragment(long id, Long patient, Long document, long record, Integer section, String status, String reason, String sha,
                String locator, String content) {
            fragments.add(id).add(patient).add(document).add(record).add(section).add(status).add(reason).add(sha).add(locator)
                    .add(content).endRow();
        }

        void attachment(long id, Long document, long record, AttachmentContent content, String locator) {
            attachments.add(id).add(document).add(record).add(content.sha256()).add(content.mediaType()).add(content.sizeBytes())
                    .add(content.reference()).add(locator).endRow();
        }

        void section(long id, long document, ImportedSection s, IngestReport.Counts counts) {
            sections.add(id).add(document).add(s.ordinal()).add(s.parentOrdinal()).add(json(s.code())).add(json(s.templateIds()))
                    .add(s.title()).add(s.kind()).add(s.narrative()).add(s.locator()).add(counts.found()).add(counts.archived())
                    .add(counts.quarantined()).add(counts.keptRaw()).add(counts.duplicates()).endRow();
        }
    }
}
