package org.ehrarchive.ingest.ccda;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.ehrarchive.record.EntryKind;

/**
 * What the C-CDA importer recognises: sections by LOINC code or templateId, and entries by templateId.
 * A recognised section keeps its narrative and maps its entries; a section recognised as narrative-only
 * ({@link #NARRATIVE}) maps the entries whose own template it knows and keeps the rest raw.
 */
final class CcdaCatalog {

    /** Kind name of a recognised section whose entries, if any, have no kind of their own. */
    static final String NARRATIVE = "NARRATIVE";

    private static final String SECTION = "2.16.840.1.113883.10.20.22.2.";
    private static final String ENTRY = "2.16.840.1.113883.10.20.22.4.";
    private static final String LOINC = "2.16.840.1.113883.6.1";
    private static final String DICOM = "1.2.840.10008.2.16.4";

    /** LOINC section code -> section kind (an {@link EntryKind} name or {@link #NARRATIVE}). */
    private static final Map<String, String> SECTION_BY_LOINC = Map.ofEntries(
            Map.entry("11450-4", "PROBLEM"), Map.entry("11348-0", "PROBLEM"), Map.entry("11535-2", "PROBLEM"),
            Map.entry("46241-6", "PROBLEM"), Map.entry("10219-4", "PROBLEM"), Map.entry("10218-6", "PROBLEM"),
            Map.entry("10160-0", "MEDICATION"), Map.entry("29549-3", "MEDICATION"), Map.entry("42346-7", "MEDICATION"),
            Map.entry("10183-2", "MEDICATION"), Map.entry("75311-1", "MEDICATION"),
            Map.entry("48765-2", "ALLERGY"),
            Map.entry("30954-2", "RESULT"), Map.entry("18782-3", "RESULT"),
            Map.entry("8716-3", "VITAL_SIGN"),
            Map.entry("11369-6", "IMMUNIZATION"),
            Map.entry("47519-4", "PROCEDURE"), Map.entry("29554-3", "PROCEDURE"), Map.entry("59768-2", "PROCEDURE"),
            Map.entry("29762-2", "SOCIAL_HISTORY"),
            Map.entry("18776-5", "PLAN_OF_CARE"), Map.entry("59772-4", "PLAN_OF_CARE"), Map.entry("62387-6", "PLAN_OF_CARE"),
            Map.entry("46240-8", "ENCOUNTER"),
            Map.entry("10157-6", "FAMILY_HISTORY"),
            Map.entry("47420-5", "FUNCTIONAL_STATUS"),
            Map.entry("10190-7", "MENTAL_STATUS"),
            Map.entry("46264-8", "MEDICAL_EQUIPMENT"), Map.entry("55122-6", "MEDICAL_EQUIPMENT"), Map.entry("59771-6", "MEDICAL_EQUIPMENT"),
            Map.entry("61146-7", "GOAL"),
            Map.entry("75310-3", "HEALTH_CONCERN"),
            Map.entry("42348-3", "ADVANCE_DIRECTIVE"),
            Map.entry("51848-0", "ASSESSMENT"), Map.entry("51847-2", "ASSESSMENT"),
            Map.entry("48768-6", "COVERAGE"),
            Map.entry("11383-7", "GOAL"),
            Map.entry("61144-2", "NUTRITION"),
            Map.entry("34109-9", "NOTE"), Map.entry("28570-0", "NOTE"), Map.entry("11506-3", "NOTE"),
            Map.entry("11488-4", "NOTE"), Map.entry("18842-5", "NOTE"), Map.entry("34117-2", "NOTE"),
            // Narrative sections of the C-CDA document types.
            Map.entry("10154-3", NARRATIVE), Map.entry("29299-5", NARRATIVE), Map.entry("46239-0", NARRATIVE),
            Map.entry("10164-2", NARRATIVE), Map.entry("10187-3", NARRATIVE), Map.entry("29545-1", NARRATIVE),
            Map.entry("8648-8", NARRATIVE), Map.entry("8653-8", NARRATIVE), Map.entry("10210-3", NARRATIVE),
            Map.entry("59774-0", NARRATIVE), Map.entry("55109-3", NARRATIVE), Map.entry("59776-5", NARRATIVE),
            Map.entry("59773-2", NARRATIVE), Map.entry("59770-8", NARRATIVE), Map.entry("59775-7", NARRATIVE),
            Map.entry("11537-8", NARRATIVE), Map.entry("42349-1", NARRATIVE), Map.entry("61150-9", NARRATIVE),
            Map.entry("61149-1", NARRATIVE), Map.entry("69730-0", NARRATIVE), Map.entry("85847-2", NARRATIVE),
            Map.entry("8679-3", NARRATIVE), Map.entry("11493-4", NARRATIVE), Map.entry("10184-0", NARRATIVE),
            Map.entry("8650-4", NARRATIVE),
            Map.entry("55107-7", NARRATIVE), Map.entry("11329-0", NARRATIVE),
            Map.entry("10188-1", NARRATIVE), Map.entry("46209-3", NARRATIVE), Map.entry("83910-0", NARRATIVE),
            Map.entry("87520-3", NARRATIVE), Map.entry("57828-6", NARRATIVE), Map.entry("90767-5", NARRATIVE),
            Map.entry("18841-7", NARRATIVE), Map.entry("10216-0", NARRATIVE), Map.entry("10223-6", NARRATIVE),
            Map.entry("8709-8", NARRATIVE), Map.entry("8702-3", NARRATIVE), Map.entry("10197-2", NARRATIVE));

    /** C-CDA section templateId (root, without version) -> section kind. */
    private static final Map<String, String> SECTION_BY_TEMPLATE = Map.ofEntries(
            Map.entry(SECTION + "5", "PROBLEM"), Map.entry(SECTION + "5.1", "PROBLEM"), Map.entry(SECTION + "20", "PROBLEM"),
            Map.entry(SECTION + "24", "PROBLEM"), Map.entry(SECTION + "43", "PROBLEM"),
            Map.entry(SECTION + "1", "MEDICATION"), Map.entry(SECTION + "1.1", "MEDICATION"), Map.entry(SECTION + "38", "MEDICATION"),
            Map.entry(SECTION + "44", "MEDICATION"), Map.entry(SECTION + "11", "MEDICATION"), Map.entry(SECTION + "11.1", "MEDICATION"),
            Map.entry(SECTION + "6", "ALLERGY"), Map.entry(SECTION + "6.1", "ALLERGY"),
            Map.entry(SECTION + "3", "RESULT"), Map.entry(SECTION + "3.1", "RESULT"),
            Map.entry(SECTION + "4", "VITAL_SIGN"), Map.entry(SECTION + "4.1", "VITAL_SIGN"),
            Map.entry(SECTION + "2", "IMMUNIZATION"), Map.entry(SECTION + "2.1", "IMMUNIZATION"),
            Map.entry(SECTION + "7", "PROCEDURE"), Map.entry(SECTION + "7.1", "PROCEDURE"),
            Map.entry(SECTION + "17", "SOCIAL_HISTORY"),
            Map.entry(SECTION + "10", "PLAN_OF_CARE"),
            Map.entry(SECTION + "22", "ENCOUNTER"), Map.entry(SECTION + "22.1", "ENCOUNTER"),
            Map.entry(SECTION + "15", "FAMILY_HISTORY"),
            Map.entry(SECTION + "14", "FUNCTIONAL_STATUS"),
            Map.entry(SECTION + "56", "MENTAL_STATUS"),
            Map.entry(SECTION + "23", "MEDICAL_EQUIPMENT"),
            Map.entry(SECTION + "60", "GOAL"),
            Map.entry(SECTION + "58", "HEALTH_CONCERN"),
            Map.entry(SECTION + "21", "ADVANCE_DIRECTIVE"), Map.entry(SECTION + "21.1", "ADVANCE_DIRECTIVE"),
            Map.entry(SECTION + "8", "ASSESSMENT"), Map.entry(SECTION + "9", "ASSESSMENT"),
            Map.entry(SECTION + "18", "COVERAGE"),
            Map.entry(SECTION + "57", "NUTRITION"),
            Map.entry(SECTION + "65", "NOTE"));

    /** C-CDA entry templateId (root, without version) -> entry kind. */
    private static final Map<String, EntryKind> ENTRY_BY_TEMPLATE = Map.ofEntries(
            Map.entry(ENTRY + "3", EntryKind.PROBLEM), Map.entry(ENTRY + "4", EntryKind.PROBLEM),
            Map.entry(ENTRY + "33", EntryKind.PROBLEM), Map.entry(ENTRY + "34", EntryKind.PROBLEM),
            Map.entry(ENTRY + "80", EntryKind.PROBLEM), Map.entry(ENTRY + "65", EntryKind.PROBLEM),
            Map.entry(ENTRY + "30", EntryKind.ALLERGY), Map.entry(ENTRY + "7", EntryKind.ALLERGY),
            Map.entry(ENTRY + "16", EntryKind.MEDICATION), Map.entry(ENTRY + "17", EntryKind.MEDICATION),
            Map.entry(ENTRY + "52", EntryKind.IMMUNIZATION),
            Map.entry(ENTRY + "1", EntryKind.RESULT), Map.entry(ENTRY + "2", EntryKind.RESULT),
            Map.entry(ENTRY + "26", EntryKind.VITAL_SIGN), Map.entry(ENTRY + "27", EntryKind.VITAL_SIGN),
            Map.entry(ENTRY + "12", EntryKind.PROCEDURE), Map.entry(ENTRY + "13", EntryKind.PROCEDURE),
            Map.entry(ENTRY + "14", EntryKind.PROCEDURE),
            Map.entry(ENTRY + "49", EntryKind.ENCOUNTER),
            Map.entry(ENTRY + "38", EntryKind.SOCIAL_HISTORY), Map.entry(ENTRY + "78", EntryKind.SOCIAL_HISTORY),
            Map.entry(ENTRY + "85", EntryKind.SOCIAL_HISTORY), Map.entry(ENTRY + "200", EntryKind.SOCIAL_HISTORY),
            Map.entry("2.16.840.1.113883.10.20.15.3.8", EntryKind.SOCIAL_HISTORY),
            Map.entry(ENTRY + "39", EntryKind.PLAN_OF_CARE), Map.entry(ENTRY + "40", EntryKind.PLAN_OF_CARE),
            Map.entry(ENTRY + "41", EntryKind.PLAN_OF_CARE), Map.entry(ENTRY + "42", EntryKind.PLAN_OF_CARE),
            Map.entry(ENTRY + "43", EntryKind.PLAN_OF_CARE), Map.entry(ENTRY + "44", EntryKind.PLAN_OF_CARE),
            Map.entry(ENTRY + "120", EntryKind.PLAN_OF_CARE), Map.entry(ENTRY + "146", EntryKind.PLAN_OF_CARE),
            Map.entry(ENTRY + "140", EntryKind.PLAN_OF_CARE),
            Map.entry(ENTRY + "45", EntryKind.FAMILY_HISTORY), Map.entry(ENTRY + "46", EntryKind.FAMILY_HISTORY),
            Map.entry(ENTRY + "66", EntryKind.FUNCTIONAL_STATUS), Map.entry(ENTRY + "67", EntryKind.FUNCTIONAL_STATUS),
            Map.entry(ENTRY + "68", EntryKind.FUNCTIONAL_STATUS),
            Map.entry(ENTRY + "74", EntryKind.MENTAL_STATUS), Map.entry(ENTRY + "75", EntryKind.MENTAL_STATUS),
            Map.entry(ENTRY + "73", EntryKind.MENTAL_STATUS),
            Map.entry(ENTRY + "135", EntryKind.MEDICAL_EQUIPMENT), Map.entry(ENTRY + "50", EntryKind.MEDICAL_EQUIPMENT),
            Map.entry(ENTRY + "121", EntryKind.GOAL),
            Map.entry(ENTRY + "132", EntryKind.HEALTH_CONCERN), Map.entry(ENTRY + "136", EntryKind.HEALTH_CONCERN),
            Map.entry(ENTRY + "48", EntryKind.ADVANCE_DIRECTIVE), Map.entry(ENTRY + "108", EntryKind.ADVANCE_DIRECTIVE),
            Map.entry(ENTRY + "69", EntryKind.ASSESSMENT),
            Map.entry(ENTRY + "60", EntryKind.COVERAGE),
            Map.entry(ENTRY + "124", EntryKind.NUTRITION), Map.entry(ENTRY + "138", EntryKind.NUTRITION),
            Map.entry(ENTRY + "202", EntryKind.NOTE));

    private CcdaCatalog() {
    }

    /** The kind of a section from its LOINC code, else from its templateIds; empty when not recognised. */
    static Optional<String> sectionKind(String code, String codeSystem, List<String> templateIds) {
        boolean loinc = codeSystem == null || LOINC.equals(codeSystem);
        if (loinc && code != null && SECTION_BY_LOINC.containsKey(code)) {
            return Optional.of(SECTION_BY_LOINC.get(code));
        }
        if (DICOM.equals(codeSystem) && "121181".equals(code)) {
            return Optional.of(NARRATIVE); // DICOM Object Catalog
        }
        for (String templateId : templateIds) {
            String kind = SECTION_BY_TEMPLATE.get(rootOf(templateId));
            if (kind != null) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }

    /** The kind an entry's own templateId declares. */
    static Optional<EntryKind> entryKind(List<String> templateIds) {
        for (String templateId : templateIds) {
            EntryKind kind = ENTRY_BY_TEMPLATE.get(rootOf(templateId));
            if (kind != null) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }

    /**
     * Acts that wrap the observations they are about: problem, allergy, health and risk concerns, and the
     * diagnosis acts (hospital admission and discharge, encounter, pre- and post-operative diagnosis).
     */
    private static final Set<String> WRAPPING_ACTS = Set.of(ENTRY + "3", ENTRY + "30", ENTRY + "132", ENTRY + "136",
            ENTRY + "33", ENTRY + "34", ENTRY + "80", ENTRY + "65", ENTRY + "51");

    /** Observations that qualify a concern rather than name one: severity, priority, status, criticality, age. */
    private static final Set<String> QUALIFIER_OBSERVATIONS = Set.of(ENTRY + "8", ENTRY + "143", ENTRY + "6", ENTRY + "28",
            ENTRY + "5", ENTRY + "145", ENTRY + "31", ENTRY + "103");

    /** Whether an act wraps the observations it is about (see {@link #WRAPPING_ACTS}). */
    static boolean isConcernAct(List<String> templateIds) {
        return templateIds.stream().map(CcdaCatalog::rootOf).anyMatch(WRAPPING_ACTS::contains);
    }

    /** Whether an observation inside a concern qualifies it rather than being what the concern is about. */
    static boolean isQualifierObservation(List<String> templateIds) {
        return templateIds.stream().map(CcdaCatalog::rootOf).anyMatch(QUALIFIER_OBSERVATIONS::contains);
    }

    private static String rootOf(String templateId) {
        int colon = templateId.indexOf(':');
        return colon < 0 ? templateId : templateId.substring(0, colon);
    }
}
