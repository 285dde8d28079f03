package org.ehrarchive.ingest.table;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.Year;
import java.time.YearMonth;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.util.List;
import java.util.Locale;

import org.ehrarchive.ingest.table.MappingProfile.DateFormat;
import org.ehrarchive.record.TimeValue;

/** Dates of a table dump, read with the profile's patterns and kept at the precision the pattern gives. */
final class TableValues {

    /** A pattern as the profile gives it; throws IllegalArgumentException when java.time cannot read it. */
    static DateFormat dateFormat(String pattern) {
        DateTimeFormatter formatter = DateTimeFormatter.ofPattern(pattern, Locale.ROOT);
        String letters = pattern.replaceAll("'[^']*'", "");
        String precision = letters.contains("S") ? "FRACTION" : letters.contains("s") ? "SECOND"
                : letters.matches(".*[mHhk].*") ? "MINUTE" : letters.contains("d") ? "DAY" : letters.contains("M") ? "MONTH" : "YEAR";
        boolean offset = letters.matches(".*[XxZO].*");
        return new DateFormat(pattern, formatter, precision, offset);
    }

    /** The value as a time, by the first format that reads it whole; null when none does. */
    static TimeValue time(String raw, List<DateFormat> formats) {
        for (DateFormat format : formats) {
            try {
                TemporalAccessor parsed = format.formatter().parse(raw);
                return new TimeValue(raw, iso(parsed, format), format.precision(), format.hasOffset() ? zone(parsed) : null, null);
            } catch (java.time.DateTimeException e) {
                // the next format may read it
            }
        }
        return null;
    }

    private static String iso(TemporalAccessor parsed, DateFormat format) {
        switch (format.precision()) {
            case "YEAR" -> {
                return Year.from(parsed).toString();
            }
            case "MONTH" -> {
                return YearMonth.from(parsed).toString();
            }
            case "DAY" -> {
                return LocalDate.from(parsed).toString();
            }
            default -> {
                String pattern = switch (format.precision()) {
                    case "MINUTE" -> "yyyy-MM-dd'T'HH:mm";
                    case "SECOND" -> "yyyy-MM-dd'T'HH:mm:ss";
                    default -> "yyyy-MM-dd'T'HH:mm:ss.SSS";
                };
                if (format.hasOffset()) {
                    return OffsetDateTime.from(parsed).format(DateTimeFormatter.ofPattern(pattern + "XXX", Locale.ROOT));
                }
                return LocalDateTime.from(parsed).format(DateTimeFormatter.ofPattern(pattern, Locale.ROOT));
            }
        }
    }

    private static String zone(TemporalAccessor parsed) {
        int seconds = parsed.get(ChronoField.OFFSET_SECONDS);
        return seconds == 0 ? "Z" : java.time.ZoneOffset.ofTotalSeconds(seconds).getId();
    }

    /** Whether the text is a plain decimal number (what a numeric value with a unit needs). */
    static boolean isNumber(String text) {
        return text != null && text.matches("[-+]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d+)?");
    }

    private TableValues() {
    }
}
