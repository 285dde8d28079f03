package org.ehrarchive.cli;

import jakarta.enterprise.context.Dependent;

import io.quarkus.arc.Unremovable;

import org.ehrarchive.search.SearchIndex;

import io.quarkus.logging.Log;
import io.quarkus.runtime.Quarkus;
import picocli.CommandLine.Command;

/** Keeps the archive running and serving HTTP: the portal, the JSON API, health and metrics. */
@Dependent
@Unremovable
@Command(mixinStandardHelpOptions = true, name = "serve", description = "Run the archive server (the default when no command is given).")
public class ServeCommand implements Runnable {

    private final SearchIndex index;

    public ServeCommand(SearchIndex index) {
        this.index = index;
    }

    @Override
    public void run() {
        // The server owns the search index while it runs; CLI ingests queue documents for it (ADR 0007).
        if (!index.canWrite()) {
            Log.warn("Another archive process owns the search index; this server will not index until it stops");
        }
        Log.info("Archive server running: portal at /, JSON API at /api, health at /q/health. Stop with Ctrl-C.");
        Quarkus.waitForExit();
    }
}
