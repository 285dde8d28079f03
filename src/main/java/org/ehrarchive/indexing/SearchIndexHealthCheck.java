package org.ehrarchive.indexing;

import jakarta.enterprise.context.ApplicationScoped;

import org.ehrarchive.search.SearchIndex;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Readiness: the search index can be read; reports its size and how many documents wait to be indexed. */
@Readiness
@ApplicationScoped
public class SearchIndexHealthCheck implements HealthCheck {

    private final SearchIndex index;
    private final SearchIndexer indexer;

    public SearchIndexHealthCheck(SearchIndex index, SearchIndexer indexer) {
        this.index = index;
        this.indexer = indexer;
    }

    @Override
    public HealthCheckResponse call() {
        try {
            return HealthCheckResponse.named("search-index").up()
                    .withData("entries", index.size())
                    .withData("queued-documents", indexer.queued())
                    .withData("owned-by-this-process", index.canWrite())
                    .build();
        } catch (RuntimeException e) {
            return HealthCheckResponse.named("search-index").down().withData("error", e.getClass().getSimpleName()).build();
        }
    }
}
