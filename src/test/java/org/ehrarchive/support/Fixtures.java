package org.ehrarchive.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Copies named test fixtures into a folder to ingest, and finds the shared corpus. */
public final class Fixtures {

    private Fixtures() {
    }

    /** Copies {@code /fixtures/<format>/<name>} into {@code folder}. */
    public static Path copy(String format, String name, Path folder) {
        return copyAs(format, name, folder, name);
    }

    /** Copies {@code /fixtures/<format>/<name>} into {@code folder} as {@code fileName}. */
    public static Path copyAs(String format, String name, Path folder, String fileName) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + format + "/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("No fixture " + format + "/" + name);
            }
            Path target = folder.resolve(fileName);
            Files.createDirectories(folder);
            Files.copy(in, target);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] bytes(String format, String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + format + "/" + name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code ../shared/corpus} beside the project (present on every developer machine and in CI). */
    public static Path sharedCorpus() {
        return Path.of(System.getProperty("user.dir")).resolve("../shared/corpus").normalize();
    }
}
