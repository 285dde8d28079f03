package org.ehrarchive.portal;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.ehrarchive.api.AuditedReads;
import org.ehrarchive.audit.AuditAction;
import org.ehrarchive.chart.ClinicalDates;
import org.ehrarchive.chart.PatientChart;
import org.ehrarchive.chart.Trends;
import org.ehrarchive.record.ChartService;
import org.ehrarchive.record.EntryKind;
import org.ehrarchive.restriction.Restrictions;
import org.ehrarchive.security.Roles;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/**
 * A patient's chart for clinicians: the banner, the summary (active problems, current medications, allergies,
 * recent results, immunizations, encounters), then each kind of entry with repeats folded; one fact with every
 * occurrence and version; trends by test; the encounter timeline and each visit; print views. Every page is a read
 * of patient data and is audited (printing as {@code PRINT}).
 */
@Path("/patients/{id}")
@RolesAllowed({ Roles.CLINICIAN, Roles.COMPLIANCE })
public class ChartPage {

    private final ChartService charts;
    private final Restrictions restrictions;
    private final ClinicalDates dates;
    private final AuditedReads audit;
    private final PortalContext portal;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance chart(PortalContext.Nav nav, ChartViews.Banner banner, ChartViews.Summary summary,
                List<ChartViews.TrendView> trends, List<ChartViews.SectionView> sections, List<PortalViews.SourceDemographics> sources,
                List<PortalViews.DocumentRow> documents, RestrictionsPage.Panel flags);

        static native TemplateInstance section(PortalContext.Nav nav, ChartViews.Banner banner, String title, String kind, ChartViews.Page page,
                boolean measured, boolean detailed);

        static native TemplateInstance fact(PortalContext.Nav nav, ChartViews.Banner banner, String kindTitle, ChartViews.FactRow fact,
                List<ChartViews.OccurrenceRow> occurrences);

        static native TemplateInstance trends(PortalContext.Nav nav, ChartViews.Banner banner, List<ChartViews.TrendView> trends);

        static native TemplateInstance trend(PortalContext.Nav nav, ChartViews.Banner banner, ChartViews.TrendView trend, boolean print,
                String printed);

        static native TemplateInstance encounters(PortalContext.Nav nav, ChartViews.Banner banner, List<EncounterYear> years, int total,
                int shown, List<String> types, List<String> sources, String type, String source, String from, String to, List<String> problems);

        static native TemplateInstance encounter(PortalContext.Nav nav, ChartViews.Banner banner, ChartViews.FactRow encounter,
                List<ChartViews.SectionView> sections, List<PortalViews.DocumentRow> documents);

        static native TemplateInstance print(ChartViews.Banner banner, ChartViews.Summary summary, String printed);
    }

    /** The kinds trends are drawn from. */
    private static final Set<EntryKind> MEASURED = EntryKind.measured();

    /** An encounter on the timeline. */
    record EncounterRow(long id, String when, String name, String type, String source, Long documentId, int items) {
    }

    /** The encounters of one year, newest first. */
    record EncounterYear(String year, List<EncounterRow> encounters) {
    }

    public ChartPage(ChartService charts, Restrictions restrictions, ClinicalDates dates, AuditedReads audit, PortalContext portal) {
        this.charts = charts;
        this.restrictions = restrictions;
        this.dates = dates;
        this.audit = audit;
        this.portal = portal;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance chart(@PathParam("id") long id) {
        PatientChart chart = load(id, AuditAction.VIEW_CHART, null);
        ChartViews views = new ChartViews(chart, dates);
        views.completeChartPage();
        // The six tests measured most often, drawn; every test is on the trends page.
        List<ChartViews.TrendView> trends = Trends.mostMeasured(chart, 6).stream().map(t -> views.trend(t, false)).toList();
        return Templates.chart(portal.nav(), banner(chart, views), views.summary(LocalDate.now()), trends, views.sections(),
                chart.demographicsNewestFirst().stream().map(d -> PortalViews.demographics(d, dates)).toList(), documents(chart.chart().documents()),
                RestrictionsPage.ofChart(portal, restrictions, dates, id, chart.chart().patientIds()));
    }

    @GET
    @Path("sections/{kind}")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance section(@PathParam("id") long id, @PathParam("kind") String kindPath, @QueryParam("page") String page) {
        EntryKind kind = ChartViews.kindOf(kindPath).orElseThrow(NotFoundException::new);
        int number = positive(page);
        PatientChart chart = load(id, AuditAction.VIEW_CHART, "section " + kindPath + " page " + number, EnumSet.of(kind));
        ChartViews views = new ChartViews(chart, dates);
        return Templates.section(portal.nav(), banner(chart, views), ChartViews.title(kind), kindPath, views.page(kind, number),
                kind.isMeasured(), ChartViews.detailed(kind));
    }

    @GET
    @Path("facts/{entryId}")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance fact(@PathParam("id") long id, @PathParam("entryId") long entryId) {
        EntryKind kind = charts.kindOf(id, entryId).orElseThrow(NotFoundException::new);
        PatientChart chart = load(id, AuditAction.VIEW_CHART, "fact " + entryId, EnumSet.of(kind));
        PatientChart.Fact fact = chart.fact(entryId).orElseThrow(NotFoundException::new);
        chart.complete(List.of(fact), true);
        ChartViews views = new ChartViews(chart, dates);
        return Templates.fact(portal.nav(), banner(chart, views), ChartViews.title(fact.kind()), views.row(fact), views.occurrences(fact));
    }

    @GET
    @Path("trends")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance trends(@PathParam("id") long id) {
        PatientChart chart = load(id, AuditAction.VIEW_CHART, "trends", MEASURED);
        ChartViews views = new ChartViews(chart, dates);
        return Templates.trends(portal.nav(), banner(chart, views), views.trends());
    }

    @GET
    @Path("trends/{key}")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance trend(@PathParam("id") long id, @PathParam("key") String key) {
        return trendPage(id, key, false);
    }

    @GET
    @Path("trends/{key}/print")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance printTrend(@PathParam("id") long id, @PathParam("key") String key) {
        return trendPage(id, key, true);
    }

    private TemplateInstance trendPage(long id, String key, boolean print) {
        PatientChart chart = load(id, print ? AuditAction.PRINT : AuditAction.VIEW_CHART, (print ? "print " : "") + "trend " + key, MEASURED);
        Trends.Trend trend = Trends.of(chart, key).orElseThrow(NotFoundException::new);
        ChartViews views = new ChartViews(chart, dates);
        return Templates.trend(portal.nav(), banner(chart, views), views.trend(trend, true), print, printed());
    }

    @GET
    @Path("encounters")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance encounters(@PathParam("id") long id, @QueryParam("type") String type, @QueryParam("source") String source,
            @QueryParam("from") String from, @QueryParam("to") String to) {
        List<String> problems = new ArrayList<>();
        Optional<LocalDate> fromDay = day(from, "From", problems);
        Optional<LocalDate> toDay = day(to, "To", problems);
        PatientChart chart = load(id, AuditAction.VIEW_CHART, "encounters");
        ChartViews views = new ChartViews(chart, dates);
        TreeSet<String> types = new TreeSet<>();
        TreeSet<String> sources = new TreeSet<>();
        Map<String, List<EncounterRow>> byYear = new LinkedHashMap<>();
        List<PatientChart.Fact> newestFirst = chart.recentEncountersAll();
        int shown = 0;
        // The timeline shows what the outline has (name, time, source), so no encounter is read whole here.
        for (PatientChart.Fact encounter : newestFirst) {
            ChartService.EntryView e = encounter.latest();
            String encounterType = ChartViews.encounterName(e);
            Optional<PatientChart.Source> origin = chart.source(e.documentId());
            String format = origin.map(PatientChart.Source::format).orElse("");
            types.add(encounterType);
            if (!format.isEmpty()) {
                sources.add(format);
            }
            Optional<LocalDate> day = encounter.latest().effective() == null ? Optional.empty()
                    : ClinicalDates.earliestDay(encounter.latest().effective().sortKey());
            if ((blank(type) || type.equals(encounterType)) && (blank(source) || source.equals(format))
                    && fromDay.map(f -> day.isPresent() && !day.get().isBefore(f)).orElse(true)
                    && toDay.map(t -> day.isPresent() && !day.get().isAfter(t)).orElse(true)) {
                shown++;
                String year = day.map(d -> Integer.toString(d.getYear())).orElse("Date not given");
                byYear.computeIfAbsent(year, y -> new ArrayList<>()).add(new EncounterRow(encounter.id(), views.when(e), encounterType,
                        PortalViews.code(e.code()), origin.map(PatientChart.Source::label).orElse(""),
                        origin.map(PatientChart.Source::documentId).orElse(null), chart.visit(encounter).facts().size()));
            }
        }
        List<EncounterYear> years = byYear.entrySet().stream().map(e -> new EncounterYear(e.getKey(), e.getValue())).toList();
        return Templates.encounters(portal.nav(), banner(chart, views), years, newestFirst.size(), shown, List.copyOf(types), List.copyOf(sources),
                nullToEmpty(type), nullToEmpty(source), nullToEmpty(from), nullToEmpty(to), problems);
    }

    @GET
    @Path("encounters/{entryId}")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance encounter(@PathParam("id") long id, @PathParam("entryId") long entryId) {
        PatientChart chart = load(id, AuditAction.VIEW_CHART, "encounter " + entryId);
        PatientChart.Fact encounter = chart.fact(entryId).filter(f -> f.kind() == EntryKind.ENCOUNTER).orElseThrow(NotFoundException::new);
        ChartViews views = new ChartViews(chart, dates);
        PatientChart.Visit visit = chart.visit(encounter);
        List<PatientChart.Fact> shown = new ArrayList<>(visit.facts());
        shown.add(encounter);
        chart.complete(shown, false);
        Map<EntryKind, List<PatientChart.Fact>> byKind = new LinkedHashMap<>();
        visit.facts().forEach(f -> byKind.computeIfAbsent(f.kind(), k -> new ArrayList<>()).add(f));
        List<ChartViews.SectionView> sections = byKind.entrySet().stream()
                .map(e -> new ChartViews.SectionView(e.getKey(), "visit-" + ChartViews.kindPath(e.getKey()), views.rows(e.getValue(), e.getValue().size()),
                        e.getValue().size(), false))
                .toList();
        return Templates.encounter(portal.nav(), banner(chart, views), views.row(encounter), sections, documents(visit.documents()));
    }

    @GET
    @Path("print")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance print(@PathParam("id") long id) {
        PatientChart chart = load(id, AuditAction.PRINT, "print summary", PatientChart.SUMMARY_KINDS);
        ChartViews views = new ChartViews(chart, dates);
        return Templates.print(banner(chart, views), views.summary(LocalDate.now()), printed());
    }

    /** The chart's outline, audited; each page completes what it shows (a fixed few statements, whatever the size). */
    private PatientChart load(long id, AuditAction action, String detail) {
        return load(id, action, detail, EnumSet.allOf(EntryKind.class));
    }

    /** The outline of the kinds a page is about only: a section's, a fact's, the trends' (results and vital signs). */
    private PatientChart load(long id, AuditAction action, String detail, Set<EntryKind> kinds) {
        ChartService.Chart outline = charts.outline(id, kinds).orElseThrow(NotFoundException::new);
        audit.record(action, "patient", Long.toString(id), outline.patientIds(), detail);
        return new PatientChart(outline, outlined -> charts.complete(id, outlined));
    }

    private ChartViews.Banner banner(PatientChart chart, ChartViews views) {
        // the reasons the restriction gate looked up for this read (AuditedReads keeps them for the request)
        return views.banner(audit.restrictionsOf("patient", Long.toString(chart.patientId()), chart.chart().patientIds()).stream()
                .map(Restrictions.Reason::says).toList(), LocalDate.now());
    }

    private List<PortalViews.DocumentRow> documents(List<ChartService.DocumentSummary> documents) {
        return documents.stream().map(d -> new PortalViews.DocumentRow(d.id(), d.title() == null ? "(untitled)" : d.title(),
                PatientChart.formatLabel(d.format()) + (d.type() == null || d.type().label() == null ? "" : " · " + d.type().label()),
                dates.shown(d.effectiveTime()), d.superseded() ? "replaced by a later version" : "")).toList();
    }

    private String printed() {
        return "Printed by " + portal.nav().user() + " on " + dates.format(new org.ehrarchive.record.TimeValue(null,
                java.time.OffsetDateTime.now().withNano(0).withSecond(0).toString(), "MINUTE", null, null))
                + ". This printing is recorded in the access audit.";
    }

    private static int positive(String page) {
        if (blank(page)) {
            return 1;
        }
        try {
            int number = Integer.parseInt(page.trim());
            if (number >= 1) {
                return number;
            }
        } catch (NumberFormatException notANumber) {
            // answered below
        }
        throw new jakarta.ws.rs.BadRequestException("page must be a whole number from 1");
    }

    private static Optional<LocalDate> day(String value, String label, List<String> problems) {
        if (blank(value)) {
            return Optional.empty();
        }
        try {
            return Optional.of(LocalDate.parse(value.trim()));
        } catch (DateTimeParseException unreadable) {
            problems.add(label + " date \"" + value + "\" is not a date (YYYY-MM-DD); it was not applied.");
            return Optional.empty();
        }
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }
}
