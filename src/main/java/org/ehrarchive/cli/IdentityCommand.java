package org.ehrarchive.cli;

import java.sql.SQLException;
import java.util.Locale;
import java.util.concurrent.Callable;

import jakarta.enterprise.context.Dependent;

import org.ehrarchive.identity.IdentifierSystems;
import org.ehrarchive.identity.PatientLinks;
import org.ehrarchive.identity.PatientMatcher;

import io.quarkus.arc.Unremovable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code identity}: match archived patients across sources again, list identity links, and keep the table of
 * identifier-system spellings (docs/patient-identity.md). The console shows ids, states and scores, never names:
 * the evidence is read on the portal's Identity links page or through the API, where reading it is audited.
 */
@Dependent
@Unremovable
@Command(mixinStandardHelpOptions = true, name = "identity", description = "Match patients across sources; list links; identifier systems.",
        subcommands = { IdentityCommand.Match.class, IdentityCommand.Links.class, IdentityCommand.Systems.class })
public class IdentityCommand implements Runnable {

    @Override
    public void run() {
        System.out.println("identity match | identity links [--state STATE] | identity systems [add SYSTEM AUTHORITY [--label L] | remove SYSTEM]");
    }

    @Dependent
    @Unremovable
    @Command(mixinStandardHelpOptions = true, name = "match", description = "Match every archived patient against the archive again "
            + "(after the identifier-system table changed, or on an archive ingested before identity links).")
    public static class Match implements Callable<Integer> {
        private final PatientMatcher matcher;

        public Match(PatientMatcher matcher) {
            this.matcher = matcher;
        }

        @Override
        public Integer call() throws SQLException {
            long started = System.nanoTime();
            PatientMatcher.Outcome outcome = matcher.matchEverything(done -> System.out.printf("identity: %d patients matched%n", done));
            System.out.println(outcome.summary());
            System.out.printf("identity: done in %.1f s%n", (System.nanoTime() - started) / 1e9);
            return ArchiveCommand.ExitCodes.OK;
        }
    }

    @Dependent
    @Unremovable
    @Command(mixinStandardHelpOptions = true, name = "links", description = "List identity links (ids, method, score, state; no names).")
    public static class Links implements Callable<Integer> {
        @Option(names = "--state", description = "PROPOSED (default), LINKED, REJECTED, UNDONE or ALL.")
        String state = "PROPOSED";

        @Option(names = "--limit", description = "At most this many (default 100).")
        int limit = 100;

        private final PatientLinks links;

        public Links(PatientLinks links) {
            this.links = links;
        }

        @Override
        public Integer call() throws SQLException {
            PatientLinks.State wanted;
            try {
                wanted = state.equalsIgnoreCase("ALL") ? null : PatientLinks.State.valueOf(state.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException unknown) {
                System.err.println("--state is one of PROPOSED, LINKED, REJECTED, UNDONE, ALL");
                return ArchiveCommand.ExitCodes.USAGE;
            }
            links.counts().forEach((s, n) -> System.out.printf("%-9s %d%n", s.name().toLowerCase(Locale.ROOT) + ":", n));
            var found = links.inState(wanted, Math.max(1, limit));
            if (found.isEmpty()) {
                System.out.println("no links " + (wanted == null ? "yet" : "are " + wanted.name().toLowerCase(Locale.ROOT)));
            }
            for (PatientLinks.Link link : found) {
                System.out.printf("link %d: patients %d and %d, %s, score %s, %s%n", link.id(), link.patientLow(), link.patientHigh(),
                        link.method().name().toLowerCase(Locale.ROOT), link.score() == null ? "-" : String.format(Locale.ROOT, "%.3f", link.score()),
                        link.state().name().toLowerCase(Locale.ROOT));
            }
            return ArchiveCommand.ExitCodes.OK;
        }
    }

    @Dependent
    @Unremovable
    @Command(mixinStandardHelpOptions = true, name = "systems", description = "List, add or remove spellings of assigning authorities.")
    public static class Systems implements Callable<Integer> {
        @Parameters(index = "0", arity = "0..1", paramLabel = "ACTION", description = "add or remove; nothing to list.")
        String action;

        @Parameters(index = "1", arity = "0..1", paramLabel = "SYSTEM", description = "The spelling (an OID, a URI, a profile's name).")
        String system;

        @Parameters(index = "2", arity = "0..1", paramLabel = "AUTHORITY", description = "The authority it names (for add).")
        String authority;

        @Option(names = "--label", description = "What the authority is, in words.")
        String label;

        private final IdentifierSystems systems;

        public Systems(IdentifierSystems systems) {
            this.systems = systems;
        }

        @Override
        public Integer call() throws SQLException {
            if (action == null) {
                for (IdentifierSystems.Spelling s : systems.all()) {
                    System.out.printf("%s -> %s%s%s%n", s.system(), s.authority(), s.label() == null ? "" : "  (" + s.label() + ")",
                            s.seeded() ? "  [seeded]" : "");
                }
                return ArchiveCommand.ExitCodes.OK;
            }
            switch (action) {
                case "add" -> {
                    if (system == null || authority == null) {
                        System.err.println("identity systems add SYSTEM AUTHORITY [--label LABEL]");
                        return ArchiveCommand.ExitCodes.USAGE;
                    }
                    try {
                        IdentifierSystems.Spelling s = systems.put(system, authority, label, "cli");
                        System.out.printf("%s now names %s; run `identity match` to apply it to what is archived%n", s.system(), s.authority());
                    } catch (IllegalArgumentException invalid) {
                        System.err.println(invalid.getMessage());
                        return ArchiveCommand.ExitCodes.USAGE;
                    }
                }
                case "remove" -> {
                    if (system == null) {
                        System.err.println("identity systems remove SYSTEM");
                        return ArchiveCommand.ExitCodes.USAGE;
                    }
                    System.out.println(systems.remove(system) ? system + " removed; it stands for itself now" : "no such spelling: " + system);
                }
                default -> {
                    System.err.println("ACTION is add or remove (or nothing, to list)");
                    return ArchiveCommand.ExitCodes.USAGE;
                }
            }
            return ArchiveCommand.ExitCodes.OK;
        }
    }
}
