package org.ehrarchive.release;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Reading what a person or a client sent for release of information (a form's fields, a JSON request's members): each
 * value it cannot read is refused with {@link IllegalArgumentException} naming the field and what it takes, never
 * ignored.
 */
public final class ReleaseForms {

    private ReleaseForms() {
    }

    /** The request states a queue filter names: {@code open} (the default), {@code released}, {@code closed}, {@code all}. */
    public static Set<ReleaseRequest.State> states(String state) {
        return switch (state == null || state.isBlank() ? "open" : state.trim()) {
            case "open" -> EnumSet.of(ReleaseRequest.State.OPEN);
            case "released" -> EnumSet.of(ReleaseRequest.State.RELEASED);
            case "closed" -> EnumSet.of(ReleaseRequest.State.CLOSED);
            case "all" -> EnumSet.allOf(ReleaseRequest.State.class);
            default -> throw new IllegalArgumentException("state is one of open, released, closed, all");
        };
    }

    /** The constant of {@code type} a value names, case aside. */
    public static <E extends Enum<E>> E named(Class<E> type, String value, String field) {
        try {
            return Enum.valueOf(type, value == null ? "" : value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException unknown) {
            throw new IllegalArgumentException(field + " is one of " + String.join(", ", Arrays.stream(type.getEnumConstants()).map(Enum::name).toList()));
        }
    }

    /** A day, YYYY-MM-DD; null when none was given. */
    public static LocalDate day(String value, String field) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return LocalDate.parse(value.trim());
        } catch (DateTimeParseException unreadable) {
            throw new IllegalArgumentException(field + " is a date, YYYY-MM-DD");
        }
    }

    /** An amount such as 1.25; zero when none was given. */
    public static BigDecimal money(String value, String field) {
        if (value == null || value.isBlank()) {
            return BigDecimal.ZERO;
        }
        try {
            return new BigDecimal(value.trim());
        } catch (NumberFormatException notANumber) {
            throw new IllegalArgumentException(field + " is an amount, such as 1.25");
        }
    }

    /** An archive id (a patient's, a request's). */
    public static long id(String value, String field) {
        try {
            return Long.parseLong(value == null ? "" : value.trim());
        } catch (NumberFormatException notANumber) {
            throw new IllegalArgumentException("Give " + field + " as its archive id (a number)");
        }
    }
}
