package org.ehrarchive.search;

/**
 * A text found. {@code snippet} is HTML: the source text escaped, with the matching words in {@code <mark>}; safe
 * to insert into a page as is.
 */
public record TextHit(String key, long patientId, long documentId, String kind, String title, String date, float score,
        String snippet) {
}
