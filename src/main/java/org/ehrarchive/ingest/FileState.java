package org.ehrarchive.ingest;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One file of a batch on its way through ingest: what the reader learnt (path, hash, size, format, its blobs on
 * their way to disk) and what the writer has stored of it (its rows' ids, the checkpoint, the running tally).
 * The reader fills the first part before it hands the file to the writer; after that only the writer changes it,
 * except for {@link #blobs}, which the reader may still add to while it reads the file.
 */
final class FileState {

    final String path;
    final String sha256;
    final long sizeBytes;
    final String originalName;
    String format;
    /** Blobs of the file (its original, files embedded in it) that must be durable before its records commit. */
    private final List<CompletableFuture<Void>> blobs = new ArrayList<>();

    // The writer's part.
    Long sourceFileId;
    Long batchFileId;
    /** The last record or section stored; events up to it are skipped when the file is read again on resume. */
    int checkpoint;
    FileTally tally = new FileTally();
    /** Documents stored from this file, queued for the search index once the file is complete. */
    List<Long> documentIds = new ArrayList<>();
    /**
     * Set when the same content is archived (or read) under another path first, by this process or another: the file
     * is then a duplicate of that source file ({@code duplicateOf}, null when that one is not stored yet).
     */
    boolean duplicate;
    Long duplicateOf;

    FileState(String path, String sha256, long sizeBytes, String originalName) {
        this.path = path;
        this.sha256 = sha256;
        this.sizeBytes = sizeBytes;
        this.originalName = originalName;
    }

    synchronized void blob(CompletableFuture<Void> durable) {
        blobs.add(durable);
    }

    /** The blobs registered so far that are not known to be durable yet (completed ones are forgotten). */
    synchronized List<CompletableFuture<Void>> pendingBlobs() {
        blobs.removeIf(future -> future.isDone() && !future.isCompletedExceptionally());
        return List.copyOf(blobs);
    }
}
