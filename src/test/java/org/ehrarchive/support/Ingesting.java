package org.ehrarchive.support;

import java.io.IOException;
import java.nio.file.Path;

import org.ehrarchive.ingest.IngestProgress;
import org.ehrarchive.ingest.IngestReport;
import org.ehrarchive.ingest.IngestService;
import org.ehrarchive.ingest.SourceSystems;
import org.ehrarchive.ingest.table.MappingProfile;

/** For tests: ingest a folder as the CLI does, and read the batch's whole reconciliation back from the archive. */
public final class Ingesting {

    private Ingesting() {
    }

    public static IngestReport report(IngestService ingest, Path input) throws IOException {
        return ingest.report(ingest.ingest(input, IngestProgress.NONE).batchId());
    }

    /** A table dump ingested through a mapping profile, as {@code ingest --profile} does. */
    public static IngestReport report(IngestService ingest, Path input, MappingProfile profile) throws IOException {
        return ingest.report(ingest.ingest(input, SourceSystems.DEFAULT_NAME, profile, IngestProgress.NONE).batchId());
    }
}
