package org.ehrarchive.record;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An identifier with the authority that assigned it: {@code system} is the assigning authority's OID or URI
 * (HL7 {@code @root}), {@code assigningAuthority} its name when given, {@code value} the identifier itself
 * (HL7 {@code @extension}, or the root alone when there is no extension).
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Identifier(String system, String value, String assigningAuthority, String nullFlavor) {

    /** Whether the identifier names a real value (not a null flavor, not empty). */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isUsable() {
        return nullFlavor == null && value != null && !value.isBlank();
    }
}
