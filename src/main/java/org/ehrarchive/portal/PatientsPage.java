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
import org.ehrarchive.chart.ClinicalDates.Shown;
import org.ehrarchive.chart.ClinicalDates;
import org.ehrarchive.identity.PersonSearch;
import org.ehrarchive.search.PatientHit;
import org.ehrarchive.search.PatientQuery;
import org.ehrarchive.security.Roles;
import org.jboss.resteasy.reactive.RestForm;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/**
 * The start page: patient search by name, birth date or identifier. The search is a POST form (with a CSRF token),
 * so that what was searched for never appears in a URL, a browser history or an access log.
 */
@Path("/")
@RolesAllowed({ Roles.CLINICIAN, Roles.COMPLIANCE, Roles.ADMIN })
public class PatientsPage {

    private final PersonSearch persons;
    private final AuditedReads audit;
    private final PortalContext portal;
    private final ClinicalDates dates;

    /** A patient found, birth dates written as the site writes dates, at the precision the sources gave them. */
    public record HitRow(long patientId, List<String> names, List<Shown> birthDates, List<String> identifiers, String sex) {
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance patients(PortalContext.Nav nav, boolean searched, String name, String birthDate,
                String identifier, List<HitRow> hits, String problem);
    }

    public PatientsPage(PersonSearch persons, AuditedReads audit, PortalContext portal, ClinicalDates dates) {
        this.persons = persons;
        this.audit = audit;
        this.portal = portal;
        this.dates = dates;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance form() {
        return Templates.patients(portal.nav(), false, "", "", "", List.of(), null);
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    @RolesAllowed({ Roles.CLINICIAN, Roles.COMPLIANCE })
    public TemplateInstance search(@RestForm String name, @RestForm String birthDate, @RestForm String identifier) {
        PatientQuery query = new PatientQuery(name, birthDate, identifier);
        if (query.isEmpty()) {
            return Templates.patients(portal.nav(), false, "", "", "", List.of(), "Enter a name, a birth date or an identifier.");
        }
        if (query.problem().isPresent()) {
            return Templates.patients(portal.nav(), false, blankIfNull(name), blankIfNull(birthDate), blankIfNull(identifier), List.of(),
                    query.problem().get());
        }
        List<PatientHit> hits = persons.find(query, 50);
        audit.record(AuditAction.SEARCH_PATIENTS, "patient-search", null, hits.stream().map(PatientHit::patientId).toList(),
                "name=" + blankIfNull(name) + " birthDate=" + blankIfNull(birthDate) + " identifier=" + blankIfNull(identifier));
        return Templates.patients(portal.nav(), true, blankIfNull(name), blankIfNull(birthDate), blankIfNull(identifier),
                hits.stream().map(this::row).toList(), null);
    }

    private HitRow row(PatientHit hit) {
        return new HitRow(hit.patientId(), hit.names(), hit.birthDates().stream().map(dates::shown).toList(), hit.identifiers(), hit.sex());
    }

    private static String blankIfNull(String value) {
        return value == null ? "" : value;
    }
}
