package org.ehrarchive.portal;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
import org.ehrarchive.blob.BlobStore;
import org.ehrarchive.chart.ClinicalDates;
import org.ehrarchive.chart.ClinicalDates.Shown;
import org.ehrarchive.ingest.SourceSystems;
import org.ehrarchive.provenance.SourceExcerpts;
import org.ehrarchive.sampling.SampleSize;
import org.ehrarchive.sampling.SampledRecords;
import org.ehrarchive.sampling.SamplingPlans;
import org.ehrarchive.security.Roles;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestQuery;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * Record-level sampling before a source system is switched off (issue 13, docs/decommissioning.md): admins
 * draw plans, clinicians review the sampled records, original beside normalized, and mark each correct or wrong.
 * The plan pages show record types, counts and who decided, never patient data (admins do not read charts); only the
 * review page shows a record, to clinicians, and each view of it is audited.
 */
@Path("/sampling")
public class SamplingPage {

    static final List<BigDecimal> CONFIDENCES = List.of(new BigDecimal("0.90"), new BigDecimal("0.95"), new BigDecimal("0.99"));
    static final BigDecimal DEFAULT_CONFIDENCE = new BigDecimal("0.95");
    static final BigDecimal DEFAULT_ERROR = new BigDecimal("0.05");
    static final int DEFAULT_PER_TYPE = 25;
    private static final Pattern DOCUMENT_URL = Pattern.compile("(?:^|/)documents/(\\d{1,18})/?$");
    private static final Pattern NUMBER = Pattern.compile("-?\\d{1,18}");

    /** Messages of the decision form, by the code its redirect carries (no text from the request is echoed). */
    private static final Map<String, String> DECISION_ERRORS = Map.of(
            "note", "A record marked wrong needs a note: say what is wrong (which field, what the original says).",
            "decision", "Choose correct or wrong.",
            "long", "The note is too long: at most " + SamplingPlans.MAX_NOTE + " characters.");

    /** A record type of a source system, with the size the form's confidence and error suggest for it. */
    public record TypeSize(String recordType, long population, int suggested) {
    }

    /** A plan as the list shows it. */
    public record PlanRow(long id, long seed, String size, Shown created, String createdBy, int reviewed, int items, int correct,
            int wrong) {
    }

    /** A source system with its plans and what a new plan would draw. */
    public record SystemBlock(long id, String name, boolean selected, List<PlanRow> plans, List<TypeSize> types) {
    }

    /** The draw form's values. */
    public record DrawForm(String sourceSystem, String seed, String size, String perType, String confidence, String tolerableError) {
    }

    /** An item as the plan page lists it: no patient data. */
    public record ItemRow(long id, String recordType, String chosen, String chosenBy, String decision, String reviewer, Shown decidedAt) {
    }

    /** A type's results as the plan page shows them. */
    public record TypeRow(String recordType, long population, int sampled, int picked, int reviewed, int correct, int wrong) {
    }

    /** The left column: the original's excerpt, or why there is none. */
    public record Original(String text, String syntax, boolean truncated, String note, String missing) {
    }

    /** One decision in an item's history. */
    public record DecisionRow(Shown decidedAt, String reviewer, String decision, String note) {
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance sampling(PortalContext.Nav nav, boolean admin, List<SystemBlock> systems, DrawForm form,
                List<BigDecimal> confidences, String shownConfidence, String shownError, String problem);

        static native TemplateInstance plan(PortalContext.Nav nav, boolean clinician, SamplingPlans.PlanSummary plan, String system,
                String size, Shown drawn, Shown firstDecision, Shown lastDecision, List<TypeRow> types, List<ItemRow> items, String problem,
                String notice, String record);

        static native TemplateInstance review(PortalContext.Nav nav, long planId, SamplingPlans.ItemResult item, int position, int count,
                Long previous, Long next, Original original, List<SampledRecordFields.Group> groups, List<DecisionRow> history,
                String problem, String notice);
    }

    private final SamplingPlans plans;
    private final SourceSystems systems;
    private final SampledRecords records;
    private final SourceExcerpts excerpts;
    private final BlobStore blobs;
    private final AuditedReads audit;
    private final PortalContext portal;
    private final SecurityIdentity identity;
    private final ClinicalDates dates;

    public SamplingPage(SamplingPlans plans, SourceSystems systems, SampledRecords records, SourceExcerpts excerpts, BlobStore blobs,
            AuditedReads audit, PortalContext portal, SecurityIdentity identity, ClinicalDates dates) {
        this.dates = dates;
        this.plans = plans;
        this.systems = systems;
        this.records = records;
        this.excerpts = excerpts;
        this.blobs = blobs;
        this.audit = audit;
        this.portal = portal;
        this.identity = identity;
    }

    /** The source systems with their plans; for admins, the form to draw one, with the sizes it would suggest. */
    @GET
    @RolesAllowed({ Roles.ADMIN, Roles.CLINICIAN })
    @Produces(MediaType.TEXT_HTML)
    public Response index(@RestQuery String confidence, @RestQuery String tolerableError) throws SQLException {
        String problem = null;
        BigDecimal c = DEFAULT_CONFIDENCE;
        BigDecimal e = DEFAULT_ERROR;
        try {
            if (confidence != null || tolerableError != null) {
                c = fraction(confidence == null ? DEFAULT_CONFIDENCE.toPlainString() : confidence, "confidence");
                e = fraction(tolerableError == null ? DEFAULT_ERROR.toPlainString() : tolerableError, "tolerable error rate");
            }
        } catch (IllegalArgumentException bad) {
            problem = bad.getMessage();
            c = DEFAULT_CONFIDENCE;
            e = DEFAULT_ERROR;
        }
        DrawForm form = new DrawForm("", Long.toString(ThreadLocalRandom.current().nextLong(1, 1_000_000_000L)), "fixed",
                Integer.toString(DEFAULT_PER_TYPE), c.toPlainString(), e.toPlainString());
        return page(problem == null ? 200 : 400, form, c, e, problem);
    }

    /** Draws a plan (admins), then shows it. */
    @POST
    @RolesAllowed(Roles.ADMIN)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    public Response draw(@RestForm String sourceSystem, @RestForm String seed, @RestForm String size, @RestForm String perType,
            @RestForm String confidence, @RestForm String tolerableError) throws SQLException {
        DrawForm form = new DrawForm(sourceSystem, seed, size, perType, confidence, tolerableError);
        try {
            long system = number(sourceSystem, "Choose the source system to sample.");
            if (systems.byId(system).isEmpty()) {
                throw new IllegalArgumentException("Choose the source system to sample.");
            }
            long seedValue = number(seed, "The seed is a whole number (for instance the one suggested), which draws the same records again.");
            int n;
            BigDecimal c = null;
            BigDecimal e = null;
            if ("suggested".equals(size)) {
                c = fraction(confidence, "confidence");
                e = fraction(tolerableError, "tolerable error rate");
                int unbounded = SampleSize.unbounded(c.doubleValue(), e.doubleValue());
                if (unbounded > SamplingPlans.MAX_PER_TYPE) {
                    throw new IllegalArgumentException("That confidence and tolerable error suggest " + unbounded
                            + " records per type, more than " + SamplingPlans.MAX_PER_TYPE + ": allow a larger tolerable error.");
                }
                n = unbounded;
            } else if ("fixed".equals(size)) {
                long asked = number(perType, "The size per record type is a whole number between 1 and " + SamplingPlans.MAX_PER_TYPE + ".");
                if (asked < 1 || asked > SamplingPlans.MAX_PER_TYPE) {
                    throw new IllegalArgumentException("The size per record type is a whole number between 1 and " + SamplingPlans.MAX_PER_TYPE + ".");
                }
                n = (int) asked;
            } else {
                throw new IllegalArgumentException("Choose a size per record type, or the size suggested for a confidence and tolerable error.");
            }
            long planId = plans.draw(system, seedValue, n, c, e, user());
            int drawn = plans.items(planId).size();
            audit.record(AuditAction.SAMPLING_PLAN, "sample_plan", Long.toString(planId), List.of(), "drew source system " + system
                    + " seed " + seedValue + " per type " + n + (c == null ? "" : " confidence " + c + " tolerable error " + e) + ": " + drawn + " records");
            return Response.seeOther(URI.create("/sampling/" + planId)).build();
        } catch (IllegalArgumentException bad) {
            return page(400, form, DEFAULT_CONFIDENCE, DEFAULT_ERROR, bad.getMessage());
        }
    }

    /** A plan: its results per type and its items, without patient data; for clinicians, the form to add a record. */
    @GET
    @Path("{plan}")
    @RolesAllowed({ Roles.ADMIN, Roles.CLINICIAN })
    @Produces(MediaType.TEXT_HTML)
    public Response plan(@PathParam("plan") long planId, @RestQuery String added) throws SQLException {
        return planPage(planId, 200, null, added != null ? "The record was added to the plan." : null, "");
    }

    /** Adds a record of the clinician's own choosing, by source record id or by a document's address. */
    @POST
    @Path("{plan}/items")
    @RolesAllowed(Roles.CLINICIAN)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    public Response pick(@PathParam("plan") long planId, @RestForm String record) throws SQLException {
        SamplingPlans.PlanSummary plan = plans.plan(planId).orElseThrow(NotFoundException::new);
        String given = record == null ? "" : record.strip();
        try {
            long sourceRecordId;
            Matcher document = DOCUMENT_URL.matcher(given);
            if (document.find()) {
                OptionalLong found = plans.sourceRecordOfDocument(Long.parseLong(document.group(1)));
                if (found.isEmpty()) {
                    throw new IllegalArgumentException("There is no document " + document.group(1) + ".");
                }
                sourceRecordId = found.getAsLong();
            } else if (NUMBER.matcher(given).matches()) {
                sourceRecordId = Long.parseLong(given);
            } else {
                throw new IllegalArgumentException("Give a source record id (a number) or a document's address (/documents/123).");
            }
            plans.pick(plan.id(), sourceRecordId, user());
            audit.record(AuditAction.SAMPLING_PLAN, "sample_plan", Long.toString(planId), List.of(), "picked source record " + sourceRecordId);
            return Response.seeOther(URI.create("/sampling/" + planId + "?added=1")).build();
        } catch (IllegalArgumentException bad) {
            return planPage(planId, 400, sentence(bad.getMessage()), null, given.length() > 200 ? "" : given);
        }
    }

    /** The review page: the original beside what the archive shows, the decision form and the item's history. */
    @GET
    @Path("{plan}/items/{item}")
    @RolesAllowed(Roles.CLINICIAN)
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance review(@PathParam("plan") long planId, @PathParam("item") long itemId, @RestQuery String error,
            @RestQuery String saved) throws SQLException, IOException {
        List<SamplingPlans.ItemResult> items = plans.items(planId);
        int position = -1;
        for (int i = 0; i < items.size(); i++) {
            if (items.get(i).itemId() == itemId) {
                position = i;
            }
        }
        if (position < 0) {
            throw new NotFoundException();
        }
        SamplingPlans.ItemResult item = items.get(position);
        SampledRecords.Normalized normalized = records.normalized(item.sourceRecordId()).orElseThrow(NotFoundException::new);
        Long patientId = normalized.record().patientId;
        audit.record(AuditAction.VIEW_SAMPLED_RECORD, "source_record", Long.toString(item.sourceRecordId()),
                patientId == null ? List.of() : List.of(patientId), "plan " + planId + " item " + itemId);
        String sha256 = normalized.record().sourceSha256;
        Optional<SourceExcerpts.Excerpt> excerpt = excerpts.excerpt(sha256, normalized.format(), normalized.record().locator);
        Original original = excerpt.map(x -> new Original(x.text(), x.syntax(), x.truncated(), x.note(), null))
                .orElseGet(() -> new Original(null, null, false, null, blobs.contains(sha256)
                        ? "The original is in the blob store, but its locator (" + normalized.record().locator + ") names nothing in it."
                        : "The original file is missing from the blob store: run verify-fixity, and restore it from a backup."));
        List<DecisionRow> history = plans.decisions(itemId).stream()
                .map(d -> new DecisionRow(dates.instant(d.decidedAt()), d.reviewer(), d.decision(), d.note() == null ? "" : d.note())).toList();
        return Templates.review(portal.nav(), planId, item, position + 1, items.size(),
                position > 0 ? items.get(position - 1).itemId() : null, position + 1 < items.size() ? items.get(position + 1).itemId() : null,
                original, SampledRecordFields.of(normalized, dates), history, error == null ? null : DECISION_ERRORS.get(error),
                saved != null ? "Your decision was saved." : null);
    }

    /** A clinician's decision: correct, or wrong with a note; then back to the review page (its message, or saved). */
    @POST
    @Path("{plan}/items/{item}")
    @RolesAllowed(Roles.CLINICIAN)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response decide(@PathParam("plan") long planId, @PathParam("item") long itemId, @RestForm String decision, @RestForm String note)
            throws SQLException {
        SamplingPlans.ItemResult item = plans.items(planId).stream().filter(i -> i.itemId() == itemId).findFirst()
                .orElseThrow(NotFoundException::new);
        String back = "/sampling/" + planId + "/items/" + itemId;
        if (!SamplingPlans.CORRECT.equals(decision) && !SamplingPlans.WRONG.equals(decision)) {
            return Response.seeOther(URI.create(back + "?error=decision")).build();
        }
        if (SamplingPlans.WRONG.equals(decision) && (note == null || note.isBlank())) {
            return Response.seeOther(URI.create(back + "?error=note")).build();
        }
        if (note != null && note.strip().length() > SamplingPlans.MAX_NOTE) {
            return Response.seeOther(URI.create(back + "?error=long")).build();
        }
        plans.decide(itemId, user(), decision, note);
        Long patientId = records.normalized(item.sourceRecordId()).map(n -> n.record().patientId).orElse(null);
        audit.record(AuditAction.SAMPLE_DECISION, "sample_item", Long.toString(itemId), patientId == null ? List.of() : List.of(patientId),
                decision);
        return Response.seeOther(URI.create(back + "?saved=1")).build();
    }

    private Response page(int status, DrawForm form, BigDecimal c, BigDecimal e, String problem) throws SQLException {
        List<SystemBlock> blocks = new ArrayList<>();
        for (SourceSystems.SourceSystem system : systems.all()) {
            List<PlanRow> rows = plans.plans(system.id()).stream().map(this::row).toList();
            List<TypeSize> types = new ArrayList<>();
            plans.populations(system.id()).forEach((type, population) -> types.add(new TypeSize(type, population,
                    Math.min(SamplingPlans.MAX_PER_TYPE, SampleSize.forPopulation(population, c.doubleValue(), e.doubleValue())))));
            blocks.add(new SystemBlock(system.id(), system.name(), Long.toString(system.id()).equals(form.sourceSystem()), rows, types));
        }
        return Response.status(status).type(MediaType.TEXT_HTML).entity(Templates.sampling(portal.nav(), identity.hasRole(Roles.ADMIN), blocks,
                form, CONFIDENCES, percent(c), percent(e), problem)).build();
    }

    private Response planPage(long planId, int status, String problem, String notice, String record) throws SQLException {
        SamplingPlans.PlanSummary plan = plans.plan(planId).orElseThrow(NotFoundException::new);
        String system = systems.byId(plan.sourceSystemId()).map(SourceSystems.SourceSystem::name).orElse("source system " + plan.sourceSystemId());
        List<TypeRow> types = plan.types().stream()
                .map(t -> new TypeRow(t.recordType(), t.population(), t.sampled(), t.reviewerPicked(), t.reviewed(), t.correct(), t.wrong())).toList();
        List<ItemRow> items = plans.items(planId).stream().map(i -> new ItemRow(i.itemId(), i.recordType(), i.chosen(), i.chosenBy(),
                i.decision() == null ? "" : i.decision(), i.reviewer() == null ? "" : i.reviewer(),
                dates.instant(i.decidedAt()))).toList();
        return Response.status(status).type(MediaType.TEXT_HTML).entity(Templates.plan(portal.nav(), identity.hasRole(Roles.CLINICIAN), plan,
                system, size(plan), dates.instant(plan.createdAt()), dates.instant(plan.firstDecision()), dates.instant(plan.lastDecision()),
                types, items, problem, notice, record)).build();
    }

    private PlanRow row(SamplingPlans.PlanSummary plan) {
        int items = 0;
        int reviewed = 0;
        int correct = 0;
        int wrong = 0;
        for (SamplingPlans.TypeResult t : plan.types()) {
            items += t.sampled() + t.reviewerPicked();
            reviewed += t.reviewed();
            correct += t.correct();
            wrong += t.wrong();
        }
        return new PlanRow(plan.id(), plan.seed(), size(plan), dates.instant(plan.createdAt()), plan.createdBy(), reviewed, items, correct, wrong);
    }

    private static String size(SamplingPlans.PlanSummary plan) {
        return plan.confidence() == null ? plan.perType() + " per type"
                : "suggested for " + percent(plan.confidence()) + " confidence and " + percent(plan.tolerableError()) + " tolerable error (at most "
                        + plan.perType() + " per type)";
    }

    private static String percent(BigDecimal fraction) {
        return fraction.movePointRight(2).stripTrailingZeros().toPlainString() + " %";
    }

    private static long number(String text, String message) {
        if (text == null || !NUMBER.matcher(text.strip()).matches()) {
            throw new IllegalArgumentException(message);
        }
        return Long.parseLong(text.strip());
    }

    private static BigDecimal fraction(String text, String what) {
        String message = "The " + what + " is a fraction between 0 and 1, such as 0.95 for 95 %.";
        BigDecimal value;
        try {
            value = new BigDecimal(text == null ? "" : text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(message);
        }
        if (value.signum() <= 0 || value.compareTo(BigDecimal.ONE) >= 0 || value.scale() > 6) {
            throw new IllegalArgumentException(message);
        }
        return value;
    }

    private static String sentence(String message) {
        return message.isEmpty() ? message : Character.toUpperCase(message.charAt(0)) + message.substring(1) + (message.endsWith(".") ? "" : ".");
    }

    private String user() {
        return identity.getPrincipal().getName();
    }
}
