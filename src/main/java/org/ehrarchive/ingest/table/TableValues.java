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
            // parseUnresolved reports a mismatch by its position instead of an exception: a dump's dates are tried against
            // each format in turn, so most misses must be cheap.
            java.text.ParsePosition position = new java.text.ParsePosition(0);
            if (format.formatter().parseUnresolved(raw, position) == null || position.getErrorIndex() >= 0 || position.getIndex() != raw.length()) {
                continue;
            }
            try {
                TemporalAccessor parsed = format.formatter().parse(raw);
                return new TimeValue(raw, iso(parsed, format), format.precision(), format.hasOffset() ? zone(parsed) : null, null);
            } catch (java.time.DateTimeException e) {
                // the text has the format's shape but is no date (month 13): the next format may read it
            }
        }
        return null;
    }

    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm", Locale.ROOT);
    private static final DateTimeFormatter SECOND = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss", Locale.ROOT);
    private static final DateTimeFormatter FRACTION = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS", Locale.ROOT);
    private static final DateTimeFormatter MINUTE_OFFSET = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mmXXX", Locale.ROOT);
    private static final DateTimeFormatter SECOND_OFFSET = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX", Locale.ROOT);
    private static final DateTimeFormatter FRACTION_OFFSET = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", Locale.ROOT);

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
                boolean minute = "MINUTE".equals(format.precision());
                boolean second = "SECOND".equals(format.precision());
                if (format.hasOffset()) {
                    return OffsetDateTime.from(parsed).format(minute ? MINUTE_OFFSET : second ? SECOND_OFFSET : FRACTION_OFFSET);
                }
                return LocalDateTime.from(parsed).format(minute ? MINUTE : second ? SECOND : FRACTION);
            }
        }
    }

    private static String zone(TemporalAccessor parsed) {
        int seconds = parsed.get(ChronoField.OFFSET_SECONDS);
        return seconds == 0 ? "Z" : java.time.ZoneOffset.ofTotalSeconds(seconds).getId();
    }

    /** Whether the text is a plain decimal number (what a numeric value with a unit needs). */
    static boolean isNumber(String text) {
        return text != null && NUMBER.matcher(text).matches();
    }

    private static final java.util.regex.Pattern NUMBER = java.util.regex.Pattern.compile("[-+]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d+)?");

    private TableValues() {
    }
}
