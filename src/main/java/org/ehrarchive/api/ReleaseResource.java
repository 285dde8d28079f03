package org.ehrarchive.api;

import java.io.IOException;
import java.time.LocalDate;
import java.util.Base64;
import java.util.List;

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
import org.ehrarchive.blob.BlobStore;
import org.ehrarchive.disclosure.Disclosures;
import org.ehrarchive.release.FeeWorksheet;
import org.ehrarchive.release.ReleaseFiles;
import org.ehrarchive.release.ReleaseForms;
import org.ehrarchive.release.ReleaseRequest;
import org.ehrarchive.release.ReleaseRequests;
import org.ehrarchive.security.Roles;

import io.quarkus.security.identity.SecurityIdentity;

/**
 * Release of information and the disclosure log through the API (docs/compliance.md#release-of-information), for
 * compliance staff: take a request in (with its authorization as base64), list the work queue by due date, extend
 * once, release (the packet PDF and, when asked, the machine-readable copy), close; log a disclosure made elsewhere,
 * suspend an accounting entry, and read a patient's accounting. Every step is in the access audit.
 */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.COMPLIANCE)
@Tag(name = "Release of information", description = "Requests against the 30-day clock, release packets, the disclosure log and the"
        + " accounting of disclosures (compliance staff)")
public class ReleaseResource {

    /** A request as taken in; dates are YYYY-MM-DD; {@code authorization} the document's bytes as base64, with its name and media type. */
    public record IntakeRequest(Long patient, String requesterKind, String requesterName, String requesterAddress, String legalBasis, String purpose,
            String fromDate, String toDate, List<String> recordTypes, String delivery, List<String> authorizationCovers, String receivedOn,
            String authorization, String authorizationName, String authorizationType) {
    }

    /** A reason (an extension, a closing). */
    public record ReasonRequest(String reason) {
    }

    /** The fee worksheet's entries: minutes of copying labour, postage (a decimal), or the flat fee instead. */
    public record ReleaseInput(Integer labourMinutes, String postage, Boolean flatFee) {
    }

    /** A disclosure made outside the archive. */
    public record DisclosureRequest(Long patient, String disclosedOn, String recipientName, String recipientAddress, String description, String purpose,
            String legalBasis) {
    }

    /** A suspension of an accounting entry (164.528(a)(2)). */
    public record SuspensionRequest(String agency, String statement, String until) {
    }

    /** A patient's accounting of disclosures on a day. */
    public record Accounting(long patient, LocalDate asOf, int years, List<Disclosures.Disclosure> disclosures) {
    }

    private final ReleaseRequests releases;
    private final Disclosures disclosures;
    private final BlobStore blobs;
    private final AuditedReads audit;
    private final SecurityIdentity identity;

    public ReleaseResource(ReleaseRequests releases, Disclosures disclosures, BlobStore blobs, AuditedReads audit, SecurityIdentity identity) {
        this.releases = releases;
        this.disclosures = disclosures;
        this.blobs = blobs;
        this.audit = audit;
        this.identity = identity;
    }

    /** The work queue: open requests (default) due first, or {@code state=all}, {@code released}, {@code closed}. */
    @GET
    @Path("/releases")
    @Operation(summary = "The work queue of release-of-information requests, due first (state: open, released, closed, all)")
    public List<ReleaseRequest> queue(@QueryParam("state") String state) {
        List<ReleaseRequest> found = releases.queue(valid(() -> ReleaseForms.states(state)));
        audit.record(AuditAction.VIEW_DISCLOSURES, "release-queue", state == null ? "open" : state,
                found.stream().map(ReleaseRequest::patientId).distinct().toList(), null);
        return found;
    }

    @POST
    @Path("/releases")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Take a request in, with the authorization as base64; 201 with the request and its due date")
    public Response create(IntakeRequest intake) {
        if (intake == null || intake.patient() == null) {
            throw invalid("Send the patient and the request: see the API description");
        }
        try {
            ReleaseRequests.Authorization authorization = intake.authorization() == null || intake.authorization().isBlank() ? null
                    : new ReleaseRequests.Authorization(Base64.getMimeDecoder().decode(intake.authorization()), intake.authorizationName(),
                            intake.authorizationType());
            ReleaseRequest created = releases.create(new ReleaseRequests.Intake(intake.patient(), ReleaseForms.named(ReleaseRequest.RequesterKind.class,
                    intake.requesterKind(), "requesterKind"), intake.requesterName(), intake.requesterAddress(),
                    ReleaseForms.named(ReleaseRequest.LegalBasis.class, intake.legalBasis(), "legalBasis"), intake.purpose(),
                    ReleaseForms.day(intake.fromDate(), "fromDate"), ReleaseForms.day(intake.toDate(), "toDate"), intake.recordTypes(),
                    ReleaseForms.named(ReleaseRequest.Delivery.class, intake.delivery(), "delivery"),
                    intake.authorizationCovers(), ReleaseForms.day(intake.receivedOn(), "receivedOn")), authorization, user());
            audit.record(AuditAction.RELEASE_REQUEST, "release-request", Long.toString(created.id()), List.of(created.patientId()), "received");
            return Response.status(201).entity(created).build();
        } catch (IllegalArgumentException invalid) {
            throw invalid(invalid.getMessage());
        } catch (ReleaseRequests.Refused refused) {
            throw new Problems.ProblemException(404, "not-found", refused.getMessage());
        }
    }

    @GET
    @Path("/releases/{id}")
    @Operation(summary = "One request with its clock and its events")
    public ReleaseRequest request(@PathParam("id") long id) {
        ReleaseRequest request = releases.request(id).orElseThrow(NotFoundException::new);
        audit.record(AuditAction.VIEW_DISCLOSURES, "release-request", Long.toString(id), List.of(request.patientId()), null);
        return request;
    }

    @POST
    @Path("/releases/{id}/extension")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "The one extension (before the request is overdue), with the reason its notice letter gives")
    public ReleaseRequest extend(@PathParam("id") long id, ReasonRequest reason) {
        return step(id, "extended", () -> releases.extend(id, reason == null ? null : reason.reason(), user()));
    }

    @POST
    @Path("/releases/{id}/closing")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Close a request without release (withdrawn, denied), with the reason")
    public ReleaseRequest close(@PathParam("id") long id, ReasonRequest reason) {
        return step(id, "closed", () -> releases.close(id, reason == null ? null : reason.reason(), user()));
    }

    @POST
    @Path("/releases/{id}/release")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Release: build, stamp and store the packet (and the machine-readable copy when asked), log the disclosure")
    public ReleaseRequest release(@PathParam("id") long id, ReleaseInput input) {
        FeeWorksheet.Input fees = input == null ? FeeWorksheet.Input.NONE : new FeeWorksheet.Input(input.labourMinutes() == null ? 0 : input.labourMinutes(),
                valid(() -> ReleaseForms.money(input.postage(), "postage")), Boolean.TRUE.equals(input.flatFee()));
        ReleaseRequest released = stepQuietly(id, () -> releases.release(id, fees, user()));
        audit.record(AuditAction.EXPORT, "release-packet", Long.toString(id), List.of(released.patientId()),
                "released to " + released.requesterName());
        return released;
    }

    /** The packet (PDF), the machine-readable copy (FHIR bundle), the extension notice (PDF) or the authorization as received. */
    @GET
    @Path("/releases/{id}/{file: packet.pdf|copy.json|extension-letter.pdf|authorization}")
    @Produces({ "application/pdf", "application/fhir+json", MediaType.APPLICATION_OCTET_STREAM })
    @Operation(summary = "A request's file: packet.pdf, copy.json (FHIR bundle), extension-letter.pdf, or the authorization as received")
    public Response file(@PathParam("id") long id, @PathParam("file") String file) throws IOException {
        return download(releases, blobs, audit, id, file);
    }

    /**
     * A file of a request, byte-exact from the blob store, audited before it leaves: an {@code EXPORT}, or for the
     * authorization as received a {@code DOWNLOAD_ORIGINAL}. The portal's downloads answer the same way.
     */
    public static Response download(ReleaseRequests releases, BlobStore blobs, AuditedReads audit, long id, String file) throws IOException {
        ReleaseRequest request = releases.request(id).orElseThrow(NotFoundException::new);
        ReleaseFiles.File found = ReleaseFiles.of(request, file).orElseThrow(NotFoundException::new);
        byte[] bytes = blobs.read(found.sha256());
        audit.record(file.equals("authorization") ? AuditAction.DOWNLOAD_ORIGINAL : AuditAction.EXPORT, "release-" + file, Long.toString(id),
                List.of(request.patientId()), found.sha256());
        return Response.ok(bytes, found.mediaType()).header("Content-Disposition", "attachment; filename=\"" + found.fileName() + "\"").build();
    }

    /** A patient's disclosure log: every disclosure, listed in an accounting or not, with its suspensions. */
    @GET
    @Path("/disclosures")
    @Operation(summary = "A patient's disclosure log: every disclosure, listed in the accounting or not, with suspensions")
    public List<Disclosures.Disclosure> log(@QueryParam("patient") String patient) {
        long id = valid(() -> ReleaseForms.id(patient, "the patient (?patient=ID)"));
        List<Disclosures.Disclosure> log = disclosures.log(id);
        audit.record(AuditAction.VIEW_DISCLOSURES, "disclosures", Long.toString(id), List.of(id), "log");
        return log;
    }

    @POST
    @Path("/disclosures")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Record a disclosure made outside the archive")
    public Response record(DisclosureRequest request) {
        if (request == null || request.patient() == null) {
            throw invalid("Send the patient and the disclosure: see the API description");
        }
        try {
            Disclosures.Disclosure recorded = disclosures.record(new Disclosures.NewDisclosure(request.patient(),
                    ReleaseForms.day(request.disclosedOn(), "disclosedOn"),
                    request.recipientName(), request.recipientAddress(), request.description(), request.purpose(),
                    ReleaseForms.named(ReleaseRequest.LegalBasis.class, request.legalBasis(), "legalBasis"), null), user());
            audit.record(AuditAction.DISCLOSURE, "disclosure", Long.toString(recorded.id()), recorded.patientIds(), "recorded");
            return Response.status(201).entity(recorded).build();
        } catch (IllegalArgumentException invalid) {
            throw invalid(invalid.getMessage());
        } catch (Disclosures.Refused refused) {
            throw new Problems.ProblemException(404, "not-found", refused.getMessage());
        }
    }

    @POST
    @Path("/disclosures/{id}/suspensions")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Suspend an accounting entry until a day, at a health oversight agency's or law enforcement official's request")
    public Disclosures.Disclosure suspend(@PathParam("id") long id, SuspensionRequest request) {
        try {
            Disclosures.Disclosure suspended = disclosures.suspend(id, request == null ? null : request.agency(), request == null ? null : request.statement(),
                    request == null ? null : ReleaseForms.day(request.until(), "until"), user());
            audit.record(AuditAction.DISCLOSURE, "disclosure", Long.toString(id), suspended.patientIds(), "suspended");
            return suspended;
        } catch (IllegalArgumentException invalid) {
            throw invalid(invalid.getMessage());
        } catch (Disclosures.Refused refused) {
            if (disclosures.disclosure(id).isEmpty()) {
                throw new NotFoundException();
            }
            throw new Problems.ProblemException(409, "suspension-refused", refused.getMessage());
        }
    }

    /** The accounting of disclosures a patient is given today (or {@code asOf}): six years, suspended entries left out. */
    @GET
    @Path("/disclosures/accounting")
    @Operation(summary = "The accounting of disclosures a patient is given (45 CFR 164.528): six years, excluded kinds and suspended entries left out")
    public Accounting accounting(@QueryParam("patient") String patient, @QueryParam("asOf") String asOf) {
        long id = valid(() -> ReleaseForms.id(patient, "the patient (?patient=ID)"));
        LocalDate day = asOf == null ? LocalDate.now() : valid(() -> ReleaseForms.day(asOf, "asOf"));
        List<Disclosures.Disclosure> listed = disclosures.accounting(id, day);
        audit.record(AuditAction.VIEW_DISCLOSURES, "accounting", Long.toString(id), List.of(id), "as of " + day);
        return new Accounting(id, day, Disclosures.ACCOUNTING_YEARS, listed);
    }

    private ReleaseRequest step(long id, String detail, java.util.function.Supplier<ReleaseRequest> step) {
        ReleaseRequest done = stepQuietly(id, step);
        audit.record(AuditAction.RELEASE_REQUEST, "release-request", Long.toString(id), List.of(done.patientId()), detail);
        return done;
    }

    private ReleaseRequest stepQuietly(long id, java.util.function.Supplier<ReleaseRequest> step) {
        try {
            return step.get();
        } catch (IllegalArgumentException invalid) {
            throw invalid(invalid.getMessage());
        } catch (ReleaseRequests.Refused refused) {
            if (releases.request(id).isEmpty()) {
                throw new NotFoundException();
            }
            throw new Problems.ProblemException(409, "step-refused", refused.getMessage());
        }
    }

    private String user() {
        return identity.getPrincipal().getName();
    }

    /** A value read from the request; what cannot be read is a 400 problem saying why. */
    private static <T> T valid(java.util.function.Supplier<T> read) {
        try {
            return read.get();
        } catch (IllegalArgumentException invalid) {
            throw invalid(invalid.getMessage());
        }
    }

    private static Problems.ProblemException invalid(String message) {
        return new Problems.ProblemException(400, "invalid-release", message);
    }
}
