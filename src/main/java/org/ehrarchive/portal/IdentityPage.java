package org.ehrarchive.portal;

import java.net.URI;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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

import org.ehrarchive.api.AuditedReads;
import org.ehrarchive.audit.AuditAction;
import org.ehrarchive.chart.ClinicalDates;
import org.ehrarchive.chart.ClinicalDates.Shown;
import org.ehrarchive.identity.FieldEvidence;
import org.ehrarchive.identity.IdentifierSystems;
import org.ehrarchive.identity.MatchScorer;
import org.ehrarchive.identity.PatientLinks;
import org.ehrarchive.identity.PatientMatcher;
import org.ehrarchive.security.Roles;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestQuery;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * Identity links for admins (docs/patient-identity.md): the proposed links with their evidence field by field, a
 * decision form (confirm, reject, undo, link again, each with a reason), a link drawn by hand, and the table of
 * identifier-system spellings. The evidence names and dates people: every page that shows it is recorded in the
 * access audit, and so is every decision.
 */
@Path("/identity")
@RolesAllowed(Roles.ADMIN)
public class IdentityPage {

    static final int LISTED = 200;

    /** Messages by the code a redirect carries (no text from the request is echoed). */
    private static final Map<String, String> ERRORS = Map.of(
            "reason", "A decision needs a reason: say why these records are, or are not, one person.",
            "decision", "Choose a decision.",
            "refused", "That decision is not possible now: the link was decided meanwhile. See its history below.",
            "patients", "Give two different archived patients' ids (the numbers in their chart addresses), and a reason.",
            "exists", "Those two patients have a link already, or one of them is not archived: find and decide on that link.",
            "system", "A spelling needs a system and the authority it names (no control characters, at most 500 characters).");

    /** The evidence's fields in words. */
    private static final Map<String, String> FIELD_NAMES = Map.of(MatchScorer.GIVEN, "given name", MatchScorer.FAMILY, "family name",
            MatchScorer.SUFFIX, "suffix", MatchScorer.BIRTH_DATE, "birth date", MatchScorer.SEX, "sex", MatchScorer.ADDRESS, "address",
            MatchScorer.PHONE, "phone", MatchScorer.EMAIL, "e-mail", MatchScorer.IDENTIFIER, "identifiers", MatchScorer.DECEASED, "deceased");

    /** A link as the list shows it: who the two sides are, in the evidence's words. */
    public record LinkRow(long id, long patientLow, long patientHigh, String left, String right, String method, String score, String state,
            Shown found) {
    }

    /** One field of the evidence. */
    public record EvidenceRow(String field, String left, String right, String verdict, String weight, String note) {
    }

    /** One decision, as the history shows it. */
    public record DecisionRow(String state, String decidedBy, String reason, Shown decidedAt) {
    }

    /** A tab of the list: a state, its name in words, and how many links are in it. */
    public record StateTab(String key, String label, long count) {
    }

    /** A decision the form offers from where the link stands. */
    public record Choice(String value, String label) {
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance identity(PortalContext.Nav nav, String state, String stateLabel, List<StateTab> tabs, List<LinkRow> links,
                List<IdentifierSystems.Spelling> spellings, String problem, String notice);

        static native TemplateInstance link(PortalContext.Nav nav, LinkRow link, List<EvidenceRow> evidence, List<DecisionRow> history,
                List<Choice> choices, String problem, String notice);
    }

    private final PatientLinks links;
    private final PatientMatcher matcher;
    private final IdentifierSystems systems;
    private final AuditedReads audit;
    private final PortalContext portal;
    private final ClinicalDates dates;
    private final SecurityIdentity identity;

    public IdentityPage(PatientLinks links, PatientMatcher matcher, IdentifierSystems systems, AuditedReads audit, PortalContext portal,
            ClinicalDates dates, SecurityIdentity identity) {
        this.links = links;
        this.matcher = matcher;
        this.systems = systems;
        this.audit = audit;
        this.portal = portal;
        this.dates = dates;
        this.identity = identity;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance list(@RestQuery String state, @RestQuery String error, @RestQuery String saved) throws SQLException {
        String shown = state == null || state.isBlank() ? "PROPOSED" : state.strip().toUpperCase(Locale.ROOT);
        PatientLinks.State wanted;
        try {
            wanted = shown.equals("ALL") ? null : PatientLinks.State.valueOf(shown);
        } catch (IllegalArgumentException unknown) {
            throw new NotFoundException();
        }
        List<PatientLinks.Link> found = links.inState(wanted, LISTED);
        audit.record(AuditAction.VIEW_IDENTITY_LINKS, "identity-links", null, PatientLinks.Link.patientsOf(found), "state " + shown);
        List<StateTab> tabs = new ArrayList<>();
        links.counts().forEach((s, n) -> tabs.add(new StateTab(s.name(), s.name().toLowerCase(Locale.ROOT), n)));
        return Templates.identity(portal.nav(), shown, shown.toLowerCase(Locale.ROOT), tabs, found.stream().map(this::row).toList(), systems.all(),
                error == null ? null : ERRORS.get(error), saved == null ? null : "Saved.");
    }

    @GET
    @Path("/links/{id}")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance link(@PathParam("id") long id, @RestQuery String error, @RestQuery String saved) throws SQLException {
        PatientLinks.Link link = links.link(id).orElseThrow(NotFoundException::new);
        audit.record(AuditAction.VIEW_IDENTITY_LINKS, "identity-link", Long.toString(id), PatientLinks.Link.patientsOf(List.of(link)), null);
        List<EvidenceRow> evidence = link.evidence().stream().map(e -> new EvidenceRow(FIELD_NAMES.getOrDefault(e.field(), e.field()),
                blank(e.left()), blank(e.right()),
                e.verdict().name().toLowerCase(Locale.ROOT), String.format(Locale.ROOT, "%+.1f", e.weight()), blank(e.note()))).toList();
        List<DecisionRow> history = link.decisions().stream()
                .map(d -> new DecisionRow(d.state().name().toLowerCase(Locale.ROOT), d.decidedBy(), d.reason(), dates.instant(d.decidedAt())))
                .toList();
        return Templates.link(portal.nav(), row(link), evidence, history, choices(link.state()), error == null ? null : ERRORS.get(error),
                saved == null ? null : "Decision saved.");
    }

    @POST
    @Path("/links/{id}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response decide(@PathParam("id") long id, @RestForm String decision, @RestForm String reason) throws SQLException {
        String back = "/identity/links/" + id;
        PatientLinks.State to;
        try {
            to = PatientLinks.State.valueOf(decision == null ? "" : decision);
        } catch (IllegalArgumentException unknown) {
            return Response.seeOther(URI.create(back + "?error=decision")).build();
        }
        if (reason == null || reason.isBlank()) {
            return Response.seeOther(URI.create(back + "?error=reason")).build();
        }
        try {
            PatientLinks.Link decided = links.decide(id, to, identity.getPrincipal().getName(), reason);
            audit.record(AuditAction.IDENTITY_DECISION, "identity-link", Long.toString(id), PatientLinks.Link.patientsOf(List.of(decided)), to.name());
        } catch (PatientLinks.RefusedDecision refused) {
            if (links.link(id).isEmpty()) {
                throw new NotFoundException();
            }
            return Response.seeOther(URI.create(back + "?error=refused")).build();
        } catch (IllegalArgumentException invalid) {
            return Response.seeOther(URI.create(back + "?error=reason")).build();
        }
        return Response.seeOther(URI.create(back + "?saved=1")).build();
    }

    /** Links two archived patients by hand. */
    @POST
    @Path("/links")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response linkByHand(@RestForm String first, @RestForm String second, @RestForm String reason) throws SQLException {
        long a;
        long b;
        try {
            a = Long.parseLong(first == null ? "" : first.strip());
            b = Long.parseLong(second == null ? "" : second.strip());
        } catch (NumberFormatException notANumber) {
            return Response.seeOther(URI.create("/identity?error=patients")).build();
        }
        if (a == b || reason == null || reason.isBlank()) {
            return Response.seeOther(URI.create("/identity?error=patients")).build();
        }
        try {
            PatientLinks.Link linked = matcher.linkByAdmin(a, b, identity.getPrincipal().getName(), reason);
            audit.record(AuditAction.IDENTITY_DECISION, "identity-link", Long.toString(linked.id()), PatientLinks.Link.patientsOf(List.of(linked)), "LINKED");
            return Response.seeOther(URI.create("/identity/links/" + linked.id() + "?saved=1")).build();
        } catch (PatientLinks.RefusedDecision refused) {
            return Response.seeOther(URI.create("/identity?error=exists")).build();
        } catch (IllegalArgumentException invalid) {
            return Response.seeOther(URI.create("/identity?error=patients")).build();
        }
    }

    @POST
    @Path("/systems")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response putSystem(@RestForm String system, @RestForm String authority, @RestForm String label) throws SQLException {
        try {
            IdentifierSystems.Spelling spelling = systems.put(system, authority, label, identity.getPrincipal().getName());
            audit.record(AuditAction.ADMIN_CHANGE, "identifier-system", spelling.system(), List.of(), "names " + spelling.authority());
        } catch (IllegalArgumentException invalid) {
            return Response.seeOther(URI.create("/identity?error=system#systems")).build();
        }
        return Response.seeOther(URI.create("/identity?saved=1#systems")).build();
    }

    @POST
    @Path("/systems/remove")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response removeSystem(@RestForm String system) throws SQLException {
        if (systems.remove(system)) {
            audit.record(AuditAction.ADMIN_CHANGE, "identifier-system", system, List.of(), "removed");
        }
        return Response.seeOther(URI.create("/identity?saved=1#systems")).build();
    }

    private LinkRow row(PatientLinks.Link link) {
        return new LinkRow(link.id(), link.patientLow(), link.patientHigh(), side(link, true), side(link, false),
                link.method().name().toLowerCase(Locale.ROOT).replace('_', ' '),
                link.score() == null ? "" : String.format(Locale.ROOT, "%.3f", link.score()), link.state().name().toLowerCase(Locale.ROOT),
                dates.instant(link.foundAt()));
    }

    /** One side of the pair in a line: its name and birth date as the evidence compared them. */
    private static String side(PatientLinks.Link link, boolean left) {
        List<String> parts = new ArrayList<>();
        for (FieldEvidence e : link.evidence()) {
            if (e.field().equals(MatchScorer.GIVEN) || e.field().equals(MatchScorer.FAMILY) || e.field().equals(MatchScorer.BIRTH_DATE)) {
                String value = left ? e.left() : e.right();
                if (value != null && !value.isBlank()) {
                    parts.add(value);
                }
            }
        }
        return String.join(", ", parts);
    }

    private static List<Choice> choices(PatientLinks.State state) {
        return switch (state) {
            case PROPOSED -> List.of(new Choice("LINKED", "Confirm: one person, join the charts"),
                    new Choice("REJECTED", "Reject: two people, keep them apart"));
            case LINKED -> List.of(new Choice("UNDONE", "Undo: two people after all, part the charts"));
            case REJECTED, UNDONE -> List.of(new Choice("LINKED", "Link: one person after all, join the charts"));
        };
    }

    private static String blank(String value) {
        return value == null ? "" : value;
    }
}
