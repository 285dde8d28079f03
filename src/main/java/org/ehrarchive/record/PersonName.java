package org.ehrarchive.record;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A person's name as given: parts in order, the use (legal, alias, previous...), validity and a display text. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record PersonName(String use, List<String> prefixes, List<String> given, List<String> family, List<String> suffixes,
        String text, TimePeriod validTime, String nullFlavor) {

    /** "Given Family" in the order a person reads it. */
    public String display() {
        if (text != null && !text.isBlank() && (given == null || given.isEmpty()) && (family == null || family.isEmpty())) {
            return text;
        }
        StringBuilder out = new StringBuilder();
        for (List<String> part : List.of(nullToEmpty(prefixes), nullToEmpty(given), nullToEmpty(family), nullToEmpty(suffixes))) {
            for (String word : part) {
                if (out.length() > 0) {
                    out.append(' ');
                }
                out.append(word);
            }
        }
        return out.toString();
    }

    private static List<String> nullToEmpty(List<String> list) {
        return list == null ? List.of() : list;
    }
}
