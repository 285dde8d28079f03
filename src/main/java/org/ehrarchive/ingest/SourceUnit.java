package org.ehrarchive.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;

/**
 * What an importer reads (ADR 0009): one file, or a set of files that belong together (a table dump with its
 * mapping profile, a FHIR bulk-export folder, scanned documents with their manifest). Every file's original is
 * already in the blob store; the importer reads it from there, as a stream.
 */
public interface SourceUnit {

    /** One file of the unit: its path relative to what was ingested, its SHA-256 and size. */
    record File(String path, String sha256, long sizeBytes) {
    }

    /** The unit's files; the first is the one that decided the importer. */
    List<File> files();

    /** The archived bytes of one of the unit's files. */
    InputStream open(File file) throws IOException;

    /**
     * Where an importer writes a file it finds inside a record (an embedded PDF, a base64 image), so that it is
     * kept in the blob store, durably before the record that names it is committed. At most {@code maxBytes} may be
     * written ({@link BlobTooLargeException} beyond).
     */
    BlobOutput newBlob(long maxBytes) throws IOException;

    /**
     * Keeps a file a record refers to by a relative name (a document's referenced attachment) when it lies inside
     * the ingested folder: its stored SHA-256 and size, or empty when there is no such file there.
     */
    Optional<StoredBlob> storeReferenced(File from, String reference) throws IOException;

    /** The largest file an importer may write into the blob store from inside a record. */
    long maxEmbeddedBytes();

    /** A blob stored for a record. */
    record StoredBlob(String sha256, long sizeBytes) {
    }

    /** A blob being written; {@link #store()} or {@link #discard()} ends it. */
    abstract class BlobOutput extends OutputStream {
        /** Keeps what was written and returns its hash and size. */
        public abstract StoredBlob store() throws IOException;

        /** Throws what was written away. */
        public abstract void discard();

        /** What was written so far, from its start, for a second look (such as inflating it). */
        public abstract InputStream readBack() throws IOException;
    }

    /** More was written into a blob than allowed. */
    class BlobTooLargeException extends IOException {
        public BlobTooLargeException(long limit) {
            super("more than " + limit + " bytes");
        }
    }
}
