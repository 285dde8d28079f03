package org.ehrarchive.cli;

import jakarta.enterprise.context.Dependent;

import io.quarkus.arc.Unremovable;

import io.quarkus.logging.Log;
import io.quarkus.runtime.Quarkus;
import picocli.CommandLine.Command;

/** Keeps the archive running and serving HTTP (health and metrics for now; the portal comes next). */
@Dependent
@Unremovable
@Command(mixinStandardHelpOptions = true, name = "serve", description = "Run the archive server (the default when no command is given).")
public class ServeCommand implements Runnable {

    @Override
    public void run() {
        Log.info("Archive server running; health at /q/health, metrics at /q/metrics. Stop with Ctrl-C.");
        Quarkus.waitForExit();
    }
}
