package org.ehrarchive.record;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A phone number, e-mail or other address as given ({@code tel:}, {@code mailto:}...), with its use. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ContactPoint(String value, String use, String nullFlavor) {
}
