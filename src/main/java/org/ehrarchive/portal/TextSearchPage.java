package org.ehrarchive.portal;

import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.ehrarchive.api.AuditedReads;
import org.ehrarchive.audit.AuditAction;
import org.ehrarchive.chart.ClinicalDates;
import org.ehrarchive.chart.ClinicalDates.Shown;
import org.ehrarchive.search.SearchIndex;
import org.ehrarchive.search.TextHit;
import org.ehrarchive.security.Roles;
import org.jboss.resteasy.reactive.RestForm;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/** Full-text search over narratives, notes and entry names, with highlighted snippets. */
@Path("/search")
@RolesAllowed({ Roles.CLINICIAN, Roles.COMPLIANCE })
public class TextSearchPage {

    private final SearchIndex index;
    private final AuditedReads audit;
    private final PortalContext portal;
    private final ClinicalDates dates;

    /** A text found, with its document's date written as the site writes dates; {@code snippet} is safe HTML. */
    public record HitRow(long patientId, long documentId, String title, Shown date, String snippet) {
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance search(PortalContext.Nav nav, boolean searched, String words, List<HitRow> hits);
    }

    public TextSearchPage(SearchIndex index, AuditedReads audit, PortalContext portal, ClinicalDates dates) {
        this.index = index;
        this.audit = audit;
        this.portal = portal;
        this.dates = dates;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance form() {
        return Templates.search(portal.nav(), false, "", List.of());
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance search(@RestForm String words) {
        if (words == null || words.isBlank()) {
            return form();
        }
        List<TextHit> hits = index.searchText(words, 50);
        audit.record(AuditAction.SEARCH_TEXT, "text-search", null, hits.stream().map(TextHit::patientId).distinct().toList(), words);
        return Templates.search(portal.nav(), true, words,
                hits.stream().map(h -> new HitRow(h.patientId(), h.documentId(), h.title(), dates.shown(h.date()), h.snippet())).toList());
    }
}
