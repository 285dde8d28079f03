package org.ehrarchive.ingest;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import org.ehrarchive.ArchiveConfig;
import org.ehrarchive.PhiSafe;
import org.ehrarchive.blob.BlobStore;
import org.ehrarchive.ingest.IngestReport.FileReport;
import org.ehrarchive.ingest.IngestReport.SectionReport;
import org.ehrarchive.record.SourceFile;
import org.jboss.logging.MDC;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * Ingests a file or a folder as one batch (architecture principles 1, 2, 7, 8):
 * <ol>
 *   <li>every file's bytes go to the blob store first, whatever becomes of the file;</li>
 *   <li>a file whose content is already archived is a duplicate and creates nothing;</li>
 *   <li>otherwise its importer reads it and the result is stored in one transaction with the file's outcome,
 *       so a crash leaves each file either fully archived or untouched;</li>
 *   <li>a file no importer reads, or one an importer rejects, is quarantined with the reason, and the batch goes
 *       on;</li>
 *   <li>a batch interrupted by a crash is resumed, not repeated, by the next ingest of the same path.</li>
 * </ol>
 */
@ApplicationScoped
public class IngestService {

    private static final int SNIFF_BYTES = 4096;
    /** A RUNNING batch whose owner has made no progress for this long is taken over, even from another host. */
    private static final Duration ABANDONED_AFTER = Duration.ofMinutes(10);
    private static final TypeReference<Map<String, Object>> JSON_OBJECT = new TypeReference<>() {
    };

    private final Instance<Importer> importers;
    private final BlobStore blobs;
    private final ArchiveWriter writer;
    private final ArchiveConfig config;
    private final ObjectMapper json;
    private final MeterRegistry metrics;

    public IngestService(Instance<Importer> importers, BlobStore blobs, ArchiveWriter writer, ArchiveConfig config,
            ObjectMapper json, MeterRegistry metrics) {
        this.importers = importers;
        this.blobs = blobs;
        this.writer = writer;
        this.config = config;
        this.json = json;
        this.metrics = metrics;
    }

    /**
     * Ingests {@code input} (a file, or a folder read recursively) and returns the batch's reconciliation.
     *
     * @throws IOException when the input cannot be listed: the run itself failed
     */
    public IngestReport ingest(Path input, IngestProgress progress) throws IOException {
        Path root = input.toAbsolutePath().normalize();
        if (!Files.exists(root)) {
            throw new IOException("Nothing to ingest at " + root + ": no such file or folder");
        }
        List<Path> files = listFiles(root);
        long bytes = 0;
        for (Path file : files) {
            bytes += Files.size(file);
        }
        BatchStart start = startOrResumeBatch(root.toString());
        MDC.put("batchId", Long.toString(start.batchId()));
        try {
            int alreadyDone = QuarkusTransaction.requiringNew().call(() -> (int) BatchFile.count("batchId", start.batchId()));
            progress.started(start.batchId(), files.size(), bytes, alreadyDone, start.resumed());
            Log.infof("%s batch %d: %d files, %d bytes", start.resumed() ? "Resuming" : "Starting", start.batchId(), files.size(), bytes);
            for (Path file : files) {
                String relative = root.equals(file) ? file.getFileName().toString() : root.relativize(file).toString();
                FileReport report = ingestFile(start.batchId(), relative, file);
                progress.fileDone(report, Files.size(file));
            }
            IngestReport report = finishBatch(start.batchId());
            progress.finished(report);
            Log.infof("Batch %d completed: files %d (archived %d, duplicate %d, quarantined %d); entries found %d, archived %d, quarantined %d",
                    report.batchId(), report.totals().files(), report.totals().archivedFiles(), report.totals().duplicateFiles(),
                    report.totals().quarantinedFiles(), report.totals().found(), report.totals().archived(), report.totals().quarantined());
            return report;
        } finally {
            MDC.remove("batchId");
        }
    }

    /** The reconciliation of a batch as stored, whether finished or still running. */
    public IngestReport report(long batchId) {
        return QuarkusTransaction.requiringNew().call(() -> buildReport(IngestBatch.findById(batchId)));
    }

    private record BatchStart(long batchId, boolean resumed) {
    }

    private BatchStart startOrResumeBatch(String sourcePath) {
        return QuarkusTransaction.requiringNew().call(() -> {
            List<IngestBatch> running = IngestBatch.list("sourcePath = ?1 and status = ?2 order by id",
                    sourcePath, IngestBatch.Status.RUNNING);
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

    private FileReport ingestFile(long batchId, String relativePath, Path file) {
        long size;
        String sha256;
        byte[] bytes = null;
        try {
            size = Files.size(file);
            if (size > config.ingest().maxFileBytes()) {
                sha256 = blobs.putFile(file);
            } else {
                bytes = Files.readAllBytes(file);
                sha256 = blobs.put(bytes);
            }
        } catch (IOException e) {
            // Nothing could be kept of a file that cannot be read; it is recorded and reported, and the batch goes on.
            Log.warnf("Could not read a source file (%s); it is reported as quarantined", e.getClass().getSimpleName());
            String reason = IngestError.READ_FAILED.message(e.getClass().getSimpleName());
            QuarkusTransaction.requiringNew().run(() -> {
                if (BatchFile.find("batchId = ?1 and path = ?2 and sha256 is null", batchId, relativePath).count() == 0) {
                    newBatchFile(batchId, relativePath, null, BatchFile.Status.QUARANTINED, reason).persist();
                }
            });
            return unreadable(relativePath, reason);
        }
        // One transaction answers both: done by an earlier attempt of this batch, or a duplicate of archived content.
        Optional<FileReport> alreadyAccountedFor = QuarkusTransaction.requiringNew().call(() -> BatchFile.find(batchId, relativePath, sha256)
                .map(done -> fileReport(done, SourceFile.findById(done.sourceFileId)))
                .or(() -> recordIfDuplicate(batchId, relativePath, sha256)));
        if (alreadyAccountedFor.isPresent()) {
            return alreadyAccountedFor.get();
        }
        Outcome outcome = bytes == null
                ? Outcome.quarantined(null, IngestError.TOO_LARGE.message(size + " bytes"))
                : read(file.getFileName().toString(), sha256, bytes);
        try {
            return QuarkusTransaction.requiringNew().call(() -> store(batchId, relativePath, file, size, sha256, outcome));
        } catch (RuntimeException e) {
            // Another process archived the same content in the meantime: then this file is a duplicate.
            Optional<FileReport> raced = QuarkusTransaction.requiringNew().call(() -> recordIfDuplicate(batchId, relativePath, sha256));
            if (raced.isPresent()) {
                return raced.get();
            }
            throw e;
        }
    }

    /**
     * Content already archived makes this file a duplicate. Content that was quarantined before is read again:
     * the importer or the limits may have changed since (that is what a quarantine reason asks the admin to do).
     */
    private Optional<FileReport> recordIfDuplicate(long batchId, String relativePath, String sha256) {
        return SourceFile.findBySha256(sha256)
                .filter(existing -> existing.status == SourceFile.Status.ARCHIVED).map(existing -> {
            BatchFile batchFile = newBatchFile(batchId, relativePath, sha256, BatchFile.Status.DUPLICATE, null);
            batchFile.sourceFileId = existing.id;
            batchFile.persist();
            heartbeat(batchId);
            metrics.counter("archive.ingest.files", "status", "duplicate").increment();
            return fileReport(batchFile, existing);
        });
    }

    /** What reading a file produced: an import result, or a quarantine reason. */
    private record Outcome(String format, ImportResult result, String quarantineReason, List<ImportedSection> quarantinedSections) {
        static Outcome quarantined(String format, String reason) {
            return new Outcome(format, null, reason, List.of());
        }
    }

    private Outcome read(String fileName, String sha256, byte[] bytes) {
        if (bytes.length == 0) {
            return Outcome.quarantined(null, IngestError.EMPTY_FILE.message(null));
        }
        SourceSniff sniff = new SourceSniff(fileName, java.util.Arrays.copyOf(bytes, Math.min(bytes.length, SNIFF_BYTES)));
        Optional<Importer> importer = importers.stream().filter(i -> i.accepts(sniff)).findFirst();
        if (importer.isEmpty()) {
            return Outcome.quarantined(null, IngestError.UNKNOWN_FORMAT.message(sniff.extension().isEmpty() ? null : "." + sniff.extension()));
        }
        try {
            return new Outcome(importer.get().format(), importer.get().read(new SourceInput(fileName, sha256, bytes)), null, List.of());
        } catch (QuarantineException e) {
            return new Outcome(importer.get().format(), null, e.reason(), e.sectionsFound());
        } catch (RuntimeException | StackOverflowError e) {
            // A defect or a pathological file must not stop the batch; the reason names the failure, not the data.
            Log.errorf("Importer %s failed on a file; quarantining it: %s", importer.get().format(), PhiSafe.describe(e));
            return Outcome.quarantined(importer.get().format(), IngestError.READ_FAILED.message(e.getClass().getSimpleName()));
        }
    }

    private FileReport store(long batchId, String relativePath, Path file, long size, String sha256, Outcome outcome) {
        // A source quarantined before is the same original: its row is updated with the new outcome, not doubled.
        SourceFile source = SourceFile.findBySha256(sha256).orElseGet(SourceFile::new);
        if (source.status == SourceFile.Status.ARCHIVED) {
            throw new IllegalStateException("content archived concurrently"); // caller reports it as a duplicate
        }
        source.sha256 = sha256;
        source.sizeBytes = size;
        source.originalName = file.getFileName().toString();
        source.format = outcome.format();
        source.batchId = batchId;
        source.archivedAt = Instant.now();
        FileReport report;
        if (outcome.result() == null) {
            source.status = SourceFile.Status.QUARANTINED;
            source.reason = outcome.quarantineReason();
            report = sectionsReport(relativePath, sha256, "quarantined", source.reason, outcome.format(), List.of(),
                    outcome.quarantinedSections(), List.of());
            source.outcome = json.convertValue(report, JSON_OBJECT);
            source.persist();
        } else {
            source.status = SourceFile.Status.ARCHIVED;
            source.reason = null;
            report = archivedReport(relativePath, sha256, outcome.format(), outcome.result());
            source.outcome = json.convertValue(report, JSON_OBJECT);
            source.persist();
            writer.write(source, outcome.result(), file.getParent());
        }
        BatchFile batchFile = newBatchFile(batchId, relativePath, sha256,
                source.status == SourceFile.Status.ARCHIVED ? BatchFile.Status.ARCHIVED : BatchFile.Status.QUARANTINED, source.reason);
        batchFile.sourceFileId = source.id;
        batchFile.outcome = source.outcome;
        batchFile.persist();
        heartbeat(batchId);
        metrics.counter("archive.ingest.files", "status", report.status()).increment();
        metrics.counter("archive.ingest.entries", "status", "archived").increment(report.archived());
        metrics.counter("archive.ingest.entries", "status", "quarantined").increment(report.quarantined());
        return report;
    }

    private static FileReport archivedReport(String path, String sha256, String format, ImportResult result) {
        List<org.ehrarchive.record.Identifier> identifiers = new ArrayList<>();
        List<ImportedSection> sections = new ArrayList<>();
        for (ImportedDocument document : result.documents()) {
            document.patient().identifiers().stream().filter(org.ehrarchive.record.Identifier::isUsable)
                    .filter(id -> !identifiers.contains(id)).forEach(identifiers::add);
            sections.addAll(document.sections());
        }
        return sectionsReport(path, sha256, "archived", null, format, identifiers, sections, result.warnings());
    }

    private static FileReport sectionsReport(String path, String sha256, String status, String reason, String format,
            List<org.ehrarchive.record.Identifier> identifiers, List<ImportedSection> imported, List<String> warnings) {
        List<SectionReport> sections = new ArrayList<>();
        int found = 0;
        int archived = 0;
        int quarantined = 0;
        int keptRaw = 0;
        for (ImportedSection s : imported) {
            sections.add(new SectionReport(s.code() == null ? null : s.code().code(), s.code() == null ? null : s.code().codeSystem(),
                    s.title(), s.kind(), s.locator(), s.found(), s.archived(), s.quarantined(), s.keptRaw(), 0));
            found += s.found();
            archived += s.archived();
            quarantined += s.quarantined();
            keptRaw += s.keptRaw();
        }
        return new FileReport(path, sha256, status, reason, format, identifiers, sections, warnings,
                found, archived, quarantined, keptRaw, 0);
    }

    /** A file's line in a report, rebuilt from the stored outcome of its content. */
    private FileReport fileReport(BatchFile batchFile, SourceFile source) {
        if (source == null) {
            return unreadable(batchFile.path, batchFile.reason);
        }
        FileReport original = json.convertValue(batchFile.outcome != null ? batchFile.outcome : source.outcome, FileReport.class);
        if (batchFile.status != BatchFile.Status.DUPLICATE) {
            return new FileReport(batchFile.path, original.sha256(), original.status(), original.reason(), original.format(),
                    original.patientIdentifiers(), original.sections(), original.warnings(), original.found(),
                    original.archived(), original.quarantined(), original.keptRaw(), 0);
        }
        List<SectionReport> sections = original.sections().stream()
                .map(s -> new SectionReport(s.code(), s.codeSystem(), s.title(), s.kind(), s.locator(), s.found(), 0, 0, 0, s.found()))
                .toList();
        String reason = "same content already archived in batch " + source.batchId;
        return new FileReport(batchFile.path, original.sha256(), "duplicate", reason, original.format(),
                original.patientIdentifiers(), sections, List.of(), original.found(), 0, 0, 0, original.found());
    }

    private static FileReport unreadable(String path, String reason) {
        return new FileReport(path, null, "quarantined", reason, null, List.of(), List.of(), List.of(), 0, 0, 0, 0, 0);
    }

    private IngestReport finishBatch(long batchId) {
        return QuarkusTransaction.requiringNew().call(() -> {
            IngestBatch batch = IngestBatch.findById(batchId);
            batch.status = IngestBatch.Status.COMPLETED;
            batch.finishedAt = Instant.now();
            batch.heartbeatAt = batch.finishedAt;
            IngestReport report = buildReport(batch);
            batch.report = json.convertValue(report.totals(), JSON_OBJECT);
            return report;
        });
    }

    private IngestReport buildReport(IngestBatch batch) {
        List<FileReport> files = new ArrayList<>();
        for (BatchFile batchFile : BatchFile.ofBatch(batch.id)) {
            files.add(fileReport(batchFile, batchFile.sourceFileId == null ? null : SourceFile.findById(batchFile.sourceFileId)));
        }
        int archivedFiles = 0, duplicateFiles = 0, quarantinedFiles = 0, found = 0, archived = 0, quarantined = 0, keptRaw = 0, duplicates = 0;
        for (FileReport file : files) {
            switch (file.status()) {
                case "archived" -> archivedFiles++;
                case "duplicate" -> duplicateFiles++;
                default -> quarantinedFiles++;
            }
            found += file.found();
            archived += file.archived();
            quarantined += file.quarantined();
            keptRaw += file.keptRaw();
            duplicates += file.duplicates();
        }
        return new IngestReport(batch.id, batch.sourcePath, batch.status.name().toLowerCase(java.util.Locale.ROOT), batch.startedAt,
                batch.finishedAt, batch.attempts, files, new IngestReport.Totals(files.size(), archivedFiles, duplicateFiles,
                        quarantinedFiles, found, archived, quarantined, keptRaw, duplicates));
    }

    private static BatchFile newBatchFile(long batchId, String path, String sha256, BatchFile.Status status, String reason) {
        BatchFile batchFile = new BatchFile();
        batchFile.batchId = batchId;
        batchFile.path = path;
        batchFile.sha256 = sha256;
        batchFile.status = status;
        batchFile.reason = reason;
        batchFile.processedAt = Instant.now();
        return batchFile;
    }

    /** How often a running batch records that it is alive; far below {@link #ABANDONED_AFTER}. */
    private static final Duration HEARTBEAT_EVERY = Duration.ofSeconds(30);
    private volatile Instant lastHeartbeat = Instant.EPOCH;

    private void heartbeat(long batchId) {
        Instant now = Instant.now();
        if (Duration.between(lastHeartbeat, now).compareTo(HEARTBEAT_EVERY) >= 0) {
            IngestBatch.update("heartbeatAt = ?1 where id = ?2", now, batchId);
            lastHeartbeat = now;
        }
    }

    /** Regular files under the input, in a stable order; a single file is a batch of one. */
    private static List<Path> listFiles(Path root) throws IOException {
        if (Files.isRegularFile(root)) {
            return List.of(root);
        }
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).sorted().toList();
        }
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
