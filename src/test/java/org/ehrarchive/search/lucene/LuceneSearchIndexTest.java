package org.ehrarchive.search.lucene;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.ehrarchive.search.PatientQuery;
import org.ehrarchive.search.SearchIndex;
import org.ehrarchive.search.SearchIndexContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LuceneSearchIndexTest extends SearchIndexContract {

    @TempDir
    Path directory;
    private LuceneSearchIndex index;

    @AfterEach
    void closeIndex() throws Exception {
        index.close();
    }

    /** Opened on first use: the contract's set-up runs before any set-up of this class. */
    @Override
    protected SearchIndex index() {
        if (index == null) {
            index = new LuceneSearchIndex(directory);
        }
        return index;
    }

    @Test
    void aSecondProcessCannotWriteButReadsWhatTheOwnerCommitted() throws Exception {
        assertThat(index().canWrite()).isTrue();
        LuceneSearchIndex other = new LuceneSearchIndex(directory);
        try {
            assertThat(other.canWrite()).as("one writer per index").isFalse();
            assertThat(other.findPatients(new PatientQuery(null, null, "MRN-4711"), 5)).hasSize(1);
        } finally {
            other.close();
        }
    }
}
