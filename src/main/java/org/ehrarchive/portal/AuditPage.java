package org.ehrarchive.portal;

import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.ehrarchive.api.AuditedReads;
import org.ehrarchive.audit.AuditAction;
import org.ehrarchive.audit.AuditRecord;
import org.ehrarchive.chart.ClinicalDates;
import org.ehrarchive.chart.ClinicalDates.Shown;
import org.ehrarchive.security.Roles;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/** The access audit for compliance staff and admins: newest first, by user and by patient. Viewing it is audited. */
@Path("/audit")
@RolesAllowed({ Roles.COMPLIANCE, Roles.ADMIN })
public class AuditPage {

    private static final int ROWS = 200;

    private final AuditedReads audit;
    private final PortalContext portal;
    private final ClinicalDates dates;

    /** An access as the page lists it; {@code when} in the site's time zone, to the second, the zone named. */
    public record Row(AuditRecord record, Shown when) {
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance audit(PortalContext.Nav nav, String user, String patient, List<Row> rows, String problem);
    }

    public AuditPage(AuditedReads audit, PortalContext portal, ClinicalDates dates) {
        this.audit = audit;
        this.portal = portal;
        this.dates = dates;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance audit(@QueryParam("user") String user, @QueryParam("patient") String patient) {
        String userFilter = user == null ? "" : user.trim();
        String patientFilter = patient == null ? "" : patient.trim();
        // Patient ids are numbers (anything else would only be a pattern for the LIKE below). A filter that cannot be
        // applied is said so: ignoring it would show every patient's events as if they were this patient's.
        if (!patientFilter.isEmpty() && !patientFilter.matches("\\d{1,19}")) {
            return Templates.audit(portal.nav(), userFilter, patientFilter, List.of(),
                    "A patient id is a number: the archive patient id a chart shows.");
        }
        List<AuditRecord> rows = QuarkusTransaction.requiringNew().call(() -> {
            StringBuilder query = new StringBuilder("1 = 1");
            java.util.Map<String, Object> parameters = new java.util.HashMap<>();
            if (!userFilter.isEmpty()) {
                query.append(" and userName = :user");
                parameters.put("user", userFilter);
            }
            if (!patientFilter.isEmpty()) {
                query.append(" and (',' || patientIds || ',') like :patient");
                parameters.put("patient", "%," + patientFilter + ",%");
            }
            return AuditRecord.<AuditRecord>find(query + " order by id desc", parameters).page(0, ROWS).list();
        });
        audit.record(AuditAction.VIEW_AUDIT, "access-audit", null, List.of(), "user=" + userFilter + " patient=" + patientFilter);
        return Templates.audit(portal.nav(), userFilter, patientFilter, rows.stream().map(r -> new Row(r, dates.instant(r.occurredAt))).toList(),
                null);
    }
}
