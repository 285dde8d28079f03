package org.ehrarchive.ingest;

import java.util.List;

import org.ehrarchive.record.Coded;
import org.ehrarchive.record.Identifier;
import org.ehrarchive.record.Party;
import org.ehrarchive.record.TimeValue;

/**
 * One clinical document as read from a source, format-neutral: its header, its patient, its sections with their
 * reconciliation counts, the entries mapped to the normalized model, the fragments kept raw, and embedded files.
 * Every {@code locator} addresses the place in the original (an XPath for XML sources).
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
        String headerFragment,
        ImportedPatient patient,
        List<ImportedSection> sections,
        List<ImportedEntry> entries,
        List<ImportedFragment> fragments,
        List<ImportedAttachment> attachments) {
}
