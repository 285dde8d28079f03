package org.ehrarchive.chart;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.ehrarchive.record.ChartService.Chart;
import org.ehrarchive.record.ChartService.DocumentSummary;
import org.ehrarchive.record.ChartService.EntryView;
import org.ehrarchive.record.ChartService.SourcedDemographics;
import org.ehrarchive.record.Coded;
import org.ehrarchive.record.EntryKind;
import org.ehrarchive.record.PersonName;
import org.ehrarchive.record.SortKeys;

/**
 * A chart as a clinician reads it, built from the archive's chart of record: the patient banner, the summary
 * (active problems, current medications, allergies, recent results, immunizations, recent encounters), each kind of
 * entry with repeats of one fact folded into one {@link Fact}, and the sources.
 * <p>
 * It is built from the chart's outline ({@code ChartService.outline}: every entry, without the details, text and
 * provenance that are most of a heavy chart's weight), which is enough to fold, order, group, date and plot. What a
 * page shows as rows it first makes whole with {@link #complete}, one statement for a batch of facts, so a page costs
 * the outline's fixed statements and one or two more, whatever the chart's size.
 */
public final class PatientChart {

    /** How many items the summary shows per part, and how many results (latest per test) and encounters. */
    public static final int SUMMARY_ITEMS = 10;
    /** The kinds the summary is made of. */
    public static final Set<EntryKind> SUMMARY_KINDS = java.util.EnumSet.of(EntryKind.PROBLEM, EntryKind.MEDICATION, EntryKind.ALLERGY,
            EntryKind.RESULT, EntryKind.IMMUNIZATION, EntryKind.ENCOUNTER);

    private final Chart chart;
    private final Completer completer;
    private final Map<Long, DocumentSummary> documents = new LinkedHashMap<>();
    private final Map<EntryKind, List<Fact>> facts = new LinkedHashMap<>();
    /** Entries made whole so far, by id. */
    private final Map<Long, EntryView> whole = new java.util.HashMap<>();
    /** Each result's test, by fact id: the summary, the trends and their rows ask for the same ones again and again. */
    private final Map<Long, String> testKeys = new java.util.HashMap<>();

    /** Makes outlined entries whole, by id: {@code ChartService.complete} for the chart's patient. */
    @FunctionalInterface
    public interface Completer {
        Map<Long, EntryView> complete(java.util.Collection<EntryView> outlined);
    }

    /** A document's label for people: format and title ("C-CDA: Continuity of Care Document"). */
    public record Source(long documentId, String label, String format) {
    }

    /**
     * One fact, however often the sources repeat it: its latest occurrence, and every occurrence (newest first) with
     * its own source. {@code id} is the latest occurrence's entry id, which names the fact in URLs.
     */
    public record Fact(long id, EntryKind kind, EntryView latest, List<EntryView> occurrences) {

        public boolean hasHistory() {
            return occurrences.stream().anyMatch(o -> o.earlierVersions() != null && !o.earlierVersions().isEmpty());
        }
    }

    /** A chart read whole ({@code ChartService.chart}): every entry is already whole. */
    public PatientChart(Chart chart) {
        this(chart, outlined -> outlined.stream().collect(Collectors.toMap(EntryView::id, e -> e, (a, b) -> a)));
    }

    /** A chart from its outline; {@code completer} reads whole what a page shows. */
    public PatientChart(Chart outline, Completer completer) {
        this.chart = outline;
        this.completer = completer;
        chart.documents().forEach(d -> documents.put(d.id(), d));
        Map<EntryKind, List<EntryView>> all = new LinkedHashMap<>();
        if (!chart.encounters().isEmpty()) {
            all.put(EntryKind.ENCOUNTER, chart.encounters());
        }
        all.putAll(chart.entries());
        all.forEach((kind, entries) -> facts.put(kind, fold(kind, entries)));
    }

    public Chart chart() {
        return chart;
    }

    public long patientId() {
        return chart.patientId();
    }

    /** The facts of one kind, newest first (encounters oldest first, as the chart of record orders them). */
    public List<Fact> facts(EntryKind kind) {
        return facts.getOrDefault(kind, List.of());
    }

    public Map<EntryKind, List<Fact>> allFacts() {
        return facts;
    }

    /**
     * Reads whole, in one statement, the latest occurrence of each of these facts not read yet, and with
     * {@code withOccurrences} every occurrence (and its earlier versions). No statement when all are.
     */
    public void complete(java.util.Collection<Fact> toComplete, boolean withOccurrences) {
        List<EntryView> missing = new ArrayList<>();
        for (Fact fact : toComplete) {
            if (!whole.containsKey(fact.latest().id())) {
                missing.add(fact.latest());
            }
            if (withOccurrences) {
                fact.occurrences().stream().filter(o -> !whole.containsKey(o.id()) && o != fact.latest()).forEach(missing::add);
            }
        }
        if (!missing.isEmpty()) {
            whole.putAll(completer.complete(missing));
        }
    }

    /**
     * The fact with its latest occurrence whole, and those of its occurrences that were completed; the outline's
     * views stand for the rest, which a row reads only to count them and their sources.
     *
     * @throws IllegalStateException when the fact was not completed: a page must {@link #complete} what it shows
     */
    public Fact whole(Fact fact) {
        EntryView latest = whole.get(fact.latest().id());
        if (latest == null) {
            throw new IllegalStateException("fact " + fact.id() + " is shown but was not completed");
        }
        return new Fact(fact.id(), fact.kind(), latest, fact.occurrences().stream().map(o -> whole.getOrDefault(o.id(), o)).toList());
    }

    /**
     * Every occurrence of the fact whole, newest first.
     *
     * @throws IllegalStateException when they were not completed with {@code withOccurrences}
     */
    public List<EntryView> wholeOccurrences(Fact fact) {
        return fact.occurrences().stream().map(o -> {
            EntryView read = whole.get(o.id());
            if (read == null) {
                throw new IllegalStateException("an occurrence of fact " + fact.id() + " is shown but was not completed");
            }
            return read;
        }).toList();
    }

    /** The fact an entry id names: the fact whose occurrences (or their earlier versions) include that entry. */
    public Optional<Fact> fact(long entryId) {
        for (List<Fact> ofKind : facts.values()) {
            for (Fact fact : ofKind) {
                for (EntryView occurrence : fact.occurrences()) {
                    if (occurrence.id() == entryId || occurrence.earlierVersions().stream().anyMatch(e -> e.id() == entryId)) {
                        return Optional.of(fact);
                    }
                }
            }
        }
        return Optional.empty();
    }

    public Optional<Source> source(Long documentId) {
        if (documentId == null || !documents.containsKey(documentId)) {
            return Optional.empty();
        }
        DocumentSummary d = documents.get(documentId);
        return Optional.of(new Source(d.id(), formatLabel(d.format()) + ": " + (d.title() == null ? "document " + d.id() : d.title()),
                formatLabel(d.format())));
    }

    /** The formats the chart is built from, each with how many documents or messages gave it ("C-CDA (3)"). */
    public List<String> sourceFormats() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (DocumentSummary d : chart.documents()) {
            counts.merge(formatLabel(d.format()), 1, Integer::sum);
        }
        return counts.entrySet().stream().map(e -> e.getKey() + " (" + e.getValue() + ")").toList();
    }

    /** The name to head the chart with: the most recent source's first name that says something. */
    public String name() {
        for (SourcedDemographics d : demographicsNewestFirst()) {
            if (d.names() != null) {
                for (PersonName name : d.names()) {
                    String shown = name.display();
                    if (shown != null && !shown.isBlank()) {
                        return shown;
                    }
                }
            }
        }
        return "Patient " + chart.patientId();
    }

    /** The sources' descriptions of the patient, the newest document's first (unknown documents last). */
    public List<SourcedDemographics> demographicsNewestFirst() {
        List<Long> order = new ArrayList<>(documents.keySet()); // ChartService lists documents newest first
        return chart.demographics().stream()
                .sorted(Comparator.comparingInt(d -> order.contains(d.documentId()) ? order.indexOf(d.documentId()) : Integer.MAX_VALUE))
                .toList();
    }

    public Optional<SourcedDemographics> firstWith(java.util.function.Predicate<SourcedDemographics> has) {
        return demographicsNewestFirst().stream().filter(has).findFirst();
    }

    /** Whether any source says the patient died. */
    public boolean deceased() {
        return chart.demographics().stream().anyMatch(d -> Boolean.TRUE.equals(d.deceased()) || d.deceasedTime() != null);
    }

    /** Active problems, newest first: decided from the concern and status observation, not the act's status. */
    public List<Fact> activeProblems() {
        return wholeOf(EntryKind.PROBLEM).stream()
                .filter(f -> !f.latest().negated() && EntryFacts.activity(f.latest()) == EntryFacts.Activity.ACTIVE).toList();
    }

    /** Medications that are current: active by their status, or with no end date in the past and no status saying otherwise. */
    public List<Fact> currentMedications(LocalDate today) {
        return wholeOf(EntryKind.MEDICATION).stream().filter(f -> !f.latest().negated() && current(f.latest(), today)).toList();
    }

    /** Allergies that are not resolved or refuted. */
    public List<Fact> allergies() {
        return wholeOf(EntryKind.ALLERGY).stream().filter(f -> {
            EntryFacts.Activity activity = EntryFacts.activity(f.latest());
            return activity == EntryFacts.Activity.ACTIVE || activity == EntryFacts.Activity.UNKNOWN;
        }).toList();
    }

    /** The facts of a kind, whole: their status and details decide what the summary keeps. */
    private List<Fact> wholeOf(EntryKind kind) {
        complete(facts(kind), false);
        return facts(kind).stream().map(this::whole).toList();
    }

    /** The facts the summary's parts choose from, to {@link #complete} in one statement before asking for them. */
    public List<Fact> summaryCandidates() {
        List<Fact> candidates = new ArrayList<>();
        candidates.addAll(facts(EntryKind.PROBLEM));
        candidates.addAll(facts(EntryKind.MEDICATION));
        candidates.addAll(facts(EntryKind.ALLERGY));
        candidates.addAll(recentResults());
        candidates.addAll(immunizations());
        candidates.addAll(recentEncounters());
        return candidates;
    }

    /** The test a measured fact measures ({@link Trends#testKey}). */
    public String testKey(Fact fact) {
        return testKeys.computeIfAbsent(fact.id(), id -> Trends.testKey(fact.latest()));
    }

    /** The latest result of each test, newest first. */
    public List<Fact> recentResults() {
        Map<String, Fact> latestPerTest = new LinkedHashMap<>();
        for (Fact fact : facts(EntryKind.RESULT)) {
            latestPerTest.putIfAbsent(testKey(fact), fact);
        }
        return latestPerTest.values().stream().limit(SUMMARY_ITEMS).toList();
    }

    public List<Fact> immunizations() {
        return facts(EntryKind.IMMUNIZATION).stream().limit(SUMMARY_ITEMS).toList();
    }

    /** The most recent encounters, newest first. */
    public List<Fact> recentEncounters() {
        return recentEncountersAll().stream().limit(SUMMARY_ITEMS).toList();
    }

    /** Every encounter, newest first. */
    public List<Fact> recentEncountersAll() {
        List<Fact> newestFirst = new ArrayList<>(facts(EntryKind.ENCOUNTER));
        java.util.Collections.reverse(newestFirst);
        return newestFirst;
    }

    /** What an encounter's page shows: the facts and documents of the same visit. */
    public record Visit(Fact encounter, List<Fact> facts, List<DocumentSummary> documents) {
    }

    /**
     * The facts and documents of an encounter's visit: those of the same source document when the document is about
     * this one encounter (a visit note, an HL7 v2 message), and those dated within the encounter's days.
     */
    public Visit visit(Fact encounter) {
        EntryView e = encounter.latest();
        Optional<LocalDate> start = e.effective() == null ? Optional.empty() : ClinicalDates.day(e.effective().sortKey());
        Optional<LocalDate> end = e.effective() != null && e.effective().high() != null ? ClinicalDates.day(e.effective().high()) : start;
        long encountersInDocument = e.documentId() == null ? 0
                : facts(EntryKind.ENCOUNTER).stream().filter(f -> e.documentId().equals(f.latest().documentId())).count();
        boolean documentIsTheVisit = e.documentId() != null && encountersInDocument == 1;
        List<Fact> belonging = new ArrayList<>();
        facts.forEach((kind, ofKind) -> {
            if (kind == EntryKind.ENCOUNTER) {
                return;
            }
            for (Fact fact : ofKind) {
                EntryView f = fact.latest();
                boolean sameDocument = documentIsTheVisit && e.documentId().equals(f.documentId());
                boolean sameDays = start.isPresent() && within(f, start.get(), end.orElse(start.get()));
                if (sameDocument || sameDays) {
                    belonging.add(fact);
                }
            }
        });
        List<DocumentSummary> visitDocuments = chart.documents().stream().filter(d -> (documentIsTheVisit && d.id() == e.documentId())
                || (start.isPresent() && ClinicalDates.day(d.effectiveTime()).map(day -> !day.isBefore(start.get())
                        && !day.isAfter(end.orElse(start.get()))).orElse(false))).toList();
        return new Visit(encounter, belonging, visitDocuments);
    }

    private static boolean within(EntryView entry, LocalDate start, LocalDate end) {
        if (entry.effective() == null) {
            return false;
        }
        Optional<LocalDate> day = ClinicalDates.day(entry.effective().sortKey());
        return day.isPresent() && !day.get().isBefore(start) && !day.get().isAfter(end);
    }

    private static boolean current(EntryView medication, LocalDate today) {
        EntryFacts.Activity activity = EntryFacts.activity(medication);
        if (activity == EntryFacts.Activity.RESOLVED || activity == EntryFacts.Activity.INACTIVE) {
            return false;
        }
        if (medication.effective() != null && medication.effective().high() != null) {
            Optional<LocalDate> end = ClinicalDates.day(medication.effective().high());
            if (end.isPresent() && end.get().isBefore(today)) {
                return false;
            }
        }
        return activity == EntryFacts.Activity.ACTIVE;
    }

    /**
     * Folds repeats of one fact. A problem, allergy or medication is the same fact when it names the same concept
     * (code, else name) with the same negation; a dated fact (a result, a vaccination, an encounter) is the same
     * when it also falls on the same day with the same value: a glucose on two days is two facts, the same glucose
     * in two exports of one visit is one.
     */
    private static List<Fact> fold(EntryKind kind, List<EntryView> entries) {
        Map<String, List<EntryView>> byFact = new LinkedHashMap<>();
        for (EntryView entry : entries) {
            byFact.computeIfAbsent(factKey(kind, entry), k -> new ArrayList<>()).add(entry);
        }
        List<Fact> folded = new ArrayList<>();
        for (List<EntryView> occurrences : byFact.values()) {
            List<EntryView> newestFirst = occurrences.size() == 1 ? occurrences : newestFirst(occurrences);
            folded.add(new Fact(newestFirst.get(0).id(), kind, newestFirst.get(0), List.copyOf(newestFirst)));
        }
        return folded;
    }

    /** Occurrences newest first by the UTC sort key (each computed once), then the latest id. */
    private static List<EntryView> newestFirst(List<EntryView> occurrences) {
        Map<Long, String> keys = new java.util.HashMap<>();
        occurrences.forEach(e -> keys.put(e.id(), SortKeys.of(e.effective())));
        return occurrences.stream()
                .sorted(Comparator.comparing((EntryView e) -> keys.get(e.id()), Comparator.nullsLast(Comparator.reverseOrder()))
                        .thenComparing(Comparator.comparingLong(EntryView::id).reversed()))
                .toList();
    }

    static String factKey(EntryKind kind, EntryView entry) {
        String key = (entry.negated() ? "not " : "") + concept(entry);
        if (kind.holdsOverTime()) {
            return key;
        }
        String day = entry.effective() == null || entry.effective().sortKey() == null || entry.effective().sortKey().iso() == null ? ""
                : entry.effective().sortKey().iso().substring(0, Math.min(10, entry.effective().sortKey().iso().length()));
        // The name as folded for comparison: two sources of one fact rarely differ in more than case and spacing.
        return key + "|" + day + "|" + EntryFacts.valueText(entry) + "|" + folded(entry.display());
    }

    /** A concept's identity: its code in its system, else its name folded to lower case. */
    static String concept(EntryView entry) {
        Coded code = entry.code();
        if (code != null && code.code() != null && !code.code().isBlank()) {
            return (code.codeSystem() == null ? "" : CodeSystems.canonical(code.codeSystem())) + "#" + code.code().strip();
        }
        return "name:" + folded(entry.display());
    }

    private static String folded(String name) {
        return name == null ? "" : name.trim().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
    }

    /** The sources a fact's occurrences came from, each once, in the order of the occurrences. */
    public List<Source> sources(Fact fact) {
        Set<Long> seen = new LinkedHashSet<>();
        for (EntryView occurrence : fact.occurrences()) {
            if (occurrence.documentId() != null) {
                seen.add(occurrence.documentId());
            }
        }
        return seen.stream().map(this::source).flatMap(Optional::stream).collect(Collectors.toList());
    }

    public static String formatLabel(String format) {
        return switch (format == null ? "" : format) {
            case "ccda" -> "C-CDA";
            case "hl7v2" -> "HL7 v2";
            case "fhir" -> "FHIR";
            case "csv" -> "Table dump";
            case "" -> "source";
            default -> format;
        };
    }
}
