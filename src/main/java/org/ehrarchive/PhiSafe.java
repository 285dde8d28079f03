package org.ehrarchive;

import java.util.StringJoiner;

/**
 * Describes a failure for logs without its messages: exception messages can quote source data (a value that did
 * not parse, a key that collided), and logs must never carry patient data. Class names and code locations are
 * enough to find a defect; the data itself stays in the archive, where access is controlled.
 */
public final class PhiSafe {

    private static final int FRAMES = 3;

    private PhiSafe() {
    }

    /** {@code IllegalStateException at Foo.bar(Foo.java:12) <- caused by SQLException at ...}. */
    public static String describe(Throwable failure) {
        StringJoiner chain = new StringJoiner(" <- caused by ");
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            StringBuilder one = new StringBuilder(t.getClass().getName());
            StackTraceElement[] frames = t.getStackTrace();
            for (int i = 0; i < Math.min(FRAMES, frames.length); i++) {
                one.append(i == 0 ? " at " : ", ").append(frames[i]);
            }
            chain.add(one);
        }
        return chain.toString();
    }
}
