package org.ehrarchive.portal;

import java.net.URI;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.ehrarchive.api.AuditedReads;
import org.ehrarchive.api.Problems;
import org.ehrarchive.audit.AuditAction;
import org.ehrarchive.audit.AuditReview;
import org.ehrarchive.chart.ClinicalDates;
import org.ehrarchive.restriction.BreakGlass;
import org.ehrarchive.restriction.Restrictions;
import org.ehrarchive.security.ArchiveAuthentication;
import org.ehrarchive.security.Roles;
import org.jboss.resteasy.reactive.RestForm;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/**
 * Breaking the glass in the portal (docs/compliance.md#break-the-glass): the notice a clinician gets instead of a
 * restricted record ({@link RestrictedNotice} renders it), the form on it that grants access for a while with the
 * reason stated, and the privacy officer's queue where each grant is signed off or escalated.
 */
@Path("/break-glass")
public class BreakGlassPage {

    static final int PAGE_SIZE = 50;

    /** A grant as the queue shows it. */
    public record GrantRow(long id, String user, String activity, long patientId, String patient, String reason, List<String> restrictions, ClinicalDates.Shown granted,
            ClinicalDates.Shown expires, boolean active, String state, long reads, List<ReviewRow> reviews, boolean reviewable) {
    }

    /** A review of a grant. */
    public record ReviewRow(String decision, String note, String by, ClinicalDates.Shown at) {
    }

    /** A choice of the queue's state filter, with its count. */
    public record StateChoice(String param, String label, long count, boolean chosen) {
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance restricted(PortalContext.Nav nav, long patientId, Long documentId, List<String> reasons, String next,
                long minutes, int minimumReason, String problem);

        static native TemplateInstance queue(PortalContext.Nav nav, List<StateChoice> states, List<GrantRow> grants, long total, int page,
                Integer previousPage, Integer nextPage, String state);
    }

    private final BreakGlass breakGlass;
    private final Restrictions restrictions;
    private final AuditReview review;
    private final AuditedReads audit;
    private final PortalContext portal;
    private final ClinicalDates dates;

    public BreakGlassPage(BreakGlass breakGlass, Restrictions restrictions, AuditReview review, AuditedReads audit, PortalContext portal,
            ClinicalDates dates) {
        this.breakGlass = breakGlass;
        this.restrictions = restrictions;
        this.review = review;
        this.audit = audit;
        this.portal = portal;
        this.dates = dates;
    }

    /** The notice shown instead of a restricted record, with the form to break the glass. */
    static TemplateInstance notice(PortalContext portal, BreakGlass breakGlass, long patientId, Long documentId, List<Restrictions.Reason> reasons,
            String next, String problem) {
        return Templates.restricted(portal.nav(), patientId, documentId, reasons.stream().map(Restrictions.Reason::says).toList(),
                next == null ? "/patients/" + patientId : next, breakGlass.grantFor().toMinutes(), BreakGlass.MIN_REASON_LENGTH, problem);
    }

    /** Breaks the glass: the grant is recorded with its reason, and the reader goes on to the record they opened. */
    @POST
    @RolesAllowed(Roles.CLINICIAN)
    @Produces(MediaType.TEXT_HTML)
    public Response breakGlass(@RestForm String patient, @RestForm String document, @RestForm String reason, @RestForm String next) {
        long patientId = number(patient).orElseThrow(() -> new Problems.ProblemException(400, "invalid-break-glass",
                "Break the glass from the notice of the record you opened"));
        Long documentId = number(document).orElse(null);
        String back = ArchiveAuthentication.safeNext(next);
        try {
            var grant = breakGlass.grant(portal.nav().user(), Roles.CLINICIAN, patientId, documentId, reason);
            grant.ifPresent(g -> audit.record(AuditAction.BREAK_GLASS, "break-glass", Long.toString(g.id()), g.patientIds(), g.reason()));
        } catch (IllegalArgumentException invalid) {
            List<Restrictions.Reason> reasons = documentId != null ? restrictions.ofDocument(documentId) : restrictions.ofChart(List.of(patientId));
            return Response.status(400).type(MediaType.TEXT_HTML)
                    .entity(notice(portal, breakGlass, patientId, documentId, reasons, back, invalid.getMessage() + ".").render()).build();
        } catch (Restrictions.Refused refused) {
            throw new NotFoundException();
        }
        return Response.seeOther(URI.create(back != null ? back : "/patients/" + patientId)).build();
    }

    /** The privacy officer's queue: open grants (pending, escalated) by default, the one waiting longest first. */
    @GET
    @RolesAllowed(Roles.COMPLIANCE)
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance queue(@QueryParam("state") String state, @QueryParam("page") String page) {
        String chosen = state == null || state.isBlank() ? "open" : state.trim();
        Set<BreakGlass.State> states = BreakGlass.State.filter(chosen).orElseThrow(() -> new Problems.ProblemException(400, "invalid-state",
                "state is one of " + String.join(", ", BreakGlass.State.FILTERS)));
        int number = number(page).map(Long::intValue).orElse(1);
        if (number < 1) {
            throw new Problems.ProblemException(400, "invalid-page", "page must be a whole number from 1");
        }
        BreakGlass.Queue queue = breakGlass.queue(states, (number - 1) * PAGE_SIZE, PAGE_SIZE);
        Set<Long> shown = new LinkedHashSet<>();
        queue.grants().forEach(g -> shown.addAll(g.patientIds()));
        audit.record(AuditAction.VIEW_AUDIT, "break-glass-queue", chosen, List.copyOf(shown), "page " + number);
        Map<Long, String> names = review.names(shown);
        List<GrantRow> rows = queue.grants().stream().map(g -> row(g, names)).toList();
        Map<BreakGlass.State, Long> counts = queue.counts();
        List<StateChoice> choices = List.of(
                new StateChoice("open", "Open", counts.get(BreakGlass.State.PENDING) + counts.get(BreakGlass.State.ESCALATED), chosen.equals("open")),
                new StateChoice("pending", "Pending", counts.get(BreakGlass.State.PENDING), chosen.equals("pending")),
                new StateChoice("escalated", "Escalated", counts.get(BreakGlass.State.ESCALATED), chosen.equals("escalated")),
                new StateChoice("signed-off", "Signed off", counts.get(BreakGlass.State.SIGNED_OFF), chosen.equals("signed-off")),
                new StateChoice("all", "All", counts.values().stream().mapToLong(Long::longValue).sum(), chosen.equals("all")));
        return Templates.queue(portal.nav(), choices, rows, queue.total(), number, number > 1 ? number - 1 : null,
                (long) number * PAGE_SIZE < queue.total() ? number + 1 : null, chosen);
    }

    /** Signs a grant off, or escalates it with a note. */
    @POST
    @Path("{id}/review")
    @RolesAllowed(Roles.COMPLIANCE)
    public Response review(@PathParam("id") long id, @RestForm String decision, @RestForm String note) {
        BreakGlass.Decision chosen;
        try {
            chosen = BreakGlass.Decision.valueOf(decision == null ? "" : decision.trim());
        } catch (IllegalArgumentException unknown) {
            throw new Problems.ProblemException(400, "invalid-review", "Choose to sign the access off or to escalate it");
        }
        try {
            BreakGlass.Grant reviewed = breakGlass.review(id, chosen, note, portal.nav().user());
            audit.record(AuditAction.BREAK_GLASS_REVIEW, "break-glass", Long.toString(id), reviewed.patientIds(), chosen.name());
        } catch (IllegalArgumentException invalid) {
            throw new Problems.ProblemException(400, "invalid-review", invalid.getMessage() + ": go back and write one");
        } catch (Restrictions.Refused refused) {
            if (breakGlass.grant(id).isEmpty()) {
                throw new NotFoundException();
            }
            throw new Problems.ProblemException(409, "review-refused", refused.getMessage());
        }
        return Response.seeOther(URI.create("/break-glass#grant-" + id)).build();
    }

    private GrantRow row(BreakGlass.Grant grant, Map<Long, String> names) {
        String name = names.getOrDefault(grant.patientId(), "archive patient " + grant.patientId());
        List<ReviewRow> reviews = grant.reviews().stream().map(r -> new ReviewRow(r.decision() == BreakGlass.Decision.SIGNED_OFF ? "Signed off"
                : "Escalated", r.note() == null ? "" : r.note(), r.reviewedBy(), dates.instant(r.reviewedAt()))).toList();
        return new GrantRow(grant.id(), grant.username() + (grant.role() == null ? "" : " (" + grant.role() + ")"),
                "/audit?report=user&user=" + java.net.URLEncoder.encode(grant.username(), java.nio.charset.StandardCharsets.UTF_8), grant.patientId(), name,
                grant.reason(), List.of(grant.restrictions().split("\n")), dates.instant(grant.grantedAt()), dates.instant(grant.expiresAt()),
                grant.activeAt(java.time.Instant.now()), switch (grant.state()) {
                    case PENDING -> "Pending";
                    case ESCALATED -> "Escalated";
                    case SIGNED_OFF -> "Signed off";
                }, grant.reads(), reviews, grant.state() != BreakGlass.State.SIGNED_OFF && !grant.username().equals(portal.nav().user()));
    }

    private static java.util.Optional<Long> number(String value) {
        if (value == null || value.isBlank()) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(Long.parseLong(value.trim()));
        } catch (NumberFormatException notANumber) {
            throw new Problems.ProblemException(400, "invalid-number", "\"" + value.trim() + "\" is not a whole number");
        }
    }
}
