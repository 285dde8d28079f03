package org.ehrarchive.portal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

import org.ehrarchive.chart.ClinicalDates;
import org.ehrarchive.record.ClinicalDocument;
import org.ehrarchive.record.ClinicalEntry;
import org.ehrarchive.record.Coded;
import org.ehrarchive.record.DocumentAttachment;
import org.ehrarchive.record.ObservedValue;
import org.ehrarchive.record.Party;
import org.ehrarchive.record.PatientDemographics;
import org.ehrarchive.record.PatientIdentifier;
import org.ehrarchive.record.PersonName;
import org.ehrarchive.record.Quantity;
import org.ehrarchive.record.RawFragment;
import org.ehrarchive.record.ReferenceRange;
import org.ehrarchive.record.SourceRecord;
import org.ehrarchive.record.TimePeriod;
import org.ehrarchive.record.TimeValue;
import org.ehrarchive.sampling.SampledRecords;

/**
 * What the archive shows of one source record, field by field, for the review page's right-hand column: one group
 * per normalized row (the document, each entry, the demographics...), each a list of field → value as text. Empty
 * fields are left out, so what is shown is what the archive holds.
 * <p>
 * Dates are the one place where this page does not write only as the other pages do: the reviewer compares the
 * archive's value with the original's text (an HL7 {@code 201208061015-0500}), and the exact ISO value, with its
 * precision and its offset, is what tells whether the archive read it right; the site's human form, which names an
 * offset only when it differs from the site's, could hide a wrong one. So a date shows the ISO value the archive
 * holds, then the form the chart shows it in: {@code 2012-08-06T10:15:00-05:00 (Aug 6, 2012, 10:15 AM)}.
 */
final class SampledRecordFields {

    /** One field → value. */
    record Field(String name, String value) {
    }

    /** A titled group of fields: one normalized row. */
    record Group(String title, List<Field> fields) {
    }

    private SampledRecordFields() {
    }

    static List<Group> of(SampledRecords.Normalized normalized, ClinicalDates dates) {
        List<Group> groups = new ArrayList<>();
        SourceRecord record = normalized.record();
        groups.add(new Group("Source record " + record.id, fields("Record type", record.recordType, "Status", record.status.name(),
                "Reason", record.reason, "Version", Integer.toString(record.version), "Locator", record.locator,
                "Original (SHA-256)", record.sourceSha256)));
        for (ClinicalDocument d : normalized.documents()) {
            groups.add(new Group("Document", fields("Title", d.title, "Type", label(d.type), "Date", time(d.effectiveTime, dates),
                    "Authors", parties(d.authors), "Custodian", d.custodian == null ? null : party(d.custodian),
                    "Confidentiality", label(d.confidentiality), "Language", d.language)));
        }
        for (ClinicalEntry e : normalized.entries()) {
            groups.add(new Group(e.kind == null ? "Entry" : PortalViews.title(e.kind), fields("Code", codeWithName(e.code),
                    "Display", e.display, "Status", e.status, "Negated", e.negated ? "yes: the source says this did not happen" : null,
                    "Mood", e.mood, "Effective", period(e.effective, dates), "Values", values(e.observedValues),
                    "Interpretation", e.interpretations == null ? null : e.interpretations.stream().map(SampledRecordFields::label)
                            .filter(Objects::nonNull).collect(Collectors.joining("; ")),
                    "Reference range", ranges(e.referenceRanges), "Details", details(e.details), "Text", e.text)));
        }
        for (PatientDemographics d : normalized.demographics()) {
            PortalViews.SourceDemographics shown = PortalViews.demographics(new org.ehrarchive.record.ChartService.SourcedDemographics(
                    d.documentId == null ? 0 : d.documentId, null, d.names, d.birthTime, d.sex, d.addresses, d.telecoms, d.deceased,
                    d.deceasedTime, d.maritalStatus, d.races, d.ethnicities, d.languages), dates);
            groups.add(new Group("Demographics", fields("Names", shown.names(), "Birth", time(d.birthTime, dates), "Sex", shown.sex(),
                    "Address", shown.addresses(), "Telecom", shown.telecoms(),
                    "Deceased", shown.deceased() ? join("yes", time(d.deceasedTime, dates)) : null,
                    "Marital status", label(d.maritalStatus))));
        }
        for (PatientIdentifier i : normalized.identifiers()) {
            groups.add(new Group("Identifier", fields("Value", i.value, "System", i.system, "Assigning authority", i.assigningAuthority)));
        }
        for (RawFragment f : normalized.fragments()) {
            groups.add(new Group("Raw fragment", fields("Status", f.status, "Reason", f.reason, "Content", f.content)));
        }
        for (DocumentAttachment a : normalized.attachments()) {
            groups.add(new Group("Attachment", fields("Media type", a.mediaType, "Size", a.sizeBytes == null ? null : a.sizeBytes + " bytes",
                    "Reference", a.reference, "SHA-256", a.sha256)));
        }
        return groups;
    }

    private static List<Field> fields(String... namesAndValues) {
        List<Field> fields = new ArrayList<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            String value = namesAndValues[i + 1];
            if (value != null && !value.isBlank()) {
                fields.add(new Field(namesAndValues[i], value));
            }
        }
        return fields;
    }

    /** "2012-08-06T10:15:00-05:00 (Aug 6, 2012, 10:15 AM)"; the source's text alone when the archive could not read it. */
    private static String time(TimeValue time, ClinicalDates dates) {
        if (time == null) {
            return null;
        }
        String human = dates.format(time);
        return time.iso() == null || human.equals(time.iso()) ? human : time.iso() + " (" + human + ")";
    }

    private static String period(TimePeriod period, ClinicalDates dates) {
        if (period == null) {
            return null;
        }
        String exact = period.value() != null ? period.value().iso()
                : period.low() != null || period.high() != null ? iso(period.low()) + " – " + iso(period.high()) : null;
        String human = dates.format(period);
        return exact == null || exact.isBlank() || human.equals(exact) ? human : exact + " (" + human + ")";
    }

    private static String iso(TimeValue time) {
        return time == null ? "" : time.iso() != null ? time.iso() : time.raw() == null ? "" : time.raw();
    }

    private static String join(String first, String second) {
        return second == null || second.isBlank() ? first : first + ", " + second;
    }

    private static String label(Coded coded) {
        return coded == null ? null : coded.label();
    }

    private static String codeWithName(Coded coded) {
        String code = PortalViews.code(coded);
        if (code.isEmpty()) {
            return null;
        }
        String name = coded.displayName();
        return name == null || name.isBlank() ? code : code + ": " + name;
    }

    private static String parties(List<Party> parties) {
        return parties == null ? null : parties.stream().map(SampledRecordFields::party).filter(Objects::nonNull).collect(Collectors.joining("; "));
    }

    private static String party(Party party) {
        if (party.personName() != null) {
            PersonName name = party.personName();
            return party.organizationName() == null ? name.display() : name.display() + " (" + party.organizationName() + ")";
        }
        return party.organizationName();
    }

    private static String values(List<ObservedValue> values) {
        if (values == null) {
            return null;
        }
        return values.stream().map(SampledRecordFields::value).filter(v -> v != null && !v.isBlank()).collect(Collectors.joining("; "));
    }

    private static String value(ObservedValue v) {
        if (v == null) {
            return null;
        }
        if (v.quantity() != null) {
            return quantity(v.quantity());
        }
        if (v.low() != null || v.high() != null) {
            return (v.low() == null ? "" : quantity(v.low())) + " – " + (v.high() == null ? "" : quantity(v.high()));
        }
        if (v.coded() != null) {
            return v.coded().label();
        }
        return v.text() != null ? v.text() : v.nullFlavor() == null ? null : "(no value: " + v.nullFlavor() + ")";
    }

    private static String quantity(Quantity q) {
        return (q.comparator() == null ? "" : q.comparator()) + q.value() + (q.unit() == null ? "" : " " + q.unit());
    }

    private static String ranges(List<ReferenceRange> ranges) {
        if (ranges == null) {
            return null;
        }
        return ranges.stream().map(r -> {
            List<String> said = new ArrayList<>();
            String v = value(r.value());
            if (v != null && !v.isBlank()) {
                said.add(v);
            }
            if (r.text() != null && !r.text().isBlank()) {
                said.add(r.text());
            }
            if (r.interpretation() != null && r.interpretation().label() != null) {
                said.add("(" + r.interpretation().label() + ")");
            }
            return String.join(" ", said);
        }).filter(s -> !s.isBlank()).collect(Collectors.joining("; "));
    }

    private static String details(Map<String, Object> details) {
        if (details == null || details.isEmpty()) {
            return null;
        }
        return details.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining("; "));
    }
}
