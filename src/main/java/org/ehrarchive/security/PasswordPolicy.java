package org.ehrarchive.security;

import java.util.Locale;
import java.util.Set;

/**
 * The password policy for local accounts (NIST SP 800-63B: length over composition rules): at least 12
 * characters, not the user name, not one character repeated, and not one of the passwords every guesser tries
 * first.
 */
public final class PasswordPolicy {

    public static final int MIN_LENGTH = 12;
    private static final Set<String> COMMON = Set.of("password1234", "123456789012", "qwertyuiopas", "passwordpassword",
            "letmein12345", "welcome12345", "changeme1234", "administrator", "iloveyou1234", "000000000000", "111111111111");

    private PasswordPolicy() {
    }

    /** What is wrong with the password, in words; null when it is acceptable. */
    public static String problem(String username, String password) {
        if (password == null || password.length() < MIN_LENGTH) {
            return "a password of at least " + MIN_LENGTH + " characters is needed";
        }
        String lower = password.toLowerCase(Locale.ROOT);
        if (username != null && lower.contains(username.toLowerCase(Locale.ROOT))) {
            return "the password must not contain the user name";
        }
        if (password.chars().distinct().count() == 1 || COMMON.contains(lower)) {
            return "that password is among the first a guesser tries; choose another";
        }
        return null;
    }
}
