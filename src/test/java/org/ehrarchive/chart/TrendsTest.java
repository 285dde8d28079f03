package org.ehrarchive.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.ehrarchive.record.ChartService.Chart;
import org.ehrarchive.record.ChartService.EntryView;
import org.ehrarchive.record.Coded;
import org.ehrarchive.record.EntryKind;
import org.ehrarchive.record.ObservedValue;
import org.ehrarchive.record.Quantity;
import org.ehrarchive.record.TimePeriod;
import org.ehrarchive.record.TimeValue;
import org.junit.jupiter.api.Test;

/** Results grouped by test: the summary's few most measured tests are the ones the trends page lists first. */
class TrendsTest {

    private long ids = 1;

    @Test
    void theMostMeasuredTestsWithValuesToPlotAreTheFirstOfEveryTestsOrder() {
        List<EntryView> results = new ArrayList<>();
        results.addAll(measured("2160-0", "Creatinine", "mg/dL", 5));
        results.addAll(measured("718-7", "Hemoglobin", "g/dL", 4));
        results.addAll(measured("6690-2", "WBC", "10*3/uL", 4)); // tied with haemoglobin: by name
        results.addAll(measured("2345-7", "Glucose", "mg/dL", 2));
        for (int i = 0; i < 6; i++) {
            results.add(result("5778-6", "Urine color", null, null, "2019-01-0" + (i + 1))); // most often, but nothing to plot
        }
        PatientChart chart = new PatientChart(new Chart(1, List.of(), List.of(), List.of(), Map.of(EntryKind.RESULT, results), List.of(), List.of()));

        List<String> every = Trends.of(chart).stream().map(Trends.Trend::name).toList();
        assertThat(every).containsExactly("Urine color", "Creatinine", "Hemoglobin", "WBC", "Glucose");
        for (int n = 1; n <= 4; n++) {
            assertThat(Trends.mostMeasured(chart, n)).as("the %d most measured with values", n)
                    .extracting(Trends.Trend::name).containsExactlyElementsOf(every.subList(1, 1 + n));
        }
        assertThat(Trends.mostMeasured(chart, 6)).as("fewer plottable tests than asked for").hasSize(4);
        assertThat(Trends.of(chart, "loinc-718-7")).hasValueSatisfying(t -> assertThat(t.plotted()).hasSize(4));
        assertThat(Trends.of(chart, "loinc-0000-0")).isEmpty();
    }

    private List<EntryView> measured(String loinc, String name, String unit, int count) {
        List<EntryView> entries = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            entries.add(result(loinc, name, Integer.toString(10 + i), unit, "2020-0" + (i + 1) + "-15"));
        }
        return entries;
    }

    private EntryView result(String loinc, String name, String value, String unit, String day) {
        Coded code = new Coded(loinc, "2.16.840.1.113883.6.1", "LOINC", name, null, null, List.of(), List.of());
        List<ObservedValue> values = value == null ? List.of(new ObservedValue("ST", null, null, null, null, "yellow", null))
                : List.of(new ObservedValue("PQ", new Quantity(value, unit, null), null, null, null, null, null));
        return new EntryView(ids++, null, null, EntryKind.RESULT, code, name, "completed", false, "EVN",
                new TimePeriod(new TimeValue(day.replace("-", ""), day, "DAY", null, null), null, null, null), values, List.of(), List.of(),
                Map.of(), null, null, null, ids, 1, List.of());
    }
}
