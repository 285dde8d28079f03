package org.ehrarchive.record;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * When something happened: a point ({@code value}), an interval ({@code low}/{@code high}), or both as a source
 * may give them. {@code text} keeps a period the model does not parse (a frequency, an event-related time).
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record TimePeriod(TimeValue value, TimeValue low, TimeValue high, String text) {

    /** The time to sort and show by: the point, else the start, else the end. */
    public TimeValue sortKey() {
        return value != null ? value : low != null ? low : high;
    }
}
