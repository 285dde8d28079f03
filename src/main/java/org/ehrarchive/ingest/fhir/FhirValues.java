package org.ehrarchive.ingest.fhir;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.ehrarchive.record.Coded;
import org.ehrarchive.record.Identifier;
import org.ehrarchive.record.ObservedValue;
import org.ehrarchive.record.Quantity;
import org.ehrarchive.record.ReferenceRange;
import org.ehrarchive.record.TimePeriod;
import org.ehrarchive.record.TimeValue;
import org.hl7.fhir.r4.model.Attachment;
import org.hl7.fhir.r4.model.BaseDateTimeType;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.PrimitiveType;
import org.hl7.fhir.r4.model.Range;
import org.hl7.fhir.r4.model.Ratio;
import org.hl7.fhir.r4.model.SampledData;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Timing;
import org.hl7.fhir.r4.model.Type;

import ca.uhn.fhir.model.api.TemporalPrecisionEnum;

/**
 * FHIR R4 data types read into the normalized record's values (docs/formats/fhir.md): codes keep their system URI and a
 * readable system name, times the precision the source gave, quantities their UCUM code or unit as written.
 */
final class FhirValues {

    /** Readable names of the code systems a chart shows most, by their FHIR URI. */
    private static final Map<String, String> SYSTEM_NAMES = Map.ofEntries(
            Map.entry("http://snomed.info/sct", "SNOMED CT"),
            Map.entry("http://loinc.org", "LOINC"),
            Map.entry("http://www.nlm.nih.gov/research/umls/rxnorm", "RxNorm"),
            Map.entry("http://hl7.org/fhir/sid/cvx", "CVX"),
            Map.entry("http://hl7.org/fhir/sid/icd-10-cm", "ICD-10-CM"),
            Map.entry("http://hl7.org/fhir/sid/icd-10", "ICD-10"),
            Map.entry("http://hl7.org/fhir/sid/icd-9-cm", "ICD-9-CM"),
            Map.entry("http://hl7.org/fhir/sid/ndc", "NDC"),
            Map.entry("http://www.ama-assn.org/go/cpt", "CPT"),
            Map.entry("http://unitsofmeasure.org", "UCUM"),
            Map.entry("http://dicom.nema.org/resources/ontology/DCM", "DICOM"),
            Map.entry("urn:oid:2.16.840.1.113883.6.238", "CDC Race and Ethnicity"));

    private FhirValues() {
    }

    static String systemName(String system) {
        if (system == null) {
            return null;
        }
        String known = SYSTEM_NAMES.get(system);
        if (known != null) {
            return known;
        }
        if (system.startsWith("http://terminology.hl7.org/CodeSystem/")) {
            return system.substring("http://terminology.hl7.org/CodeSystem/".length());
        }
        return null;
    }

    static Coded coded(Coding coding) {
        if (coding == null || coding.isEmpty()) {
            return null;
        }
        return new Coded(coding.getCode(), coding.getSystem(), systemName(coding.getSystem()), coding.getDisplay(), null, null,
                List.of(), List.of());
    }

    /** The first coding is the code; the others its translations; the text its original text. */
    static Coded coded(CodeableConcept concept) {
        if (concept == null || concept.isEmpty()) {
            return null;
        }
        List<Coding> codings = concept.getCoding().stream().filter(c -> !c.isEmpty()).toList();
        String text = concept.getText();
        if (codings.isEmpty()) {
            return new Coded(null, null, null, null, text, null, List.of(), List.of());
        }
        Coding first = codings.get(0);
        List<Coded> translations = new ArrayList<>();
        for (Coding other : codings.subList(1, codings.size())) {
            translations.add(coded(other));
        }
        return new Coded(first.getCode(), first.getSystem(), systemName(first.getSystem()), first.getDisplay(), text, null,
                translations, List.of());
    }

    static Coded coded(List<CodeableConcept> concepts) {
        return concepts == null || concepts.isEmpty() ? null : coded(concepts.get(0));
    }

    /** A code given only as a code (a FHIR {@code code} element), with the value set's system when it has one. */
    static Coded code(String code, String system, String display) {
        return code == null ? null : new Coded(code, system, systemName(system), display, null, null, List.of(), List.of());
    }

    static List<String> labels(List<CodeableConcept> concepts) {
        List<String> labels = new ArrayList<>();
        for (CodeableConcept concept : concepts) {
            Coded coded = coded(concept);
            if (coded != null && coded.label() != null) {
                labels.add(coded.label());
            }
        }
        return labels;
    }

    static String label(CodeableConcept concept) {
        Coded coded = coded(concept);
        return coded == null ? null : coded.label();
    }

    static Identifier identifier(org.hl7.fhir.r4.model.Identifier identifier) {
        if (identifier == null || identifier.isEmpty()) {
            return null;
        }
        String authority = identifier.hasAssigner() && identifier.getAssigner().hasDisplay() ? identifier.getAssigner().getDisplay()
                : identifier.hasType() ? label(identifier.getType()) : null;
        return new Identifier(identifier.getSystem(), identifier.getValue(), authority, null);
    }

    static TimeValue time(BaseDateTimeType time) {
        if (time == null || time.isEmpty()) {
            return null;
        }
        String raw = time.getValueAsString();
        if (time.getValue() == null) {
            return new TimeValue(raw, null, null, null, null);
        }
        TemporalPrecisionEnum precision = time.getPrecision();
        String words = switch (precision) {
            case YEAR -> "YEAR";
            case MONTH -> "MONTH";
            case DAY -> "DAY";
            case MINUTE -> "MINUTE";
            case SECOND -> "SECOND";
            case MILLI -> "FRACTION";
        };
        String zone = null;
        if (precision.ordinal() > TemporalPrecisionEnum.DAY.ordinal() && raw != null) {
            if (raw.endsWith("Z")) {
                zone = "Z";
            } else if (raw.length() > 6 && (raw.charAt(raw.length() - 6) == '+' || raw.charAt(raw.length() - 6) == '-')) {
                zone = raw.substring(raw.length() - 6);
            }
        }
        // FHIR writes ISO 8601 already, at the precision given: the text is its own ISO form.
        return new TimeValue(raw, raw, words, zone, null);
    }

    static TimePeriod period(Period period) {
        if (period == null || period.isEmpty()) {
            return null;
        }
        return new TimePeriod(null, time(period.getStartElement()), time(period.getEndElement()), null);
    }

    /** A choice of time ({@code effective[x]}, {@code onset[x]}, {@code performed[x]}...). */
    static TimePeriod when(Type value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        if (value instanceof BaseDateTimeType point) {
            return new TimePeriod(time(point), null, null, null);
        }
        if (value instanceof Period period) {
            return period(period);
        }
        if (value instanceof Timing timing) {
            if (timing.hasEvent()) {
                return new TimePeriod(time(timing.getEvent().get(0)), null, null, null);
            }
            if (timing.hasRepeat() && timing.getRepeat().hasBoundsPeriod()) {
                return period(timing.getRepeat().getBoundsPeriod());
            }
            return new TimePeriod(null, null, null, timing.hasCode() ? label(timing.getCode()) : "timing");
        }
        if (value instanceof Range range) {
            return new TimePeriod(null, null, null, rangeText(range));
        }
        if (value instanceof org.hl7.fhir.r4.model.Quantity age) {
            return new TimePeriod(null, null, null, "age " + quantity(age).value() + " " + nullToEmpty(quantity(age).unit()));
        }
        if (value instanceof PrimitiveType<?> primitive) {
            return new TimePeriod(null, null, null, primitive.getValueAsString());
        }
        return null;
    }

    /** An onset and an end, as one period (a condition's onset and abatement). */
    static TimePeriod between(Type start, Type end) {
        TimePeriod from = when(start);
        TimePeriod to = when(end);
        if (to == null) {
            return from;
        }
        TimeValue low = from == null ? null : from.value() != null ? from.value() : from.low();
        TimeValue high = to.value() != null ? to.value() : to.high() != null ? to.high() : to.low();
        String text = from != null && from.text() != null ? from.text() : to.text();
        return new TimePeriod(null, low, high, low == null && high == null ? text : null);
    }

    static Quantity quantity(org.hl7.fhir.r4.model.Quantity quantity) {
        if (quantity == null || quantity.isEmpty()) {
            return null;
        }
        String unit = quantity.hasCode() ? quantity.getCode() : quantity.getUnit();
        return new Quantity(quantity.hasValue() ? quantity.getValue().toPlainString() : null, unit,
                quantity.hasComparator() ? quantity.getComparator().toCode() : null);
    }

    /** Every FHIR {@code value[x]} type an observation may carry. */
    static ObservedValue value(Type value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        if (value instanceof org.hl7.fhir.r4.model.Quantity quantity) {
            return new ObservedValue("PQ", quantity(quantity), null, null, null, null, null);
        }
        if (value instanceof CodeableConcept concept) {
            return new ObservedValue("CD", null, null, null, coded(concept), null, null);
        }
        if (value instanceof Coding coding) {
            return new ObservedValue("CD", null, null, null, coded(coding), null, null);
        }
        if (value instanceof IntegerType integer) {
            return new ObservedValue("INT", new Quantity(integer.getValueAsString(), null, null), null, null, null, null, null);
        }
        if (value instanceof BooleanType bool) {
            return new ObservedValue("BL", null, null, null, null, bool.getValueAsString(), null);
        }
        if (value instanceof Range range) {
            return new ObservedValue("IVL_PQ", null, quantity(range.getLow()), quantity(range.getHigh()), null, rangeText(range), null);
        }
        if (value instanceof Ratio ratio) {
            return new ObservedValue("RTO", null, quantity(ratio.getNumerator()), quantity(ratio.getDenominator()), null,
                    text(quantity(ratio.getNumerator())) + " / " + text(quantity(ratio.getDenominator())), null);
        }
        if (value instanceof Period period) {
            TimePeriod span = period(period);
            return new ObservedValue("IVL_TS", null, null, null, null,
                    (span.low() == null ? "" : span.low().raw()) + " – " + (span.high() == null ? "" : span.high().raw()), null);
        }
        if (value instanceof SampledData sampled) {
            return new ObservedValue("SD", null, null, null, null, sampled.getData(), null);
        }
        if (value instanceof Attachment attachment) {
            return new ObservedValue("ED", null, null, null, null, attachment.hasTitle() ? attachment.getTitle() : attachment.getContentType(), null);
        }
        if (value instanceof StringType string) {
            return new ObservedValue("ST", null, null, null, null, string.getValue(), null);
        }
        if (value instanceof BaseDateTimeType time) {
            return new ObservedValue("TS", null, null, null, null, time.getValueAsString(), null);
        }
        if (value instanceof PrimitiveType<?> primitive) {
            return new ObservedValue(value.fhirType(), null, null, null, null, primitive.getValueAsString(), null);
        }
        return new ObservedValue(value.fhirType(), null, null, null, null, null, null);
    }

    static ReferenceRange range(org.hl7.fhir.r4.model.Observation.ObservationReferenceRangeComponent range) {
        ObservedValue value = range.hasLow() || range.hasHigh()
                ? new ObservedValue("IVL_PQ", null, quantity(range.getLow()), quantity(range.getHigh()), null, null, null) : null;
        String text = range.hasText() ? range.getText()
                : range.hasAge() ? "age " + rangeText(range.getAge()) : null;
        return new ReferenceRange(value, range.hasType() ? coded(range.getType()) : null, text);
    }

    static String rangeText(Range range) {
        return text(quantity(range.getLow())) + " – " + text(quantity(range.getHigh()));
    }

    static String text(Quantity quantity) {
        if (quantity == null) {
            return "";
        }
        return (quantity.comparator() == null ? "" : quantity.comparator()) + nullToEmpty(quantity.value())
                + (quantity.unit() == null ? "" : " " + quantity.unit());
    }

    private static String nullToEmpty(String text) {
        return text == null ? "" : text;
    }
}
