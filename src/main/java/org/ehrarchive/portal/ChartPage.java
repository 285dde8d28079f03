package org.ehrarchive.portal;

import java.util.List;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.ehrarchive.api.AuditedReads;
import org.ehrarchive.audit.AuditAction;
import org.ehrarchive.record.ChartService;
import org.ehrarchive.security.Roles;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/** A patient's chart: demographics and identifiers by source, encounters, every entry section, documents. */
@Path("/patients/{id}")
@RolesAllowed({ Roles.CLINICIAN, Roles.COMPLIANCE })
public class ChartPage {

    private final ChartService charts;
    private final AuditedReads audit;
    private final PortalContext portal;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance chart(PortalContext.Nav nav, long patientId, String name, List<PortalViews.SourceDemographics> sources,
                List<PortalViews.IdentifierRow> identifiers, List<PortalViews.EntryRow> encounters,
                List<PortalViews.EntryGroup> groups, List<PortalViews.DocumentRow> documents);
    }

    public ChartPage(ChartService charts, AuditedReads audit, PortalContext portal) {
        this.charts = charts;
        this.audit = audit;
        this.portal = portal;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance chart(@PathParam("id") long id) {
        ChartService.Chart chart = charts.chart(id).orElseThrow(NotFoundException::new);
        audit.record(AuditAction.VIEW_CHART, "patient", Long.toString(id), List.of(id), null);
        Map<Long, String> documentSources = PortalViews.sources(chart.documents());
        List<PortalViews.SourceDemographics> sources = chart.demographics().stream().map(PortalViews::demographics).toList();
        String name = sources.stream().map(PortalViews.SourceDemographics::names).filter(n -> !n.isBlank()).findFirst()
                .map(n -> n.split("; ")[0]).orElse("patient " + id);
        return Templates.chart(portal.nav(), id, name, sources,
                chart.identifiers().stream().map(i -> new PortalViews.IdentifierRow(i.value(),
                        i.assigningAuthority() != null ? i.assigningAuthority() : i.system(), i.documentId())).toList(),
                chart.encounters().stream().map(e -> PortalViews.row(e, documentSources)).toList(),
                PortalViews.groups(chart.entries(), documentSources),
                chart.documents().stream().map(d -> new PortalViews.DocumentRow(d.id(), d.title() == null ? "(untitled)" : d.title(),
                        d.type() == null ? "" : d.type().label(), PortalViews.time(d.effectiveTime()),
                        d.superseded() ? "replaced by a later version" : "")).toList());
    }
}
