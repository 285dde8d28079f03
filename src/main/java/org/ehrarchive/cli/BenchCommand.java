package org.ehrarchive.cli;

import java.util.concurrent.Callable;

import jakarta.enterprise.context.Dependent;

import io.quarkus.arc.Unremovable;

import picocli.CommandLine.Command;

/** Placeholder replaced by the ingest benchmark. */
@Dependent
@Unremovable
@Command(name = "bench", description = "Ingest benchmark over generated C-CDA documents.")
public class BenchCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return 0;
    }
}
