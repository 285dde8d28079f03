package org.ehrarchive.search;

import java.util.List;

/** What the index knows of a patient: names (from every source), birth dates (ISO), identifiers and sex. */
public record IndexedPatient(long patientId, List<String> names, List<String> birthDates, List<String> identifiers,
        String sex) {
}
