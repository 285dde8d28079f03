package org.ehrarchive.ingest;

/**
 * One source record, as an importer hands it to the archive (ADR 0009): the provenance and idempotency anchor of
 * everything normalized from it.
 * <ul>
 *   <li>{@code type}: what kind of record it is, for the reconciliation ({@link RecordTypes}: document, entry,
 *       attachment; message, row, resource, page for the formats to come).</li>
 *   <li>{@code key}: what identifies the real-world fact, chosen per format (a statement's id, a resource's type
 *       and id, a table's key); null when the source gives none, and then the content is the key. Keys are scoped
 *       by patient and type: the same key from another patient is another fact.</li>
 *   <li>{@code contentHash}: SHA-256 (hex) of the record's content in a canonical form, so that the same fact
 *       arriving again, in another file or another export, is recognised as a duplicate; a different hash under the
 *       same key is a new version.</li>
 *   <li>{@code locator}: where the record is in its original (an XPath for XML).</li>
 *   <li>{@code orderKey}: what orders versions of one key (a version number, the time the source wrote it), as
 *       text that sorts; null when the source says nothing, and then arrival order decides.</li>
 *   <li>{@code parent}: the record this one belongs to (an entry's document), handed over before it; its patient
 *       is this record's patient.</li>
 * </ul>
 */
public record ImportedRecord(String type, String key, String contentHash, String locator, String orderKey,
        ImportedRecord parent, RecordContent content) {

    public ImportedRecord {
        if (type == null || contentHash == null || locator == null || content == null) {
            throw new IllegalArgumentException("A record needs a type, a content hash, a locator and content");
        }
    }
}
