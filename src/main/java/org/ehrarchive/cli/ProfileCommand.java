package org.ehrarchive.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import org.ehrarchive.ingest.table.DumpCheck;
import org.ehrarchive.ingest.table.MappingProfile;
import org.ehrarchive.ingest.table.MappingProfiles;
import org.ehrarchive.ingest.table.ProfileDraft;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * {@code profile validate|draft}: works on mapping profiles for table dumps (docs/formats/table-dumps.md) without an
 * archive: no database is started, nothing is written to an archive.
 */
@Command(mixinStandardHelpOptions = true, name = "profile", description = "Check or draft a mapping profile for a table dump (no archive needed).",
        subcommands = { ProfileCommand.Validate.class, ProfileCommand.Draft.class })
public class ProfileCommand implements Runnable {

    /**
     * The profile a {@code --profile NAME|FILE} option names, read while the command line is read: a profile with problems
     * is a usage error (exit 2), before any database starts.
     */
    static MappingProfile option(CommandSpec spec, String nameOrFile) {
        MappingProfiles.Loaded loaded = MappingProfiles.named(nameOrFile);
        if (loaded.profile().isEmpty()) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--profile': " + String.join("; ",
                    loaded.problems().stream().map(Object::toString).toList()) + " (run `profile validate " + nameOrFile + "` for every problem)");
        }
        return loaded.profile().get();
    }

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
                List<MappingProfiles.Problem> problems = new java.util.ArrayList<>(loaded.problems());
                if (loaded.asRead() != null && folder != null && Files.isDirectory(folder)) {
                    // The headers can be checked all the same, so that every mistake of the profile is said in one run.
                    try (var listed = Files.list(folder)) {
                        DumpCheck.headers(loaded.asRead(), folder, listed.filter(Files::isRegularFile).sorted().toList()).values().forEach(problems::addAll);
                    } catch (IOException e) {
                        // the folder is read again once the profile is mended
                    }
                }
                problems.sort(java.util.Comparator.comparingInt(MappingProfiles.Problem::line));
                problems.forEach(p -> System.out.println(p));
                System.out.println("profile: " + problems.size() + " problem" + (problems.size() == 1 ? "" : "s")
                        + "; mend the profile and validate it again (no row was read)");
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

    @Command(mixinStandardHelpOptions = true, name = "draft", description = "Propose a starting mapping profile for the dump in FOLDER, from its "
            + "headers and the first 1,000 rows of each table, with TODO comments where it guessed. Review it, then check it with "
            + "`profile validate FILE FOLDER`.")
    public static class Draft implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "FOLDER", description = "The dump: a folder of delimited tables.")
        Path folder;

        @Option(names = "--name", paramLabel = "NAME", description = "The profile's name (default: the folder's name).")
        String name;

        @Option(names = "--out", paramLabel = "FILE", description = "Write the draft to FILE instead of the standard output; an existing FILE is not replaced.")
        Path out;

        @Override
        public Integer call() {
            if (!Files.isDirectory(folder)) {
                System.err.println("profile draft: no such folder: " + folder);
                return ArchiveCommand.ExitCodes.RUN_FAILED;
            }
            if (out != null && Files.exists(out)) {
                System.err.println("profile draft: " + out + " exists; say another --out, or remove it first");
                return ArchiveCommand.ExitCodes.RUN_FAILED;
            }
            ProfileDraft.Draft draft;
            try {
                draft = ProfileDraft.propose(folder, name == null ? "" : name);
            } catch (RuntimeException e) {
                System.err.println("profile draft: the folder cannot be read: " + e.getMessage());
                return ArchiveCommand.ExitCodes.RUN_FAILED;
            }
            draft.notes().forEach(note -> System.err.println("note: " + note));
            if (out == null) {
                System.out.print(draft.yaml());
                return ArchiveCommand.ExitCodes.OK;
            }
            try {
                Files.writeString(out, draft.yaml(), java.nio.file.StandardOpenOption.CREATE_NEW);
            } catch (IOException e) {
                System.err.println("profile draft: cannot write " + out + ": " + e.getMessage());
                return ArchiveCommand.ExitCodes.RUN_FAILED;
            }
            System.err.println("draft written to " + out + "; review its TODOs, then run: profile validate " + out + " " + folder);
            return ArchiveCommand.ExitCodes.OK;
        }
    }
}
