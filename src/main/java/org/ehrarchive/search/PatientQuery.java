package org.ehrarchive.search;

/**
 * A patient search: any of name (words, typos and sound-alikes allowed), birth date (ISO: {@code 1975},
 * {@code 1975-05} or {@code 1975-05-12}) and identifier (exact value, any assigning authority). Blank means "any".
 */
public record PatientQuery(String name, String birthDate, String identifier) {

    public boolean isEmpty() {
        return blank(name) && blank(birthDate) && blank(identifier);
    }

    static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
