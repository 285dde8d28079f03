package org.ehrarchive.record;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A point in time with the precision and time zone the source gave it. {@code raw} is the source text
 * (for example HL7 TS {@code 201208061015-0500}); {@code iso} is the same instant in ISO 8601 at that precision
 * ({@code 2012-08-06T10:15-05:00}); {@code precision} is YEAR, MONTH, DAY, HOUR, MINUTE, SECOND or FRACTION.
 * A value the source gave that cannot be read keeps {@code raw} with no {@code iso}.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record TimeValue(String raw, String iso, String precision, String timeZone, String nullFlavor) {
}
