package org.ehrarchive.record;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A measured amount kept as given: the value as text (no rounding, no float conversion) and the unit as written. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Quantity(String value, String unit, String comparator) {
}
