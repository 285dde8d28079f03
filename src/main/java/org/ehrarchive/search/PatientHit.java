package org.ehrarchive.search;

import java.util.List;

/** A patient found, with what the index holds to show in a result list. */
public record PatientHit(long patientId, float score, List<String> names, List<String> birthDates, List<String> identifiers,
        String sex) {
}
