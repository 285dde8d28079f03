package org.ehrarchive.portal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import javax.sql.DataSource;

import org.ehrarchive.chart.ClinicalDates;
import org.ehrarchive.chart.ClinicalDates.Shown;
import org.ehrarchive.security.Roles;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/**
 * The fixity checks for admins: the newest runs of {@code verify-fixity} (or its schedule) and what the newest one
 * found. It shows hashes and blob-store paths, no patient data, so viewing it is not an access to audit.
 */
@Path("/fixity")
@RolesAllowed(Roles.ADMIN)
public class FixityPage {

    private static final int CHECKS = 20;
    private static final int PROBLEMS = 200;

    /** One run, as the page lists it. */
    public record Check(long id, Shown startedAt, Shown endedAt, String agent, String outcome, long originals, long matched,
            long changed, long missing, long unexpected) {
    }

    /** One finding of the newest run. */
    public record Finding(String kind, String sha256, String foundSha256, String path, String detail) {
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance fixity(PortalContext.Nav nav, List<Check> checks, List<Finding> findings, long moreFindings);
    }

    private final DataSource dataSource;
    private final PortalContext portal;
    private final ClinicalDates dates;

    public FixityPage(DataSource dataSource, PortalContext portal, ClinicalDates dates) {
        this.dates = dates;
        this.dataSource = dataSource;
        this.portal = portal;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance fixity() throws SQLException {
        List<Check> checks = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        long total = 0;
        try (Connection connection = dataSource.getConnection()) {
            try (PreparedStatement query = connection.prepareStatement("select id, started_at, ended_at, agent, outcome, originals, matched, "
                    + "changed, missing, unexpected from fixity_check order by id desc limit " + CHECKS); ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    checks.add(new Check(rows.getLong(1), dates.instant(rows.getTimestamp(2).toInstant()),
                            dates.instant(rows.getTimestamp(3).toInstant()), rows.getString(4),
                            rows.getString(5), rows.getLong(6), rows.getLong(7), rows.getLong(8), rows.getLong(9), rows.getLong(10)));
                }
            }
            if (!checks.isEmpty()) {
                Check newest = checks.get(0);
                total = newest.changed() + newest.missing() + newest.unexpected();
                try (PreparedStatement query = connection.prepareStatement("select kind, sha256, found_sha256, path, detail from fixity_problem "
                        + "where check_id = ? order by kind, path limit " + PROBLEMS)) {
                    query.setLong(1, newest.id());
                    try (ResultSet rows = query.executeQuery()) {
                        while (rows.next()) {
                            findings.add(new Finding(rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4), rows.getString(5)));
                        }
                    }
                }
            }
        }
        return Templates.fixity(portal.nav(), checks, findings, Math.max(0, total - findings.size()));
    }
}
