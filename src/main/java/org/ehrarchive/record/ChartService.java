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

    /** One clinical entry with its provenance. */
    public record EntryView(long id, long documentId, Integer sectionOrdinal, EntryKind kind, Coded code, String display,
            String status, boolean negated, String mood, TimePeriod effective, List<ObservedValue> values,
            List<Coded> interpretations, List<ReferenceRange> referenceRanges, Map<String, Object> details, String text,
            String sourceSha256, String locator) {
    }

    /** A document in a chart's list. */
    public record DocumentSummary(long id, String title, Coded type, TimeValue effectiveTime, String format, String sourceSha256) {
    }

    /** A whole document: header, sections with their narratives and entries, embedded files, raw fragments. */
    public record DocumentView(long id, long patientId, String title, Coded type, TimeValue effectiveTime, Coded confidentiality,
            List<Party> authors, Party custodian, String format, String sourceSha256, String locator, List<String> warnings,
            List<EntryView> headerEntries, List<SectionView> sections, List<AttachmentView> attachments, List<FragmentView> fragments) {
    }

    /** A section; {@code narrative} is source markup: sanitize before showing it in a page. */
    public record SectionView(int ordinal, Integer parentOrdinal, String title, Coded code, String kind, String narrative,
            String locator, int found, int archived, int quarantined, int keptRaw, List<EntryView> entries) {
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
        List<EntryView> all = ClinicalEntry.<ClinicalEntry>list("patientId = ?1 order by effectiveSort desc nulls last, id", patientId)
                .stream().map(ChartService::view).toList();
        Map<EntryKind, List<EntryView>> entries = new LinkedHashMap<>();
        for (EntryKind kind : EntryKind.values()) {
            List<EntryView> ofKind = all.stream().filter(e -> e.kind() == kind).toList();
            if (!ofKind.isEmpty() && kind != EntryKind.ENCOUNTER) {
                entries.put(kind, ofKind);
            }
        }
        // Encounters oldest first, by the UTC sort key (times from different zones compare correctly).
        List<EntryView> encounters = ClinicalEntry.<ClinicalEntry>list(
                "patientId = ?1 and kind = ?2 order by effectiveSort asc nulls last, id", patientId, EntryKind.ENCOUNTER)
                .stream().map(ChartService::view).toList();
        List<DocumentSummary> summaries = documents.stream()
                .map(d -> new DocumentSummary(d.id, d.title, d.type, d.effectiveTime, d.format, d.sourceSha256)).toList();
        return Optional.of(new Chart(patientId, identifiers, demographics, encounters, entries, summaries));
    }

    @Transactional
    public Optional<DocumentView> document(long documentId) {
        ClinicalDocument d = ClinicalDocument.findById(documentId);
        if (d == null) {
            return Optional.empty();
        }
        List<EntryView> entries = ClinicalEntry.<ClinicalEntry>list("documentId = ?1 order by id", documentId).stream()
                .map(ChartService::view).toList();
        List<SectionView> sections = DocumentSection.<DocumentSection>list("documentId = ?1 order by ordinal", documentId).stream()
                .map(s -> new SectionView(s.ordinal, s.parentOrdinal, s.title, s.code, s.kind, s.narrative, s.locator, s.entriesFound,
                        s.entriesArchived, s.entriesQuarantined, s.entriesKeptRaw,
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

    private static EntryView view(ClinicalEntry e) {
        return new EntryView(e.id, e.documentId, e.sectionOrdinal, e.kind, e.code, e.display, e.status, e.negated, e.mood,
                e.effective, e.observedValues, e.interpretations, e.referenceRanges, e.details, e.text, e.sourceSha256, e.locator);
    }
}
