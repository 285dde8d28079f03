package org.ehrarchive.sampling;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import org.ehrarchive.record.ClinicalDocument;
import org.ehrarchive.record.ClinicalEntry;
import org.ehrarchive.record.DocumentAttachment;
import org.ehrarchive.record.PatientDemographics;
import org.ehrarchive.record.PatientIdentifier;
import org.ehrarchive.record.RawFragment;
import org.ehrarchive.record.SourceFile;
import org.ehrarchive.record.SourceRecord;

/**
 * What the archive made of one source record, for a reviewer to hold against the original: every normalized row
 * that points at it ({@code source_record_id}), whatever its table. Read-only; one query per table.
 */
@ApplicationScoped
public class SampledRecords {

    /** A source record, the format of its original, and its normalized rows. */
    public record Normalized(SourceRecord record, String format, List<ClinicalDocument> documents, List<ClinicalEntry> entries,
            List<PatientDemographics> demographics, List<PatientIdentifier> identifiers, List<RawFragment> fragments,
            List<DocumentAttachment> attachments) {

        public boolean isEmpty() {
            return documents.isEmpty() && entries.isEmpty() && demographics.isEmpty() && identifiers.isEmpty() && fragments.isEmpty()
                    && attachments.isEmpty();
        }
    }

    @Transactional
    public Optional<Normalized> normalized(long sourceRecordId) {
        SourceRecord record = SourceRecord.findById(sourceRecordId);
        if (record == null) {
            return Optional.empty();
        }
        SourceFile file = SourceFile.findById(record.sourceFileId);
        return Optional.of(new Normalized(record, file == null ? null : file.format,
                ClinicalDocument.list("sourceRecordId = ?1 order by id", sourceRecordId),
                ClinicalEntry.list("sourceRecordId = ?1 order by id", sourceRecordId),
                PatientDemographics.list("sourceRecordId = ?1 order by id", sourceRecordId),
                PatientIdentifier.list("sourceRecordId = ?1 order by id", sourceRecordId),
                RawFragment.list("sourceRecordId = ?1 order by id", sourceRecordId),
                DocumentAttachment.list("sourceRecordId = ?1 order by id", sourceRecordId)));
    }
}
