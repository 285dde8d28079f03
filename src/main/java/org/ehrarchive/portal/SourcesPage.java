package org.ehrarchive.portal;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import javax.sql.DataSource;

import org.ehrarchive.api.AuditedReads;
import org.ehrarchive.audit.AuditAction;
import org.ehrarchive.blob.BlobStore;
import org.ehrarchive.chart.ClinicalDates;
import org.ehrarchive.chart.ClinicalDates.Shown;
import org.ehrarchive.decommission.Reconciliation;
import org.ehrarchive.ingest.SourceSystems;
import org.ehrarchive.ingest.SourceSystems.SourceSystem;
import org.ehrarchive.security.Roles;
import org.jboss.resteasy.reactive.RestForm;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/**
 * Decommissioning, for admins (issue 13, docs/decommissioning.md): the source systems with their batches, and each
 * one's reconciliation, with its JSON and CSV downloads, the old system's stated counts, and the originals of its
 * quarantined files. The reconciliation shows counts, reasons and file paths, no patient data; a quarantined
 * original is patient data, so its download is audited.
 */
@Path("/sources")
@RolesAllowed(Roles.ADMIN)
public class SourcesPage {

    /** A source system as the list shows it. */
    public record SystemRow(long id, String name, java.time.Instant createdAt, List<BatchRow> batches) {
    }

    /** A batch line with its start and end in the site's zone, to the second. */
    public record BatchRow(Reconciliation.BatchLine line, Shown started, Shown finished) {
    }

    /** A stated count with when it was stated, in the site's zone. */
    public record StatedRow(Reconciliation.StatedCount count, Shown at) {
    }

    /** A file line of the page: the first {@link #LISTED_FILES} files; the downloads have them all. */
    public record FileRow(long batchId, String path, String status, String reason, int found, int archived, int quarantined,
            int keptRaw, int duplicates) {
    }

    static final int LISTED_FILES = 500;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance sources(PortalContext.Nav nav, List<SystemRow> systems);

        static native TemplateInstance source(PortalContext.Nav nav, Reconciliation.Summary summary, List<BatchRow> batches,
                List<StatedRow> statedCounts, List<FileRow> files, long moreFiles,
                String problem, String recordType, String stated, String explanation);
    }

    private final SourceSystems sourceSystems;
    private final Reconciliation reconciliation;
    private final DataSource dataSource;
    private final BlobStore blobs;
    private final AuditedReads audit;
    private final PortalContext portal;
    private final ClinicalDates dates;

    public SourcesPage(SourceSystems sourceSystems, Reconciliation reconciliation, DataSource dataSource, BlobStore blobs,
            AuditedReads audit, PortalContext portal, ClinicalDates dates) {
        this.dates = dates;
        this.sourceSystems = sourceSystems;
        this.reconciliation = reconciliation;
        this.dataSource = dataSource;
        this.blobs = blobs;
        this.audit = audit;
        this.portal = portal;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance sources() throws SQLException {
        List<SystemRow> rows = new ArrayList<>();
        for (SourceSystem system : sourceSystems.all()) {
            rows.add(new SystemRow(system.id(), system.name(), system.createdAt(), batches(reconciliation.batches(system.id()))));
        }
        return Templates.sources(portal.nav(), rows);
    }

    @GET
    @Path("{id}")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance source(@PathParam("id") long id) throws SQLException {
        return page(system(id), null, "", "", "");
    }

    /** The old system's own count of a record type, as its report states it; shown beside the archive's. */
    @POST
    @Path("{id}/counts")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    public Response state(@PathParam("id") long id, @RestForm String recordType, @RestForm String stated, @RestForm String explanation)
            throws SQLException {
        SourceSystem system = system(id);
        long count;
        try {
            count = Long.parseLong(stated == null ? "" : stated.strip().replace(",", "").replace("_", ""));
            reconciliation.state(system.id(), recordType, count, explanation, portalUser());
        } catch (NumberFormatException e) {
            return Response.status(400).entity(page(system, "The stated count must be a whole number, such as 48211 or 48,211.",
                    recordType, stated, explanation)).build();
        } catch (IllegalArgumentException e) {
            return Response.status(400).entity(page(system, "Not recorded: " + e.getMessage() + ".", recordType, stated, explanation)).build();
        }
        audit.record(AuditAction.ADMIN_CHANGE, "source_count", Long.toString(system.id()), List.of(),
                "stated " + count + " " + recordType.strip() + " for source system " + system.name());
        return Response.seeOther(URI.create("/sources/" + id + "#stated")).build();
    }

    @GET
    @Path("{id}/reconciliation.json")
    @Produces(MediaType.APPLICATION_JSON)
    public Response json(@PathParam("id") long id) throws SQLException {
        SourceSystem system = system(id);
        audit.record(AuditAction.EXPORT, "reconciliation", Long.toString(id), List.of(), "json");
        StreamingOutput body = out -> {
            try {
                reconciliation.writeJson(system, out);
            } catch (SQLException e) {
                throw new IOException("The database failed while the reconciliation was written (SQLSTATE " + e.getSQLState() + ")", e);
            }
        };
        return Response.ok(body, MediaType.APPLICATION_JSON)
                .header("Content-Disposition", "attachment; filename=\"reconciliation-" + id + ".json\"").build();
    }

    @GET
    @Path("{id}/reconciliation.csv")
    @Produces("text/csv")
    public Response csv(@PathParam("id") long id) throws SQLException {
        SourceSystem system = system(id);
        audit.record(AuditAction.EXPORT, "reconciliation", Long.toString(id), List.of(), "csv");
        StreamingOutput body = out -> {
            BufferedWriter writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
            try {
                reconciliation.writeCsv(system, writer);
            } catch (SQLException e) {
                throw new IOException("The database failed while the reconciliation was written (SQLSTATE " + e.getSQLState() + ")", e);
            }
            writer.flush();
        };
        return Response.ok(body, "text/csv; charset=UTF-8")
                .header("Content-Disposition", "attachment; filename=\"reconciliation-" + id + ".csv\"").build();
    }

    /** The original of a file this source system's batches were given (typically a quarantined one, to repair), byte-exact. */
    @GET
    @Path("{id}/originals/{sha256}")
    public Response original(@PathParam("id") long id, @PathParam("sha256") String sha256) throws SQLException, IOException {
        if (!sha256.matches("[0-9a-f]{64}")) {
            throw new NotFoundException();
        }
        system(id);
        try (Connection connection = dataSource.getConnection(); PreparedStatement query = connection.prepareStatement(
                "select 1 from batch_file f join ingest_batch b on b.id = f.batch_id where b.source_system_id = ? and f.sha256 = ? limit 1")) {
            query.setLong(1, id);
            query.setString(2, sha256);
            try (ResultSet rows = query.executeQuery()) {
                if (!rows.next()) {
                    throw new NotFoundException();
                }
            }
        }
        var original = blobs.open(sha256).orElseThrow(() -> new org.ehrarchive.api.Problems.ProblemException(500, "original-missing",
                "This original is missing from the blob store; run verify-fixity"));
        audit.record(AuditAction.DOWNLOAD_ORIGINAL, "source_file", sha256, List.of(), "from the reconciliation of source system " + id);
        return Response.ok(original, MediaType.APPLICATION_OCTET_STREAM)
                .header("Content-Disposition", "attachment; filename=\"original-" + sha256.substring(0, 12) + "\"")
                .header("Digest", "sha-256=" + Base64.getEncoder().encodeToString(HexFormat.of().parseHex(sha256))).build();
    }

    private TemplateInstance page(SourceSystem system, String problem, String recordType, String stated, String explanation) throws SQLException {
        Reconciliation.Summary summary = reconciliation.summary(system);
        List<FileRow> files = new ArrayList<>();
        long all = 0;
        try (Connection connection = dataSource.getConnection(); PreparedStatement query = connection.prepareStatement(
                "select f.batch_id, f.path, f.status, f.reason, f.found, f.archived, f.quarantined, f.kept_raw, f.duplicates, count(*) over () "
                        + "from batch_file f join ingest_batch b on b.id = f.batch_id where b.source_system_id = ? and f.status <> 'READING' "
                        + "order by f.batch_id, f.path limit " + LISTED_FILES)) {
            query.setLong(1, system.id());
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    files.add(new FileRow(rows.getLong(1), rows.getString(2), rows.getString(3).toLowerCase(java.util.Locale.ROOT),
                            rows.getString(4), rows.getInt(5), rows.getInt(6), rows.getInt(7), rows.getInt(8), rows.getInt(9)));
                    all = rows.getLong(10);
                }
            }
        }
        return Templates.source(portal.nav(), summary, batches(summary.batches()),
                summary.statedCounts().stream().map(c -> new StatedRow(c, dates.instant(c.statedAt()))).toList(), files, Math.max(0, all - files.size()), problem,
                recordType == null ? "" : recordType, stated == null ? "" : stated, explanation == null ? "" : explanation);
    }

    private List<BatchRow> batches(List<Reconciliation.BatchLine> lines) {
        return lines.stream().map(b -> new BatchRow(b, dates.instant(b.startedAt()), dates.instant(b.finishedAt()))).toList();
    }

    private SourceSystem system(long id) throws SQLException {
        return sourceSystems.byId(id).orElseThrow(NotFoundException::new);
    }

    private String portalUser() {
        return portal.nav().user();
    }
}
