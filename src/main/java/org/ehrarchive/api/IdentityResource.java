package org.ehrarchive.api;

import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.ehrarchive.audit.AuditAction;
import org.ehrarchive.identity.IdentifierSystems;
import org.ehrarchive.identity.PatientLinks;
import org.ehrarchive.identity.PatientMatcher;
import org.ehrarchive.security.Roles;

import io.quarkus.security.identity.SecurityIdentity;

/**
 * Identity links for admins (docs/patient-identity.md): the proposed links with their evidence field by field, the
 * decisions on them (confirm, reject, undo, link again), a link an admin draws, and the table of identifier-system
 * spellings. The evidence names and dates people, so every answer that shows links is recorded in the access audit,
 * and so is every decision, with who and why.
 */
@Path("/api/identity")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.ADMIN)
public class IdentityResource {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1_000;

    /** A decision asked for: {@code state} LINKED (confirm, or link again), REJECTED or UNDONE, and why. */
    public record DecisionRequest(String state, String reason) {
    }

    /** Two archived patients an admin says are one person, and why. */
    public record LinkRequest(List<Long> patients, String reason) {
    }

    /** A spelling of an assigning authority. */
    public record SpellingRequest(String system, String authority, String label) {
    }

    /** A list of links, and how many there are in each state. */
    public record LinkList(Map<PatientLinks.State, Long> counts, List<PatientLinks.Link> links) {
    }

    private final PatientLinks links;
    private final PatientMatcher matcher;
    private final IdentifierSystems systems;
    private final AuditedReads audit;
    private final SecurityIdentity identity;

    public IdentityResource(PatientLinks links, PatientMatcher matcher, IdentifierSystems systems, AuditedReads audit,
            SecurityIdentity identity) {
        this.links = links;
        this.matcher = matcher;
        this.systems = systems;
        this.audit = audit;
        this.identity = identity;
    }

    /** Links in one state (default PROPOSED; {@code state=ALL} for every state), or every link of one patient. */
    @GET
    @Path("/links")
    public LinkList list(@QueryParam("state") String state, @QueryParam("patient") String patient, @QueryParam("limit") String limit)
            throws SQLException {
        List<PatientLinks.Link> found;
        if (patient != null) {
            found = links.ofPatient(number("patient", patient, 0, Long.MAX_VALUE));
        } else {
            found = links.inState(state(state == null ? "PROPOSED" : state, true),
                    (int) number("limit", limit == null ? Integer.toString(DEFAULT_LIMIT) : limit, 1, MAX_LIMIT));
        }
        audit.record(AuditAction.VIEW_IDENTITY_LINKS, "identity-links", null, PatientLinks.Link.patientsOf(found),
                patient != null ? "patient links" : "state " + (state == null ? "PROPOSED" : state.toUpperCase(Locale.ROOT)));
        return new LinkList(links.counts(), found);
    }

    @GET
    @Path("/links/{id}")
    public PatientLinks.Link link(@PathParam("id") long id) throws SQLException {
        PatientLinks.Link link = links.link(id).orElseThrow(NotFoundException::new);
        audit.record(AuditAction.VIEW_IDENTITY_LINKS, "identity-link", Long.toString(id), PatientLinks.Link.patientsOf(List.of(link)), null);
        return link;
    }

    /** Confirms or rejects a proposal, undoes a link, or links again: the link as it then stands. */
    @POST
    @Path("/links/{id}/decisions")
    @Consumes(MediaType.APPLICATION_JSON)
    public PatientLinks.Link decide(@PathParam("id") long id, DecisionRequest request) throws SQLException {
        if (request == null) {
            throw new Problems.ProblemException(400, "invalid-decision", "Send {\"state\": \"LINKED|REJECTED|UNDONE\", \"reason\": \"...\"}");
        }
        PatientLinks.State to = state(request.state(), false);
        if (to == PatientLinks.State.PROPOSED) {
            throw new Problems.ProblemException(400, "invalid-decision", "A decision links (LINKED), rejects (REJECTED) or undoes (UNDONE)");
        }
        try {
            PatientLinks.Link decided = links.decide(id, to, user(), request.reason());
            audit.record(AuditAction.IDENTITY_DECISION, "identity-link", Long.toString(id), PatientLinks.Link.patientsOf(List.of(decided)), to.name());
            return decided;
        } catch (PatientLinks.RefusedDecision refused) {
            throw refused.getMessage().startsWith("There is no") ? new NotFoundException()
                    : new Problems.ProblemException(409, "decision-refused", refused.getMessage());
        } catch (IllegalArgumentException invalid) {
            throw new Problems.ProblemException(400, "invalid-decision", "The decision needs a reason (at most 2,000 characters)");
        }
    }

    /** Links two archived patients the matcher did not pair. */
    @POST
    @Path("/links")
    @Consumes(MediaType.APPLICATION_JSON)
    public PatientLinks.Link link(LinkRequest request) throws SQLException {
        if (request == null || request.patients() == null || request.patients().size() != 2 || request.patients().contains(null)) {
            throw new Problems.ProblemException(400, "invalid-link", "Send {\"patients\": [id, id], \"reason\": \"...\"}");
        }
        try {
            PatientLinks.Link linked = matcher.linkByAdmin(request.patients().get(0), request.patients().get(1), user(), request.reason());
            audit.record(AuditAction.IDENTITY_DECISION, "identity-link", Long.toString(linked.id()), PatientLinks.Link.patientsOf(List.of(linked)), "LINKED");
            return linked;
        } catch (PatientLinks.RefusedDecision refused) {
            throw new Problems.ProblemException(409, "link-refused", refused.getMessage());
        } catch (IllegalArgumentException invalid) {
            throw new Problems.ProblemException(400, "invalid-link", "A link needs a reason (at most 2,000 characters)");
        }
    }

    @GET
    @Path("/systems")
    public List<IdentifierSystems.Spelling> systems() throws SQLException {
        return systems.all();
    }

    /** Adds a spelling, or changes the authority it names; matching uses it from the next run ({@code identity match}). */
    @PUT
    @Path("/systems")
    @Consumes(MediaType.APPLICATION_JSON)
    public IdentifierSystems.Spelling put(SpellingRequest request) throws SQLException {
        if (request == null) {
            throw new Problems.ProblemException(400, "invalid-system", "Send {\"system\": \"...\", \"authority\": \"...\", \"label\": \"...\"}");
        }
        try {
            IdentifierSystems.Spelling spelling = systems.put(request.system(), request.authority(), request.label(), user());
            audit.record(AuditAction.ADMIN_CHANGE, "identifier-system", spelling.system(), List.of(), "names " + spelling.authority());
            return spelling;
        } catch (IllegalArgumentException invalid) {
            throw new Problems.ProblemException(400, "invalid-system", invalid.getMessage());
        }
    }

    @DELETE
    @Path("/systems")
    public void remove(@QueryParam("system") String system) throws SQLException {
        if (!systems.remove(system)) {
            throw new NotFoundException();
        }
        audit.record(AuditAction.ADMIN_CHANGE, "identifier-system", system, List.of(), "removed");
    }

    private String user() {
        return identity.getPrincipal().getName();
    }

    private static PatientLinks.State state(String value, boolean allowAll) {
        String upper = value == null ? "" : value.strip().toUpperCase(Locale.ROOT);
        if (allowAll && upper.equals("ALL")) {
            return null;
        }
        try {
            return PatientLinks.State.valueOf(upper);
        } catch (IllegalArgumentException unknown) {
            throw new Problems.ProblemException(400, "invalid-state", "state is one of PROPOSED, LINKED, REJECTED, UNDONE"
                    + (allowAll ? ", ALL" : ""));
        }
    }

    private static long number(String name, String value, long min, long max) {
        try {
            long parsed = Long.parseLong(value.strip());
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException notANumber) {
            // said below
        }
        throw new Problems.ProblemException(400, "invalid-" + name, name + " must be a number from " + min + " to " + max);
    }
}
