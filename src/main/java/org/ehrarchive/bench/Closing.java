package org.ehrarchive.bench;

import java.io.Closeable;
import java.io.IOException;

/** Closes a generator's many open files, every one of them even when some fail. */
final class Closing {

    /**
     * Closes each (nulls skipped). A failure while closing is added to {@code failure}, the one that stopped the writing,
     * when there was one; otherwise the first is thrown, with the rest suppressed in it.
     */
    static void all(Iterable<? extends Closeable> files, Throwable failure) throws IOException {
        IOException closing = null;
        for (Closeable file : files) {
            if (file == null) {
                continue;
            }
            try {
                file.close();
            } catch (IOException e) {
                if (failure != null) {
                    failure.addSuppressed(e);
                } else if (closing == null) {
                    closing = e;
                } else {
                    closing.addSuppressed(e);
                }
            }
        }
        if (closing != null) {
            throw closing;
        }
    }

    private Closing() {
    }
}
