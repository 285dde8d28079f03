package org.ehrarchive.record;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A postal address as given, with its use (home, work, previous...) and validity period. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record PostalAddress(String use, List<String> lines, String city, String state, String postalCode, String country,
        String county, String text, TimePeriod validTime, String nullFlavor) {
}
