package org.ehrarchive.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.ehrarchive.audit.AuditAction;
import org.ehrarchive.chart.PatientChart;
import org.ehrarchive.identity.PersonSearch;
import org.ehrarchive.record.ChartService;
import org.ehrarchive.record.EntryKind;
import org.ehrarchive.search.PatientHit;
import org.ehrarchive.search.PatientQuery;
import org.ehrarchive.security.Roles;

/**
 * Patients: find them, read a chart and page through its entries. Every answer that shows a patient is recorded in
 * the access audit. A chart answers with the first page of each kind of entry and each kind's total, so a patient of
 * thousands of results answers as fast as one of ten; {@code next} says where each kind's next page is.
 */
@Path("/api/patients")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({ Roles.CLINICIAN, Roles.COMPLIANCE })
public class PatientResource {

    private static final int MAX_RESULTS = 50;
    /** Entries per kind on a page unless {@code size} says otherwise, and the most a page holds. */
    static final int DEFAULT_PAGE_SIZE = 100;
    static final int MAX_PAGE_SIZE = 1000;

    /**
     * A chart: identifiers and demographics by source, documents, and the first page of encounters (oldest first)
     * and of each other kind of entry (newest first); {@code totals} counts each kind's entries, {@code next} links
     * the kinds that have more. {@code sources} lists every source record of the person linked into this chart
     * (docs/patient-identity.md); each row names its source by {@code documentId} and {@code sourceSha256}.
     */
    public record PagedChart(long patientId, List<ChartService.LinkedSource> sources, List<ChartService.SourcedIdentifier> identifiers,
            List<ChartService.SourcedDemographics> demographics, List<ChartService.EntryView> encounters,
            Map<EntryKind, List<ChartService.EntryView>> entries, List<ChartService.DocumentSummary> documents, int pageSize,
            Map<EntryKind, Long> totals, Map<EntryKind, String> next) {
    }

    /**
     * One fact however often its sources repeat it (the same immunization from a C-CDA document and a FHIR export):
     * its latest occurrence whole, the ids of every occurrence (newest first) and every source that said it.
     */
    public record FactView(long id, EntryKind kind, ChartService.EntryView latest, List<Long> occurrences,
            List<PatientChart.Source> sources) {
    }

    /** A page of one kind of facts, in the chart's order, and how many facts the kind has. */
    public record FactPage(long patientId, EntryKind kind, int page, int size, long total, List<FactView> facts, String next) {
    }

    /** One page of one kind of entry, in the chart's order; {@code next} is null on the last page. */
    public record EntryPage(long patientId, EntryKind kind, int page, int size, long total, List<ChartService.EntryView> entries,
            String next) {
    }

    private final PersonSearch persons;
    private final ChartService charts;
    private final AuditedReads audit;

    public PatientResource(PersonSearch persons, ChartService charts, AuditedReads audit) {
        this.persons = persons;
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
        List<PatientHit> hits = persons.find(query, MAX_RESULTS);
        audit.record(AuditAction.SEARCH_PATIENTS, "patient-search", null, hits.stream().map(PatientHit::patientId).toList(),
                "name=" + nullToEmpty(name) + " birthDate=" + nullToEmpty(birthDate) + " identifier=" + nullToEmpty(identifier));
        return hits;
    }

    /** The chart with the first {@code size} entries of each kind (default 100, at most 1000). */
    @GET
    @Path("/{id}")
    public PagedChart chart(@PathParam("id") long id, @QueryParam("size") String size) {
        int pageSize = number("size", size, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
        ChartService.FirstPages pages = charts.firstPages(id, pageSize).orElseThrow(NotFoundException::new);
        ChartService.Chart chart = pages.chart();
        audit.record(AuditAction.VIEW_CHART, "patient", Long.toString(id), chart.patientIds(), null);
        Map<EntryKind, String> next = new LinkedHashMap<>();
        pages.totals().forEach((kind, total) -> {
            if (total > pageSize) {
                next.put(kind, pageLink(id, kind, 2, pageSize));
            }
        });
        return new PagedChart(id, chart.sources(), chart.identifiers(), chart.demographics(), chart.encounters(), chart.entries(), chart.documents(), pageSize,
                pages.totals(), next);
    }

    /** Page {@code page} (from 1) of {@code size} entries of one kind, encounters oldest first and other kinds newest first. */
    @GET
    @Path("/{id}/entries")
    public EntryPage entries(@PathParam("id") long id, @QueryParam("kind") String kind, @QueryParam("page") String page,
            @QueryParam("size") String size) {
        EntryKind entryKind = kindOf(kind);
        int number = number("page", page, 1, Integer.MAX_VALUE / MAX_PAGE_SIZE);
        int pageSize = number("size", size, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
        ChartService.EntryPage entries = charts.page(id, entryKind, number, pageSize).orElseThrow(NotFoundException::new);
        audit.record(AuditAction.VIEW_CHART, "patient", Long.toString(id), entries.patientIds(), "entries " + entryKind + " page " + number);
        return new EntryPage(id, entryKind, number, pageSize, entries.total(), entries.entries(),
                entries.hasNext() ? pageLink(id, entryKind, number + 1, pageSize) : null);
    }

    /**
     * Page {@code page} of {@code size} facts of one kind: the chart's entries with repeats of one fact folded into one,
     * each with all its sources (docs/patient-identity.md), as the portal's chart shows them.
     */
    @GET
    @Path("/{id}/facts")
    public FactPage facts(@PathParam("id") long id, @QueryParam("kind") String kind, @QueryParam("page") String page,
            @QueryParam("size") String size) {
        EntryKind entryKind = kindOf(kind);
        int number = number("page", page, 1, Integer.MAX_VALUE / MAX_PAGE_SIZE);
        int pageSize = number("size", size, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
        ChartService.Chart outline = charts.outline(id, java.util.EnumSet.of(entryKind)).orElseThrow(NotFoundException::new);
        PatientChart chart = new PatientChart(outline, outlined -> charts.complete(id, outlined));
        List<PatientChart.Fact> all = chart.facts(entryKind);
        List<PatientChart.Fact> shown = all.subList(Math.min(all.size(), (number - 1) * pageSize), Math.min(all.size(), number * pageSize));
        chart.complete(shown, false);
        audit.record(AuditAction.VIEW_CHART, "patient", Long.toString(id), outline.patientIds(), "facts " + entryKind + " page " + number);
        List<FactView> facts = shown.stream().map(chart::whole).map(f -> new FactView(f.id(), f.kind(), f.latest(),
                f.occurrences().stream().map(ChartService.EntryView::id).toList(), chart.sources(f))).toList();
        boolean more = (long) number * pageSize < all.size();
        return new FactPage(id, entryKind, number, pageSize, all.size(), facts,
                more ? "/api/patients/" + id + "/facts?kind=" + entryKind + "&page=" + (number + 1)
                        + (pageSize == DEFAULT_PAGE_SIZE ? "" : "&size=" + pageSize) : null);
    }

    private static String pageLink(long id, EntryKind kind, int page, int size) {
        return "/api/patients/" + id + "/entries?kind=" + kind + "&page=" + page + (size == DEFAULT_PAGE_SIZE ? "" : "&size=" + size);
    }

    private static EntryKind kindOf(String kind) {
        if (kind == null || kind.isBlank()) {
            throw new Problems.ProblemException(400, "missing-kind", "Give kind, one of " + java.util.Arrays.toString(EntryKind.values()));
        }
        try {
            return EntryKind.valueOf(kind.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException unknown) {
            throw new Problems.ProblemException(400, "invalid-kind", "kind must be one of " + java.util.Arrays.toString(EntryKind.values()));
        }
    }

    /** A whole number from 1 to {@code max}, or {@code otherwise} when not given. */
    private static int number(String name, String value, int otherwise, int max) {
        if (value == null || value.isBlank()) {
            return otherwise;
        }
        try {
            int number = Integer.parseInt(value.trim());
            if (number >= 1 && number <= max) {
                return number;
            }
        } catch (NumberFormatException notANumber) {
            // answered below
        }
        throw new Problems.ProblemException(400, "invalid-" + name, name + " must be a whole number from 1 to " + max);
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }
}
