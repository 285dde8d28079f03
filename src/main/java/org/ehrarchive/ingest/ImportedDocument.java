package org.ehrarchive.ingest;

import java.util.List;

import org.ehrarchive.record.Coded;
import org.ehrarchive.record.Identifier;
import org.ehrarchive.record.Party;
import org.ehrarchive.record.TimeValue;

/**
 * The header of one clinical document as read from a source, format-neutral. Its patient, sections, entries and
 * attachments are records and parts of their own (see {@link RecordContent}). {@code locator} addresses the
 * document in the original (an XPath for XML sources); {@code headerFragment} is the header's source markup.
 */
public record ImportedDocument(
        String locator,
        Identifier documentId,
        Identifier setId,
        String versionNumber,
        Coded type,
        String title,
        TimeValue effectiveTime,
        Coded confidentiality,
        String language,
        List<String> templateIds,
        List<Party> authors,
        Party custodian,
        String headerFragment) {
}
