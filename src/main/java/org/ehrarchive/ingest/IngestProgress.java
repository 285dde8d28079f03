package org.ehrarchive.ingest;

/**
 * Progress of a batch, for a progress bar or log lines. {@link #started} and {@link #finished} are called from the
 * thread that runs the ingest, {@link #fileDone} from its writer thread as each file's last rows commit.
 */
public interface IngestProgress {

    /** The batch knows how many files and bytes it has to account for ({@code alreadyDone} from an earlier attempt). */
    void started(long batchId, int files, long bytes, int alreadyDone, boolean resumed);

    /** A file is accounted for. */
    void fileDone(IngestReport.FileReport file, long bytes);

    /** Every file is accounted for. */
    void finished(IngestService.BatchSummary summary);

    /** Progress that nobody watches. */
    IngestProgress NONE = new IngestProgress() {
        @Override
        public void started(long batchId, int files, long bytes, int alreadyDone, boolean resumed) {
        }

        @Override
        public void fileDone(IngestReport.FileReport file, long bytes) {
        }

        @Override
        public void finished(IngestService.BatchSummary summary) {
        }
    };
}
