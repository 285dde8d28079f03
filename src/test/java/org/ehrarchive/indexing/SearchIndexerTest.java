package org.ehrarchive.indexing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import jakarta.inject.Inject;

import org.ehrarchive.blob.BlobStore;
import org.ehrarchive.ingest.IngestProgress;
import org.ehrarchive.ingest.IngestService;
import org.ehrarchive.record.ClinicalDocument;
import org.ehrarchive.search.PatientHit;
import org.ehrarchive.search.PatientQuery;
import org.ehrarchive.search.SearchIndex;
import org.ehrarchive.search.TextHit;
import org.ehrarchive.support.ArchiveTestDatabase;
import org.ehrarchive.support.Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Ingest keeps the index current: what is archived becomes findable, and a rebuild finds the same. */
@QuarkusTest
@Tag("storage")
@WithTestResource(ArchiveTestDatabase.class)
class SearchIndexerTest {

    @Inject
    IngestService ingest;
    @Inject
    SearchIndexer indexer;
    @Inject
    SearchIndex index;

    @Test
    void anIngestedDocumentIsFoundByPatientAndByText(@TempDir Path folder) throws Exception {
        Fixtures.copy("ccda", "full-ccd.xml", folder);
        ingest.ingest(folder, IngestProgress.NONE);
        indexer.drain(done -> { });
        assertThat(indexer.queued()).isZero();

        String sha = BlobStore.sha256Of(Fixtures.bytes("ccda", "full-ccd.xml"));
        ClinicalDocument document = QuarkusTransaction.requiringNew().call(() -> ClinicalDocument.<ClinicalDocument>find("sourceSha256", sha).firstResult());

        assertThat(index.findPatients(new PatientQuery(null, null, "MRN-4711"), 10))
                .extracting(PatientHit::patientId).contains(document.patientId);
        assertThat(index.findPatients(new PatientQuery("Testy Fixtur", "1975-05", null), 10))
                .anySatisfy(hit -> {
                    assertThat(hit.patientId()).isEqualTo(document.patientId);
                    assertThat(hit.names()).contains("Testy Q Fixture", "Testy Oldname");
                });
        // Narratives, and the names of entries, are full text.
        assertThat(index.searchText("thirst", 10)).anySatisfy(hit -> {
            assertThat(hit.documentId()).isEqualTo(document.id);
            assertThat(hit.title()).isEqualTo("History of Present Illness");
            assertThat(hit.snippet()).contains("<mark>thirst</mark>");
        });
        assertThat(index.searchText("metformin", 10)).extracting(TextHit::documentId).contains(document.id);
    }

    @Test
    void aRebuildFindsWhatTheIncrementalIndexFound(@TempDir Path folder) throws Exception {
        Fixtures.copy("ccda", "undeclared-prefixes.xml", folder);
        ingest.ingest(folder, IngestProgress.NONE);
        indexer.drain(done -> { });
        long before = index.size();

        index.clear();
        assertThat(index.findPatients(new PatientQuery(null, null, "MRN-4711"), 10)).isEmpty();
        indexer.queueEverything();
        indexer.drain(done -> { });

        assertThat(index.size()).isEqualTo(before);
        assertThat(index.findPatients(new PatientQuery(null, null, "MRN-4711"), 10)).isNotEmpty();
    }
}
