package org.ehrarchive.portal;

import java.net.URI;
import java.util.Arrays;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;

import org.ehrarchive.api.AuditedReads;
import org.ehrarchive.api.Problems;
import org.ehrarchive.chart.ClinicalDates;
import org.ehrarchive.restriction.Restrictions;
import org.ehrarchive.security.Roles;
import org.jboss.resteasy.reactive.RestForm;

/**
 * The privacy office flags a patient or one document restricted, or lifts a flag (docs/compliance.md#break-the-glass):
 * from the panel on the chart and on the document page, which only compliance staff see. Each change is recorded in the
 * access audit; back to the page it was made on.
 */
@Path("/restrictions")
@RolesAllowed(Roles.COMPLIANCE)
public class RestrictionsPage {

    /** The panel: the record it is on (a patient, or a document), its flags lifted or not, and the categories to flag. */
    public record Panel(Long patientId, Long documentId, List<FlagRow> flags, List<CategoryOption> categories) {
    }

    /** A flag as the panel lists it. */
    public record FlagRow(long id, String on, String category, String reason, String flagged, String lifted) {
    }

    /** A category the form offers. */
    public record CategoryOption(String code, String label) {
    }

    private static final List<CategoryOption> CATEGORIES = Arrays.stream(Restrictions.Category.values())
            .map(c -> new CategoryOption(c.name(), c.label())).toList();

    private final Restrictions restrictions;
    private final AuditedReads audit;
    private final PortalContext portal;

    public RestrictionsPage(Restrictions restrictions, AuditedReads audit, PortalContext portal) {
        this.restrictions = restrictions;
        this.audit = audit;
        this.portal = portal;
    }

    /** The chart's panel for compliance staff (null for anyone else: the template shows nothing). */
    static Panel ofChart(PortalContext portal, Restrictions restrictions, ClinicalDates dates, long patientId, List<Long> patientIds) {
        return portal.isCompliance() ? new Panel(patientId, null, rows(restrictions.flagsOfChart(patientIds), dates), CATEGORIES) : null;
    }

    /** The document's panel for compliance staff (null for anyone else). */
    static Panel ofDocument(PortalContext portal, Restrictions restrictions, ClinicalDates dates, long documentId) {
        return portal.isCompliance() ? new Panel(null, documentId, rows(restrictions.flagsOfDocument(documentId), dates), CATEGORIES) : null;
    }

    @POST
    public Response flag(@RestForm String patient, @RestForm String document, @RestForm String category, @RestForm String reason) {
        Long patientId = id(patient);
        Long documentId = patientId == null ? id(document) : null;
        if (patientId == null && documentId == null) {
            throw new Problems.ProblemException(400, "invalid-flag", "Flag a patient or a document from its page");
        }
        Restrictions.Category chosen = Restrictions.Category.named(category)
                .orElseThrow(() -> new Problems.ProblemException(400, "invalid-flag", "Choose what the record is (restricted, VIP, employee...)"));
        try {
            Restrictions.Flag flag = restrictions.flag(patientId, documentId, chosen, reason, portal.nav().user());
            audit.restrictionChanged(flag, "flagged " + chosen.name());
            return back(flag);
        } catch (IllegalArgumentException invalid) {
            throw new Problems.ProblemException(400, "invalid-flag", invalid.getMessage() + ": go back and say why the record is restricted");
        } catch (Restrictions.Refused refused) {
            throw new NotFoundException();
        }
    }

    @POST
    @Path("{id}/lift")
    public Response lift(@PathParam("id") long id, @RestForm String reason) {
        try {
            Restrictions.Flag flag = restrictions.lift(id, reason, portal.nav().user());
            audit.restrictionChanged(flag, "lifted " + flag.category().name());
            return back(flag);
        } catch (IllegalArgumentException invalid) {
            throw new Problems.ProblemException(400, "invalid-lift", invalid.getMessage() + ": go back and say why the flag is lifted");
        } catch (Restrictions.Refused refused) {
            if (restrictions.flag(id).isEmpty()) {
                throw new NotFoundException();
            }
            throw new Problems.ProblemException(409, "lift-refused", refused.getMessage());
        }
    }

    private static Response back(Restrictions.Flag flag) {
        return Response.seeOther(URI.create(flag.patientId() != null ? "/patients/" + flag.patientId() : "/documents/" + flag.documentId()))
                .build();
    }

    private static List<FlagRow> rows(List<Restrictions.Flag> flags, ClinicalDates dates) {
        return flags.stream().map(f -> new FlagRow(f.id(), f.patientId() != null ? "Patient " + f.patientId()
                : "Document " + f.documentId() + (f.documentTitle() == null ? "" : " \u201c" + f.documentTitle() + "\u201d"),
                f.category().label(), f.reason(), f.flaggedBy() + ", " + dates.instant(f.flaggedAt()).text(),
                f.lifted() ? f.liftedBy() + ", " + dates.instant(f.liftedAt()).text() + ": " + f.liftReason() : "")).toList();
    }

    private static Long id(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException notANumber) {
            throw new Problems.ProblemException(400, "invalid-flag", "The record's id is not a number");
        }
    }
}
