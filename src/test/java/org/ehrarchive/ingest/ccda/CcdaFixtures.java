package org.ehrarchive.ingest.ccda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import org.ehrarchive.blob.BlobStore;
import org.ehrarchive.ingest.ImportResult;
import org.ehrarchive.ingest.ImportedDocument;
import org.ehrarchive.ingest.QuarantineException;
import org.ehrarchive.ingest.SourceInput;

/** Test helpers: read a C-CDA fixture by name, import it, return what the importer read. */
final class CcdaFixtures {

    private CcdaFixtures() {
    }

    static byte[] bytes(String name) {
        try (InputStream in = CcdaFixtures.class.getResourceAsStream("/fixtures/ccda/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("No fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ImportResult importBytes(String name, byte[] bytes) throws QuarantineException {
        return new CcdaImporter().read(new SourceInput(name, BlobStore.sha256Of(bytes), bytes));
    }

    static ImportedDocument importFixture(String name) throws QuarantineException {
        return importBytes(name, bytes(name)).documents().get(0);
    }
}
