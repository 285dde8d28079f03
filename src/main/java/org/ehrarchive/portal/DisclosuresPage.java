package org.ehrarchive.portal;

import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;

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

import org.ehrarchive.CsvRows;
import org.ehrarchive.api.AuditedReads;
import org.ehrarchive.api.Problems;
import org.ehrarchive.audit.AuditAction;
import org.ehrarchive.audit.AuditReview;
import org.ehrarchive.disclosure.Disclosures;
import org.ehrarchive.release.ReleaseForms;
import org.ehrarchive.release.ReleasePdf;
import org.ehrarchive.release.ReleaseRequest;
import org.ehrarchive.security.Roles;
import org.jboss.resteasy.reactive.RestForm;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/**
 * A patient's disclosures (45 CFR 164.528, docs/compliance.md#accounting-of-disclosures), for compliance staff: the
 * accounting the patient is given today (six years, suspended entries left out), as a page, a PDF and a CSV; the whole
 * log with what the accounting leaves out and why; a disclosure made outside the archive recorded by hand; an entry
 * suspended at a health oversight agency's or law enforcement official's request. Every view and step is audited.
 */
@Path("/disclosures")
@RolesAllowed(Roles.COMPLIANCE)
public class DisclosuresPage {

    /** A disclosure as the page lists it. */
    public record Row(long id, String disclosedOn, String recipient, String description, String purpose, String basis, boolean accountable,
            String excludedBecause, Long request, List<String> suspensions, boolean suspended) {
    }

    /** A legal basis the form offers. */
    public record Basis(String code, String label) {
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance disclosures(PortalContext.Nav nav, long patientId, String patient, String today, int years, List<Row> accounting,
                List<Row> log, List<Basis> bases);
    }

    private static final List<Basis> BASES = Arrays.stream(ReleaseRequest.LegalBasis.values()).map(b -> new Basis(b.name(), b.label())).toList();
    private static final List<String> COLUMNS = List.of("Date", "Recipient", "Address", "What was disclosed", "Purpose");

    private final Disclosures disclosures;
    private final AuditReview review;
    private final AuditedReads audit;
    private final PortalContext portal;

    public DisclosuresPage(Disclosures disclosures, AuditReview review, AuditedReads audit, PortalContext portal) {
        this.disclosures = disclosures;
        this.review = review;
        this.audit = audit;
        this.portal = portal;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance page(@QueryParam("patient") String patient) {
        long id = patient(patient);
        LocalDate today = LocalDate.now();
        List<Row> accounting = disclosures.accounting(id, today).stream().map(d -> row(d, today)).toList();
        List<Row> log = disclosures.log(id).stream().map(d -> row(d, today)).toList();
        audit.record(AuditAction.VIEW_DISCLOSURES, "disclosures", Long.toString(id), List.of(id), "accounting and log");
        return Templates.disclosures(portal.nav(), id, name(id), today.toString(), Disclosures.ACCOUNTING_YEARS, accounting, log, BASES);
    }

    /** The accounting as the patient is given it, as a PDF. */
    @GET
    @Path("accounting.pdf")
    @Produces("application/pdf")
    public Response accountingPdf(@QueryParam("patient") String patient) {
        long id = patient(patient);
        LocalDate today = LocalDate.now();
        List<Disclosures.Disclosure> listed = disclosures.accounting(id, today);
        audit.record(AuditAction.EXPORT, "accounting", Long.toString(id), List.of(id), "pdf, " + listed.size() + " disclosures");
        byte[] pdf = ReleasePdf.table(new ReleasePdf.Table("Accounting of disclosures: " + name(id), List.of(
                "Disclosures of the health information of " + name(id) + " (archive patient " + id + ") in the " + Disclosures.ACCOUNTING_YEARS
                        + " years before " + today + ", as 45 CFR 164.528 requires.",
                "Not listed, as the rule provides: disclosures to you or at your request, under your authorization, and for treatment, payment"
                        + " or health care operations."),
                COLUMNS, listed.stream().map(DisclosuresPage::cells).toList(), "No disclosure is to be accounted for in this period."));
        return Response.ok(pdf, "application/pdf").header("Content-Disposition", "attachment; filename=\"accounting-of-disclosures-" + id + ".pdf\"")
                .build();
    }

    /** The accounting as CSV (RFC 4180). */
    @GET
    @Path("accounting.csv")
    @Produces("text/csv")
    public Response accountingCsv(@QueryParam("patient") String patient) throws IOException {
        long id = patient(patient);
        LocalDate today = LocalDate.now();
        List<Disclosures.Disclosure> listed = disclosures.accounting(id, today);
        audit.record(AuditAction.EXPORT, "accounting", Long.toString(id), List.of(id), "csv, " + listed.size() + " disclosures");
        StringWriter out = new StringWriter();
        CsvRows csv = new CsvRows(out);
        csv.row(COLUMNS.toArray());
        for (Disclosures.Disclosure disclosure : listed) {
            csv.row(cells(disclosure).toArray());
        }
        return Response.ok(out.toString(), "text/csv; charset=UTF-8")
                .header("Content-Disposition", "attachment; filename=\"accounting-of-disclosures-" + id + ".csv\"").build();
    }

    /** Records a disclosure made outside the archive. */
    @POST
    public Response record(@RestForm String patient, @RestForm String disclosedOn, @RestForm String recipientName, @RestForm String recipientAddress,
            @RestForm String description, @RestForm String purpose, @RestForm String legalBasis) {
        long id = patient(patient);
        try {
            Disclosures.Disclosure recorded = disclosures.record(new Disclosures.NewDisclosure(id, ReleaseForms.day(disclosedOn, "The date"), recipientName,
                    recipientAddress, description, purpose, ReleaseForms.named(ReleaseRequest.LegalBasis.class, legalBasis, "The legal basis"), null),
                    portal.nav().user());
            audit.record(AuditAction.DISCLOSURE, "disclosure", Long.toString(recorded.id()), recorded.patientIds(), "recorded");
        } catch (IllegalArgumentException invalid) {
            throw new Problems.ProblemException(400, "invalid-disclosure", invalid.getMessage() + ": go back and correct it");
        } catch (Disclosures.Refused refused) {
            throw new NotFoundException();
        }
        return Response.seeOther(URI.create("/disclosures?patient=" + id)).build();
    }

    /** Suspends an accounting entry until a day (164.528(a)(2)). */
    @POST
    @Path("{id}/suspension")
    public Response suspend(@PathParam("id") long id, @RestForm String agency, @RestForm String statement, @RestForm String until) {
        Disclosures.Disclosure suspended;
        try {
            suspended = disclosures.suspend(id, agency, statement, ReleaseForms.day(until, "The end of the suspension"), portal.nav().user());
        } catch (IllegalArgumentException invalid) {
            throw new Problems.ProblemException(400, "invalid-suspension", invalid.getMessage() + ": go back and correct it");
        } catch (Disclosures.Refused refused) {
            if (disclosures.disclosure(id).isEmpty()) {
                throw new NotFoundException();
            }
            throw new Problems.ProblemException(409, "suspension-refused", refused.getMessage());
        }
        audit.record(AuditAction.DISCLOSURE, "disclosure", Long.toString(id), suspended.patientIds(), "suspended");
        return Response.seeOther(URI.create("/disclosures?patient=" + suspended.patientId())).build();
    }

    private String name(long patientId) {
        return review.names(List.of(patientId)).getOrDefault(patientId, "archive patient " + patientId);
    }

    private static List<String> cells(Disclosures.Disclosure d) {
        return List.of(d.disclosedOn().toString(), d.recipientName(), d.recipientAddress() == null ? "" : d.recipientAddress(), d.description(),
                d.purpose());
    }

    private static Row row(Disclosures.Disclosure d, LocalDate today) {
        return new Row(d.id(), d.disclosedOn().toString(), d.recipientName() + (d.recipientAddress() == null ? "" : ", " + d.recipientAddress()),
                d.description(), d.purpose(), d.basis().label(), d.accountable(), d.excludedBecause() == null ? "" : d.excludedBecause(),
                d.releaseRequestId(), d.suspensions().stream().map(s -> "Suspended until " + s.until() + " at the request of " + s.agency() + ": "
                        + s.statement() + " (" + s.recordedBy() + ")").toList(), d.suspendedOn(today));
    }

    private static long patient(String patient) {
        try {
            return ReleaseForms.id(patient, "the patient (?patient=ID)");
        } catch (IllegalArgumentException invalid) {
            throw new Problems.ProblemException(400, "invalid-patient", invalid.getMessage());
        }
    }
}
