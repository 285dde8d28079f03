package org.ehrarchive.chart;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.Period;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.FormatStyle;
import java.util.Locale;
import java.util.Optional;

import org.ehrarchive.record.TimePeriod;
import org.ehrarchive.record.TimeValue;

/**
 * Dates as people read them, in the site's locale, with the precision the source had: a year stays a year, a month
 * a month, a day has no time. A time is shown in the source's own offset (never converted), and the offset is named
 * only where it matters: when it differs from the site's at that instant. The archive's own events (an access, a
 * batch finished) are instants, not clinical dates: they are shown in the site's zone, to the second, zone named.
 * Every page of the portal writes dates through this one class.
 */
public final class ClinicalDates {

    /**
     * A date as a page shows it: {@code text} for people, {@code iso} the exact value for machines and tests (a
     * {@code <time datetime>} attribute); {@code iso} is empty when the source's text could not be read.
     */
    public record Shown(String iso, String text) {

        /** Nothing to show. */
        public static final Shown NONE = new Shown("", "");

        /** Whether there is nothing to show. */
        public boolean isEmpty() {
            return text.isEmpty();
        }
    }

    private final ZoneId siteZone;
    private final DateTimeFormatter month;
    private final DateTimeFormatter day;
    private final DateTimeFormatter minute;
    private final DateTimeFormatter second;
    private final DateTimeFormatter zone;

    public ClinicalDates(Locale locale, ZoneId siteZone) {
        this.siteZone = siteZone;
        this.month = DateTimeFormatter.ofPattern("MMM uuuu", locale);
        this.day = DateTimeFormatter.ofLocalizedDate(FormatStyle.MEDIUM).withLocale(locale);
        this.minute = DateTimeFormatter.ofLocalizedDateTime(FormatStyle.MEDIUM, FormatStyle.SHORT).withLocale(locale);
        this.second = DateTimeFormatter.ofLocalizedDateTime(FormatStyle.MEDIUM, FormatStyle.MEDIUM).withLocale(locale);
        this.zone = DateTimeFormatter.ofPattern("zzz", locale);
    }

    /** The site's time zone ({@code archive.portal.time-zone}). */
    public ZoneId siteZone() {
        return siteZone;
    }

    /** The day an instant falls on in the site's zone. */
    public LocalDate siteDay(Instant instant) {
        return instant.atZone(siteZone).toLocalDate();
    }

    /** A time with its exact ISO value beside the text {@link #format(TimeValue)} gives. */
    public Shown shown(TimeValue time) {
        String text = format(time);
        return text.isEmpty() ? Shown.NONE : new Shown(time.iso() == null ? "" : time.iso(), text);
    }

    /**
     * An ISO date or time at the precision it is written in ({@code 1975}, {@code 1975-04}, {@code 1975-04-02},
     * {@code 2012-08-06T10:15-05:00}), as the search index stores them; what is not ISO is shown as it is.
     */
    public Shown shown(String iso) {
        return iso == null || iso.isBlank() ? Shown.NONE : shown(new TimeValue(null, iso.strip(), null, null, null));
    }

    /** "Aug 6, 2012, 9:00:12 AM EDT": an instant of the archive's own (an access, a batch) in the site's zone, to the second. */
    public Shown instant(Instant instant) {
        if (instant == null) {
            return Shown.NONE;
        }
        ZonedDateTime there = instant.atZone(siteZone);
        return new Shown(instant.toString(), second.format(there) + " " + zone.format(there));
    }

    /** "2012", "Aug 2012", "Aug 6, 2012", "Aug 6, 2012, 9:00 AM (UTC-05:00)"; the source text when it cannot be read. */
    public String format(TimeValue time) {
        if (time == null) {
            return "";
        }
        if (time.iso() == null) {
            return time.raw() == null ? "" : time.raw();
        }
        String iso = time.iso();
        String precision = time.precision() == null ? precisionOf(iso) : time.precision();
        try {
            switch (precision) {
                case "YEAR":
                    return iso.substring(0, 4);
                case "MONTH":
                    return month.format(LocalDate.parse(iso.substring(0, 7) + "-01"));
                case "DAY":
                    return day.format(LocalDate.parse(iso.substring(0, 10)));
                default:
                    return timeOfDay(iso);
            }
        } catch (DateTimeParseException | StringIndexOutOfBoundsException unreadable) {
            return iso;
        }
    }

    /** A period: its point, or "start – end", or "since start", or the text the source gave. */
    public String format(TimePeriod period) {
        if (period == null) {
            return "";
        }
        if (period.value() != null) {
            return format(period.value());
        }
        if (period.low() != null && period.high() != null) {
            String low = format(period.low());
            String high = format(period.high());
            return low.equals(high) ? low : low + " – " + high;
        }
        if (period.low() != null) {
            return "since " + format(period.low());
        }
        if (period.high() != null) {
            return "until " + format(period.high());
        }
        return period.text() == null ? "" : period.text();
    }

    /** The calendar day a time falls on in its own offset, when the source gave at least a day. */
    public static Optional<LocalDate> day(TimeValue time) {
        if (time == null || time.iso() == null || time.iso().length() < 10) {
            return Optional.empty();
        }
        try {
            return Optional.of(LocalDate.parse(time.iso().substring(0, 10)));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** The earliest day a time can mean: a year means its 1 January, a month its first day. */
    public static Optional<LocalDate> earliestDay(TimeValue time) {
        if (time == null || time.iso() == null || time.iso().length() < 4) {
            return Optional.empty();
        }
        String iso = time.iso();
        try {
            if (iso.length() >= 10) {
                return Optional.of(LocalDate.parse(iso.substring(0, 10)));
            }
            if (iso.length() >= 7) {
                return Optional.of(LocalDate.parse(iso.substring(0, 7) + "-01"));
            }
            return Optional.of(LocalDate.of(Integer.parseInt(iso.substring(0, 4)), 1, 1));
        } catch (DateTimeParseException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Age in whole years on a day: "54", or "about 54" when the birth date is only a year or a month (the age is
     * then one of two values). Empty when the birth date cannot be read.
     */
    public static Optional<String> age(TimeValue birth, LocalDate on) {
        Optional<LocalDate> born = earliestDay(birth);
        if (born.isEmpty() || on.isBefore(born.get())) {
            return Optional.empty();
        }
        int years = Period.between(born.get(), on).getYears();
        boolean exact = birth.iso().length() >= 10;
        return Optional.of((exact ? "" : "about ") + years);
    }

    private String timeOfDay(String iso) {
        OffsetDateTime withOffset = null;
        LocalDateTime local;
        try {
            withOffset = OffsetDateTime.parse(iso);
            local = withOffset.toLocalDateTime();
        } catch (DateTimeParseException noOffset) {
            local = LocalDateTime.parse(iso.length() == 13 ? iso + ":00" : iso);
        }
        String shown = minute.format(local);
        if (withOffset != null) {
            ZoneOffset site = siteZone.getRules().getOffset(withOffset.toInstant());
            if (!site.equals(withOffset.getOffset())) {
                shown += " (UTC" + (withOffset.getOffset().getTotalSeconds() == 0 ? "" : withOffset.getOffset().getId()) + ")";
            }
        }
        return shown;
    }

    private static String precisionOf(String iso) {
        return iso.length() <= 4 ? "YEAR" : iso.length() <= 7 ? "MONTH" : iso.length() <= 10 ? "DAY" : "MINUTE";
    }
}
