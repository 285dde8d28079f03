package org.ehrarchive.record;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Keys that sort times chronologically as text, for columns such as {@code effective_sort} and for the order of
 * record versions: a time with a zone is converted to UTC, so that 10:00-05:00 sorts after 14:00Z; dates and
 * times without a zone sort as given.
 */
public final class SortKeys {

    private SortKeys() {
    }

    public static String of(TimeValue time) {
        if (time == null || time.iso() == null) {
            return null;
        }
        if (time.timeZone() != null && time.iso().contains("T")) {
            try {
                return OffsetDateTime.parse(time.iso()).withOffsetSameInstant(ZoneOffset.UTC)
                        .toLocalDateTime().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME) + "Z";
            } catch (DateTimeParseException e) {
                return time.iso();
            }
        }
        return time.iso();
    }

    public static String of(TimePeriod period) {
        return period == null ? null : of(period.sortKey());
    }
}
