package org.ehrarchive.security;

import java.time.Duration;

/** What a person is told when a sign-in is refused: the same words on the sign-in page and in the API. */
public final class SignInMessages {

    private SignInMessages() {
    }

    public static String lockedOut(Duration remaining) {
        long minutes = Math.max(1, (remaining.toSeconds() + 59) / 60);
        return "Too many failed sign-ins: signing in is locked for " + minutes + (minutes == 1 ? " minute" : " minutes")
                + ". Try again then, or ask an admin if you have forgotten your password.";
    }
}
