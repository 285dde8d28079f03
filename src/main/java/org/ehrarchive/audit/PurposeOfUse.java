package org.ehrarchive.audit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Why a user reads patient data, as they state it: codes of HL7's PurposeOfUse value set (the ones IHE's Basic Audit
 * Log Patterns put in an AuditEvent), each with the words the portal shows. The access audit records the stated purpose
 * with each access (docs/compliance.md); an access without a stated purpose records none, never a guess.
 */
public final class PurposeOfUse {

    /** The codes a user may state, in the order the portal lists them. */
    public static final Map<String, String> CODES = codes();

    private PurposeOfUse() {
    }

    private static Map<String, String> codes() {
        Map<String, String> codes = new LinkedHashMap<>();
        codes.put("TREAT", "Treatment");
        codes.put("ETREAT", "Emergency treatment");
        codes.put("HPAYMT", "Payment");
        codes.put("HOPERAT", "Health care operations");
        codes.put("PATRQT", "The patient's request");
        codes.put("HCOMPL", "Compliance");
        codes.put("HLEGAL", "Legal");
        codes.put("PUBHLTH", "Public health");
        codes.put("HRESCH", "Research");
        codes.put("RECORDMGT", "Records management");
        return java.util.Collections.unmodifiableMap(codes);
    }

    /** The code as stated, when it is one of {@link #CODES} (case aside); empty otherwise. */
    public static Optional<String> known(String code) {
        if (code == null) {
            return Optional.empty();
        }
        String upper = code.trim().toUpperCase(java.util.Locale.ROOT);
        return CODES.containsKey(upper) ? Optional.of(upper) : Optional.empty();
    }
}
