package org.ehrarchive.ingest;

/** Progress of a batch, for a progress bar or log lines. Called from the ingest thread. */
public interface IngestProgress {

    /** The batch knows how many files and bytes it has to account for ({@code alreadyDone} from an earlier attempt). */
    void started(long batchId, int files, long bytes, int alreadyDone, boolean resumed);

    /** A file is accounted for. */
    void fileDone(IngestReport.FileReport file, long bytes);

    /** Every file is accounted for. */
    void finished(IngestReport report);

    /** Progress that nobody watches. */
    IngestProgress NONE = new IngestProgress() {
        @Override
        public void started(long batchId, int files, long bytes, int alreadyDone, boolean resumed) {
        }

        @Override
        public void fileDone(IngestReport.FileReport file, long bytes) {
        }

        @Override
        public void finished(IngestReport report) {
        }
    };
}
