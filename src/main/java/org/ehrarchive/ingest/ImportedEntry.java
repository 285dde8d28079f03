package org.ehrarchive.ingest;

import java.util.List;
import java.util.Map;

import org.ehrarchive.record.Coded;
import org.ehrarchive.record.EntryKind;
import org.ehrarchive.record.ObservedValue;
import org.ehrarchive.record.ReferenceRange;
import org.ehrarchive.record.TimePeriod;

/**
 * One normalized clinical entry; {@code sectionOrdinal} is null for an entry read from the document header
 * (the encounter a document belongs to). {@code code} is what the entry is about (the problem, the drug, the test);
 * {@code values} what was observed; {@code details} holds the kind-specific rest (dose, route, reactions,
 * panel...). What the model has no column for stays in the original, which {@code locator} points into.
 */
public record ImportedEntry(
        Integer sectionOrdinal,
        EntryKind kind,
        Coded code,
        String status,
        boolean negated,
        String mood,
        TimePeriod effective,
        List<ObservedValue> values,
        List<Coded> interpretations,
        List<ReferenceRange> referenceRanges,
        Map<String, Object> details,
        String text,
        String locator) {
}
