package org.ehrarchive.record;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A result's reference range as given: bounds, its interpretation (normal, critical...), and its text. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ReferenceRange(ObservedValue value, Coded interpretation, String text) {
}
