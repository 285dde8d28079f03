package org.ehrarchive.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import jakarta.enterprise.context.Dependent;

import org.ehrarchive.ArchiveConfig;
import org.ehrarchive.decommission.Certificates;
import org.ehrarchive.ingest.SourceSystems;
import org.ehrarchive.ingest.SourceSystems.SourceSystem;

import io.quarkus.arc.Unremovable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code certificate --source-system NAME --out DIR}: issues the decommission certificate of a source system and
 * writes {@code DIR/certificate.json} and {@code DIR/certificate.pdf}, printing their SHA-256 and the certificate's
 * id. Exits {@link ArchiveCommand.ExitCodes#USAGE} for an unknown source system (naming the known ones) or a folder it
 * cannot write, {@link ArchiveCommand.ExitCodes#RUN_FAILED} when issuing fails.
 */
@Dependent
@Unremovable
@Command(mixinStandardHelpOptions = true, name = "certificate",
        description = "Issue the decommission certificate of a source system: write certificate.json and certificate.pdf to a folder.")
public class CertificateCommand implements Callable<Integer> {

    @Option(names = "--source-system", paramLabel = "NAME", required = true, description = "The legacy system to certify, as ingest named it.")
    String sourceSystem;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "The folder to write certificate.json and certificate.pdf to (created if missing).")
    Path out;

    private final Certificates certificates;
    private final SourceSystems sourceSystems;
    private final ArchiveConfig config;

    public CertificateCommand(Certificates certificates, SourceSystems sourceSystems, ArchiveConfig config) {
        this.certificates = certificates;
        this.sourceSystems = sourceSystems;
        this.config = config;
    }

    @Override
    public Integer call() {
        Optional<SourceSystem> system;
        try {
            system = sourceSystems.byName(sourceSystem);
            if (system.isEmpty()) {
                String known = sourceSystems.all().stream().map(s -> "\"" + s.name() + "\"").collect(Collectors.joining(", "));
                System.err.println("certificate failed: no source system is named \"" + sourceSystem + "\"; "
                        + (known.isEmpty() ? "nothing has been ingested yet" : "the known ones are " + known));
                return ArchiveCommand.ExitCodes.USAGE;
            }
        } catch (IllegalArgumentException e) {
            System.err.println("certificate failed: --source-system: " + e.getMessage());
            return ArchiveCommand.ExitCodes.USAGE;
        } catch (SQLException e) {
            System.err.println("certificate failed: the database could not be read (SQLState " + e.getSQLState() + ")");
            return ArchiveCommand.ExitCodes.RUN_FAILED;
        }
        Path folder = out.toAbsolutePath().normalize();
        try {
            Files.createDirectories(folder);
            Path probe = Files.createTempFile(folder, ".certificate-", ".probe");
            Files.delete(probe);
        } catch (IOException | UnsupportedOperationException e) {
            System.err.println("certificate failed: cannot write to " + folder + " (" + e.getClass().getSimpleName() + "); nothing was issued");
            return ArchiveCommand.ExitCodes.USAGE;
        }

        Certificates.Issued issued;
        try {
            System.out.printf("certificate: reconciling source system \"%s\" (id %d)%n", system.get().name(), system.get().id());
            issued = certificates.issue(system.get(), System.getProperty("user.name"), certificates.commandLineAudit(),
                    new ManifestProgress(config.ingest().progressInterval()));
        } catch (SQLException e) {
            System.err.println("certificate failed: the database could not be read or written (SQLState " + e.getSQLState() + ")");
            return ArchiveCommand.ExitCodes.RUN_FAILED;
        } catch (IOException | RuntimeException e) {
            System.err.println("certificate failed: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return ArchiveCommand.ExitCodes.RUN_FAILED;
        }
        try {
            for (String kind : Certificates.KINDS) {
                try (Certificates.Opened opened = certificates.open(issued.id(), kind, (action, type, id, detail) -> {
                    // writing the files just issued is part of the issue, which is audited; not a download of its own
                }).orElseThrow(); InputStream in = opened.content()) {
                    Files.copy(in, folder.resolve(opened.fileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException | SQLException e) {
            System.err.println("certificate " + issued.id() + " was issued and is kept in the archive, but could not be written to " + folder
                    + ": " + e.getMessage() + "; download it from the portal");
            return ArchiveCommand.ExitCodes.RUN_FAILED;
        }
        System.out.printf("certificate %d issued for source system \"%s\"%n", issued.id(), system.get().name());
        System.out.printf("%s  sha256 %s (%d bytes)%n", folder.resolve("certificate.json"), issued.jsonSha256(), issued.jsonBytes());
        System.out.printf("%s  sha256 %s (%d bytes)%n", folder.resolve("certificate.pdf"), issued.pdfSha256(), issued.pdfBytes());
        return ArchiveCommand.ExitCodes.OK;
    }

    /** A plain line every few seconds while the manifest is written: counts only. */
    private static final class ManifestProgress implements Certificates.Progress {
        private final Duration interval;
        private Instant lastLine = Instant.now();

        ManifestProgress(Duration interval) {
            this.interval = interval;
        }

        @Override
        public void manifest(long lines) {
            if (Duration.between(lastLine, Instant.now()).compareTo(interval) >= 0) {
                lastLine = Instant.now();
                System.out.printf("certificate: manifest, %d originals and attachments so far%n", lines);
            }
        }
    }
}
