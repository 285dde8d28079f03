package org.ehrarchive.portal;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.ehrarchive.chart.ClinicalDates;
import org.ehrarchive.chart.EntryFacts;
import org.ehrarchive.chart.PatientChart;
import org.ehrarchive.chart.PatientChart.Fact;
import org.ehrarchive.chart.TrendSvg;
import org.ehrarchive.chart.Trends;
import org.ehrarchive.record.ChartService;
import org.ehrarchive.record.ChartService.EntryView;
import org.ehrarchive.record.ChartService.SourcedDemographics;
import org.ehrarchive.record.ChartService.SourcedIdentifier;
import org.ehrarchive.record.EntryKind;

/** The chart's pages as flat text for the templates (which only loop and test), from a {@link PatientChart}. */
final class ChartViews {

    /** The patient banner every patient page starts with; {@code restrictions}, why the chart is restricted, if it is. */
    record Banner(long patientId, String name, String sex, String born, String age, String deceased, List<String> restrictions,
            List<IdentifierView> identifiers, List<String> sources, List<String> linked) {
    }

    /** An identifier with its assigning authority and the source that gave it. */
    record IdentifierView(String value, String authority, String source, Long documentId) {
    }

    /**
     * One fact in a table. {@code flagSymbol} reads without colour ("▲ H"); {@code detail} is what its kind needs
     * beside the value (dose, route, frequency; reaction, severity, criticality); {@code repeats} how many sources
     * or documents said it ({@code occurrences} &gt; 1 links to all of them).
     */
    record FactRow(long id, String name, boolean negated, String value, String flagSymbol, String flagLabel, boolean abnormal, String range,
            String status, String when, String detail, String code, int occurrences, boolean history, Long documentId, String source,
            String trendKey) {
    }

    /**
     * A section of the chart, its first page of facts, and where the rest are; {@code measured} when its facts have
     * values with flags and ranges (results, vital signs), {@code detailed} when they have a dose or reactions.
     */
    record SectionView(String kind, String title, String anchor, List<FactRow> rows, int total, boolean more, boolean measured,
            boolean detailed) {

        SectionView(EntryKind kind, String anchor, List<FactRow> rows, int total, boolean more) {
            this(ChartViews.kindPath(kind), ChartViews.title(kind), anchor, rows, total, more, kind.isMeasured(), ChartViews.detailed(kind));
        }
    }

    static boolean detailed(EntryKind kind) {
        return kind == EntryKind.MEDICATION || kind == EntryKind.IMMUNIZATION || kind == EntryKind.ALLERGY;
    }

    /** The summary at the top of the chart. */
    record Summary(List<FactRow> problems, List<FactRow> medications, List<FactRow> allergies, List<FactRow> results,
            List<FactRow> immunizations, List<FactRow> encounters) {
    }

    /** A test's trend: the plot (SVG markup built by {@link TrendSvg}), its values, and what is not plotted. */
    record TrendView(String key, String name, String code, String unit, String svg, List<FactRow> rows, int count, int abnormal,
            String notPlotted, String latest, String latestFlag) {
    }

    /** An occurrence of a fact, or an earlier version of one, with its source and version. */
    record OccurrenceRow(long id, String when, String value, String status, String detail, Long documentId, String source, int version,
            List<OccurrenceRow> earlier) {
    }

    /** A page of a section's facts: the page's rows and the pages around it. */
    record Page(List<FactRow> rows, int page, int pages, int total, Integer previous, Integer next) {
    }

    static final int SECTION_ROWS = 25;
    static final int PAGE_ROWS = 100;

    private final PatientChart chart;
    private final ClinicalDates dates;

    ChartViews(PatientChart chart, ClinicalDates dates) {
        this.chart = chart;
        this.dates = dates;
    }

    Banner banner(List<String> restrictions, LocalDate today) {
        Optional<SourcedDemographics> withBirth = chart.firstWith(d -> d.birthTime() != null && d.birthTime().iso() != null);
        Optional<SourcedDemographics> withSex = chart.firstWith(d -> d.sex() != null && d.sex().label() != null);
        Optional<SourcedDemographics> withDeath = chart.firstWith(d -> Boolean.TRUE.equals(d.deceased()) || d.deceasedTime() != null);
        String born = withBirth.map(d -> dates.format(d.birthTime())).orElse("");
        String deceased = "";
        String age = "";
        if (withDeath.isPresent()) {
            SourcedDemographics d = withDeath.get();
            Optional<LocalDate> died = ClinicalDates.earliestDay(d.deceasedTime());
            Optional<String> atDeath = withBirth.flatMap(b -> died.flatMap(day -> ClinicalDates.age(b.birthTime(), day)));
            deceased = "Deceased" + (d.deceasedTime() != null ? " " + dates.format(d.deceasedTime()) : "")
                    + atDeath.map(a -> ", aged " + a).orElse("");
        } else {
            age = withBirth.flatMap(d -> ClinicalDates.age(d.birthTime(), today)).map(a -> a + " years").orElse("");
        }
        List<IdentifierView> identifiers = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (SourcedIdentifier identifier : chart.chart().identifiers()) {
            String authority = identifier.assigningAuthority() != null ? identifier.assigningAuthority() : identifier.system();
            if (seen.add(identifier.value() + "|" + authority)) {
                Optional<PatientChart.Source> source = chart.source(identifier.documentId());
                identifiers.add(new IdentifierView(identifier.value(), authority == null ? "" : authority,
                        source.map(PatientChart.Source::format).orElse(""), source.map(PatientChart.Source::documentId).orElse(null)));
            }
        }
        // A chart joined from several sources' records (identity links) says which, so a reader knows it is one person's.
        List<String> linked = new ArrayList<>();
        if (chart.chart().sources().stream().map(ChartService.LinkedSource::patientId).distinct().count() > 1) {
            for (ChartService.LinkedSource source : chart.chart().sources()) {
                linked.add(PatientChart.formatLabel(source.format()) + " from \"" + source.sourceSystem() + "\" (archive patient "
                        + source.patientId() + ", " + source.fileCount() + (source.fileCount() == 1 ? " file)" : " files)"));
            }
        }
        return new Banner(chart.patientId(), chart.name(), withSex.map(d -> sex(d.sex())).orElse(""), born, age, deceased, restrictions,
                identifiers, chart.sourceFormats(), linked);
    }

    /** Sex in words: a display name when the source gave one, else the HL7 administrative gender or FHIR code spelled out. */
    static String sex(org.ehrarchive.record.Coded sex) {
        if (sex.displayName() != null && !sex.displayName().isBlank()) {
            return sex.displayName();
        }
        String code = sex.code() == null ? "" : sex.code();
        return switch (code.toLowerCase(java.util.Locale.ROOT)) {
            case "f", "female" -> "Female";
            case "m", "male" -> "Male";
            case "un", "o", "other" -> "Other";
            case "u", "unk", "unknown" -> "Unknown";
            default -> sex.label();
        };
    }

    Summary summary(LocalDate today) {
        chart.complete(chart.summaryCandidates(), false);
        return new Summary(rows(chart.activeProblems(), PatientChart.SUMMARY_ITEMS), rows(chart.currentMedications(today), PatientChart.SUMMARY_ITEMS),
                rows(chart.allergies(), PatientChart.SUMMARY_ITEMS), rows(chart.recentResults(), PatientChart.SUMMARY_ITEMS),
                rows(chart.immunizations(), PatientChart.SUMMARY_ITEMS), rows(chart.recentEncounters(), PatientChart.SUMMARY_ITEMS));
    }

    /** Makes whole, in one statement, every row the chart page shows: the summary's and each section's first rows. */
    void completeChartPage() {
        List<Fact> shown = new ArrayList<>(chart.summaryCandidates());
        shown.addAll(sectionsFirstRows());
        chart.complete(shown, false);
    }

    private List<Fact> sectionsFirstRows() {
        return chart.allFacts().entrySet().stream().filter(e -> e.getKey() != EntryKind.ENCOUNTER)
                .flatMap(e -> e.getValue().stream().limit(SECTION_ROWS)).toList();
    }

    /** Every kind's section with its first rows; encounters have their own timeline. */
    List<SectionView> sections() {
        List<SectionView> sections = new ArrayList<>();
        chart.complete(sectionsFirstRows(), false);
        chart.allFacts().forEach((kind, facts) -> {
            if (kind != EntryKind.ENCOUNTER) {
                sections.add(new SectionView(kind, "section-" + kindPath(kind), rows(facts, SECTION_ROWS), facts.size(), facts.size() > SECTION_ROWS));
            }
        });
        return sections;
    }

    Page page(EntryKind kind, int page) {
        List<Fact> facts = chart.facts(kind);
        int pages = Math.max(1, (facts.size() + PAGE_ROWS - 1) / PAGE_ROWS);
        int shown = Math.min(Math.max(page, 1), pages);
        List<Fact> slice = facts.subList(Math.min((shown - 1) * PAGE_ROWS, facts.size()), Math.min(shown * PAGE_ROWS, facts.size()));
        chart.complete(slice, false);
        return new Page(rows(slice, slice.size()), shown, pages, facts.size(), shown > 1 ? shown - 1 : null, shown < pages ? shown + 1 : null);
    }

    /** The first {@code limit} facts as rows, made whole first (one statement, none when they already are). */
    List<FactRow> rows(List<Fact> facts, int limit) {
        List<Fact> shown = facts.stream().limit(limit).toList();
        chart.complete(shown, false);
        return shown.stream().map(this::row).toList();
    }

    /** A fact as a row; {@link PatientChart#complete} it first. */
    FactRow row(Fact outlined) {
        Fact fact = chart.whole(outlined);
        EntryView e = fact.latest();
        EntryFacts.Flag flag = e.kind().isMeasured() ? EntryFacts.flag(e) : null;
        String name = e.display() == null ? "(no name)" : e.kind() == EntryKind.ENCOUNTER ? encounterName(e) : e.display();
        String value = EntryFacts.valueText(e);
        Optional<PatientChart.Source> source = chart.source(e.documentId());
        String when = when(e);
        return new FactRow(fact.id(), name, e.negated(), value.equals(name) ? "" : value, flag == null ? "" : flag.symbol(),
                flag == null ? "" : flag.label() + (flag.computed() ? " (from the range)" : ""), flag != null && flag.abnormal(),
                flag == null ? "" : EntryFacts.range(e), status(e), when, detail(e), PortalViews.code(e.code()),
                fact.occurrences().size(), fact.hasHistory(), source.map(PatientChart.Source::documentId).orElse(null),
                source.map(PatientChart.Source::label).orElse(""),
                e.kind().isMeasured() ? Trends.testKey(e) : null);
    }

    /** When an entry happened, for people. A visit or a result with only a start happened then; "since" is for what goes on (a problem, a medication). */
    String when(EntryView e) {
        return !e.kind().holdsOverTime() && e.effective() != null && e.effective().value() == null && e.effective().low() != null
                && e.effective().high() == null ? dates.format(e.effective().low()) : dates.format(e.effective());
    }

    /** Every occurrence of the fact with its earlier versions, read whole in one statement. */
    List<OccurrenceRow> occurrences(Fact fact) {
        chart.complete(List.of(fact), true);
        return chart.wholeOccurrences(fact).stream().map(o -> occurrence(o, o.earlierVersions().stream().map(v -> occurrence(v, List.of())).toList())).toList();
    }

    private OccurrenceRow occurrence(EntryView e, List<OccurrenceRow> earlier) {
        Optional<PatientChart.Source> source = chart.source(e.documentId());
        EntryFacts.Flag flag = EntryFacts.flag(e);
        String value = EntryFacts.valueText(e) + (flag.abnormal() ? " " + flag.symbol() : "");
        return new OccurrenceRow(e.id(), dates.format(e.effective()), value, status(e), detail(e), source.map(PatientChart.Source::documentId).orElse(null),
                source.map(PatientChart.Source::label).orElse("(source not shown)"), e.version(), earlier);
    }

    /** Every test's trend, plotted, without the tables (the outline has what a plot needs). */
    List<TrendView> trends() {
        return Trends.of(chart).stream().map(t -> trend(t, false)).toList();
    }

    /**
     * A test's trend, and with {@code withRows} its table, newest first, read whole in one statement, and a title on
     * each point of the plot (the one trend's page; a grid of plots links there).
     */
    TrendView trend(Trends.Trend trend, boolean withRows) {
        List<FactRow> rows = new ArrayList<>();
        if (withRows) {
            List<Fact> newestFirst = new ArrayList<>();
            for (int i = trend.all().size() - 1; i >= 0; i--) {
                newestFirst.add(trend.all().get(i).fact());
            }
            rows = rows(newestFirst, newestFirst.size());
        }
        Map<String, Integer> otherUnits = new LinkedHashMap<>();
        for (Trends.Point point : trend.others()) {
            String why = point.day() == null ? "no date" : point.number() == null ? "not a number" : point.unit().isEmpty() ? "no unit" : point.unit();
            otherUnits.merge(why, 1, Integer::sum);
        }
        String notPlotted = otherUnits.isEmpty() ? ""
                : "Not plotted (shown in the table, never converted): " + otherUnits.entrySet().stream().map(e -> e.getValue() + " in " + e.getKey())
                        .collect(Collectors.joining(", ")) + ".";
        Trends.Point latest = trend.latest();
        return new TrendView(trend.key(), trend.name(), trend.code(), trend.unit() == null ? "" : trend.unit(),
                TrendSvg.render(trend, dates, "trend-title-" + trend.key(), withRows), rows, trend.all().size(), trend.abnormalCount(), notPlotted,
                EntryFacts.valueText(latest.entry()) + (latest.day() == null ? "" : " on " + dates.format(latest.entry().effective())),
                latest.flag().abnormal() ? latest.flag().symbol() + " " + latest.flag().label() : "");
    }

    /** An encounter's name: its display name, or its HL7 ActEncounterCode spelled out when the source gave only the code. */
    static String encounterName(EntryView e) {
        String code = e.code() == null || e.code().code() == null ? "" : e.code().code();
        if (e.display() != null && !e.display().equals(code)) {
            return e.display();
        }
        return switch (code) {
            case "AMB" -> "Ambulatory visit";
            case "EMER" -> "Emergency visit";
            case "IMP" -> "Inpatient stay";
            case "ACUTE" -> "Inpatient acute stay";
            case "NONAC" -> "Inpatient non-acute stay";
            case "OBSENC" -> "Observation encounter";
            case "PRENC" -> "Pre-admission";
            case "SS" -> "Short stay";
            case "VR" -> "Virtual visit";
            case "HH" -> "Home health visit";
            case "FLD" -> "Field visit";
            default -> e.display() == null ? "(encounter)" : e.display();
        };
    }

    /** The status a clinician needs: active or resolved for problems, allergies and medications; the source's otherwise. */
    private static String status(EntryView e) {
        return switch (e.kind()) {
            case PROBLEM, ALLERGY, MEDICATION, HEALTH_CONCERN -> {
                EntryFacts.Activity activity = EntryFacts.activity(e);
                yield activity == EntryFacts.Activity.UNKNOWN ? (e.status() == null ? "" : e.status()) : activity.label;
            }
            default -> e.status() == null ? "" : e.status();
        };
    }

    private static String detail(EntryView e) {
        return switch (e.kind()) {
            case MEDICATION, IMMUNIZATION -> EntryFacts.dosage(e);
            case ALLERGY -> String.join(" · ", nonBlank(EntryFacts.reactions(e), labelled("severity", EntryFacts.severity(e)),
                    labelled("criticality", EntryFacts.criticality(e))));
            default -> "";
        };
    }

    private static String labelled(String label, String value) {
        return value == null || value.isBlank() ? "" : label + " " + value;
    }

    private static List<String> nonBlank(String... values) {
        List<String> kept = new ArrayList<>();
        for (String value : values) {
            if (value != null && !value.isBlank()) {
                kept.add(value);
            }
        }
        return kept;
    }

    static String kindPath(EntryKind kind) {
        return kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    static Optional<EntryKind> kindOf(String path) {
        for (EntryKind kind : EntryKind.values()) {
            if (kindPath(kind).equals(path)) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }

    static String title(EntryKind kind) {
        return switch (kind) {
            case RESULT -> "Results";
            case VITAL_SIGN -> "Vital signs";
            case PROBLEM -> "Problems";
            case MEDICATION -> "Medications";
            case ALLERGY -> "Allergies and intolerances";
            case IMMUNIZATION -> "Immunizations";
            case PROCEDURE -> "Procedures";
            case ENCOUNTER -> "Encounters";
            case NOTE -> "Notes";
            case CHARGE -> "Charges and payments";
            default -> PortalViews.title(kind);
        };
    }
}
