package org.ehrarchive.search;

/**
 * A searchable text: a section's narrative with the names of its entries, or a document's header. {@code key}
 * identifies it for replacement ({@code section:<id>}); {@code date} is ISO, for display.
 */
public record IndexedText(String key, long patientId, long documentId, String kind, String title, String text, String date) {
}
