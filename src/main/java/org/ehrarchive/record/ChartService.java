package org.ehrarchive.record;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import jakarta.persistence.TypedQuery;
import jakarta.transaction.Transactional;

/**
 * The read side of the normalized store: a patient's whole chart and a whole document, as plain records for the
 * API and the portal. A chart is the person's: the records of every archived patient identity links join to the one
 * asked for (docs/patient-identity.md), so undoing a link gives each its own chart again. Read-only by construction: it only selects. A fixed number of queries per chart, whatever
 * its size (no query per entry; {@code ChartQueryCountTest} counts them), of the columns the chart shows.
 * <p>
 * The chart shows each fact in its current version (ADR 0009): an entry whose source record a newer version
 * supersedes, or that arrived as history, is not shown on its own but as an earlier version of the current one.
 * A document shows everything it said, whatever became current since.
 */
@ApplicationScoped
public class ChartService {

    private final org.ehrarchive.identity.PatientLinks persons;

    public ChartService(org.ehrarchive.identity.PatientLinks persons) {
        this.persons = persons;
    }

    /** A patient's chart: identifiers and demographics by source, encounters in time order, every entry, documents. */
    public record Chart(long patientId, List<SourcedIdentifier> identifiers, List<SourcedDemographics> demographics,
            List<EntryView> encounters, Map<EntryKind, List<EntryView>> entries, List<DocumentSummary> documents,
            List<LinkedSource> sources) {

        /** The archived patients this chart shows, the one asked for first: what the access audit names. */
        public List<Long> patientIds() {
            Set<Long> ids = new LinkedHashSet<>();
            ids.add(patientId);
            sources.forEach(source -> ids.add(source.patientId()));
            return List.copyOf(ids);
        }
    }

    /**
     * One source's record of the person: an archived patient linked into the chart (docs/patient-identity.md), by
     * format and source system, with the files its records came from ({@code fileCount} of them, the first
     * {@value #SOURCE_FILES_LISTED} by name) and the identifiers that source gave.
     */
    public record LinkedSource(long patientId, String format, String sourceSystem, long fileCount, List<String> sourceFiles,
            List<Identifier> identifiers) {
    }

    /** The most file names a chart lists per source (an HL7 v2 archive can hold a patient's messages in thousands). */
    static final int SOURCE_FILES_LISTED = 20;

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
     * One page of one kind of a patient's entries, in chart order, and how many the kind has in all; {@code patientIds}
     * the archived patients of the person whose entries they are (the one asked for first).
     */
    public record EntryPage(EntryKind kind, int page, int size, long total, List<EntryView> entries, List<Long> patientIds) {

        public boolean hasNext() {
            return (long) page * size < total;
        }
    }

    /** A patient's header and the first page of each kind of entry, with how many each kind has in all. */
    public record FirstPages(Chart chart, int pageSize, Map<EntryKind, Long> totals) {
    }

    /**
     * The whole chart in eight statements whatever its size (and the person's archived patients, one more): the
     * patient, its documents, identifiers, demographics, its sources (two),
     * source records and entries, each selecting only the columns the chart shows (never an entry's or the
     * demographics' source fragment, nor a document's header fragment), as values rather than managed entities.
     */
    @Transactional
    public Optional<Chart> chart(long patientId) {
        return read(patientId, true, EnumSet.allOf(EntryKind.class));
    }

    /**
     * The chart's outline, in the same statements: every current entry with what it takes to fold, order, group,
     * plot and flag it (kind, code, name, status, negation, time, values, interpretations, reference ranges, source and
     * versions), but not its details, text or provenance, which are most of a heavy chart's bytes and parsing.
     * A page completes what it shows with {@link #complete}.
     */
    @Transactional
    public Optional<Chart> outline(long patientId) {
        return read(patientId, false, EnumSet.allOf(EntryKind.class));
    }

    /** The outline of these kinds of entry only (the header whole): what a page about one kind needs. */
    @Transactional
    public Optional<Chart> outline(long patientId, Set<EntryKind> kinds) {
        return read(patientId, false, kinds);
    }

    /**
     * The entries of an outline made whole, by id, each with its earlier versions whole: one statement per
     * {@value #IDS_PER_STATEMENT} entries.
     */
    @Transactional
    public Map<Long, EntryView> complete(long patientId, Collection<EntryView> outlined) {
        Set<Long> ids = new HashSet<>();
        for (EntryView entry : outlined) {
            ids.add(entry.id());
            entry.earlierVersions().forEach(earlier -> ids.add(earlier.id()));
        }
        Map<Long, EntryRow> rows = wholeRows(Patient.getEntityManager(), persons.members(patientId), ids);
        Map<Long, EntryView> views = new HashMap<>();
        for (EntryView entry : outlined) {
            EntryRow row = rows.get(entry.id());
            if (row != null) {
                views.put(entry.id(), row.view(entry.version(), entry.earlierVersions().stream()
                        .filter(earlier -> rows.containsKey(earlier.id()))
                        .map(earlier -> rows.get(earlier.id()).view(earlier.version(), List.of())).toList()));
            }
        }
        return views;
    }

    /**
     * The header of a chart (identifiers, demographics, documents) and the first {@code size} current entries of each
     * kind, selected by the database (a window over the patient's current entries), with each kind's total: a fixed
     * number of statements whatever the chart's size, and only what the page holds is read whole.
     */
    @Transactional
    public Optional<FirstPages> firstPages(long patientId, int size) {
        EntityManager em = Patient.getEntityManager();
        if (!exists(em, patientId)) {
            return Optional.empty();
        }
        List<Long> patients = persons.members(patientId);
        Header header = header(em, patients);
        Current current = header.versions().current();
        Query ranked = em.createNativeQuery("select id, kind, total from (select e.id, e.kind,"
                + " row_number() over (partition by e.kind order by " + CHART_ORDER + ") as place,"
                + " count(*) over (partition by e.kind) as total from clinical_entry e where e.patient_id in (:patients)" + current.sql()
                + ") ranked where place <= :size order by kind, place").setParameter("patients", patients).setParameter("size", size);
        @SuppressWarnings("unchecked")
        List<Object[]> selected = current.bind(ranked).getResultList();
        Map<EntryKind, Long> counted = new EnumMap<>(EntryKind.class);
        selected.forEach(c -> counted.put(EntryKind.valueOf((String) c[1]), ((Number) c[2]).longValue()));
        Map<EntryKind, List<EntryView>> byKind = byKind(pageViews(em, patients, header.versions(),
                selected.stream().map(c -> (Number) c[0]).toList()));
        Map<EntryKind, Long> totals = new LinkedHashMap<>();
        for (EntryKind kind : EntryKind.values()) {
            if (counted.containsKey(kind)) {
                totals.put(kind, counted.get(kind));
            }
        }
        return Optional.of(new FirstPages(chartOf(patientId, header, byKind), size, totals));
    }

    /** Page {@code page} (from 1) of {@code size} current entries of one kind, in chart order, and the kind's total. */
    @Transactional
    public Optional<EntryPage> page(long patientId, EntryKind kind, int page, int size) {
        EntityManager em = Patient.getEntityManager();
        if (!exists(em, patientId)) {
            return Optional.empty();
        }
        List<Long> patients = persons.members(patientId);
        Versions versions = Versions.of(em, patients);
        Current current = versions.current();
        Query paged = em.createNativeQuery("select e.id, count(*) over () from clinical_entry e where e.patient_id in (:patients)"
                + " and e.kind = :kind" + current.sql() + " order by " + CHART_ORDER + " limit :size offset :offset")
                .setParameter("patients", patients).setParameter("kind", kind.name()).setParameter("size", size)
                .setParameter("offset", (long) (page - 1) * size);
        @SuppressWarnings("unchecked")
        List<Object[]> selected = current.bind(paged).getResultList();
        // count(*) over () counts the rows before limit and offset; past the last page no row carries it.
        long total = selected.isEmpty() ? countOfKind(em, patients, kind, current) : ((Number) selected.get(0)[1]).longValue();
        List<Number> ids = selected.stream().map(c -> (Number) c[0]).toList();
        List<EntryView> entries = pageViews(em, patients, versions, ids);
        List<Long> shown = new ArrayList<>(List.of(patientId));
        patients.stream().filter(p -> p != patientId).forEach(shown::add);
        return Optional.of(new EntryPage(kind, page, size, total, entries, List.copyOf(shown)));
    }

    /** The kind of one of the patient's entries, or nothing when the patient has no such entry. */
    @Transactional
    public Optional<EntryKind> kindOf(long patientId, long entryId) {
        List<Long> patients = persons.members(patientId);
        return Patient.getEntityManager().createQuery("select e.kind from ClinicalEntry e where e.id = :entry and e.patientId in :patients",
                EntryKind.class).setParameter("entry", entryId).setParameter("patients", patients).getResultStream().findFirst();
    }

    /** The most entries one statement selects by id (PostgreSQL takes at most 32,767 parameters). */
    static final int IDS_PER_STATEMENT = 10_000;

    private static long countOfKind(EntityManager em, List<Long> patients, EntryKind kind, Current current) {
        return ((Number) current.bind(em.createNativeQuery("select count(*) from clinical_entry e where e.patient_id in (:patients)"
                + " and e.kind = :kind" + current.sql()).setParameter("patients", patients).setParameter("kind", kind.name()))
                .getSingleResult()).longValue();
    }

    /**
     * The SQL condition that keeps only current entries (ADR 0009): those of the patient's records that a newer version
     * supersedes or that arrived as history are left out, by id, as {@link Versions#isCurrent} decides. Most charts
     * have none, and the condition is then empty; past {@value #IDS_PER_STATEMENT} ids it asks the database instead.
     */
    record Current(Set<Long> notCurrent) {

        String sql() {
            if (notCurrent.isEmpty()) {
                return "";
            }
            return notCurrent.size() <= IDS_PER_STATEMENT ? " and e.source_record_id not in (:notCurrent)"
                    : " and not exists (select 1 from source_record r where r.id = e.source_record_id and (r.historical or exists"
                            + " (select 1 from source_record s where s.supersedes_id = r.id and s.patient_id = r.patient_id)))";
        }

        Query bind(Query query) {
            return notCurrent.isEmpty() || notCurrent.size() > IDS_PER_STATEMENT ? query : query.setParameter("notCurrent", notCurrent);
        }
    }

    /**
     * The chart's order: encounters oldest first, every other kind newest first; by the UTC sort key compared as bytes
     * (as Java compares it, whatever the database's collation), then id.
     */
    private static final String CHART_ORDER = "case when e.kind = 'ENCOUNTER' then e.effective_sort end collate \"C\" asc nulls last,"
            + " case when e.kind <> 'ENCOUNTER' then e.effective_sort end collate \"C\" desc nulls last, e.id";

    private record Header(List<SourcedIdentifier> identifiers, List<SourcedDemographics> demographics, List<DocumentSummary> documents,
            Versions versions, List<LinkedSource> sources) {
    }

    private static boolean exists(EntityManager em, long patientId) {
        return !em.createQuery("select p.id from Patient p where p.id = :patient", Long.class).setParameter("patient", patientId)
                .getResultList().isEmpty();
    }

    /** The documents, identifiers, demographics and source records of a patient: four statements. */
    private static Header header(EntityManager em, List<Long> patients) {
        List<Object[]> documents = em.createQuery("select d.id, d.title, d.type, d.effectiveTime, d.format, d.sourceSha256, d.sourceRecordId"
                + " from ClinicalDocument d where d.patientId in :patients order by d.effectiveSort desc nulls last, d.id", Object[].class)
                .setParameter("patients", patients).getResultList();
        Map<Long, String> titles = new HashMap<>();
        documents.forEach(d -> titles.put((Long) d[0], (String) d[1]));
        List<SourcedIdentifier> identifiers = em.createQuery("select i.system, i.value, i.assigningAuthority, i.documentId"
                + " from PatientIdentifier i where i.patientId in :patients order by i.id", Object[].class)
                .setParameter("patients", patients).getResultList().stream()
                .map(i -> new SourcedIdentifier((String) i[0], (String) i[1], (String) i[2], (Long) i[3])).toList();
        List<SourcedDemographics> demographics = em.createQuery("select d.documentId, d.names, d.birthTime, d.sex, d.addresses,"
                + " d.telecoms, d.deceased, d.deceasedTime, d.maritalStatus, d.races, d.ethnicities, d.languages"
                + " from PatientDemographics d where d.patientId in :patients order by d.id", Object[].class)
                .setParameter("patients", patients).getResultList().stream()
                .map(d -> new SourcedDemographics((Long) d[0], titles.get((Long) d[0]), list(d[1]), (TimeValue) d[2], (Coded) d[3],
                        list(d[4]), list(d[5]), (Boolean) d[6], (TimeValue) d[7], (Coded) d[8], list(d[9]), list(d[10]), list(d[11])))
                .toList();
        Versions versions = Versions.of(em, patients);
        List<DocumentSummary> summaries = documents.stream()
                .map(d -> new DocumentSummary((Long) d[0], (String) d[1], (Coded) d[2], (TimeValue) d[3], (String) d[4], (String) d[5],
                        versions.version((Long) d[6]), !versions.isCurrent((Long) d[6]))).toList();
        return new Header(identifiers, demographics, summaries, versions, sources(em, patients));
    }

    /** From a source record {@code r} to its file {@code f} and source system {@code s}. */
    private static final String SOURCE_OF_RECORD = " join source_file f on f.id = r.source_file_id join ingest_batch b on b.id = f.batch_id"
            + " join source_system s on s.id = b.source_system_id";

    /**
     * The sources of the person's records, one per archived patient, format and source system: two statements, one
     * for the files (grouped in the database) and one for the identifiers each source gave.
     */
    private static List<LinkedSource> sources(EntityManager em, List<Long> patients) {
        record Source(long patient, String format, String system) {
        }
        Map<Source, List<String>> files = new LinkedHashMap<>();
        Map<Source, Long> fileCounts = new HashMap<>();
        @SuppressWarnings("unchecked")
        List<Object[]> fileRows = em.createNativeQuery("select r.patient_id, coalesce(f.format, ''), s.name, f.original_name"
                + " from (select distinct patient_id, source_file_id from source_record where patient_id in (:patients)) r"
                + SOURCE_OF_RECORD + " order by r.patient_id, 2, 3, f.original_name")
                .setParameter("patients", patients).getResultList();
        for (Object[] row : fileRows) {
            Source source = new Source(((Number) row[0]).longValue(), (String) row[1], (String) row[2]);
            List<String> names = files.computeIfAbsent(source, k -> new ArrayList<>());
            if (names.size() < SOURCE_FILES_LISTED) {
                names.add((String) row[3]);
            }
            fileCounts.merge(source, 1L, Long::sum);
        }
        Map<Source, Set<Identifier>> identifiers = new HashMap<>();
        @SuppressWarnings("unchecked")
        List<Object[]> identifierRows = em.createNativeQuery("select distinct i.patient_id, coalesce(f.format, ''), s.name, i.system,"
                + " i.value, i.assigning_authority from patient_identifier i join source_record r on r.id = i.source_record_id"
                + SOURCE_OF_RECORD + " where i.patient_id in (:patients) order by 1, 2, 3, 4, 5")
                .setParameter("patients", patients).getResultList();
        for (Object[] row : identifierRows) {
            identifiers.computeIfAbsent(new Source(((Number) row[0]).longValue(), (String) row[1], (String) row[2]), k -> new LinkedHashSet<>())
                    .add(new Identifier((String) row[3], (String) row[4], (String) row[5], null));
        }
        List<LinkedSource> sources = new ArrayList<>();
        files.forEach((source, names) -> sources.add(new LinkedSource(source.patient(), source.format().isEmpty() ? null : source.format(),
                source.system(), fileCounts.get(source), List.copyOf(names), List.copyOf(identifiers.getOrDefault(source, Set.of())))));
        return sources;
    }

    private Optional<Chart> read(long patientId, boolean whole, Set<EntryKind> kinds) {
        EntityManager em = Patient.getEntityManager();
        if (!exists(em, patientId)) {
            return Optional.empty();
        }
        List<Long> patients = persons.members(patientId);
        Header header = header(em, patients);
        boolean every = kinds.containsAll(EnumSet.allOf(EntryKind.class));
        TypedQuery<Object[]> query = em.createQuery("select " + (whole ? WHOLE_COLUMNS : OUTLINE_COLUMNS)
                + " from ClinicalEntry e where e.patientId in :patients" + (every ? "" : " and e.kind in :kinds"), Object[].class)
                .setParameter("patients", patients);
        if (!every) {
            query.setParameter("kinds", kinds);
        }
        List<EntryRow> rows = query.getResultList().stream().map(whole ? EntryRow::of : EntryRow::outline)
                .sorted(EntryRow.CHART_ORDER_OF_KIND).toList();
        return Optional.of(chartOf(patientId, header, byKind(header.versions().current(rows))));
    }

    private static Chart chartOf(long patientId, Header header, Map<EntryKind, List<EntryView>> byKind) {
        Map<EntryKind, List<EntryView>> entries = new LinkedHashMap<>();
        for (EntryKind kind : EntryKind.values()) {
            List<EntryView> ofKind = byKind.get(kind);
            if (ofKind != null && kind != EntryKind.ENCOUNTER) {
                entries.put(kind, List.copyOf(ofKind));
            }
        }
        return new Chart(patientId, header.identifiers(), header.demographics(), byKind.getOrDefault(EntryKind.ENCOUNTER, List.of()),
                entries, header.documents(), header.sources());
    }

    /** Entries by kind, in the order given (the chart's: encounters oldest first, the rest newest first). */
    private static Map<EntryKind, List<EntryView>> byKind(List<EntryView> views) {
        Map<EntryKind, List<EntryView>> byKind = new EnumMap<>(EntryKind.class);
        for (EntryView entry : views) {
            byKind.computeIfAbsent(entry.kind(), k -> new ArrayList<>()).add(entry);
        }
        return byKind;
    }

    /**
     * The whole views of the entries a page selected, with their earlier versions: one statement for the entries and,
     * only when some have earlier versions, one for the places of entries in their records and one for those versions.
     */
    private static List<EntryView> pageViews(EntityManager em, List<Long> patients, Versions versions, List<Number> selected) {
        Set<Long> ids = new LinkedHashSet<>();
        selected.forEach(id -> ids.add(id.longValue()));
        Map<Long, EntryRow> rows = wholeRows(em, patients, ids);
        Set<Long> versioned = new HashSet<>();
        rows.values().forEach(row -> versioned.addAll(versions.withOlder(row.sourceRecordId())));
        Map<Versions.Place, List<Long>> entriesByPlace = new HashMap<>();
        Map<Long, EntryRow> earlierRows = Map.of();
        if (!versioned.isEmpty()) {
            for (Object[] c : em.createQuery("select e.id, e.sourceRecordId, e.kind from ClinicalEntry e where e.patientId in :patients"
                    + " and e.sourceRecordId in :records order by e.id", Object[].class).setParameter("patients", patients)
                    .setParameter("records", versioned).getResultList()) {
                entriesByPlace.computeIfAbsent(new Versions.Place((Long) c[1], (EntryKind) c[2]), r -> new ArrayList<>()).add((Long) c[0]);
            }
            Set<Long> earlierIds = new HashSet<>();
            rows.values().forEach(row -> versions.earlier(row, entriesByPlace).forEach(earlier -> earlierIds.add(earlier.entryId())));
            earlierRows = wholeRows(em, patients, earlierIds);
        }
        List<EntryView> views = new ArrayList<>();
        for (Long id : ids) {
            EntryRow row = rows.get(id);
            if (row == null) {
                continue;
            }
            List<EntryView> earlier = new ArrayList<>();
            for (Versions.Earlier e : versions.earlier(row, entriesByPlace)) {
                EntryRow earlierRow = earlierRows.get(e.entryId());
                if (earlierRow != null) {
                    earlier.add(earlierRow.view(e.version(), List.of()));
                }
            }
            views.add(row.view(versions.version(row.sourceRecordId()), earlier));
        }
        return views;
    }

    /** Whole entry rows by id, of the person's archived patients. */
    private static Map<Long, EntryRow> wholeRows(EntityManager em, List<Long> patients, Set<Long> ids) {
        Map<Long, EntryRow> rows = new HashMap<>();
        List<Long> all = List.copyOf(ids);
        for (int from = 0; from < all.size(); from += IDS_PER_STATEMENT) {
            em.createQuery("select " + WHOLE_COLUMNS + " from ClinicalEntry e where e.patientId in :patients and e.id in :ids", Object[].class)
                    .setParameter("patients", patients).setParameter("ids", all.subList(from, Math.min(all.size(), from + IDS_PER_STATEMENT)))
                    .getResultList().stream().map(EntryRow::of).forEach(row -> rows.put(row.id(), row));
        }
        return rows;
    }

    private static final String WHOLE_COLUMNS = "e.id, e.documentId, e.sectionOrdinal, e.kind, e.code, e.display, e.status,"
            + " e.negated, e.mood, e.effective, e.observedValues, e.interpretations, e.referenceRanges, e.details, e.text,"
            + " e.sourceSha256, e.locator, e.sourceRecordId, e.effectiveSort";

    /**
     * An outline's columns. Values tell dated facts apart (a glucose of 5.1 and one of 7.3 on one day are two facts),
     * so facts that hold over time (a problem, a medication) leave them out; interpretations and ranges flag and plot
     * results and vital signs only. What a kind does not need is most of a heavy chart's parsing.
     */
    private static final String OUTLINE_COLUMNS = "e.id, e.documentId, e.sectionOrdinal, e.kind, e.code, e.display, e.status,"
            + " e.negated, e.mood, e.effective,"
            + " case when e.kind in (" + kinds(EntryKind::holdsOverTime) + ") then null else e.observedValues end,"
            + " case when e.kind in (" + kinds(EntryKind::isMeasured) + ") then e.interpretations else null end,"
            + " case when e.kind in (" + kinds(EntryKind::isMeasured) + ") then e.referenceRanges else null end,"
            + " e.sourceRecordId, e.effectiveSort";

    /** The kinds that match, as JPQL enum literals. */
    private static String kinds(Predicate<EntryKind> which) {
        return Arrays.stream(EntryKind.values()).filter(which)
                .map(kind -> EntryKind.class.getName() + "." + kind.name()).collect(Collectors.joining(", "));
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> list(Object value) {
        return (List<T>) value;
    }

    private static final Comparator<String> OLDEST_FIRST = Comparator.nullsLast(Comparator.naturalOrder());
    private static final Comparator<String> NEWEST_FIRST = Comparator.nullsLast(Comparator.reverseOrder());

    /** The columns of a clinical entry a chart shows, and its source record. */
    private record EntryRow(long id, Long documentId, Integer sectionOrdinal, EntryKind kind, Coded code, String display, String status,
            boolean negated, String mood, TimePeriod effective, List<ObservedValue> values, List<Coded> interpretations,
            List<ReferenceRange> referenceRanges, Map<String, Object> details, String text, String sourceSha256, String locator,
            Long sourceRecordId, String sortKey) {

        /**
         * By kind, then the chart's order within a kind (as {@link #CHART_ORDER} in SQL): encounters oldest first, the
         * rest newest first, then id.
         */
        static final Comparator<EntryRow> CHART_ORDER_OF_KIND = (a, b) -> {
            if (a.kind() != b.kind()) {
                return a.kind().compareTo(b.kind());
            }
            int byTime = (a.kind() == EntryKind.ENCOUNTER ? OLDEST_FIRST : NEWEST_FIRST).compare(a.sortKey(), b.sortKey());
            return byTime != 0 ? byTime : Long.compare(a.id(), b.id());
        };

        /** A row of {@link #WHOLE_COLUMNS}. */
        @SuppressWarnings("unchecked")
        static EntryRow of(Object[] c) {
            return new EntryRow((Long) c[0], (Long) c[1], (Integer) c[2], (EntryKind) c[3], (Coded) c[4], (String) c[5], (String) c[6],
                    (Boolean) c[7], (String) c[8], (TimePeriod) c[9], list(c[10]), list(c[11]), list(c[12]), (Map<String, Object>) c[13],
                    (String) c[14], (String) c[15], (String) c[16], (Long) c[17], (String) c[18]);
        }

        /** A row of {@link #OUTLINE_COLUMNS}: what it does not select is null. */
        static EntryRow outline(Object[] c) {
            return new EntryRow((Long) c[0], (Long) c[1], (Integer) c[2], (EntryKind) c[3], (Coded) c[4], (String) c[5], (String) c[6],
                    (Boolean) c[7], (String) c[8], (TimePeriod) c[9], list(c[10]), list(c[11]), list(c[12]), null, null, null, null,
                    (Long) c[13], (String) c[14]);
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
        Map<Long, Integer> recordVersions = new HashMap<>();
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

    /**
     * The versions of a patient's source records: which are current (neither superseded nor historical), and, per
     * record key, the older versions of each. One query for the patient's records, of the columns that say so.
     */
    private static final class Versions {
        /** What a chart needs of a source record. */
        private record Rec(long id, String keyHash, int version, Long supersedesId, boolean historical, String orderKey) {
        }

        /** An entry of an earlier version of a record, and that version's number. */
        record Earlier(long entryId, int version) {
        }

        private final Map<Long, Rec> records = new HashMap<>();
        private final Set<Long> superseded = new HashSet<>();
        private final Map<String, List<Rec>> byKey = new HashMap<>();
        /** The records that share their key with another: the only ones with earlier (or later) versions. */
        private final Set<Long> versioned = new HashSet<>();

        static Versions of(EntityManager em, List<Long> patients) {
            Versions versions = new Versions();
            for (Object[] c : em.createQuery("select r.id, r.keyHash, r.version, r.supersedesId, r.historical, r.orderKey"
                    + " from SourceRecord r where r.patientId in :patients", Object[].class).setParameter("patients", patients).getResultList()) {
                Rec record = new Rec((Long) c[0], (String) c[1], (Integer) c[2], (Long) c[3], (Boolean) c[4], (String) c[5]);
                versions.records.put(record.id, record);
                versions.byKey.computeIfAbsent(record.keyHash, k -> new ArrayList<>()).add(record);
                if (record.supersedesId != null) {
                    versions.superseded.add(record.supersedesId);
                }
            }
            versions.byKey.values().stream().filter(sameKey -> sameKey.size() > 1).flatMap(List::stream).forEach(r -> versions.versioned.add(r.id));
            return versions;
        }

        /** The condition that selects current entries in SQL. */
        Current current() {
            Set<Long> notCurrent = new HashSet<>(superseded);
            records.values().stream().filter(Rec::historical).forEach(r -> notCurrent.add(r.id));
            notCurrent.retainAll(records.keySet());
            return new Current(notCurrent);
        }

        boolean isCurrent(Long recordId) {
            Rec record = recordId == null ? null : records.get(recordId);
            return record == null || (!record.historical && !superseded.contains(record.id));
        }

        int version(Long recordId) {
            Rec record = recordId == null ? null : records.get(recordId);
            return record == null ? 1 : record.version;
        }

        /** The other records of the same key as this one, newest first (by order key, then version). */
        private List<Rec> older(Long recordId) {
            Rec record = recordId == null ? null : records.get(recordId);
            List<Rec> sameKey = record == null ? List.of() : byKey.getOrDefault(record.keyHash, List.of());
            if (sameKey.size() < 2) {
                return List.of();
            }
            return sameKey.stream().filter(r -> r.id != record.id)
                    .sorted(Comparator.comparing((Rec r) -> r.orderKey, Comparator.nullsFirst(Comparator.naturalOrder()))
                            .thenComparingInt(r -> r.version).reversed())
                    .toList();
        }

        /** Whether other records have this one's key (versions before or after it). */
        boolean hasOlder(Long recordId) {
            return recordId != null && versioned.contains(recordId);
        }

        /** This record and the others of its key, when it has any; else nothing. */
        Set<Long> withOlder(Long recordId) {
            List<Rec> older = older(recordId);
            if (older.isEmpty()) {
                return Set.of();
            }
            Set<Long> ids = new HashSet<>();
            ids.add(recordId);
            older.forEach(r -> ids.add(r.id));
            return ids;
        }

        /** A record's entries of one kind: an entry's place is its rank among them, in id order. */
        record Place(Long recordId, EntryKind kind) {
        }

        /**
         * The entries at the same place as this one in the earlier versions of its record (an organizer's second result
         * beside the second result of the version before), newest first. {@code entriesByPlace} lists the entry ids of
         * this record and its older versions, by kind, in id order.
         */
        List<Earlier> earlier(EntryRow row, Map<Place, List<Long>> entriesByPlace) {
            List<Rec> older = older(row.sourceRecordId());
            if (older.isEmpty()) {
                return List.of();
            }
            int place = Collections.binarySearch(entriesByPlace.getOrDefault(new Place(row.sourceRecordId(), row.kind()), List.of()),
                    row.id());
            List<Earlier> earlier = new ArrayList<>();
            for (Rec version : older) {
                List<Long> theirs = entriesByPlace.getOrDefault(new Place(version.id, row.kind()), List.of());
                if (place >= 0 && place < theirs.size()) {
                    earlier.add(new Earlier(theirs.get(place), version.version));
                }
            }
            return earlier;
        }

        /** The entries of current records, each with its earlier versions, from rows of all the patient's entries of their kinds. */
        List<EntryView> current(List<EntryRow> rows) {
            Map<Place, List<Long>> entriesByPlace = new HashMap<>();
            Map<Long, EntryRow> byId = new HashMap<>();
            for (EntryRow row : rows) {
                byId.put(row.id(), row);
                if (hasOlder(row.sourceRecordId())) {
                    entriesByPlace.computeIfAbsent(new Place(row.sourceRecordId(), row.kind()), r -> new ArrayList<>()).add(row.id());
                }
            }
            entriesByPlace.values().forEach(ids -> ids.sort(null));
            List<EntryView> views = new ArrayList<>(rows.size());
            for (EntryRow row : rows) {
                if (!isCurrent(row.sourceRecordId())) {
                    continue;
                }
                List<EntryView> earlier = !hasOlder(row.sourceRecordId()) ? List.of() : earlier(row, entriesByPlace).stream()
                        .map(e -> byId.get(e.entryId()).view(e.version(), List.of())).toList();
                views.add(row.view(version(row.sourceRecordId()), earlier));
            }
            return views;
        }
    }
}
