package org.ehrarchive.chart;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.ehrarchive.record.ChartService.EntryView;
import org.ehrarchive.record.Coded;
import org.ehrarchive.record.ObservedValue;
import org.ehrarchive.record.Quantity;
import org.ehrarchive.record.ReferenceRange;

/**
 * What a clinician reads off an entry, whatever format it came from: whether a problem or allergy is active, a
 * result's flag and reference range, a medication's dose, route and frequency, an allergy's reactions, severity and
 * criticality. Each importer keeps these where its format has them ({@code details}: C-CDA's concern act and
 * related observations, FHIR's clinical status and dosage, HL7 v2's AL1 and RXR fields); this class is the one place
 * that knows where to look, so the chart never shows a C-CDA act's "completed" as a problem's status.
 */
public final class EntryFacts {

    /** Whether a problem, allergy or medication holds now. */
    public enum Activity {
        ACTIVE("active"), RESOLVED("resolved"), INACTIVE("inactive"), UNKNOWN("status not given");

        public final String label;

        Activity(String label) {
            this.label = label;
        }
    }

    /** A result's flag. {@code symbol} reads without colour; {@code computed} when the source gave no flag. */
    public record Flag(String code, String label, String symbol, boolean abnormal, boolean computed) {
        static final Flag NONE = new Flag("", "", "", false, false);
    }

    // C-CDA problem status values (SNOMED CT), as the Problem Status observation gives them.
    private static final Set<String> SNOMED_ACTIVE = Set.of("55561003");
    private static final Set<String> SNOMED_RESOLVED = Set.of("413322009");
    private static final Set<String> SNOMED_INACTIVE = Set.of("73425007");
    private static final String CCDA_STATUS_TEMPLATES = "2.16.840.1.113883.10.20.22.4.6 2.16.840.1.113883.10.20.22.4.28";
    private static final String CCDA_REACTION = "2.16.840.1.113883.10.20.22.4.9";
    private static final String CCDA_SEVERITY = "2.16.840.1.113883.10.20.22.4.8";
    private static final String CCDA_CRITICALITY = "2.16.840.1.113883.10.20.22.4.145";

    private EntryFacts() {
    }

    /**
     * Whether the fact holds now, read in this order: the status observation of a C-CDA concern (or of the entry),
     * the concern act's own status (active, suspended, completed), an end date; then the entry's status as the
     * format gives it (FHIR clinical status, a medication's status).
     */
    public static Activity activity(EntryView entry) {
        Map<String, Object> details = entry.details() == null ? Map.of() : entry.details();
        Activity fromStatusObservation = statusObservation(details);
        if (fromStatusObservation != Activity.UNKNOWN) {
            return fromStatusObservation;
        }
        Object concern = details.get("concern");
        if (concern instanceof Map<?, ?> act) {
            String status = string(act.get("status"));
            if ("active".equals(status) || "suspended".equals(status) || "new".equals(status)) {
                // An active concern about an observation that has ended is a resolved problem.
                return entry.effective() != null && entry.effective().high() != null ? Activity.RESOLVED : Activity.ACTIVE;
            }
            if ("completed".equals(status) || "aborted".equals(status)) {
                return Activity.RESOLVED;
            }
        }
        String status = entry.status() == null ? "" : entry.status().toLowerCase(Locale.ROOT);
        return switch (status) {
            case "active", "recurrence", "relapse", "on-hold", "intended", "new", "held", "ip", "in progress", "sc", "scheduled" -> Activity.ACTIVE;
            case "resolved", "remission", "cm", "stopped" -> Activity.RESOLVED;
            case "inactive", "entered-in-error", "cancelled", "ca", "dc", "discontinued", "not-taken" -> Activity.INACTIVE;
            case "completed" -> entry.effective() != null && entry.effective().high() != null ? Activity.RESOLVED : Activity.UNKNOWN;
            default -> Activity.UNKNOWN;
        };
    }

    /** The flag of a result: the source's interpretation, else, where the value and range are numbers, the range. */
    public static Flag flag(EntryView entry) {
        for (Coded interpretation : entry.interpretations() == null ? List.<Coded>of() : entry.interpretations()) {
            if (interpretation == null || interpretation.code() == null) {
                continue;
            }
            Flag flag = interpretationFlag(interpretation.code().toUpperCase(Locale.ROOT), interpretation.label());
            if (flag != null) {
                return flag;
            }
        }
        BigDecimal value = number(entry);
        ReferenceRange range = firstRange(entry);
        if (value == null || range == null || range.value() == null) {
            return Flag.NONE;
        }
        BigDecimal low = range.value().low() == null ? null : decimal(range.value().low().value());
        BigDecimal high = range.value().high() == null ? null : decimal(range.value().high().value());
        if (high != null && value.compareTo(high) > 0) {
            return new Flag("H", "above the reference range", "▲ H", true, true);
        }
        if (low != null && value.compareTo(low) < 0) {
            return new Flag("L", "below the reference range", "▼ L", true, true);
        }
        return Flag.NONE;
    }

    private static Flag interpretationFlag(String code, String label) {
        return switch (code) {
            case "H", "HU", "H>" -> new Flag("H", "high", "▲ H", true, false);
            case "HH" -> new Flag("HH", "critically high", "▲▲ HH", true, false);
            case "L", "LU", "L<" -> new Flag("L", "low", "▼ L", true, false);
            case "LL" -> new Flag("LL", "critically low", "▼▼ LL", true, false);
            case "A", "AA", "POS", "DET", "R", "CAR" -> new Flag(code, label == null ? "abnormal" : label.toLowerCase(Locale.ROOT), "◆ " + code,
                    true, false);
            case "N", "NEG", "ND", "S" -> new Flag(code, label == null ? "normal" : label.toLowerCase(Locale.ROOT), "", false, false);
            default -> null;
        };
    }

    /** The reference range as text: "4.3–10.8 10*3/uL", "< 200 mg/dL", or the range's own text. */
    public static String range(EntryView entry) {
        ReferenceRange range = firstRange(entry);
        if (range == null) {
            return "";
        }
        ObservedValue value = range.value();
        if (value != null && (value.low() != null || value.high() != null)) {
            Quantity low = value.low();
            Quantity high = value.high();
            String unit = high != null && high.unit() != null ? high.unit() : low != null ? low.unit() : null;
            String bounds = low != null && low.value() != null && high != null && high.value() != null ? low.value() + "–" + high.value()
                    : low != null && low.value() != null ? "≥ " + low.value() : high != null && high.value() != null ? "≤ " + high.value() : "";
            return (bounds + (unit == null || unit.isBlank() || "1".equals(unit) ? "" : " " + unit)).trim();
        }
        if (range.text() != null) {
            return range.text();
        }
        return value != null && value.text() != null ? value.text() : "";
    }

    /** The numeric low and high of the reference range, when both bounds or one are numbers; nulls otherwise. */
    public static BigDecimal[] rangeBounds(EntryView entry) {
        ReferenceRange range = firstRange(entry);
        if (range == null || range.value() == null) {
            return new BigDecimal[] { null, null };
        }
        return new BigDecimal[] { range.value().low() == null ? null : decimal(range.value().low().value()),
                range.value().high() == null ? null : decimal(range.value().high().value()) };
    }

    /** The first numeric value (a quantity) of a result, or null. */
    public static BigDecimal number(EntryView entry) {
        Quantity quantity = quantity(entry);
        return quantity == null ? null : decimal(quantity.value());
    }

    /** The first quantity of a result, as given. */
    public static Quantity quantity(EntryView entry) {
        for (ObservedValue value : entry.values() == null ? List.<ObservedValue>of() : entry.values()) {
            if (value != null && value.quantity() != null && value.quantity().value() != null) {
                return value.quantity();
            }
        }
        return null;
    }

    /** Dose, route and frequency of a medication or immunization: "1 tablet · oral · every 12 h". */
    public static String dosage(EntryView entry) {
        Map<String, Object> details = entry.details() == null ? Map.of() : entry.details();
        Set<String> parts = new LinkedHashSet<>();
        Object dosage = details.get("dosage"); // FHIR: a list of dosage instructions
        if (dosage instanceof Collection<?> instructions) {
            for (Object one : instructions) {
                if (one instanceof Map<?, ?> instruction) {
                    String text = string(instruction.get("text"));
                    if (text != null) {
                        parts.add(text);
                        continue;
                    }
                    addIfPresent(parts, string(instruction.get("dose")));
                    addIfPresent(parts, string(instruction.get("route")));
                    addIfPresent(parts, string(instruction.get("timing")));
                    if ("true".equals(string(instruction.get("asNeeded")))) {
                        parts.add("as needed");
                    }
                }
            }
        }
        String dose = quantityText(details.get("dose"));
        // A C-CDA dose without a unit counts the product's own units (tablets, puffs): say it is the dose.
        addIfPresent(parts, dose != null && dose.matches("[0-9.]+") ? "dose " + dose : dose);
        addIfPresent(parts, label(details.get("doseForm")));
        addIfPresent(parts, label(details.get("route")));
        Object schedule = details.get("schedule"); // C-CDA: further effectiveTimes, a PIVL as text
        if (schedule instanceof Collection<?> times) {
            for (Object time : times) {
                if (time instanceof String text) {
                    addIfPresent(parts, frequency(text));
                }
            }
        }
        addIfPresent(parts, string(details.get("timing")));
        return String.join(" · ", parts);
    }

    /**
     * A C-CDA schedule as the importer described it ("PIVL_TS every 12 h (institution specified) operator A") for
     * people: "every 12 h". The operator (how the schedule combines with the period) is not for the reader.
     */
    static String frequency(String described) {
        String text = described.replaceFirst("^(PIVL_TS|EIVL_TS|SXPR_TS|periodic)\\s*", "").replaceFirst("\\s*operator \\w+$", "")
                .replace("(institution specified)", "(as the institution schedules)").trim();
        return text.isEmpty() ? null : text;
    }

    /** An allergy's reactions ("hives, wheezing"), from whichever format gave them. */
    public static String reactions(EntryView entry) {
        Map<String, Object> details = entry.details() == null ? Map.of() : entry.details();
        Set<String> reactions = new LinkedHashSet<>();
        Object given = details.get("reactions");
        if (given instanceof Collection<?> list) {
            for (Object reaction : list) {
                if (reaction instanceof String text) {
                    reactions.add(text); // HL7 v2 AL1-5
                } else if (reaction instanceof Map<?, ?> map) {
                    Object manifestations = map.get("manifestations"); // FHIR
                    if (manifestations instanceof Collection<?> names) {
                        names.forEach(name -> addIfPresent(reactions, string(name)));
                    }
                    addIfPresent(reactions, string(map.get("description")));
                }
            }
        }
        for (Map<?, ?> related : related(details, CCDA_REACTION)) {
            addIfPresent(reactions, firstValueLabel(related));
        }
        return String.join(", ", reactions);
    }

    /** An allergy's or a reaction's severity ("moderate"). */
    public static String severity(EntryView entry) {
        Map<String, Object> details = entry.details() == null ? Map.of() : entry.details();
        String severity = label(details.get("severity"));
        if (severity != null) {
            return severity;
        }
        Set<String> found = new LinkedHashSet<>();
        if (details.get("reactions") instanceof Collection<?> list) {
            for (Object reaction : list) {
                if (reaction instanceof Map<?, ?> map) {
                    addIfPresent(found, string(map.get("severity")));
                }
            }
        }
        for (Map<?, ?> related : related(details, CCDA_SEVERITY)) {
            addIfPresent(found, firstValueLabel(related));
        }
        return String.join(", ", found);
    }

    /** An allergy's criticality ("high", "low"), as FHIR or the C-CDA criticality observation gives it. */
    public static String criticality(EntryView entry) {
        Map<String, Object> details = entry.details() == null ? Map.of() : entry.details();
        String criticality = string(details.get("criticality"));
        if (criticality != null) {
            return criticality;
        }
        for (Map<?, ?> related : related(details, CCDA_CRITICALITY)) {
            String label = firstValueLabel(related);
            if (label != null) {
                return label;
            }
        }
        return "";
    }

    /** The value as shown: quantities with their unit as written, codes by label, text. */
    public static String valueText(EntryView entry) {
        List<String> shown = new ArrayList<>();
        for (ObservedValue value : entry.values() == null ? List.<ObservedValue>of() : entry.values()) {
            if (value == null) {
                continue;
            }
            if (value.quantity() != null && value.quantity().value() != null) {
                Quantity q = value.quantity();
                shown.add((q.comparator() == null ? "" : q.comparator() + " ") + q.value()
                        + (q.unit() == null || q.unit().isBlank() || "1".equals(q.unit()) ? "" : " " + q.unit()));
            } else if (value.coded() != null && value.coded().label() != null) {
                shown.add(value.coded().label());
            } else if (value.text() != null && !value.text().isBlank()) {
                shown.add(value.text());
            }
        }
        return String.join("; ", shown);
    }

    private static Activity statusObservation(Map<String, Object> details) {
        List<Map<?, ?>> statuses = new ArrayList<>();
        for (String template : CCDA_STATUS_TEMPLATES.split(" ")) {
            statuses.addAll(related(details, template));
            if (details.get("concern") instanceof Map<?, ?> concern && concern.get("qualifiers") instanceof Collection<?> qualifiers) {
                for (Object qualifier : qualifiers) {
                    if (qualifier instanceof Map<?, ?> map && hasTemplate(map, template)) {
                        statuses.add(map);
                    }
                }
            }
        }
        for (Map<?, ?> status : statuses) {
            Object values = status.get("values");
            if (values instanceof Collection<?> list) {
                for (Object value : list) {
                    if (value instanceof Map<?, ?> map && map.get("coded") instanceof Map<?, ?> coded) {
                        String code = string(coded.get("code"));
                        if (SNOMED_ACTIVE.contains(code)) {
                            return Activity.ACTIVE;
                        }
                        if (SNOMED_RESOLVED.contains(code)) {
                            return Activity.RESOLVED;
                        }
                        if (SNOMED_INACTIVE.contains(code)) {
                            return Activity.INACTIVE;
                        }
                    }
                }
            }
        }
        return Activity.UNKNOWN;
    }

    /** C-CDA related statements (entryRelationship) with a template, at any depth the importer kept. */
    private static List<Map<?, ?>> related(Map<?, ?> details, String templateId) {
        List<Map<?, ?>> found = new ArrayList<>();
        collectRelated(details.get("related"), templateId, found);
        return found;
    }

    private static void collectRelated(Object related, String templateId, List<Map<?, ?>> found) {
        if (!(related instanceof Collection<?> list)) {
            return;
        }
        for (Object item : list) {
            if (item instanceof Map<?, ?> map) {
                if (hasTemplate(map, templateId)) {
                    found.add(map);
                }
                collectRelated(map.get("related"), templateId, found);
            }
        }
    }

    private static boolean hasTemplate(Map<?, ?> statement, String templateId) {
        Object templates = statement.get("templateIds");
        if (templates instanceof Collection<?> list) {
            for (Object template : list) {
                String root = template instanceof Map<?, ?> map ? string(map.get("root")) : string(template);
                if (templateId.equals(root) || (root != null && root.startsWith(templateId + ":"))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String firstValueLabel(Map<?, ?> statement) {
        if (statement.get("values") instanceof Collection<?> values) {
            for (Object value : values) {
                if (value instanceof Map<?, ?> map) {
                    String label = map.get("coded") instanceof Map<?, ?> coded ? label(coded) : string(map.get("text"));
                    if (label != null) {
                        return label;
                    }
                }
            }
        }
        return null;
    }

    private static ReferenceRange firstRange(EntryView entry) {
        return entry.referenceRanges() == null || entry.referenceRanges().isEmpty() ? null : entry.referenceRanges().get(0);
    }

    /** A Coded kept in details (as a map after storage) or a plain string, by its label. */
    private static String label(Object value) {
        if (value instanceof Map<?, ?> coded) {
            for (String key : List.of("displayName", "originalText", "code")) {
                String text = string(coded.get(key));
                if (text != null) {
                    return text;
                }
            }
            return null;
        }
        return string(value);
    }

    private static String quantityText(Object value) {
        if (value instanceof Map<?, ?> quantity) {
            String amount = string(quantity.get("value"));
            String unit = string(quantity.get("unit"));
            return amount == null ? null : amount + (unit == null || "1".equals(unit) ? "" : " " + unit);
        }
        return string(value);
    }

    private static String string(Object value) {
        if (value == null) {
            return null;
        }
        String text = value.toString().trim();
        return text.isEmpty() ? null : text;
    }

    private static void addIfPresent(Set<String> parts, String part) {
        if (part != null && !part.isBlank()) {
            parts.add(part);
        }
    }

    static BigDecimal decimal(String text) {
        if (text == null) {
            return null;
        }
        try {
            return new BigDecimal(text.trim());
        } catch (NumberFormatException notANumber) {
            return null;
        }
    }
}
