package org.ehrarchive.api;

import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.ehrarchive.audit.AuditAction;
import org.ehrarchive.record.ChartService;
import org.ehrarchive.search.PatientHit;
import org.ehrarchive.search.PatientQuery;
import org.ehrarchive.search.SearchIndex;
import org.ehrarchive.security.Roles;

/** Patients: find them, read a whole chart. Every answer that shows a patient is recorded in the access audit. */
@Path("/api/patients")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({ Roles.CLINICIAN, Roles.COMPLIANCE })
public class PatientResource {

    private static final int MAX_RESULTS = 50;

    private final SearchIndex index;
    private final ChartService charts;
    private final AuditedReads audit;

    public PatientResource(SearchIndex index, ChartService charts, AuditedReads audit) {
        this.index = index;
        this.charts = charts;
        this.audit = audit;
    }

    /** Patients matching all the criteria given (name with typos and sound-alikes, birth date, any identifier). */
    @GET
    public List<PatientHit> find(@QueryParam("name") String name, @QueryParam("birthDate") String birthDate,
            @QueryParam("identifier") String identifier) {
        PatientQuery query = new PatientQuery(name, birthDate, identifier);
        if (query.isEmpty()) {
            throw new Problems.ProblemException(400, "empty-query", "Give at least one of name, birthDate, identifier");
        }
        query.problem().ifPresent(problem -> {
            throw new Problems.ProblemException(400, "invalid-birth-date", problem);
        });
        List<PatientHit> hits = index.findPatients(query, MAX_RESULTS);
        audit.record(AuditAction.SEARCH_PATIENTS, "patient-search", null, hits.stream().map(PatientHit::patientId).toList(),
                "name=" + nullToEmpty(name) + " birthDate=" + nullToEmpty(birthDate) + " identifier=" + nullToEmpty(identifier));
        return hits;
    }

    /** The whole chart: identifiers and demographics by source, encounters in time order, every entry, documents. */
    @GET
    @Path("/{id}")
    public ChartService.Chart chart(@PathParam("id") long id) {
        ChartService.Chart chart = charts.chart(id).orElseThrow(NotFoundException::new);
        audit.record(AuditAction.VIEW_CHART, "patient", Long.toString(id), List.of(id), null);
        return chart;
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }
}
