package org.ehrarchive.portal;

import java.io.IOException;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.ehrarchive.api.AuditedReads;
import org.ehrarchive.api.OriginalDownloads;
import org.ehrarchive.audit.AuditAction;
import org.ehrarchive.chart.ClinicalDates;
import org.ehrarchive.record.ChartService;
import org.ehrarchive.restriction.Restrictions;
import org.ehrarchive.security.Roles;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/** A document: its sections with sanitized narratives and entries, and its original file for download. */
@Path("/documents/{id}")
@RolesAllowed({ Roles.CLINICIAN, Roles.COMPLIANCE })
public class DocumentPage {

    private final ChartService charts;
    private final OriginalDownloads originals;
    private final AuditedReads audit;
    private final PortalContext portal;
    private final ClinicalDates dates;
    private final Restrictions restrictions;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance document(PortalContext.Nav nav, ChartService.DocumentView document, String type,
                ClinicalDates.Shown date, String authors, List<PortalViews.SectionBlock> sections, int attachments, String printed,
                List<String> restrictions, RestrictionsPage.Panel flags);
    }

    public DocumentPage(ChartService charts, OriginalDownloads originals, AuditedReads audit, PortalContext portal, ClinicalDates dates,
            Restrictions restrictions) {
        this.dates = dates;
        this.restrictions = restrictions;
        this.charts = charts;
        this.originals = originals;
        this.audit = audit;
        this.portal = portal;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance document(@PathParam("id") long id) {
        return page(id, null);
    }

    /** The document for paper: the same page without navigation, audited as printing. */
    @GET
    @Path("print")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance print(@PathParam("id") long id) {
        return page(id, "Printed by " + portal.nav().user() + " on " + dates.format(new org.ehrarchive.record.TimeValue(null,
                java.time.LocalDate.now().toString(), "DAY", null, null)) + ". This printing is recorded in the access audit.");
    }

    private TemplateInstance page(long id, String printed) {
        ChartService.DocumentView document = charts.document(id).orElseThrow(NotFoundException::new);
        audit.record(printed == null ? AuditAction.VIEW_DOCUMENT : AuditAction.PRINT, "document", Long.toString(id), List.of(document.patientId()),
                null);
        List<PortalViews.SectionBlock> sections = document.sections().stream()
                .map(s -> new PortalViews.SectionBlock(s.title() == null ? "(untitled section)" : s.title(),
                        NarrativeHtml.toSafeHtml(s.narrative()), s.found(), s.archived(), s.quarantined(), s.duplicates(),
                        s.entries().stream().map(e -> PortalViews.row(e, dates)).toList()))
                .toList();
        String authors = document.authors() == null ? "" : String.join("; ", document.authors().stream()
                .map(a -> a.personName() != null ? a.personName().display() : a.organizationName() == null ? "" : a.organizationName())
                .toList());
        return Templates.document(portal.nav(), document, document.type() == null ? "" : document.type().label(),
                dates.shown(document.effectiveTime()), authors, sections, document.attachments().size(), printed,
                audit.restrictionsOf("document", Long.toString(id), List.of(document.patientId())).stream().map(Restrictions.Reason::says).toList(),
                printed == null ? RestrictionsPage.ofDocument(portal, restrictions, dates, id) : null);
    }

    /** The original file, byte-exact. */
    @GET
    @Path("original")
    public Response original(@PathParam("id") long id) throws IOException {
        return originals.download(id, audit);
    }
}
