package org.ehrarchive.ingest;

/**
 * One source file handed to an importer: its bytes (already kept byte-exact in the blob store under
 * {@code sha256}) and the name it had, for messages.
 */
public record SourceInput(String fileName, String sha256, byte[] bytes) {
}
