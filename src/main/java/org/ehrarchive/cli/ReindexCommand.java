package org.ehrarchive.cli;

import java.util.concurrent.Callable;

import jakarta.enterprise.context.Dependent;

import org.ehrarchive.search.SearchIndex;
import org.ehrarchive.indexing.SearchIndexer;

import io.quarkus.arc.Unremovable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;

/**
 * {@code reindex}: rebuilds the search index from the archive store, with a progress bar. When a running server
 * owns the index, the documents are queued and that server rebuilds them (ADR 0007).
 */
@Dependent
@Unremovable
@Command(mixinStandardHelpOptions = true, name = "reindex", description = "Rebuild the search index from the archive store.")
public class ReindexCommand implements Callable<Integer> {

    private final SearchIndex index;
    private final SearchIndexer indexer;

    public ReindexCommand(SearchIndex index, SearchIndexer indexer) {
        this.index = index;
        this.indexer = indexer;
    }

    @Override
    public Integer call() {
        if (!index.canWrite()) {
            long queued = indexer.queueEverything();
            System.out.printf("another archive process (usually the running server) owns the search index: %d documents queued; it indexes them%n", queued);
            return ArchiveCommand.ExitCodes.OK;
        }
        index.clear();
        indexer.queueEverything();
        long documents = indexer.queued();
        int indexed;
        if (System.console() != null) {
            try (ProgressBar bar = new ProgressBarBuilder().setTaskName("reindex").setInitialMax(documents)
                    .setStyle(ProgressBarStyle.ASCII).setUnit(" documents", 1).build()) {
                indexed = indexer.drain(bar::stepTo);
            }
        } else {
            System.out.printf("reindex: %d documents%n", documents);
            indexed = indexer.drain(done -> System.out.printf("reindex: %d/%d documents%n", done, documents));
        }
        System.out.printf("reindexed %d documents; the index holds %d entries%n", indexed, index.size());
        return ArchiveCommand.ExitCodes.OK;
    }
}
