package org.ehrarchive.search;

import java.time.LocalDate;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A patient search: any of name (words, typos and sound-alikes allowed), birth date (ISO: {@code 1975},
 * {@code 1975-05} or {@code 1975-05-12}) and identifier (exact value, any assigning authority). Blank means "any".
 */
public record PatientQuery(String name, String birthDate, String identifier) {

    private static final Pattern YEAR = Pattern.compile("\\d{4}");
    private static final Pattern YEAR_MONTH = Pattern.compile("\\d{4}-\\d{2}");
    private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");

    public boolean isEmpty() {
        return blank(name) && blank(birthDate) && blank(identifier);
    }

    /**
     * What is wrong with the query as given, in words for the person who typed it; empty when it can be run. A
     * birth date that is not a real date would otherwise match nobody, and look like "no such patient".
     */
    public Optional<String> problem() {
        if (blank(birthDate)) {
            return Optional.empty();
        }
        String date = birthDate.trim();
        try {
            if (YEAR.matcher(date).matches()) {
                return Optional.empty();
            }
            if (YEAR_MONTH.matcher(date).matches()) {
                YearMonth.parse(date);
                return Optional.empty();
            }
            if (DATE.matcher(date).matches()) {
                LocalDate.parse(date);
                return Optional.empty();
            }
        } catch (DateTimeParseException e) {
            return Optional.of("The birth date " + date + " is not a date in the calendar; give it as 1975, 1975-05 or 1975-05-12.");
        }
        return Optional.of("Give the birth date as 1975, 1975-05 or 1975-05-12.");
    }

    static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
