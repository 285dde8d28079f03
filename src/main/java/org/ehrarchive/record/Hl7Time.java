package org.ehrarchive.record;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HL7's TS/DTM time format ({@code YYYY[MM[DD[HH[MM[SS[.S+]]]]]][+/-ZZZZ]}), shared by C-CDA ({@code @value}) and
 * HL7 v2 (TS, DTM, DT fields), read into a {@link TimeValue} at the precision the source gave.
 */
public final class Hl7Time {

    private static final Pattern TS = Pattern.compile(
            "(\\d{4})(\\d{2})?(\\d{2})?(\\d{2})?(\\d{2})?(?:(\\d{2})(\\.\\d+)?)?([+-]\\d{2}(?::?\\d{2})?|Z)?");

    private Hl7Time() {
    }

    /** Parses an HL7 TS string; an unreadable one is kept raw with no ISO form. */
    public static TimeValue parse(String raw, String nullFlavor) {
        Matcher m = TS.matcher(raw);
        if (!m.matches() || !inRange(m)) {
            return new TimeValue(raw, null, null, null, nullFlavor);
        }
        StringBuilder iso = new StringBuilder(m.group(1));
        String precision = "YEAR";
        if (m.group(2) != null) {
            iso.append('-').append(m.group(2));
            precision = "MONTH";
        }
        if (m.group(3) != null) {
            iso.append('-').append(m.group(3));
            precision = "DAY";
        }
        if (m.group(4) != null) {
            iso.append('T').append(m.group(4));
            precision = "HOUR";
            iso.append(':').append(m.group(5) == null ? "00" : m.group(5));
            if (m.group(5) != null) {
                precision = "MINUTE";
            }
        }
        if (m.group(6) != null) {
            iso.append(':').append(m.group(6));
            precision = "SECOND";
        }
        if (m.group(7) != null) {
            iso.append(m.group(7));
            precision = "FRACTION";
        }
        String zone = null;
        if (m.group(8) != null) {
            zone = m.group(8).equals("Z") ? "Z"
                    : m.group(8).contains(":") || m.group(8).length() == 3 ? m.group(8)
                    : m.group(8).substring(0, 3) + ":" + m.group(8).substring(3);
            if (m.group(4) != null) {
                iso.append(zone);
            }
        }
        return new TimeValue(raw, iso.toString(), precision, zone, nullFlavor);
    }

    private static boolean inRange(Matcher m) {
        return within(m.group(2), 1, 12) && within(m.group(3), 1, 31) && within(m.group(4), 0, 23)
                && within(m.group(5), 0, 59) && within(m.group(6), 0, 60);
    }

    private static boolean within(String digits, int min, int max) {
        return digits == null || (Integer.parseInt(digits) >= min && Integer.parseInt(digits) <= max);
    }
}
