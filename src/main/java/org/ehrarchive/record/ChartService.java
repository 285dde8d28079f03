package org.ehrarchive.record;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

/**
 * The read side of the normalized store: a patient's whole chart and a whole document, as plain records for the
 * API and the portal. Read-only by construction: it only selects. A fixed number of queries per chart, whatever
 * its size (no query per entry; {@code ChartQueryCountTest} counts them), of the columns the chart shows.
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

    /**
     * The chart in six statements whatever its size: the patient, its documents, identifiers, demographics, source
     * records and entries, each selecting only the columns the chart shows (never an entry's or the demographics'
     * source fragment, nor a document's header fragment), as values rather than managed entities.
     */
    @Transactional
    public Optional<Chart> chart(long patientId) {
        EntityManager em = Patient.getEntityManager();
        if (em.createQuery("select p.id from Patient p where p.id = :patient", Long.class).setParameter("patient", patientId)
                .getResultList().isEmpty()) {
            return Optional.empty();
        }
        List<Object[]> documents = em.createQuery("select d.id, d.title, d.type, d.effectiveTime, d.format, d.sourceSha256, d.sourceRecordId"
                + " from ClinicalDocument d where d.patientId = :patient order by d.effectiveSort desc nulls last, d.id", Object[].class)
                .setParameter("patient", patientId).getResultList();
        Map<Long, String> titles = new java.util.HashMap<>();
        documents.forEach(d -> titles.put((Long) d[0], (String) d[1]));
        List<SourcedIdentifier> identifiers = em.createQuery("select i.system, i.value, i.assigningAuthority, i.documentId"
                + " from PatientIdentifier i where i.patientId = :patient order by i.id", Object[].class)
                .setParameter("patient", patientId).getResultList().stream()
                .map(i -> new SourcedIdentifier((String) i[0], (String) i[1], (String) i[2], (Long) i[3])).toList();
        List<SourcedDemographics> demographics = em.createQuery("select d.documentId, d.names, d.birthTime, d.sex, d.addresses,"
                + " d.telecoms, d.deceased, d.deceasedTime, d.maritalStatus, d.races, d.ethnicities, d.languages"
                + " from PatientDemographics d where d.patientId = :patient order by d.id", Object[].class)
                .setParameter("patient", patientId).getResultList().stream()
                .map(d -> new SourcedDemographics((Long) d[0], titles.get((Long) d[0]), list(d[1]), (TimeValue) d[2], (Coded) d[3],
                        list(d[4]), list(d[5]), (Boolean) d[6], (TimeValue) d[7], (Coded) d[8], list(d[9]), list(d[10]), list(d[11])))
                .toList();
        Versions versions = Versions.of(em, patientId);
        List<EntryRow> rows = em.createQuery("select e.id, e.documentId, e.sectionOrdinal, e.kind, e.code, e.display, e.status,"
                + " e.negated, e.mood, e.effective, e.observedValues, e.interpretations, e.referenceRanges, e.details, e.text,"
                + " e.sourceSha256, e.locator, e.sourceRecordId"
                + " from ClinicalEntry e where e.patientId = :patient order by e.effectiveSort desc nulls last, e.id", Object[].class)
                .setParameter("patient", patientId).getResultList().stream().map(EntryRow::of).toList();
        List<EntryView> all = versions.current(rows);
        Map<EntryKind, List<EntryView>> byKind = new java.util.EnumMap<>(EntryKind.class);
        for (EntryView entry : all) {
            byKind.computeIfAbsent(entry.kind(), k -> new java.util.ArrayList<>()).add(entry);
        }
        Map<EntryKind, List<EntryView>> entries = new LinkedHashMap<>();
        for (EntryKind kind : EntryKind.values()) {
            List<EntryView> ofKind = byKind.get(kind);
            if (ofKind != null && kind != EntryKind.ENCOUNTER) {
                entries.put(kind, List.copyOf(ofKind));
            }
        }
        // Encounters oldest first, by the UTC sort key (times from different zones compare correctly).
        List<EntryView> encounters = byKind.getOrDefault(EntryKind.ENCOUNTER, List.of()).stream()
                .sorted(java.util.Comparator.comparing((EntryView e) -> sortKeyOf(e), java.util.Comparator.nullsLast(java.util.Comparator.naturalOrder()))
                        .thenComparingLong(EntryView::id))
                .toList();
        List<DocumentSummary> summaries = documents.stream()
                .map(d -> new DocumentSummary((Long) d[0], (String) d[1], (Coded) d[2], (TimeValue) d[3], (String) d[4], (String) d[5],
                        versions.version((Long) d[6]), !versions.isCurrent((Long) d[6]))).toList();
        return Optional.of(new Chart(patientId, identifiers, demographics, encounters, entries, summaries));
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> list(Object value) {
        return (List<T>) value;
    }

    /** The columns of a clinical entry a chart shows, and its source record. */
    private record EntryRow(long id, Long documentId, Integer sectionOrdinal, EntryKind kind, Coded code, String display, String status,
            boolean negated, String mood, TimePeriod effective, List<ObservedValue> values, List<Coded> interpretations,
            List<ReferenceRange> referenceRanges, Map<String, Object> details, String text, String sourceSha256, String locator,
            Long sourceRecordId) {

        @SuppressWarnings("unchecked")
        static EntryRow of(Object[] c) {
            return new EntryRow((Long) c[0], (Long) c[1], (Integer) c[2], (EntryKind) c[3], (Coded) c[4], (String) c[5], (String) c[6],
                    (Boolean) c[7], (String) c[8], (TimePeriod) c[9], list(c[10]), list(c[11]), list(c[12]), (Map<String, Object>) c[13],
                    (String) c[14], (String) c[15], (String) c[16], (Long) c[17]);
        }

        EntryView view(int version, List<EntryView> earlier) {
            return new EntryView(id, documentId, sectionOrdinal, kind, code, display, status, negated, mood, effective, values,
                    interpretations, referenceRanges, details, text, sourceSha256, locator, sourceRecordId, version, earlier);
        }
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
     * record key, the older versions of each. One query for the patient's records, of the columns that say so.
     */
    private static final class Versions {
        /** What a chart needs of a source record. */
        private record Rec(long id, String keyHash, int version, Long supersedesId, boolean historical, String orderKey) {
        }

        private final Map<Long, Rec> records = new java.util.HashMap<>();
        private final java.util.Set<Long> superseded = new java.util.HashSet<>();

        static Versions of(EntityManager em, long patientId) {
            Versions versions = new Versions();
            for (Object[] c : em.createQuery("select r.id, r.keyHash, r.version, r.supersedesId, r.historical, r.orderKey"
                    + " from SourceRecord r where r.patientId = :patient", Object[].class).setParameter("patient", patientId).getResultList()) {
                Rec record = new Rec((Long) c[0], (String) c[1], (Integer) c[2], (Long) c[3], (Boolean) c[4], (String) c[5]);
                versions.records.put(record.id, record);
                if (record.supersedesId != null) {
                    versions.superseded.add(record.supersedesId);
                }
            }
            return versions;
        }

        boolean isCurrent(Long recordId) {
            Rec record = recordId == null ? null : records.get(recordId);
            return record == null || (!record.historical && !superseded.contains(record.id));
        }

        int version(Long recordId) {
            Rec record = recordId == null ? null : records.get(recordId);
            return record == null ? 1 : record.version;
        }

        /**
         * The entries of current records, each with the entries at the same place in the earlier versions of its record
         * (an organizer's second result beside the second result of the version before), newest first.
         */
        List<EntryView> current(List<EntryRow> rows) {
            Map<Long, List<EntryRow>> byRecord = new java.util.HashMap<>();
            for (EntryRow row : rows) {
                byRecord.computeIfAbsent(row.sourceRecordId(), r -> new java.util.ArrayList<>()).add(row);
            }
            // Each row's place among the rows of its record, in id order.
            Map<Long, Integer> places = new java.util.HashMap<>();
            for (List<EntryRow> list : byRecord.values()) {
                list.sort(java.util.Comparator.comparingLong(EntryRow::id));
                for (int i = 0; i < list.size(); i++) {
                    places.put(list.get(i).id(), i);
                }
            }
            Map<String, List<Rec>> byKey = new java.util.HashMap<>();
            for (Rec record : records.values()) {
                byKey.computeIfAbsent(record.keyHash, k -> new java.util.ArrayList<>()).add(record);
            }
            List<EntryView> views = new java.util.ArrayList<>(rows.size());
            for (EntryRow row : rows) {
                if (!isCurrent(row.sourceRecordId())) {
                    continue;
                }
                Rec record = row.sourceRecordId() == null ? null : records.get(row.sourceRecordId());
                List<EntryView> earlier = new java.util.ArrayList<>();
                List<Rec> sameKey = record == null ? List.of() : byKey.getOrDefault(record.keyHash, List.of());
                if (sameKey.size() > 1) {
                    int place = places.get(row.id());
                    List<Rec> older = sameKey.stream()
                            .filter(r -> r.id != record.id)
                            .sorted(java.util.Comparator.comparing((Rec r) -> r.orderKey, java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder()))
                                    .thenComparingInt(r -> r.version).reversed())
                            .toList();
                    for (Rec version : older) {
                        List<EntryRow> their = byRecord.getOrDefault(version.id, List.of());
                        if (place < their.size()) {
                            earlier.add(their.get(place).view(version.version, List.of()));
                        }
                    }
                }
                views.add(row.view(record == null ? 1 : record.version, earlier));
            }
            return views;
        }
    }
}
