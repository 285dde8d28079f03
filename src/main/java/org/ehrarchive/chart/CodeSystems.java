package org.ehrarchive.chart;

import java.util.Locale;
import java.util.Map;

/**
 * The one name of a code system that C-CDA and HL7 v2 spell as an OID, FHIR as a URI and a table dump as either: so
 * that the same vaccination from a C-CDA document and a FHIR export is one fact in a chart (docs/patient-identity.md).
 * A system not listed here is its own name (an {@code urn:oid:} prefix dropped).
 */
public final class CodeSystems {

    private static final Map<String, String> CANONICAL = Map.ofEntries(
            Map.entry("2.16.840.1.113883.6.1", "http://loinc.org"),
            Map.entry("2.16.840.1.113883.6.96", "http://snomed.info/sct"),
            Map.entry("2.16.840.1.113883.6.88", "http://www.nlm.nih.gov/research/umls/rxnorm"),
            Map.entry("2.16.840.1.113883.12.292", "http://hl7.org/fhir/sid/cvx"),
            Map.entry("2.16.840.1.113883.6.90", "http://hl7.org/fhir/sid/icd-10-cm"),
            Map.entry("2.16.840.1.113883.6.3", "http://hl7.org/fhir/sid/icd-10"),
            Map.entry("2.16.840.1.113883.6.103", "http://hl7.org/fhir/sid/icd-9-cm"),
            Map.entry("2.16.840.1.113883.6.104", "http://hl7.org/fhir/sid/icd-9-cm"),
            Map.entry("2.16.840.1.113883.6.12", "http://www.ama-assn.org/go/cpt"),
            Map.entry("2.16.840.1.113883.6.285", "urn:oid:2.16.840.1.113883.6.285"),
            Map.entry("2.16.840.1.113883.6.69", "http://hl7.org/fhir/sid/ndc"),
            Map.entry("2.16.840.1.113883.6.8", "http://unitsofmeasure.org"),
            Map.entry("LN", "http://loinc.org"),
            Map.entry("SCT", "http://snomed.info/sct"),
            Map.entry("RXNORM", "http://www.nlm.nih.gov/research/umls/rxnorm"),
            Map.entry("CVX", "http://hl7.org/fhir/sid/cvx"),
            Map.entry("I10", "http://hl7.org/fhir/sid/icd-10-cm"),
            Map.entry("I9CM", "http://hl7.org/fhir/sid/icd-9-cm"));

    private CodeSystems() {
    }

    /** The system's one name; null stays null. */
    public static String canonical(String system) {
        if (system == null) {
            return null;
        }
        String trimmed = system.strip();
        if (trimmed.regionMatches(true, 0, "urn:oid:", 0, 8)) {
            trimmed = trimmed.substring(8);
        }
        String known = CANONICAL.get(trimmed);
        if (known == null) {
            known = CANONICAL.get(trimmed.toUpperCase(Locale.ROOT));
        }
        return known != null ? known : trimmed;
    }
}
