package org.ehrarchive.record;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

/**
 * The read side of the normalized store: a patient's whole chart and a whole document, as plain records for the
 * API and the portal. Read-only by construction: it only selects. A fixed number of queries per chart, whatever
 * its size (no query per entry).
 * <p>
 * The chart shows each fact in its current version (ADR 0009): an entry whose source record a newer version
 * supersedes, or that arrived as history, is not shown on its own but as an earlier version of the current one.
 * A document shows everything it said, whatever became current since.
 */
@ApplicationScoped
public class ChartService {

    /** A patient's chart: identifiers and demographics by source, encounters in time order, every entry, documents. */
    public record Chart(long patientId, List<SourcedIdentifier> identifiers, List<SourcedDemographics> demographics,
            List<EntryView> encounters, Map<EntryKind, List<EntryView>> entries, List<DocumentSummary> documents) {
    }

    /** An identifier and the document that gave it. */
    public record SourcedIdentifier(String system, String value, String assigningAuthority, long documentId) {
    }

    /** The patient as one document describes them. */
    public record SourcedDemographics(long documentId, String documentTitle, List<PersonName> names, TimeValue birthTime,
            Coded sex, List<PostalAddress> addresses, List<ContactPoint> telecoms, Boolean deceased, TimeValue deceasedTime,
            Coded maritalStatus, List<Coded> races, List<Coded> ethnicities, List<Coded> languages) {
    }

    /**
     * One clinical entry with its provenance: its source record, the version of that record's key, and (in a chart)
     * the earlier versions of the same entry, newest first.
     */
    public record EntryView(long id, Long documentId, Integer sectionOrdinal, EntryKind kind, Coded code, String display,
            String status, boolean negated, String mood, TimePeriod effective, List<ObservedValue> values,
            List<Coded> interpretations, List<ReferenceRange> referenceRanges, Map<String, Object> details, String text,
            String sourceSha256, String locator, long sourceRecordId, int version, List<EntryView> earlierVersions) {
    }

    /** A document in a chart's list; {@code superseded} when a later version of it is archived. */
    public record DocumentSummary(long id, String title, Coded type, TimeValue effectiveTime, String format, String sourceSha256,
            int version, boolean superseded) {
    }

    /** A whole document: header, sections with their narratives and entries, embedded files, raw fragments. */
    public record DocumentView(long id, long patientId, String title, Coded type, TimeValue effectiveTime, Coded confidentiality,
            List<Party> authors, Party custodian, String format, String sourceSha256, String locator, List<String> warnings,
            List<EntryView> headerEntries, List<SectionView> sections, List<AttachmentView> attachments, List<FragmentView> fragments) {
    }

    /** A section; {@code narrative} is source markup: sanitize before showing it in a page. */
    public record SectionView(int ordinal, Integer parentOrdinal, String title, Coded code, String kind, String narrative,
            String locator, int found, int archived, int quarantined, int keptRaw, int duplicates, List<EntryView> entries) {
    }

    /** A file carried by the document; {@code sha256} names its bytes in the blob store. */
    public record AttachmentView(long id, String mediaType, Long sizeBytes, String reference, String sha256, String locator) {
    }

    /** Source content kept raw or quarantined, with the reason. */
    public record FragmentView(long id, Integer sectionOrdinal, String status, String reason, String locator, String content) {
    }

    @Transactional
    public Optional<Chart> chart(long patientId) {
        if (Patient.findById(patientId) == null) {
            return Optional.empty();
        }
        List<ClinicalDocument> documents = ClinicalDocument.list("patientId = ?1 order by effectiveSort desc nulls last, id", patientId);
        Map<Long, ClinicalDocument> byId = new LinkedHashMap<>();
        documents.forEach(d -> byId.put(d.id, d));
        List<SourcedIdentifier> identifiers = PatientIdentifier.<PatientIdentifier>list("patientId = ?1 order by id", patientId).stream()
                .map(i -> new SourcedIdentifier(i.system, i.value, i.assigningAuthority, i.documentId)).toList();
        List<SourcedDemographics> demographics = PatientDemographics.<PatientDemographics>list("patientId = ?1 order by id", patientId)
                .stream().map(d -> new SourcedDemographics(d.documentId, byId.containsKey(d.documentId) ? byId.get(d.documentId).title : null,
                        d.names, d.birthTime, d.sex, d.addresses, d.telecoms, d.deceased, d.deceasedTime, d.maritalStatus,
                        d.races, d.ethnicities, d.languages)).toList();
        Versions versions = Versions.of(patientId);
        List<ClinicalEntry> rows = ClinicalEntry.<ClinicalEntry>list("patientId = ?1 order by effectiveSort desc nulls last, id", patientId);
        List<EntryView> all = versions.current(rows);
        Map<EntryKind, List<EntryView>> entries = new LinkedHashMap<>();
        for (EntryKind kind : EntryKind.values()) {
            List<EntryView> ofKind = all.stream().filter(e -> e.kind() == kind).toList();
            if (!ofKind.isEmpty() && kind != EntryKind.ENCOUNTER) {
                entries.put(kind, ofKind);
            }
        }
        // Encounters oldest first, by the UTC sort key (times from different zones compare correctly).
        List<EntryView> encounters = all.stream().filter(e -> e.kind() == EntryKind.ENCOUNTER)
                .sorted(java.util.Comparator.comparing((EntryView e) -> sortKeyOf(e), java.util.Comparator.nullsLast(java.util.Comparator.naturalOrder()))
                        .thenComparingLong(EntryView::id))
                .toList();
        List<DocumentSummary> summaries = documents.stream()
                .map(d -> new DocumentSummary(d.id, d.title, d.type, d.effectiveTime, d.format, d.sourceSha256,
                        versions.version(d.sourceRecordId), !versions.isCurrent(d.sourceRecordId))).toList();
        return Optional.of(new Chart(patientId, identifiers, demographics, encounters, entries, summaries));
    }

    @Transactional
    public Optional<DocumentView> document(long documentId) {
        ClinicalDocument d = ClinicalDocument.findById(documentId);
        if (d == null) {
            return Optional.empty();
        }
        Map<Long, Integer> recordVersions = new java.util.HashMap<>();
        for (SourceRecord record : SourceRecord.<SourceRecord>list("id in (select e.sourceRecordId from ClinicalEntry e where e.documentId = ?1)",
                documentId)) {
            recordVersions.put(record.id, record.version);
        }
        List<EntryView> entries = ClinicalEntry.<ClinicalEntry>list("documentId = ?1 order by id", documentId).stream()
                .map(e -> view(e, recordVersions.getOrDefault(e.sourceRecordId, 1), List.of())).toList();
        List<SectionView> sections = DocumentSection.<DocumentSection>list("documentId = ?1 order by ordinal", documentId).stream()
                .map(s -> new SectionView(s.ordinal, s.parentOrdinal, s.title, s.code, s.kind, s.narrative, s.locator, s.entriesFound,
                        s.entriesArchived, s.entriesQuarantined, s.entriesKeptRaw, s.entriesDuplicates,
                        entries.stream().filter(e -> e.sectionOrdinal() != null && e.sectionOrdinal() == s.ordinal).toList()))
                .toList();
        List<AttachmentView> attachments = DocumentAttachment.<DocumentAttachment>list("documentId = ?1 order by id", documentId).stream()
                .map(a -> new AttachmentView(a.id, a.mediaType, a.sizeBytes, a.reference, a.sha256, a.locator)).toList();
        List<FragmentView> fragments = RawFragment.<RawFragment>list("documentId = ?1 order by id", documentId).stream()
                .map(f -> new FragmentView(f.id, f.sectionOrdinal, f.status, f.reason, f.locator, f.content)).toList();
        return Optional.of(new DocumentView(d.id, d.patientId, d.title, d.type, d.effectiveTime, d.confidentiality, d.authors,
                d.custodian, d.format, d.sourceSha256, d.locator, d.warnings,
                entries.stream().filter(e -> e.sectionOrdinal() == null).toList(), sections, attachments, fragments));
    }

    private static EntryView view(ClinicalEntry e, int version, List<EntryView> earlier) {
        return new EntryView(e.id, e.documentId, e.sectionOrdinal, e.kind, e.code, e.display, e.status, e.negated, e.mood,
                e.effective, e.observedValues, e.interpretations, e.referenceRanges, e.details, e.text, e.sourceSha256, e.locator,
                e.sourceRecordId, version, earlier);
    }

    private static String sortKeyOf(EntryView entry) {
        return SortKeys.of(entry.effective());
    }

    /**
     * The versions of a patient's source records: which are current (neither superseded nor historical), and, per
     * record key, the older versions of each. One query for the patient's records.
     */
    private static final class Versions {
        private final Map<Long, SourceRecord> records = new java.util.HashMap<>();
        private final java.util.Set<Long> superseded = new java.util.HashSet<>();

        static Versions of(long patientId) {
            Versions versions = new Versions();
            for (SourceRecord record : SourceRecord.<SourceRecord>list("patientId", patientId)) {
                versions.records.put(record.id, record);
                if (record.supersedesId != null) {
                    versions.superseded.add(record.supersedesId);
                }
            }
            return versions;
        }

        boolean isCurrent(Long recordId) {
            SourceRecord record = recordId == null ? null : records.get(recordId);
            return record == null || (!record.historical && !superseded.contains(record.id));
        }

        int version(Long recordId) {
            SourceRecord record = recordId == null ? null : records.get(recordId);
            return record == null ? 1 : record.version;
        }

        /**
         * The entries of current records, each with the entries at the same place in the earlier versions of its record
         * (an organizer's second result beside the second result of the version before), newest first.
         */
        List<EntryView> current(List<ClinicalEntry> rows) {
            Map<Long, List<ClinicalEntry>> byRecord = new java.util.HashMap<>();
            for (ClinicalEntry row : rows) {
                byRecord.computeIfAbsent(row.sourceRecordId, r -> new java.util.ArrayList<>()).add(row);
            }
            byRecord.values().forEach(list -> list.sort(java.util.Comparator.comparingLong(e -> e.id)));
            Map<String, List<SourceRecord>> byKey = new java.util.HashMap<>();
            for (SourceRecord record : records.values()) {
                byKey.computeIfAbsent(record.keyHash, k -> new java.util.ArrayList<>()).add(record);
            }
            List<EntryView> views = new java.util.ArrayList<>();
            for (ClinicalEntry row : rows) {
                if (!isCurrent(row.sourceRecordId)) {
                    continue;
                }
                SourceRecord record = records.get(row.sourceRecordId);
                List<EntryView> earlier = new java.util.ArrayList<>();
                if (record != null) {
                    int place = byRecord.get(row.sourceRecordId).indexOf(row);
                    List<SourceRecord> older = byKey.getOrDefault(record.keyHash, List.of()).stream()
                            .filter(r -> r.id.longValue() != record.id.longValue())
                            .sorted(java.util.Comparator.comparing((SourceRecord r) -> r.orderKey, java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder()))
                                    .thenComparingInt(r -> r.version).reversed())
                            .toList();
                    for (SourceRecord version : older) {
                        List<ClinicalEntry> their = byRecord.getOrDefault(version.id, List.of());
                        if (place < their.size()) {
                            earlier.add(view(their.get(place), version.version, List.of()));
                        }
                    }
                }
                views.add(view(row, record == null ? 1 : record.version, earlier));
            }
            return views;
        }
    }
}
