package org.ehrarchive.record;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A coded value exactly as the source gave it: code, code system (OID and name), display name, original text,
 * translations into other code systems, and a null flavor when the source said why there is no code.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Coded(String code, String codeSystem, String codeSystemName, String displayName, String originalText,
        String nullFlavor, List<Coded> translations, List<Coded> qualifiers) {

    /** The best human-readable label: display name, then original text, then the bare code. */
    public String label() {
        if (displayName != null && !displayName.isBlank()) {
            return displayName;
        }
        if (originalText != null && !originalText.isBlank()) {
            return originalText;
        }
        return code;
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isEmpty() {
        return code == null && displayName == null && originalText == null && nullFlavor == null
                && (translations == null || translations.isEmpty());
    }
}
