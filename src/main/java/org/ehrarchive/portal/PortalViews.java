package org.ehrarchive.portal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.ehrarchive.record.ChartService;
import org.ehrarchive.record.Coded;
import org.ehrarchive.record.EntryKind;
import org.ehrarchive.record.ObservedValue;
import org.ehrarchive.record.PersonName;
import org.ehrarchive.record.TimePeriod;
import org.ehrarchive.record.TimeValue;

/** What the portal's templates show, flattened to text: templates only loop and test, they never compute. */
final class PortalViews {

    private PortalViews() {
    }

    /**
     * A row of an entry table; {@code history} names the earlier versions of the entry, if any; {@code source} the
     * document (a C-CDA document, an HL7 v2 message) it came from, {@code documentId} null when not shown.
     */
    record EntryRow(String name, String code, String value, String status, String when, boolean negated, String history,
            Long documentId, String source) {
    }

    /** A titled group of entries (problems, medications...). */
    record EntryGroup(String title, List<EntryRow> rows) {
    }

    /** One source's description of the patient. */
    record SourceDemographics(long documentId, String source, String names, String birth, String sex, String addresses,
            String telecoms, String deceased) {
    }

    /** A document link; {@code note} says when a later version of the document is archived. */
    record DocumentRow(long id, String title, String type, String date, String note) {
    }

    /** An identifier with its authority and source. */
    record IdentifierRow(String value, String authority, long documentId) {
    }

    /** A section of a document page, narrative already sanitized. */
    record SectionBlock(String title, String safeHtml, int found, int archived, int quarantined, int duplicates, List<EntryRow> entries) {
    }

    /** The chart's groups, each row naming its source document from {@code sources} (document id to label). */
    static List<EntryGroup> groups(Map<EntryKind, List<ChartService.EntryView>> entries, Map<Long, String> sources) {
        List<EntryGroup> groups = new ArrayList<>();
        entries.forEach((kind, views) -> groups.add(new EntryGroup(title(kind), views.stream().map(v -> row(v, sources)).toList())));
        return groups;
    }

    /** What a chart row says of its source: the format, then the document's title (an HL7 v2 message's type). */
    static Map<Long, String> sources(List<ChartService.DocumentSummary> documents) {
        Map<Long, String> labels = new java.util.HashMap<>();
        for (ChartService.DocumentSummary d : documents) {
            String format = switch (d.format() == null ? "" : d.format()) {
                case "ccda" -> "C-CDA";
                case "hl7v2" -> "HL7 v2";
                case "fhir" -> "FHIR";
                default -> d.format();
            };
            labels.put(d.id(), (format == null ? "" : format + ": ") + (d.title() == null ? "document " + d.id() : d.title()));
        }
        return labels;
    }

    static EntryRow row(ChartService.EntryView view, Map<Long, String> sources) {
        EntryRow row = row(view);
        Long document = view.documentId();
        return document == null || !sources.containsKey(document) ? row
                : new EntryRow(row.name(), row.code(), row.value(), row.status(), row.when(), row.negated(), row.history(), document,
                        sources.get(document));
    }

    static EntryRow row(ChartService.EntryView view) {
        String name = view.display() == null ? "(no name)" : view.display();
        String value = values(view.values());
        // A problem's value is the condition itself, already its name: do not show it twice.
        return new EntryRow(name, code(view.code()), value.equals(name) ? "" : value,
                view.status() == null ? "" : view.status(), when(view.effective()), view.negated(), history(view), null, null);
    }

    /** "version 2; earlier: 13.2 g/dL, active (2011-04-01)": what a newer version replaced, newest first. */
    static String history(ChartService.EntryView view) {
        if (view.earlierVersions() == null || view.earlierVersions().isEmpty()) {
            return "";
        }
        return "version " + view.version() + "; earlier: " + view.earlierVersions().stream().map(earlier -> {
            String said = String.join(", ", nonNull(values(earlier.values()), earlier.status()));
            String when = when(earlier.effective());
            return (said.isEmpty() ? "(no value)" : said) + (when.isEmpty() ? "" : " (" + when + ")");
        }).collect(Collectors.joining("; "));
    }

    static SourceDemographics demographics(ChartService.SourcedDemographics d) {
        return new SourceDemographics(d.documentId(), d.documentTitle() == null ? "document " + d.documentId() : d.documentTitle(),
                d.names() == null ? "" : d.names().stream().map(PersonName::display).collect(Collectors.joining("; ")),
                time(d.birthTime()), d.sex() == null ? "" : d.sex().label(),
                d.addresses() == null ? "" : d.addresses().stream()
                        .map(a -> String.join(", ", nonNull(String.join(" ", a.lines() == null ? List.of() : a.lines()), a.city(), a.state(), a.postalCode(), a.country())))
                        .collect(Collectors.joining("; ")),
                d.telecoms() == null ? "" : d.telecoms().stream().map(t -> t.value()).filter(v -> v != null).collect(Collectors.joining("; ")),
                Boolean.TRUE.equals(d.deceased()) ? "deceased " + time(d.deceasedTime()) : "");
    }

    static String title(EntryKind kind) {
        String words = kind.name().replace('_', ' ').toLowerCase(java.util.Locale.ROOT);
        return Character.toUpperCase(words.charAt(0)) + words.substring(1);
    }

    static String code(Coded code) {
        if (code == null || code.code() == null) {
            return "";
        }
        return code.code() + (code.codeSystemName() != null ? " (" + code.codeSystemName() + ")" : "");
    }

    static String values(List<ObservedValue> values) {
        if (values == null) {
            return "";
        }
        return values.stream().map(v -> {
            if (v.quantity() != null) {
                return v.quantity().value() + (v.quantity().unit() == null ? "" : " " + v.quantity().unit());
            }
            if (v.coded() != null) {
                return v.coded().label();
            }
            return v.text() == null ? "" : v.text();
        }).filter(text -> text != null && !text.isBlank()).collect(Collectors.joining("; "));
    }

    static String when(TimePeriod period) {
        if (period == null) {
            return "";
        }
        if (period.value() != null) {
            return time(period.value());
        }
        if (period.low() != null || period.high() != null) {
            return time(period.low()) + " – " + time(period.high());
        }
        return period.text() == null ? "" : period.text();
    }

    static String time(TimeValue time) {
        if (time == null) {
            return "";
        }
        return time.iso() != null ? time.iso() : time.raw() == null ? "" : time.raw();
    }

    private static List<String> nonNull(String... values) {
        List<String> kept = new ArrayList<>();
        for (String value : values) {
            if (value != null && !value.isBlank()) {
                kept.add(value);
            }
        }
        return kept;
    }
}
