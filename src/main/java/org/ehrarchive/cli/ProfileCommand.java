package org.ehrarchive.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import org.ehrarchive.ingest.table.DumpCheck;
import org.ehrarchive.ingest.table.MappingProfiles;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code profile validate|draft}: works on mapping profiles for table dumps (docs/formats/table-dumps.md) without an
 * archive: no database is started, nothing is written to an archive.
 */
@Command(mixinStandardHelpOptions = true, name = "profile", description = "Check or draft a mapping profile for a table dump (no archive needed).",
        subcommands = { ProfileCommand.Validate.class })
public class ProfileCommand implements Runnable {

    @Override
    public void run() {
        System.err.println("profile: say validate PROFILE [FOLDER] or draft FOLDER (see profile --help)");
    }

    @Command(mixinStandardHelpOptions = true, name = "validate", description = "Report every problem of a mapping profile, with its line; "
            + "with FOLDER, also read the dump as ingest would (writing nothing) and report every problem of its tables with file and line. "
            + "Exits 0 when there is none, 3 when there are problems.")
    public static class Validate implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "PROFILE", description = "A profile file, or the name of a shipped profile ("
                + "synthea-csv).")
        String profile;

        @Parameters(index = "1", arity = "0..1", paramLabel = "FOLDER", description = "The dump the profile describes.")
        Path folder;

        @Override
        public Integer call() {
            MappingProfiles.Loaded loaded = MappingProfiles.named(profile);
            if (loaded.profile().isEmpty()) {
                loaded.problems().forEach(p -> System.out.println(p));
                System.out.println("profile: " + loaded.problems().size() + " problem" + (loaded.problems().size() == 1 ? "" : "s")
                        + "; mend the profile and validate it again");
                return ArchiveCommand.ExitCodes.CHECK_FAILED;
            }
            var checked = loaded.profile().get();
            System.out.println("profile " + checked.name() + ": valid (" + checked.tables().size() + " tables)");
            if (folder == null) {
                return ArchiveCommand.ExitCodes.OK;
            }
            if (!Files.isDirectory(folder)) {
                System.err.println("profile validate: no such folder: " + folder);
                return ArchiveCommand.ExitCodes.RUN_FAILED;
            }
            DumpCheck.Result result;
            try {
                result = DumpCheck.check(checked, folder);
            } catch (IOException e) {
                System.err.println("profile validate: the folder cannot be read: " + e.getMessage());
                return ArchiveCommand.ExitCodes.RUN_FAILED;
            }
            System.out.printf("%-28s %-20s %10s %10s %10s %12s%n", "file", "table", "rows", "archived", "kept raw", "quarantined");
            for (DumpCheck.FileResult file : result.files()) {
                System.out.printf("%-28s %-20s %10d %10d %10d %12d%n", file.file(), file.table(), file.rows(), file.archived(), file.keptRaw(),
                        file.quarantined());
            }
            List<MappingProfiles.Problem> problems = result.problems();
            problems.forEach(p -> System.out.println(p));
            if (result.problemsNotListed() > 0) {
                System.out.println("... and " + result.problemsNotListed() + " more problems of the same files (" + DumpCheck.LISTED_PER_FILE
                        + " listed per file)");
            }
            if (result.passed()) {
                System.out.println("dump: no problem; every row would be archived as the table above says");
                return ArchiveCommand.ExitCodes.OK;
            }
            System.out.println("dump: " + (problems.size() + result.problemsNotListed()) + " problems; nothing was written");
            return ArchiveCommand.ExitCodes.CHECK_FAILED;
        }
    }
}
