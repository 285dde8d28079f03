package org.ehrarchive.ingest;

/**
 * A file carried inside a document (C-CDA {@code nonXMLBody}): its decoded bytes go to the blob store. A file the
 * document only references ({@code reference}) is recorded with no bytes.
 */
public record ImportedAttachment(String locator, String mediaType, byte[] content, String reference) {
}
