package org.ehrarchive.record;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The value of an observation, whichever form the source used: a quantity (possibly a range via
 * {@code low}/{@code high}), a code, or text. {@code type} is the source's type name (HL7 {@code xsi:type}
 * such as PQ, CD, ST, IVL_PQ, INT, BL, RTO), kept so nothing about the form is lost. For a ratio (RTO),
 * {@code low} is the numerator and {@code high} the denominator, and {@code text} reads {@code "n unit / d unit"}.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ObservedValue(String type, Quantity quantity, Quantity low, Quantity high, Coded coded, String text,
        String nullFlavor) {
}
