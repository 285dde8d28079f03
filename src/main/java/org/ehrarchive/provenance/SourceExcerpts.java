package org.ehrarchive.provenance;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.ehrarchive.blob.BlobStore;

/**
 * PLACEHOLDER for the sampling branch: the real class (the part of an original that a source record's locator
 * names) is written in another branch with this API and replaces this file on merge. This one shows the start of the
 * whole original, without resolving the locator.
 */
@ApplicationScoped
public class SourceExcerpts {

    private static final int MAX_BYTES = 64 * 1024;

    /** An excerpt of an original; {@code syntax} is "xml", "hl7v2", "json" or "text". */
    public record Excerpt(String text, String syntax, boolean truncated, String note) {
    }

    private final BlobStore blobs;

    public SourceExcerpts(BlobStore blobs) {
        this.blobs = blobs;
    }

    /** The excerpt of the original {@code sha256} (of {@code format}) at {@code locator}; empty when the original is missing. */
    public Optional<Excerpt> excerpt(String sha256, String format, String locator) throws IOException {
        Optional<InputStream> opened = blobs.open(sha256);
        if (opened.isEmpty()) {
            return Optional.empty();
        }
        byte[] bytes;
        try (InputStream in = opened.get()) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        }
        boolean truncated = bytes.length > MAX_BYTES;
        String text = new String(bytes, 0, Math.min(bytes.length, MAX_BYTES), StandardCharsets.UTF_8);
        String syntax = switch (format == null ? "" : format) {
            case "ccda" -> "xml";
            case "hl7v2" -> "hl7v2";
            case "fhir" -> text.stripLeading().startsWith("<") ? "xml" : "json";
            default -> "text";
        };
        return Optional.of(new Excerpt(text, syntax, truncated, "the whole original, from its start (locator " + locator + " not resolved)"));
    }
}
