package org.ehrarchive.ingest.fhir;

import java.util.HashMap;
import java.util.Map;

import org.ehrarchive.ingest.ImportedRecord;
import org.ehrarchive.record.Coded;

/**
 * What the resources of one source unit (a bundle, an export folder) may refer to (docs/formats/fhir.md): its patients,
 * whose records their resources belong to, and the reference data (organizations, practitioners, locations,
 * medications) whose names and codes a resource shows when it gives only a reference. Every form of FHIR reference
 * finds them: {@code urn:uuid:} full URLs, relative ({@code Patient/123}, with or without {@code _history}), absolute,
 * and conditional ({@code Patient?identifier=system|value}).
 * <p>
 * Memory: one record per patient of the unit and one name per reference resource (the unit's whole working set,
 * bounded by {@link #MAX_REFERENCE_DATA} for reference data; beyond it names are no longer remembered and rows show
 * their references as given).
 */
final class References {

    /** Reference-data names remembered per unit, at most: a few hundred bytes each. */
    static final int MAX_REFERENCE_DATA = 500_000;

    private final Map<String, ImportedRecord> patients = new HashMap<>();
    private final Map<String, String> names = new HashMap<>();
    private final Map<String, Coded> medications = new HashMap<>();

    /**
     * Remembers a patient's record under every name a reference may use: its type and id, its full URL, and each
     * identifier ({@code system|value}, and the bare value for a conditional reference that gives no system).
     */
    void patient(String id, String fullUrl, Iterable<org.ehrarchive.record.Identifier> identifiers, ImportedRecord record) {
        if (id != null) {
            patients.put("Patient/" + id, record);
        }
        if (fullUrl != null) {
            patients.put(fullUrl, record);
            String relative = relative(fullUrl);
            if (relative != null) {
                patients.put(relative, record);
            }
        }
        for (org.ehrarchive.record.Identifier identifier : identifiers) {
            if (identifier.isUsable()) {
                patients.put("Patient?identifier=" + (identifier.system() == null ? "" : identifier.system()) + "|" + identifier.value(), record);
                patients.putIfAbsent("Patient?identifier=" + identifier.value(), record);
            }
        }
    }

    /** The patient record a reference names, or null when it names none of the unit's patients. */
    ImportedRecord patient(String reference) {
        String key = key(reference);
        return key == null ? null : patients.get(key);
    }

    /** The patient named by an identifier alone (a reference that gives {@code identifier} and no {@code reference}). */
    ImportedRecord patientByIdentifier(String system, String value) {
        ImportedRecord found = patients.get("Patient?identifier=" + (system == null ? "" : system) + "|" + value);
        return found != null ? found : patients.get("Patient?identifier=" + value);
    }

    void name(String type, String id, String fullUrl, Iterable<org.ehrarchive.record.Identifier> identifiers, String name) {
        if (name == null || names.size() >= MAX_REFERENCE_DATA) {
            return;
        }
        if (id != null) {
            names.put(type + "/" + id, name);
        }
        if (fullUrl != null) {
            names.put(fullUrl, name);
        }
        for (org.ehrarchive.record.Identifier identifier : identifiers) {
            if (identifier.isUsable()) {
                names.put(type + "?identifier=" + (identifier.system() == null ? "" : identifier.system()) + "|" + identifier.value(), name);
            }
        }
    }

    String name(String reference) {
        String key = key(reference);
        return key == null ? null : names.get(key);
    }

    void medication(String id, String fullUrl, Coded code) {
        if (code == null || medications.size() >= MAX_REFERENCE_DATA) {
            return;
        }
        if (id != null) {
            medications.put("Medication/" + id, code);
        }
        if (fullUrl != null) {
            medications.put(fullUrl, code);
        }
    }

    Coded medication(String reference) {
        String key = key(reference);
        return key == null ? null : medications.get(key);
    }

    /**
     * The form a reference is remembered under: a full URL as it is ({@code urn:uuid:}, {@code urn:oid:}), a
     * conditional reference as it is, anything else as its last {@code Type/id} (an absolute URL's base and a
     * {@code /_history/n} suffix dropped).
     */
    static String key(String reference) {
        if (reference == null || reference.isBlank() || reference.startsWith("#")) {
            return null;
        }
        String trimmed = reference.strip();
        if (trimmed.startsWith("urn:") || trimmed.contains("?")) {
            return trimmed;
        }
        String relative = relative(trimmed);
        return relative != null ? relative : trimmed;
    }

    /** {@code Type/id} of a relative or absolute reference, or null when it has no such tail. */
    static String relative(String url) {
        if (url.startsWith("urn:")) {
            return null;
        }
        String path = url;
        int history = path.indexOf("/_history/");
        if (history >= 0) {
            path = path.substring(0, history);
        }
        int last = path.lastIndexOf('/');
        if (last <= 0 || last == path.length() - 1) {
            return null;
        }
        int before = path.lastIndexOf('/', last - 1);
        String type = path.substring(before + 1, last);
        if (type.isEmpty() || !Character.isUpperCase(type.charAt(0))) {
            return null;
        }
        return type + "/" + path.substring(last + 1);
    }

    /** The resource type a reference names ({@code Patient} of {@code Patient/1} or of {@code Patient?identifier=...}). */
    static String typeOf(String reference) {
        if (reference == null) {
            return null;
        }
        int query = reference.indexOf('?');
        if (query > 0 && !reference.substring(0, query).contains("/")) {
            return reference.substring(0, query);
        }
        String relative = reference.startsWith("urn:") ? null : relative(reference);
        return relative == null ? null : relative.substring(0, relative.indexOf('/'));
    }
}
