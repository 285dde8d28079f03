package org.ehrarchive.api;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.ehrarchive.audit.AuditAction;
import org.ehrarchive.restriction.BreakGlass;
import org.ehrarchive.restriction.Restrictions;
import org.ehrarchive.security.Roles;

import io.quarkus.security.identity.SecurityIdentity;

/**
 * Restricted records and breaking the glass through the API (docs/compliance.md#break-the-glass): a clinician whose
 * read was refused as restricted (problem type {@code restricted}) states why and reads on for a while; compliance
 * staff flag records, lift flags, and review the grants. Every call is recorded in the access audit.
 */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Restricted records", description = "Flags, breaking the glass, and the privacy officer's review of it")
public class BreakGlassResource {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;

    /** Breaking the glass: the patient (as the refusal named it), the document when one was opened, and why. */
    public record GrantRequest(Long patient, Long document, String reason) {
    }

    /** A review: {@code decision} SIGNED_OFF or ESCALATED, and a note (needed to escalate). */
    public record ReviewRequest(String decision, String note) {
    }

    /** A flag: on a patient or a document, its category (RESTRICTED, VIP, EMPLOYEE, PART2, PSYCHOTHERAPY), and why. */
    public record FlagRequest(Long patient, Long document, String category, String reason) {
    }

    /** Lifting a flag, and why. */
    public record LiftRequest(String reason) {
    }

    private final BreakGlass breakGlass;
    private final Restrictions restrictions;
    private final AuditedReads audit;
    private final SecurityIdentity identity;

    public BreakGlassResource(BreakGlass breakGlass, Restrictions restrictions, AuditedReads audit, SecurityIdentity identity) {
        this.breakGlass = breakGlass;
        this.restrictions = restrictions;
        this.audit = audit;
        this.identity = identity;
    }

    /** Breaks the glass: 201 with the grant, or 200 with no grant ({@code null}) when nothing there is restricted. */
    @POST
    @Path("/break-glass")
    @RolesAllowed(Roles.CLINICIAN)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Break the glass: state why, and read the restricted patient's record for a limited time (clinicians)")
    public Response grant(GrantRequest request) {
        if (request == null || request.patient() == null) {
            throw new Problems.ProblemException(400, "invalid-break-glass", "Send {\"patient\": id, \"reason\": \"...\"} (and \"document\": id"
                    + " when a document was refused)");
        }
        try {
            var grant = breakGlass.grant(user(), Roles.CLINICIAN, request.patient(), request.document(), request.reason());
            if (grant.isEmpty()) {
                return Response.ok().build();
            }
            audit.record(AuditAction.BREAK_GLASS, "break-glass", Long.toString(grant.get().id()), grant.get().patientIds(), grant.get().reason());
            return Response.status(201).entity(grant.get()).build();
        } catch (IllegalArgumentException invalid) {
            throw new Problems.ProblemException(400, "invalid-break-glass", invalid.getMessage());
        } catch (Restrictions.Refused refused) {
            throw new NotFoundException();
        }
    }

    /** The grants in a state ({@code open}, the default: pending and escalated; {@code pending}, {@code escalated}, {@code signed-off}, {@code all}). */
    @GET
    @Path("/break-glass")
    @RolesAllowed(Roles.COMPLIANCE)
    @Operation(summary = "The privacy officer's queue of break-the-glass grants (state: open, pending, escalated, signed-off, all)")
    public BreakGlass.Queue queue(@QueryParam("state") String state, @QueryParam("offset") String offset, @QueryParam("limit") String limit) {
        String chosen = state == null || state.isBlank() ? "open" : state.trim().toLowerCase(Locale.ROOT);
        Set<BreakGlass.State> states = BreakGlass.State.filter(chosen).orElseThrow(() -> new Problems.ProblemException(400, "invalid-state",
                "state is one of " + String.join(", ", BreakGlass.State.FILTERS)));
        BreakGlass.Queue queue = breakGlass.queue(states, (int) number("offset", offset, 0, 0, Integer.MAX_VALUE),
                (int) number("limit", limit, DEFAULT_LIMIT, 1, MAX_LIMIT));
        Set<Long> shown = new LinkedHashSet<>();
        queue.grants().forEach(g -> shown.addAll(g.patientIds()));
        audit.record(AuditAction.VIEW_AUDIT, "break-glass-queue", chosen, List.copyOf(shown), null);
        return queue;
    }

    @POST
    @Path("/break-glass/{id}/reviews")
    @RolesAllowed(Roles.COMPLIANCE)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Sign a grant off, or escalate it with a note")
    public BreakGlass.Grant review(@PathParam("id") long id, ReviewRequest request) {
        BreakGlass.Decision decision;
        try {
            decision = BreakGlass.Decision.valueOf(request == null || request.decision() == null ? "" : request.decision().trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException unknown) {
            throw new Problems.ProblemException(400, "invalid-review", "Send {\"decision\": \"SIGNED_OFF|ESCALATED\", \"note\": \"...\"}");
        }
        try {
            BreakGlass.Grant reviewed = breakGlass.review(id, decision, request.note(), user());
            audit.record(AuditAction.BREAK_GLASS_REVIEW, "break-glass", Long.toString(id), reviewed.patientIds(), decision.name());
            return reviewed;
        } catch (IllegalArgumentException invalid) {
            throw new Problems.ProblemException(400, "invalid-review", invalid.getMessage());
        } catch (Restrictions.Refused refused) {
            if (breakGlass.grant(id).isEmpty()) {
                throw new NotFoundException();
            }
            throw new Problems.ProblemException(409, "review-refused", refused.getMessage());
        }
    }

    /** Every flag, lifted or not, on a patient (and its documents) or on a document (and its patient). */
    @GET
    @Path("/restrictions")
    @RolesAllowed(Roles.COMPLIANCE)
    @Operation(summary = "The flags of a patient or a document, lifted or not")
    public List<Restrictions.Flag> flags(@QueryParam("patient") String patient, @QueryParam("document") String document) {
        List<Restrictions.Flag> flags;
        if (patient != null && document == null) {
            long id = number("patient", patient, 0, 1, Long.MAX_VALUE);
            flags = restrictions.flagsOfChart(List.of(id));
        } else if (document != null && patient == null) {
            flags = restrictions.flagsOfDocument(number("document", document, 0, 1, Long.MAX_VALUE));
        } else {
            throw new Problems.ProblemException(400, "invalid-query", "Ask for the flags of one patient (?patient=id) or one document (?document=id)");
        }
        audit.record(AuditAction.VIEW_AUDIT, "restrictions", patient != null ? "patient " + patient : "document " + document,
                flags.stream().map(Restrictions.Flag::patientOfRecord).distinct().toList(), null);
        return flags;
    }

    @POST
    @Path("/restrictions")
    @RolesAllowed(Roles.COMPLIANCE)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Flag a patient or a document restricted (RESTRICTED, VIP, EMPLOYEE, PART2, PSYCHOTHERAPY)")
    public Response flag(FlagRequest request) {
        if (request == null || (request.patient() == null) == (request.document() == null)) {
            throw new Problems.ProblemException(400, "invalid-flag", "Send {\"patient\": id} or {\"document\": id}, with \"category\" and \"reason\"");
        }
        Restrictions.Category category = Restrictions.Category.named(request.category()).orElseThrow(() -> new Problems.ProblemException(400,
                "invalid-flag", "category is one of RESTRICTED, VIP, EMPLOYEE, PART2, PSYCHOTHERAPY"));
        try {
            Restrictions.Flag flag = restrictions.flag(request.patient(), request.document(), category, request.reason(), user());
            audit.restrictionChanged(flag, "flagged " + category.name());
            return Response.status(201).entity(flag).build();
        } catch (IllegalArgumentException invalid) {
            throw new Problems.ProblemException(400, "invalid-flag", invalid.getMessage());
        } catch (Restrictions.Refused refused) {
            throw new Problems.ProblemException(404, "not-found", refused.getMessage());
        }
    }

    @POST
    @Path("/restrictions/{id}/lift")
    @RolesAllowed(Roles.COMPLIANCE)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Lift a flag, with the reason")
    public Restrictions.Flag lift(@PathParam("id") long id, LiftRequest request) {
        try {
            Restrictions.Flag flag = restrictions.lift(id, request == null ? null : request.reason(), user());
            audit.restrictionChanged(flag, "lifted " + flag.category().name());
            return flag;
        } catch (IllegalArgumentException invalid) {
            throw new Problems.ProblemException(400, "invalid-lift", invalid.getMessage());
        } catch (Restrictions.Refused refused) {
            if (restrictions.flag(id).isEmpty()) {
                throw new NotFoundException();
            }
            throw new Problems.ProblemException(409, "lift-refused", refused.getMessage());
        }
    }

    private String user() {
        return identity.getPrincipal().getName();
    }

    private static long number(String name, String value, long absent, long min, long max) {
        if (value == null || value.isBlank()) {
            return absent;
        }
        try {
            long number = Long.parseLong(value.trim());
            if (number >= min && number <= max) {
                return number;
            }
        } catch (NumberFormatException notANumber) {
            // answered below
        }
        throw new Problems.ProblemException(400, "invalid-" + name, name + " must be a whole number from " + min + " to " + max);
    }
}
