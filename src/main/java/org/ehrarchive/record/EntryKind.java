package org.ehrarchive.record;

/**
 * The kinds of clinical entry of the normalized record, version 1. Each format's importer maps its source
 * statements to one of these; what fits none is kept as a raw fragment instead (see {@code raw_fragment}).
 */
public enum EntryKind {
    ENCOUNTER,
    PROBLEM,
    MEDICATION,
    ALLERGY,
    RESULT,
    VITAL_SIGN,
    IMMUNIZATION,
    PROCEDURE,
    SOCIAL_HISTORY,
    PLAN_OF_CARE,
    FAMILY_HISTORY,
    FUNCTIONAL_STATUS,
    MENTAL_STATUS,
    NUTRITION,
    COVERAGE,
    MEDICAL_EQUIPMENT,
    GOAL,
    HEALTH_CONCERN,
    ADVANCE_DIRECTIVE,
    ASSESSMENT,
    NOTE,
    /** A billed charge, credit or payment (HL7 v2 FT1): billing is part of the legal record. */
    CHARGE;

    /** Whether facts of this kind hold over time (a problem, a medication) rather than happen on a day (a result, a visit). */
    public boolean holdsOverTime() {
        return switch (this) {
            case PROBLEM, ALLERGY, MEDICATION, HEALTH_CONCERN, FAMILY_HISTORY, GOAL, COVERAGE, MEDICAL_EQUIPMENT, ADVANCE_DIRECTIVE,
                    FUNCTIONAL_STATUS, MENTAL_STATUS -> true;
            default -> false;
        };
    }

    /** Whether entries of this kind are measurements with flags and reference ranges, plotted as trends. */
    public boolean isMeasured() {
        return this == RESULT || this == VITAL_SIGN;
    }

    /** The kinds that are measured, in declaration order. */
    public static java.util.Set<EntryKind> measured() {
        java.util.Set<EntryKind> measured = java.util.EnumSet.noneOf(EntryKind.class);
        for (EntryKind kind : values()) {
            if (kind.isMeasured()) {
                measured.add(kind);
            }
        }
        return measured;
    }
}
