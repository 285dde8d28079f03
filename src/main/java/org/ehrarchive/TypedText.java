package org.ehrarchive;

/** A text a person typed into a form or a request (a reason, a name, a note): trimmed, required, bounded. */
public final class TypedText {

    /** The longest text kept: a reason or a note, not a document. */
    public static final int MAX_LENGTH = 2_000;

    private TypedText() {
    }

    /** The text trimmed; {@code missing} as the refusal when it is blank, and a refusal when it is over {@link #MAX_LENGTH}. */
    public static String required(String value, String missing) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(missing);
        }
        if (value.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("At most " + String.format("%,d", MAX_LENGTH) + " characters");
        }
        return value.trim();
    }

    /** The text trimmed, or null when it is blank. */
    public static String optional(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
