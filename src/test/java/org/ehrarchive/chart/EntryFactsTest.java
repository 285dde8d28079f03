package org.ehrarchive.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.ehrarchive.record.ChartService.EntryView;
import org.ehrarchive.record.Coded;
import org.ehrarchive.record.EntryKind;
import org.ehrarchive.record.Hl7Time;
import org.ehrarchive.record.ObservedValue;
import org.ehrarchive.record.Quantity;
import org.ehrarchive.record.ReferenceRange;
import org.ehrarchive.record.TimePeriod;
import org.junit.jupiter.api.Test;

/**
 * What a clinician reads off an entry, from each format's own place for it (the shapes are those the importers
 * store in {@code details}, as they read back from the database: maps and lists).
 */
class EntryFactsTest {

    @Test
    void aCcdaProblemIsActiveByItsConcernAndResolvedWhenItsObservationEnded() {
        Map<String, Object> activeConcern = Map.of("concern", Map.of("status", "active"));
        assertThat(EntryFacts.activity(entry(EntryKind.PROBLEM, "completed", activeConcern, null))).isEqualTo(EntryFacts.Activity.ACTIVE);
        TimePeriod ended = new TimePeriod(null, Hl7Time.parse("2010", null), Hl7Time.parse("2012", null), null);
        assertThat(EntryFacts.activity(entry(EntryKind.PROBLEM, "completed", activeConcern, ended))).isEqualTo(EntryFacts.Activity.RESOLVED);
        assertThat(EntryFacts.activity(entry(EntryKind.PROBLEM, "completed", Map.of("concern", Map.of("status", "completed")), null)))
                .isEqualTo(EntryFacts.Activity.RESOLVED);
    }

    @Test
    void aCcdaProblemStatusObservationOutranksTheConcernsStatus() {
        Map<String, Object> status = Map.of("templateIds", List.of("2.16.840.1.113883.10.20.22.4.6"),
                "values", List.of(Map.of("coded", Map.of("code", "413322009", "displayName", "Resolved"))));
        Map<String, Object> details = Map.of("concern", Map.of("status", "active"), "related", List.of(status));
        assertThat(EntryFacts.activity(entry(EntryKind.PROBLEM, "completed", details, null))).isEqualTo(EntryFacts.Activity.RESOLVED);
    }

    @Test
    void fhirAndHl7v2StatusesAreReadAsTheyAre() {
        assertThat(EntryFacts.activity(entry(EntryKind.PROBLEM, "resolved", Map.of(), null))).isEqualTo(EntryFacts.Activity.RESOLVED);
        assertThat(EntryFacts.activity(entry(EntryKind.PROBLEM, "recurrence", Map.of(), null))).isEqualTo(EntryFacts.Activity.ACTIVE);
        assertThat(EntryFacts.activity(entry(EntryKind.MEDICATION, "stopped", Map.of(), null))).isEqualTo(EntryFacts.Activity.RESOLVED);
        assertThat(EntryFacts.activity(entry(EntryKind.ALLERGY, null, Map.of(), null))).isEqualTo(EntryFacts.Activity.UNKNOWN);
    }

    @Test
    void aResultWithoutAnInterpretationIsFlaggedFromItsRangeAndSaysSo() {
        EntryView high = result("12.25", "10*3/uL", "4.3", "10.8", null);
        EntryFacts.Flag flag = EntryFacts.flag(high);
        assertThat(flag.abnormal()).isTrue();
        assertThat(flag.symbol()).isEqualTo("▲ H");
        assertThat(flag.computed()).isTrue();
        assertThat(EntryFacts.range(high)).isEqualTo("4.3–10.8 10*3/uL");
        assertThat(EntryFacts.flag(result("7.1", "10*3/uL", "4.3", "10.8", null)).abnormal()).isFalse();
        assertThat(EntryFacts.flag(result("3.0", "10*3/uL", "4.3", "10.8", "LL")).label()).isEqualTo("critically low");
    }

    @Test
    void doseRouteAndFrequencyComeFromEachFormatsPlace() {
        Map<String, Object> ccda = Map.of("dose", Map.of("value", "1", "unit", "1"), "route", Map.of("code", "C38288", "displayName", "ORAL"),
                "schedule", List.of("every 12 h"));
        assertThat(EntryFacts.dosage(entry(EntryKind.MEDICATION, "active", ccda, null))).isEqualTo("dose 1 · ORAL · every 12 h");
        assertThat(EntryFacts.frequency("PIVL_TS every 8 h operator A")).isEqualTo("every 8 h");
        Map<String, Object> fhir = Map.of("dosage", List.of(Map.of("dose", "500 mg", "route", "Oral", "timing", "2 per 1 d")));
        assertThat(EntryFacts.dosage(entry(EntryKind.MEDICATION, "active", fhir, null))).isEqualTo("500 mg · Oral · 2 per 1 d");
    }

    @Test
    void reactionsAndSeverityComeFromEachFormatsPlace() {
        Map<String, Object> hl7v2 = Map.of("reactions", List.of("Hives", "Wheezing"), "severity", Map.of("code", "MO", "displayName", "Moderate"));
        assertThat(EntryFacts.reactions(entry(EntryKind.ALLERGY, "active", hl7v2, null))).isEqualTo("Hives, Wheezing");
        assertThat(EntryFacts.severity(entry(EntryKind.ALLERGY, "active", hl7v2, null))).isEqualTo("Moderate");
        Map<String, Object> fhir = Map.of("criticality", "high", "reactions", List.of(Map.of("manifestations", List.of("Anaphylaxis"), "severity", "severe")));
        assertThat(EntryFacts.reactions(entry(EntryKind.ALLERGY, "active", fhir, null))).isEqualTo("Anaphylaxis");
        assertThat(EntryFacts.severity(entry(EntryKind.ALLERGY, "active", fhir, null))).isEqualTo("severe");
        assertThat(EntryFacts.criticality(entry(EntryKind.ALLERGY, "active", fhir, null))).isEqualTo("high");
    }

    static EntryView entry(EntryKind kind, String status, Map<String, Object> details, TimePeriod effective) {
        return new EntryView(1, null, null, kind, null, "Something", status, false, "EVN", effective, List.of(), List.of(), List.of(), details,
                null, null, null, 1, 1, List.of());
    }

    static EntryView result(String value, String unit, String low, String high, String interpretation) {
        ReferenceRange range = new ReferenceRange(new ObservedValue("IVL_PQ", null, new Quantity(low, unit, null), new Quantity(high, unit, null), null,
                null, null), null, null);
        List<Coded> interpretations = interpretation == null ? List.of()
                : List.of(new Coded(interpretation, "2.16.840.1.113883.5.83", null, null, null, null, List.of(), List.of()));
        return new EntryView(2, null, null, EntryKind.RESULT, null, "WBC", "completed", false, "EVN", null,
                List.of(new ObservedValue("PQ", new Quantity(value, unit, null), null, null, null, null, null)), interpretations, List.of(range),
                Map.of(), null, null, null, 1, 1, List.of());
    }
}
