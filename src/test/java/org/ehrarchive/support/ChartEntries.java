package org.ehrarchive.support;

import org.ehrarchive.record.ClinicalEntry;
import org.ehrarchive.record.EntryKind;

import io.quarkus.narayana.jta.QuarkusTransaction;

/** Entry ids of an archived patient, for tests that open the chart's fact and encounter pages. */
public final class ChartEntries {

    /** The trend key of the full-ccd fixture's WBC result (LOINC 6690-2). */
    public static final String FIXTURE_TREND = "loinc-6690-2";

    private ChartEntries() {
    }

    /** The id of the patient's first entry of this kind. */
    public static long first(long patientId, EntryKind kind) {
        return QuarkusTransaction.requiringNew().call(() -> ClinicalEntry.<ClinicalEntry>find("patientId = ?1 and kind = ?2 order by id", patientId, kind)
                .firstResult().id);
    }
}
