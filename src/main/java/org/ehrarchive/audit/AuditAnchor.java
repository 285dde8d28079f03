package org.ehrarchive.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import org.ehrarchive.ArchiveConfig;

/**
 * The newest audit row the chain was last verified up to, kept outside the database (issue 18, ADR 0008): a
 * shorter chain is still a whole chain, so removing the newest rows can only be seen against a head kept
 * elsewhere. The file is {@code archive.audit.anchor-file} (default {@code <data-dir>/audit-anchor}); point it at a
 * location the database's users cannot write (another host's mount, write-once storage) or forward its lines to a
 * SIEM. One line: {@code rows=<n> hash=<sha-256> at=<instant>}, replaced atomically.
 */
@ApplicationScoped
public class AuditAnchor {

    /** The last verified row: its id (= rows from the first) and hash. {@code (0, GENESIS)} before the first. */
    public record Head(long rows, String hash) {
    }

    private static final Pattern LINE = Pattern.compile("rows=(\\d+) hash=([0-9a-f]{64})\\b.*");

    private final Path file;

    public AuditAnchor(ArchiveConfig config) {
        this.file = config.audit().anchorFile().orElse(config.dataDir().resolve("audit-anchor"));
    }

    public Path file() {
        return file;
    }

    /** The anchored head; empty before the first anchor. An unreadable anchor is an error, never "no anchor". */
    public Optional<Head> read() throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        String line = Files.readString(file, StandardCharsets.US_ASCII).strip();
        Matcher matcher = LINE.matcher(line);
        if (!matcher.matches()) {
            throw new IOException("The audit anchor " + file + " is not a line 'rows=<n> hash=<sha-256> at=<time>': it was damaged or replaced");
        }
        return Optional.of(new Head(Long.parseLong(matcher.group(1)), matcher.group(2)));
    }

    /** Replaces the anchor with {@code head}, durably: written beside, forced to disk, then moved into place. */
    public void write(Head head) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path partial = file.resolveSibling(file.getFileName() + ".partial-" + ProcessHandle.current().pid());
        String line = "rows=" + head.rows() + " hash=" + head.hash() + " at=" + Instant.now() + "\n";
        try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            channel.write(StandardCharsets.US_ASCII.encode(line));
            channel.force(true);
        }
        try {
            Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
