package org.ehrarchive.portal;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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

import org.ehrarchive.api.AuditedReads;
import org.ehrarchive.api.Problems;
import org.ehrarchive.audit.AuditAction;
import org.ehrarchive.audit.AuditReview;
import org.ehrarchive.blob.BlobStore;
import org.ehrarchive.chart.ClinicalDates;
import org.ehrarchive.release.FeeWorksheet;
import org.ehrarchive.release.ReleaseFiles;
import org.ehrarchive.release.ReleaseForms;
import org.ehrarchive.release.ReleaseRequest;
import org.ehrarchive.release.ReleaseRequests;
import org.ehrarchive.security.Roles;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/**
 * Release of information in the portal (docs/compliance.md#release-of-information), for compliance staff: the work
 * queue sorted by due date with overdue requests unmistakable, intake with the authorization attached, one request
 * with its clock and its steps (the one extension and its notice letter, the release with its fee worksheet, closing
 * without release), and the files it keeps. Every page names a patient and is audited; every step too.
 */
@Path("/releases")
@RolesAllowed(Roles.COMPLIANCE)
public class ReleasePage {

    /** A request as the queue lists it. */
    public record Row(long id, long patientId, String patient, String requester, String received, String due, String clock, boolean overdue,
            String state) {
    }

    /** A choice of the form's lists: its code and its words. */
    public record Choice(String code, String label) {
    }

    /** What the intake form offers, and what it was sent with when it is shown again with a problem. */
    public record IntakeForm(Map<String, String> values, List<String> checked, String problem, List<Choice> requesters, List<Choice> bases,
            List<Choice> deliveries, List<Choice> recordTypes, List<Choice> coverable) {
    }

    /** A request's page: the request, its patient's name, its clock, its events, its files. */
    public record Detail(ReleaseRequest request, String patient, String due, String clock, boolean overdue, boolean open, List<String> events,
            List<Choice> files, List<Map<String, Object>> withheld, Map<String, Object> fees) {
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance queue(PortalContext.Nav nav, List<Row> rows, String state, long overdue, int responseDays, int extensionDays);

        static native TemplateInstance intake(PortalContext.Nav nav, IntakeForm form);

        static native TemplateInstance request(PortalContext.Nav nav, Detail detail);
    }

    private final ReleaseRequests releases;
    private final AuditReview review;
    private final BlobStore blobs;
    private final AuditedReads audit;
    private final PortalContext portal;
    private final ClinicalDates dates;

    public ReleasePage(ReleaseRequests releases, AuditReview review, BlobStore blobs, AuditedReads audit, PortalContext portal, ClinicalDates dates) {
        this.releases = releases;
        this.review = review;
        this.blobs = blobs;
        this.audit = audit;
        this.portal = portal;
        this.dates = dates;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance queue(@QueryParam("state") String state) {
        String chosen = state == null || state.isBlank() ? "open" : state.trim();
        Set<ReleaseRequest.State> states;
        try {
            states = ReleaseForms.states(chosen);
        } catch (IllegalArgumentException invalid) {
            throw new Problems.ProblemException(400, "invalid-state", invalid.getMessage());
        }
        List<ReleaseRequest> found = releases.queue(states);
        List<Long> patients = found.stream().map(ReleaseRequest::patientId).distinct().toList();
        audit.record(AuditAction.VIEW_DISCLOSURES, "release-queue", chosen, patients, null);
        Map<Long, String> names = review.names(patients);
        LocalDate today = LocalDate.now();
        List<Row> rows = found.stream().map(r -> new Row(r.id(), r.patientId(), names.getOrDefault(r.patientId(), "archive patient " + r.patientId()),
                r.requesterName() + " (" + r.requesterKind().label().toLowerCase() + ")", r.receivedOn().toString(), r.dueOn().toString(),
                clock(r, today), r.overdueOn(today), r.state().name().toLowerCase())).toList();
        return Templates.queue(portal.nav(), rows, chosen, rows.stream().filter(Row::overdue).count(), releases.settings().responseDays(),
                releases.settings().extensionDays());
    }

    @GET
    @Path("new")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance intakeForm(@QueryParam("patient") String patient) {
        return Templates.intake(portal.nav(), form(Map.of("patient", patient == null ? "" : patient, "receivedOn", LocalDate.now().toString()),
                List.of(), null));
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.TEXT_HTML)
    public Response create(@RestForm String patient, @RestForm String requesterKind, @RestForm String requesterName, @RestForm String requesterAddress,
            @RestForm String legalBasis, @RestForm String purpose, @RestForm String fromDate, @RestForm String toDate, @RestForm List<String> recordTypes,
            @RestForm String delivery, @RestForm List<String> covers, @RestForm String receivedOn, @RestForm("authorization") FileUpload authorization) {
        try {
            long patientId = ReleaseForms.id(patient, "the patient (the number on the chart's banner)");
            ReleaseRequests.Authorization attached = !attached(authorization) ? null
                    : new ReleaseRequests.Authorization(Files.readAllBytes(authorization.uploadedFile()), authorization.fileName(), authorization.contentType());
            ReleaseRequest created = releases.create(new ReleaseRequests.Intake(patientId,
                    ReleaseForms.named(ReleaseRequest.RequesterKind.class, requesterKind, "Requester"), requesterName, requesterAddress,
                    ReleaseForms.named(ReleaseRequest.LegalBasis.class, legalBasis, "Legal basis"), purpose,
                    ReleaseForms.day(fromDate, "From"), ReleaseForms.day(toDate, "To"),
                    recordTypes == null ? List.of() : recordTypes, ReleaseForms.named(ReleaseRequest.Delivery.class, delivery, "Form"),
                    covers == null ? List.of() : covers, ReleaseForms.day(receivedOn, "Received on")), attached, portal.nav().user());
            audit.record(AuditAction.RELEASE_REQUEST, "release-request", Long.toString(created.id()), List.of(created.patientId()), "received");
            return Response.seeOther(URI.create("/releases/" + created.id())).build();
        } catch (IllegalArgumentException | ReleaseRequests.Refused refused) {
            // the form again, as it was sent (but the file, which a browser cannot be given back), with what to correct
            Map<String, String> sent = new java.util.HashMap<>();
            String[][] fields = { { "patient", patient }, { "requesterKind", requesterKind }, { "requesterName", requesterName },
                    { "requesterAddress", requesterAddress }, { "legalBasis", legalBasis }, { "purpose", purpose }, { "fromDate", fromDate },
                    { "toDate", toDate }, { "delivery", delivery }, { "receivedOn", receivedOn } };
            for (String[] field : fields) {
                sent.put(field[0], field[1] == null ? "" : field[1]);
            }
            List<String> checked = new ArrayList<>(recordTypes == null ? List.of() : recordTypes);
            checked.addAll(covers == null ? List.of() : covers);
            return Response.status(400).type(MediaType.TEXT_HTML).entity(Templates.intake(portal.nav(), form(sent, checked,
                    refused.getMessage() + (attached(authorization) ? " The authorization file must be attached again." : ""))).render()).build();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("the uploaded authorization could not be read", e);
        }
    }

    @GET
    @Path("{id}")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance request(@PathParam("id") long id) {
        ReleaseRequest request = releases.request(id).orElseThrow(NotFoundException::new);
        audit.record(AuditAction.VIEW_DISCLOSURES, "release-request", Long.toString(id), List.of(request.patientId()), null);
        LocalDate today = LocalDate.now();
        List<String> events = new ArrayList<>();
        events.add("Received " + request.receivedOn() + "; taken in by " + request.createdBy() + ", " + dates.instant(request.createdAt()).text());
        for (ReleaseRequest.Event event : request.events()) {
            String when = event.recordedBy() + ", " + dates.instant(event.recordedAt()).text();
            events.add(switch (event.kind()) {
                case "EXTENDED" -> "Extended by " + when + ": " + event.reason();
                case "RELEASED" -> "Released by " + when + ": " + event.packetPages() + " pages, SHA-256 " + event.packetSha256();
                default -> "Closed without release by " + when + ": " + event.reason();
            });
        }
        List<Choice> files = new ArrayList<>();
        for (String name : List.of("packet.pdf", "copy.json", "extension-letter.pdf", "authorization")) {
            ReleaseFiles.of(request, name).ifPresent(f -> files.add(new Choice(name, f.fileName())));
        }
        var released = request.event("RELEASED");
        return Templates.request(portal.nav(), new Detail(request, review.names(List.of(request.patientId())).getOrDefault(request.patientId(),
                "archive patient " + request.patientId()), request.dueOn().toString(), clock(request, today), request.overdueOn(today),
                request.state() == ReleaseRequest.State.OPEN, events, files, released.map(ReleaseRequest.Event::withheld).orElse(null),
                released.map(ReleaseRequest.Event::fees).orElse(null)));
    }

    @POST
    @Path("{id}/extension")
    public Response extend(@PathParam("id") long id, @RestForm String reason) {
        return step(id, "extended", () -> releases.extend(id, reason, portal.nav().user()));
    }

    @POST
    @Path("{id}/closing")
    public Response close(@PathParam("id") long id, @RestForm String reason) {
        return step(id, "closed", () -> releases.close(id, reason, portal.nav().user()));
    }

    @POST
    @Path("{id}/release")
    public Response release(@PathParam("id") long id, @RestForm String labourMinutes, @RestForm String postage, @RestForm String flatFee) {
        int minutes;
        try {
            minutes = labourMinutes == null || labourMinutes.isBlank() ? 0 : Integer.parseInt(labourMinutes.trim());
        } catch (NumberFormatException notANumber) {
            throw new Problems.ProblemException(400, "invalid-release", "Copying labour is a whole number of minutes: go back and correct it");
        }
        return step(id, null, () -> releases.release(id, new FeeWorksheet.Input(minutes, ReleaseForms.money(postage, "Postage"), flatFee != null),
                portal.nav().user()));
    }

    @GET
    @Path("{id}/{file: packet.pdf|copy.json|extension-letter.pdf|authorization}")
    public Response file(@PathParam("id") long id, @PathParam("file") String file) throws IOException {
        return org.ehrarchive.api.ReleaseResource.download(releases, blobs, audit, id, file);
    }

    /** A step on a request; {@code detail} null for the release itself, which is an EXPORT of the packet. */
    private Response step(long id, String detail, java.util.function.Supplier<ReleaseRequest> step) {
        ReleaseRequest done;
        try {
            done = step.get();
        } catch (IllegalArgumentException invalid) {
            throw new Problems.ProblemException(400, "invalid-step", invalid.getMessage() + ": go back and correct it");
        } catch (ReleaseRequests.Refused refused) {
            if (releases.request(id).isEmpty()) {
                throw new NotFoundException();
            }
            throw new Problems.ProblemException(409, "step-refused", refused.getMessage());
        }
        if (detail == null) {
            audit.record(AuditAction.EXPORT, "release-packet", Long.toString(id), List.of(done.patientId()), "released to " + done.requesterName());
        } else {
            audit.record(AuditAction.RELEASE_REQUEST, "release-request", Long.toString(id), List.of(done.patientId()), detail);
        }
        return Response.seeOther(URI.create("/releases/" + id)).build();
    }

    /** Where the clock stands, in words: overdue unmistakably. */
    private static String clock(ReleaseRequest request, LocalDate today) {
        if (request.state() != ReleaseRequest.State.OPEN) {
            return request.state() == ReleaseRequest.State.RELEASED ? "released" : "closed";
        }
        long left = request.daysLeftOn(today);
        String clock = left < 0 ? "OVERDUE by " + -left + (left == -1 ? " day" : " days") : left == 0 ? "due today" : left + (left == 1 ? " day left" : " days left");
        return clock + (request.extended() ? " (extended)" : "");
    }

    private static boolean attached(FileUpload authorization) {
        return authorization != null && authorization.size() > 0;
    }

    private static IntakeForm form(Map<String, String> values, List<String> checked, String problem) {
        return new IntakeForm(values, checked, problem,
                Arrays.stream(ReleaseRequest.RequesterKind.values()).map(k -> new Choice(k.name(), k.label())).toList(),
                Arrays.stream(ReleaseRequest.LegalBasis.values()).map(b -> new Choice(b.name(), b.label())).toList(),
                Arrays.stream(ReleaseRequest.Delivery.values()).map(d -> new Choice(d.name(), d.label())).toList(),
                ReleaseRequests.RECORD_TYPES.stream().map(t -> new Choice(t, label(t))).toList(),
                List.of(new Choice("PSYCHOTHERAPY", "Psychotherapy notes"), new Choice("PART2", "Substance-use treatment records (42 CFR Part 2)")));
    }

    private static String label(String type) {
        String words = type.replace('_', ' ').toLowerCase();
        return Character.toUpperCase(words.charAt(0)) + words.substring(1);
    }
}
