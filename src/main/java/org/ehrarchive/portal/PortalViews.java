package org.ehrarchive.portal;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.ehrarchive.chart.ClinicalDates;
import org.ehrarchive.chart.ClinicalDates.Shown;
import org.ehrarchive.record.ChartService;
import org.ehrarchive.record.Coded;
import org.ehrarchive.record.EntryKind;
import org.ehrarchive.record.ObservedValue;
import org.ehrarchive.record.PersonName;

/**
 * What the portal's templates show, flattened to text: templates only loop and test, they never compute. Dates are
 * written by {@link ClinicalDates}, as on the chart pages.
 */
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

    /** One source's description of the patient. */
    record SourceDemographics(long documentId, String source, String names, Shown birth, String sex, String addresses,
            String telecoms, boolean deceased, Shown deceasedOn) {
    }

    /** A document link; {@code note} says when a later version of the document is archived. */
    record DocumentRow(long id, String title, String type, Shown date, String note) {
    }

    /** A section of a document page, narrative already sanitized. */
    record SectionBlock(String title, String safeHtml, int found, int archived, int quarantined, int duplicates, List<EntryRow> entries) {
    }

    static EntryRow row(ChartService.EntryView view, ClinicalDates dates) {
        String name = view.display() == null ? "(no name)" : view.display();
        String value = values(view.values());
        // A problem's value is the condition itself, already its name: do not show it twice.
        return new EntryRow(name, code(view.code()), value.equals(name) ? "" : value,
                view.status() == null ? "" : view.status(), dates.format(view.effective()), view.negated(), history(view, dates), null, null);
    }

    /** "version 2; earlier: 13.2 g/dL, active (Apr 1, 2011)": what a newer version replaced, newest first. */
    static String history(ChartService.EntryView view, ClinicalDates dates) {
        if (view.earlierVersions() == null || view.earlierVersions().isEmpty()) {
            return "";
        }
        return "version " + view.version() + "; earlier: " + view.earlierVersions().stream().map(earlier -> {
            String said = String.join(", ", nonNull(values(earlier.values()), earlier.status()));
            String when = dates.format(earlier.effective());
            return (said.isEmpty() ? "(no value)" : said) + (when.isEmpty() ? "" : " (" + when + ")");
        }).collect(Collectors.joining("; "));
    }

    static SourceDemographics demographics(ChartService.SourcedDemographics d, ClinicalDates dates) {
        return new SourceDemographics(d.documentId(), d.documentTitle() == null ? "document " + d.documentId() : d.documentTitle(),
                d.names() == null ? "" : d.names().stream().map(PersonName::display).collect(Collectors.joining("; ")),
                dates.shown(d.birthTime()), d.sex() == null ? "" : d.sex().label(),
                d.addresses() == null ? "" : d.addresses().stream()
                        .map(a -> String.join(", ", nonNull(String.join(" ", a.lines() == null ? List.of() : a.lines()), a.city(), a.state(), a.postalCode(), a.country())))
                        .collect(Collectors.joining("; ")),
                d.telecoms() == null ? "" : d.telecoms().stream().map(t -> t.value()).filter(v -> v != null).collect(Collectors.joining("; ")),
                Boolean.TRUE.equals(d.deceased()), dates.shown(d.deceasedTime()));
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
