package org.ehrarchive.fixity;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import javax.sql.DataSource;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.ehrarchive.audit.AccessAudit;
import org.ehrarchive.audit.AccessEvent;
import org.ehrarchive.audit.AuditAction;
import org.ehrarchive.blob.BlobStore;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;

/**
 * Fixity (issue 13, issue 18): every original and embedded attachment the database records, and both files of every
 * decommission certificate, is read again from the blob store and hashed, and compared with its recorded SHA-256 and size. What the store lacks is <em>missing</em>,
 * what hashes otherwise is <em>changed</em>, and a file the database does not record is <em>unexpected</em>. Each run
 * is one PREMIS-style "fixity check" event ({@code fixity_check}) with one {@code fixity_problem} row per finding, and
 * one audit event.
 * <p>
 * Memory stays bounded whatever the archive's size: the recorded hashes are read a page at a time in hash order, and
 * merged with a walk of the store in the same order ({@link BlobWalk}). Files written after the run began belong to
 * an ingest still running and are left to the next run.
 */
@ApplicationScoped
public class FixityCheck {

    /** What a run says as it goes: for a progress bar. */
    public interface Progress {
        void started(long originals);

        void checked(long originals, long bytes);

        Progress NONE = new Progress() {
            @Override
            public void started(long originals) {
            }

            @Override
            public void checked(long originals, long bytes) {
            }
        };
    }

    /** One finding: a recorded original not as recorded, or a file nothing records. Hashes and paths only. */
    public record Problem(String kind, String sha256, String foundSha256, String path, String detail) {
    }

    /** A run's outcome; {@code problems} holds the first {@value #PROBLEMS_KEPT}, the counts hold all. */
    public record Result(long checkId, Instant startedAt, Instant endedAt, long originals, long matched, long changed, long missing,
            long unexpected, long bytesRead, List<Problem> problems) {
        public boolean passed() {
            return changed == 0 && missing == 0 && unexpected == 0;
        }
    }

    static final int PROBLEMS_KEPT = 100;
    private static final int PAGE = 1000;
    /**
     * Every file the blob store is meant to hold, with its recorded size: each source file, each attachment, and both
     * files of each decommission certificate (which vouch for the rest, so they are checked like originals).
     */
    private static final String RECORDED_FILES = """
                select sha256, size_bytes from source_file
                union all
                select sha256, size_bytes from document_attachment where sha256 is not null
                union all
                select json_sha256, json_bytes from decommission_certificate
                union all
                select pdf_sha256, pdf_bytes from decommission_certificate
            """;
    /** The recorded originals, once per hash, a page at a time in hash order. */
    private static final String RECORDED = "select sha256, max(size_bytes) from (" + RECORDED_FILES
            + ") recorded where sha256 collate \"C\" > ? group by sha256 order by sha256 collate \"C\" limit " + PAGE;

    private final DataSource dataSource;
    private final BlobStore blobs;
    private final AccessAudit audit;
    private final boolean serving;

    public FixityCheck(DataSource dataSource, BlobStore blobs, AccessAudit audit,
            @ConfigProperty(name = "quarkus.http.host-enabled", defaultValue = "true") boolean serving) {
        this.dataSource = dataSource;
        this.blobs = blobs;
        this.audit = audit;
        this.serving = serving;
    }

    /** {@code archive.fixity.schedule} (a cron expression; {@code off} by default) runs a check in the server. */
    @Scheduled(cron = "${archive.fixity.schedule:off}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduledCheck() {
        if (!serving) {
            return; // a command (an ingest that runs past the hour) leaves the schedule to the server
        }
        Result result = run("scheduler", Progress.NONE);
        if (result.passed()) {
            Log.infof("fixity check %d passed: %d originals as recorded", result.checkId(), result.originals());
        } else {
            Log.errorf("fixity check %d FAILED: %d changed, %d missing, %d unexpected (verify-fixity or the Fixity page names them)",
                    result.checkId(), result.changed(), result.missing(), result.unexpected());
        }
    }

    /** Checks every recorded original; {@code agent} is who ran it (an OS user, or the scheduler). */
    public Result run(String agent, Progress progress) {
        Instant startedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        try (Connection connection = dataSource.getConnection()) {
            long checkId = single(connection, "select nextval('fixity_check_id')");
            progress.started(single(connection, "select count(distinct sha256) from (" + RECORDED_FILES + ") recorded"));
            Tally tally = new Tally(connection, checkId, progress);
            BlobWalk stored = new BlobWalk(blobs.contentRoot());
            BlobWalk.Found file = stored.hasNext() ? stored.next() : null;
            String after = "";
            while (true) {
                List<Recorded> page = recordedAfter(connection, after);
                for (Recorded recorded : page) {
                    // Files before this hash are recorded by nothing (or not where their name says).
                    while (file != null && (file.sha256() == null || file.sha256().compareTo(recorded.sha256()) < 0)) {
                        tally.unexpected(file, startedAt);
                        file = stored.hasNext() ? stored.next() : null;
                    }
                    if (file != null && file.sha256().equals(recorded.sha256())) {
                        tally.compare(recorded, file.path());
                        file = stored.hasNext() ? stored.next() : null;
                    } else {
                        tally.missing(recorded);
                    }
                }
                if (page.size() < PAGE) {
                    break;
                }
                after = page.get(page.size() - 1).sha256();
            }
            for (; file != null; file = stored.hasNext() ? stored.next() : null) {
                tally.unexpected(file, startedAt);
            }
            Result result = tally.finish(checkId, startedAt, agent);
            audit.record(AccessEvent.byCommandLine(AuditAction.FIXITY_CHECK, "fixity_check", Long.toString(checkId),
                    String.format("%s, run by %s: %d originals, %d matched, %d changed, %d missing, %d unexpected",
                            result.passed() ? "pass" : "fail", agent,
                            result.originals(), result.matched(), result.changed(), result.missing(), result.unexpected())));
            return result;
        } catch (SQLException e) {
            throw new IllegalStateException("The fixity check could not read or record in the database (SQLState " + e.getSQLState() + ")", e);
        }
    }

    private record Recorded(String sha256, long sizeBytes) {
    }

    private List<Recorded> recordedAfter(Connection connection, String after) throws SQLException {
        List<Recorded> page = new ArrayList<>(PAGE);
        try (PreparedStatement query = connection.prepareStatement(RECORDED)) {
            query.setString(1, after);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    page.add(new Recorded(rows.getString(1).trim(), rows.getLong(2)));
                }
            }
        }
        return page;
    }

    private static long single(Connection connection, String sql) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(sql); ResultSet row = query.executeQuery()) {
            row.next();
            return row.getLong(1);
        }
    }

    /** The run's counts; its problems go to the database as they are found, a hundred at a time. */
    private final class Tally {
        private final Connection connection;
        private final long checkId;
        private final Progress progress;
        private final List<Problem> kept = new ArrayList<>();
        private final List<Problem> unwritten = new ArrayList<>();
        private long originals;
        private long matched;
        private long changed;
        private long missing;
        private long unexpected;
        private long bytesRead;

        Tally(Connection connection, long checkId, Progress progress) {
            this.connection = connection;
            this.checkId = checkId;
            this.progress = progress;
        }

        void compare(Recorded recorded, Path file) throws SQLException {
            originals++;
            try {
                long size = Files.size(file);
                String found = blobs.hash(file);
                bytesRead += size;
                if (!found.equals(recorded.sha256())) {
                    changed++;
                    problem(new Problem("changed", recorded.sha256(), found, relative(file), "its content no longer hashes to its name"));
                } else if (size != recorded.sizeBytes()) {
                    changed++;
                    problem(new Problem("changed", recorded.sha256(), found, relative(file),
                            "recorded as " + recorded.sizeBytes() + " bytes, " + size + " bytes now"));
                } else {
                    matched++;
                }
            } catch (IOException e) {
                changed++;
                problem(new Problem("changed", recorded.sha256(), null, relative(file), "it cannot be read (" + e.getClass().getSimpleName() + ")"));
            }
            progress.checked(originals, bytesRead);
        }

        void missing(Recorded recorded) throws SQLException {
            originals++;
            missing++;
            problem(new Problem("missing", recorded.sha256(), null, relative(blobs.pathOf(recorded.sha256())),
                    "recorded, and not in the blob store"));
            progress.checked(originals, bytesRead);
        }

        void unexpected(BlobWalk.Found file, Instant startedAt) throws SQLException {
            try {
                if (Files.getLastModifiedTime(file.path()).toInstant().isAfter(startedAt)) {
                    return; // written by an ingest while this run read: the next run sees it recorded, or not
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            unexpected++;
            problem(new Problem("unexpected", file.sha256(), null, relative(file.path()),
                    file.sha256() == null ? "not named and placed as a blob" : "in the blob store, and recorded by nothing"));
        }

        private void problem(Problem problem) throws SQLException {
            if (kept.size() < PROBLEMS_KEPT) {
                kept.add(problem);
            }
            unwritten.add(problem);
            if (unwritten.size() >= 100) {
                flush();
            }
        }

        private void flush() throws SQLException {
            if (unwritten.isEmpty()) {
                return;
            }
            try (PreparedStatement insert = connection.prepareStatement(
                    "insert into fixity_problem (check_id, kind, sha256, found_sha256, path, detail) values (?, ?, ?, ?, ?, ?)")) {
                for (Problem problem : unwritten) {
                    insert.setLong(1, checkId);
                    insert.setString(2, problem.kind());
                    insert.setString(3, problem.sha256());
                    insert.setString(4, problem.foundSha256());
                    insert.setString(5, problem.path());
                    insert.setString(6, problem.detail());
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            unwritten.clear();
        }

        Result finish(long checkId, Instant startedAt, String agent) throws SQLException {
            flush();
            Instant endedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
            Result result = new Result(checkId, startedAt, endedAt, originals, matched, changed, missing, unexpected, bytesRead, List.copyOf(kept));
            try (PreparedStatement insert = connection.prepareStatement("insert into fixity_check (id, started_at, ended_at, agent, outcome, "
                    + "originals, matched, changed, missing, unexpected, bytes_read) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                insert.setLong(1, checkId);
                insert.setTimestamp(2, Timestamp.from(startedAt));
                insert.setTimestamp(3, Timestamp.from(endedAt));
                insert.setString(4, agent);
                insert.setString(5, result.passed() ? "pass" : "fail");
                insert.setLong(6, originals);
                insert.setLong(7, matched);
                insert.setLong(8, changed);
                insert.setLong(9, missing);
                insert.setLong(10, unexpected);
                insert.setLong(11, bytesRead);
                insert.executeUpdate();
            }
            return result;
        }
    }

    /** A path as the report shows it: relative to the blob store, never an absolute path of the host. */
    private String relative(Path file) {
        return blobs.root().relativize(file.toAbsolutePath()).toString();
    }
}
