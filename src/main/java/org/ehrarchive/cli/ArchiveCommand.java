package org.ehrarchive.cli;

import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;

import io.quarkus.arc.Unremovable;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Top-level command: with no subcommand the archive serves (as {@code serve}). */
@Dependent
@Unremovable
@Command(name = "ehr-archive", mixinStandardHelpOptions = true, version = "ehr-archive 0.1.0",
        description = "Legacy EHR record archive: ingest legacy exports, keep originals byte-exact, serve them.",
        subcommands = { ServeCommand.class, DemoCommand.class, IngestCommand.class, ReindexCommand.class, UserCommand.class, TokenCommand.class,
                VerifyAuditCommand.class, VerifyFixityCommand.class, CertificateCommand.class, BenchCommand.class,
                ProfileCommand.class, IdentityCommand.class })
public class ArchiveCommand implements Runnable {

    private final ServeCommand serve;

    @Inject
    public ArchiveCommand(ServeCommand serve) {
        this.serve = serve;
    }

    @Override
    public void run() {
        serve.run();
    }

    /** Exit codes shared by the subcommands. */
    public static final class ExitCodes {
        /** The run did what was asked (files may still have been quarantined: that is an outcome, not a failure). */
        public static final int OK = CommandLine.ExitCode.OK;
        /** The run itself failed (database unreachable, input path missing, report not writable). */
        public static final int RUN_FAILED = 1;
        /** The command line was wrong. */
        public static final int USAGE = CommandLine.ExitCode.USAGE;
        /** A check found what it looks for: {@code verify-audit} the access audit altered or cut short, {@code verify-fixity} an original
         * not as recorded, {@code profile validate} problems in a mapping profile or its dump. */
        public static final int CHECK_FAILED = 3;

        private ExitCodes() {
        }
    }
}
