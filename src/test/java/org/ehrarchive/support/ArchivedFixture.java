package org.ehrarchive.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.ehrarchive.blob.BlobStore;
import org.ehrarchive.ingest.IngestProgress;
import org.ehrarchive.ingest.IngestService;
import org.ehrarchive.record.ClinicalDocument;
import org.ehrarchive.indexing.SearchIndexer;
import org.ehrarchive.security.ArchiveUser;
import org.ehrarchive.security.Roles;

import io.quarkus.narayana.jta.QuarkusTransaction;

/** For tests of what people see: a C-CDA fixture archived and indexed, and users of every role. */
public final class ArchivedFixture {

    /** The archived document and its patient. */
    public record Archived(long patientId, long documentId) {
    }

    private ArchivedFixture() {
    }

    /** Archives (or finds, when another test archived it first) a C-CDA fixture, and indexes it. */
    public static Archived archive(IngestService ingest, SearchIndexer indexer, String fixture) throws IOException {
        Path folder = Files.createTempDirectory("archived-fixture-");
        Fixtures.copy("ccda", fixture, folder);
        ingest.ingest(folder, IngestProgress.NONE);
        indexer.drain(done -> { });
        String sha = BlobStore.sha256Of(Fixtures.bytes("ccda", fixture));
        ClinicalDocument document = QuarkusTransaction.requiringNew().call(() -> ClinicalDocument.<ClinicalDocument>find("sourceSha256", sha).firstResult());
        return new Archived(document.patientId, document.id);
    }

    /** Users {@code <prefix><role>} for every role, all with this password. */
    public static void usersOfEveryRole(String prefix, String password) {
        QuarkusTransaction.requiringNew().run(() -> {
            for (String role : Roles.ALL) {
                if (ArchiveUser.count("username", prefix + role) == 0) {
                    ArchiveUser.create(prefix + role, password, role);
                }
            }
        });
    }
}
