package org.ehrarchive.chart;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.ehrarchive.chart.PatientChart.Fact;
import org.ehrarchive.record.ChartService.EntryView;
import org.ehrarchive.record.Coded;
import org.ehrarchive.record.EntryKind;
import org.ehrarchive.record.Quantity;

/**
 * Results and vital signs grouped by test: LOINC where the source coded it, else the source's own code, else the
 * name. Each test's values in time order, with their units as given: values are never converted, so a test measured
 * in two units is plotted in the unit most of its values have and the rest are listed (and counted) beside it.
 */
public final class Trends {

    private static final java.util.regex.Pattern LOINC_CODE = java.util.regex.Pattern.compile("[0-9A-Za-z-]{1,20}");
    /** Keys already hashed: a chart asks for the same few tests' keys thousands of times. Bounded, as codes are. */
    private static final Map<String, String> HASHED = new java.util.concurrent.ConcurrentHashMap<>();

    /** One measurement of a test. {@code number} is null for a value that is not a number (it is listed, not plotted). */
    public record Point(long entryId, Fact fact, LocalDate day, EntryView entry, BigDecimal number, String unit, EntryFacts.Flag flag, String range,
            BigDecimal rangeLow, BigDecimal rangeHigh) {
    }

    /**
     * One test's trend. {@code plotted} are the points in {@code unit}; {@code others} the rest (other units, no
     * number, no date), never silently dropped.
     */
    public record Trend(String key, String name, String code, EntryKind kind, String unit, List<Point> plotted, List<Point> others,
            List<Point> all) {

        public int abnormalCount() {
            return (int) all.stream().filter(p -> p.flag().abnormal()).count();
        }

        public Point latest() {
            return all.get(all.size() - 1);
        }
    }

    private Trends() {
    }

    /** Every test with a result or vital sign, the one measured most often first (then by name). */
    public static List<Trend> of(PatientChart chart) {
        List<Trend> trends = new ArrayList<>();
        byTest(chart).forEach((key, facts) -> trends.add(trend(key, facts)));
        trends.sort(ORDER);
        return trends;
    }

    /**
     * The {@code n} tests measured most often that have points to plot, in {@link #of}'s order, building the trends of
     * those tests only (and of any tied with the last), not of every test.
     */
    public static List<Trend> mostMeasured(PatientChart chart, int n) {
        Map<String, List<Fact>> byTest = byTest(chart);
        List<Integer> sizes = byTest.values().stream().map(List::size).sorted(Comparator.reverseOrder()).toList();
        if (sizes.size() > n) {
            // In of()'s order (most values, then name), named without building each trend; built until n can be plotted.
            int fewest = sizes.get(n - 1);
            List<Map.Entry<String, List<Fact>>> candidates = byTest.entrySet().stream().filter(e -> e.getValue().size() >= fewest)
                    .sorted(Comparator.comparingInt((Map.Entry<String, List<Fact>> e) -> -e.getValue().size())
                            .thenComparing(e -> name(latest(e.getValue()))))
                    .toList();
            List<Trend> plotted = new ArrayList<>();
            for (Map.Entry<String, List<Fact>> candidate : candidates) {
                Trend trend = trend(candidate.getKey(), candidate.getValue());
                if (!trend.plotted().isEmpty()) {
                    plotted.add(trend);
                }
                if (plotted.size() == n) {
                    return plotted;
                }
            }
        }
        return of(chart).stream().filter(t -> !t.plotted().isEmpty()).limit(n).toList();
    }

    /** One test's trend, building that one only. */
    public static Optional<Trend> of(PatientChart chart, String key) {
        List<Fact> facts = byTest(chart).get(key);
        return facts == null ? Optional.empty() : Optional.of(trend(key, facts));
    }

    private static final Comparator<Trend> ORDER = Comparator.comparingInt((Trend t) -> -t.all().size()).thenComparing(Trend::name);

    private static Map<String, List<Fact>> byTest(PatientChart chart) {
        Map<String, List<Fact>> byTest = new LinkedHashMap<>();
        for (EntryKind kind : EntryKind.measured()) {
            for (Fact fact : chart.facts(kind)) {
                byTest.computeIfAbsent(chart.testKey(fact), k -> new ArrayList<>()).add(fact);
            }
        }
        return byTest;
    }

    /** The test a result measures, as a URL-safe key: "loinc-718-7", "code-&lt;hex&gt;" or "name-&lt;hex&gt;". */
    public static String testKey(EntryView entry) {
        Coded code = loinc(entry.code());
        if (code != null && LOINC_CODE.matcher(code.code()).matches()) {
            return "loinc-" + code.code();
        }
        if (entry.code() != null && entry.code().code() != null && !entry.code().code().isBlank()) {
            return "code-" + hex(entry.code().codeSystem() + "#" + entry.code().code());
        }
        String name = entry.display() == null ? "" : entry.display().trim().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
        return "name-" + hex(name);
    }

    private static Trend trend(String key, List<Fact> facts) {
        List<Point> all = new ArrayList<>();
        for (Fact fact : facts) {
            EntryView entry = fact.latest();
            Quantity quantity = EntryFacts.quantity(entry);
            BigDecimal[] bounds = EntryFacts.rangeBounds(entry);
            all.add(new Point(entry.id(), fact, day(entry), entry,
                    EntryFacts.number(entry), quantity == null ? null : unit(quantity.unit()), EntryFacts.flag(entry), EntryFacts.range(entry),
                    bounds[0], bounds[1]));
        }
        all.sort(Comparator.comparing(Point::day, Comparator.nullsFirst(Comparator.naturalOrder())).thenComparingLong(Point::entryId));
        Map<String, Integer> units = new LinkedHashMap<>();
        for (Point point : all) {
            if (point.number() != null && point.day() != null) {
                units.merge(unitKey(point.unit()), 1, Integer::sum);
            }
        }
        String unitKey = units.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null);
        List<Point> plotted = new ArrayList<>();
        List<Point> others = new ArrayList<>();
        String unit = null;
        for (Point point : all) {
            if (unitKey != null && point.number() != null && point.day() != null && unitKey.equals(unitKey(point.unit()))) {
                plotted.add(point);
                unit = unit == null ? point.unit() : unit;
            } else {
                others.add(point);
            }
        }
        EntryView latest = all.get(all.size() - 1).entry();
        Coded loinc = loinc(latest.code());
        String code = loinc != null ? loinc.code() + " (LOINC)" : latest.code() == null || latest.code().code() == null ? "" : latest.code().code();
        return new Trend(key, name(latest), code, facts.get(0).kind(), unit, plotted, others, all);
    }

    /** A test's name: its latest value's, as the source named or coded it. */
    private static String name(EntryView latest) {
        return latest.display() != null ? latest.display() : latest.code() != null && latest.code().label() != null ? latest.code().label()
                : "(unnamed test)";
    }

    /** The latest of a test's values, as a trend orders them (by day, undated first, then entry id). */
    private static EntryView latest(List<Fact> facts) {
        return facts.stream().map(Fact::latest).max(Comparator.comparing(Trends::day, Comparator.nullsFirst(Comparator.naturalOrder()))
                .thenComparingLong(EntryView::id)).orElseThrow();
    }

    private static LocalDate day(EntryView entry) {
        return entry.effective() == null ? null : ClinicalDates.day(entry.effective().sortKey()).orElse(null);
    }

    /** The LOINC coding of a code: the code itself, or one of its translations. */
    private static Coded loinc(Coded code) {
        if (code == null) {
            return null;
        }
        if (code.code() != null && (isLoinc(code.codeSystem()) || "LOINC".equalsIgnoreCase(code.codeSystemName()))) {
            return code;
        }
        for (Coded translation : code.translations() == null ? List.<Coded>of() : code.translations()) {
            if (translation.code() != null && isLoinc(translation.codeSystem())) {
                return translation;
            }
        }
        return null;
    }

    private static String unit(String unit) {
        return unit == null || unit.isBlank() || "1".equals(unit) ? "" : unit;
    }

    /**
     * Units that are one unit spelled two ways compare equal ("mg/dL" and "mg/dl": UCUM is case-sensitive, but no
     * two clinical units differ only by case in these letters); nothing else is treated as the same unit.
     */
    private static String unitKey(String unit) {
        return unit == null ? "" : unit.replace(" ", "").toLowerCase(Locale.ROOT);
    }

    private static String hex(String text) {
        String known = HASHED.get(text);
        if (known != null) {
            return known;
        }
        if (HASHED.size() > 10_000) {
            HASHED.clear();
        }
        String hashed = sha256Hex(text);
        HASHED.put(text, hashed);
        return hashed;
    }

    private static String sha256Hex(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        try {
            bytes = java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (java.security.NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
        return HexFormat.of().formatHex(bytes, 0, 8);
    }

    private static boolean isLoinc(String codeSystem) {
        return "http://loinc.org".equals(CodeSystems.canonical(codeSystem));
    }
}
