package org.ehrarchive.indexing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

import org.ehrarchive.record.ClinicalDocument;
import org.ehrarchive.record.DocumentSection;
import org.ehrarchive.record.PatientDemographics;
import org.ehrarchive.record.PatientIdentifier;
import org.ehrarchive.record.PersonName;

import org.ehrarchive.search.IndexedPatient;
import org.ehrarchive.search.IndexedText;
import org.ehrarchive.search.SearchIndex;

import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;

/**
 * Keeps the search index current (ADR 0007): drains the {@code index_outbox} that ingest fills, turning archived
 * documents into plain {@link IndexedPatient}s and {@link IndexedText}s for the {@link SearchIndex}. Only the
 * process that owns the index drains; a running server does it every few seconds, a CLI run with no server
 * does it at the end of its ingest. Rows leave the queue only after the index has committed them.
 */
@ApplicationScoped
public class SearchIndexer {

    private static final int BATCH = 100;

    private final SearchIndex index;
    private final EntityManager entityManager;

    public SearchIndexer(SearchIndex index, EntityManager entityManager) {
        this.index = index;
        this.entityManager = entityManager;
    }

    private volatile boolean stopping;

    /**
     * The server's background drain. Command-line runs (ingest, reindex...) do not serve HTTP and drain when their
     * work is done instead, so that indexing does not compete with an ingest for the same cores.
     */
    @Scheduled(every = "${archive.search.drain-interval:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = NotServing.class)
    void drainInBackground() {
        try {
            int indexed = drain(done -> { });
            if (indexed > 0) {
                Log.infof("Indexed %d documents", indexed);
            }
        } catch (RuntimeException e) {
            if (!stopping) {
                Log.errorf("Indexing failed; the queued documents stay queued: %s", org.ehrarchive.PhiSafe.describe(e));
            }
        }
    }

    /** A drain cut short by the process stopping leaves its documents queued; the next start indexes them. */
    void stopping(@jakarta.enterprise.event.Observes io.quarkus.runtime.ShutdownEvent event) {
        stopping = true;
    }

    /** True in a process that does not serve HTTP (a command-line run: {@code ArchiveMain} turns HTTP off). */
    public static final class NotServing implements Scheduled.SkipPredicate {
        @Override
        public boolean test(io.quarkus.scheduler.ScheduledExecution execution) {
            return !org.eclipse.microprofile.config.ConfigProvider.getConfig()
                    .getOptionalValue("quarkus.http.host-enabled", Boolean.class).orElse(true);
        }
    }

    /** Whether this process owns (can write) the search index. */
    public boolean ownsIndex() {
        return index.canWrite();
    }

    /** How many documents wait to be indexed. */
    public long queued() {
        return QuarkusTransaction.requiringNew().call(() ->
                ((Number) entityManager.createNativeQuery("select count(*) from index_outbox").getSingleResult()).longValue());
    }

    /** Queues every archived document, for a rebuild. */
    public long queueEverything() {
        return QuarkusTransaction.requiringNew().call(() -> (long) entityManager.createNativeQuery(
                "insert into index_outbox (document_id, queued_at) select id, now() from clinical_document on conflict do nothing")
                .executeUpdate());
    }

    /**
     * Indexes every queued document if this process owns the index; returns how many it indexed (0 when another
     * process owns the index). {@code progress} receives the count after each batch.
     */
    public synchronized int drain(IntConsumer progress) {
        if (!index.canWrite()) {
            return 0;
        }
        int done = 0;
        while (!stopping) {
            List<Long> documentIds = QuarkusTransaction.requiringNew().call(() -> entityManager.createNativeQuery(
                    "select document_id from index_outbox order by document_id limit " + BATCH, Long.class).getResultList());
            if (documentIds.isEmpty()) {
                return done;
            }
            Batch batch = QuarkusTransaction.requiringNew().call(() -> load(documentIds));
            index.index(batch.patients(), batch.texts());
            QuarkusTransaction.requiringNew().run(() -> entityManager.createNativeQuery("delete from index_outbox where document_id in (:ids)")
                    .setParameter("ids", documentIds).executeUpdate());
            done += documentIds.size();
            progress.accept(done);
        }
        return done;
    }

    private record Batch(List<IndexedPatient> patients, List<IndexedText> texts) {
    }

    private Batch load(List<Long> documentIds) {
        List<ClinicalDocument> documents = ClinicalDocument.list("id in ?1", documentIds);
        Set<Long> patientIds = new LinkedHashSet<>();
        documents.forEach(d -> patientIds.add(d.patientId));
        List<IndexedPatient> patients = new ArrayList<>();
        for (Long patientId : patientIds) {
            patients.add(patient(patientId));
        }
        // Only the names: a document of tens of thousands of entries must not be loaded as entities to be indexed.
        Map<String, List<String>> entryNames = new LinkedHashMap<>();
        List<Object[]> namedEntries = entityManager.createQuery("select e.documentId, e.sectionOrdinal, e.display from ClinicalEntry e"
                + " where e.documentId in :ids and e.sectionOrdinal is not null and e.display is not null order by e.id", Object[].class)
                .setParameter("ids", documentIds).getResultList();
        for (Object[] name : namedEntries) {
            entryNames.computeIfAbsent(name[0] + ":" + name[1], k -> new ArrayList<>()).add((String) name[2]);
        }
        Map<Long, ClinicalDocument> byId = new LinkedHashMap<>();
        documents.forEach(d -> byId.put(d.id, d));
        List<IndexedText> texts = new ArrayList<>();
        for (ClinicalDocument document : documents) {
            String type = document.type == null ? null : document.type.label();
            texts.add(new IndexedText("document:" + document.id, document.patientId, document.id, "DOCUMENT",
                    document.title != null ? document.title : type, join(type, document.title), date(document)));
        }
        for (DocumentSection section : DocumentSection.<DocumentSection>list("documentId in ?1", documentIds)) {
            ClinicalDocument document = byId.get(section.documentId);
            List<String> names = entryNames.getOrDefault(section.documentId + ":" + section.ordinal, List.of());
            texts.add(new IndexedText("section:" + section.id, document.patientId, document.id, section.kind,
                    section.title, join(NarrativeText.of(section.narrative), String.join("; ", names)), date(document)));
        }
        return new Batch(patients, texts);
    }

    /** A patient as all their source documents describe them. */
    private static IndexedPatient patient(long patientId) {
        Set<String> names = new LinkedHashSet<>();
        Set<String> birthDates = new LinkedHashSet<>();
        String sex = null;
        for (PatientDemographics demographics : PatientDemographics.<PatientDemographics>list("patientId", patientId)) {
            for (PersonName name : nullToEmpty(demographics.names)) {
                String shown = name.display();
                if (shown != null && !shown.isBlank()) {
                    names.add(shown);
                }
            }
            if (demographics.birthTime != null && demographics.birthTime.iso() != null) {
                birthDates.add(demographics.birthTime.iso().length() > 10 ? demographics.birthTime.iso().substring(0, 10)
                        : demographics.birthTime.iso());
            }
            if (demographics.sex != null && demographics.sex.code() != null) {
                sex = demographics.sex.code();
            }
        }
        Set<String> identifiers = new LinkedHashSet<>();
        for (PatientIdentifier identifier : PatientIdentifier.<PatientIdentifier>list("patientId", patientId)) {
            identifiers.add(identifier.value);
        }
        return new IndexedPatient(patientId, List.copyOf(names), List.copyOf(birthDates), List.copyOf(identifiers), sex);
    }

    private static String date(ClinicalDocument document) {
        return document.effectiveTime == null ? null : document.effectiveTime.iso();
    }

    private static String join(String first, String second) {
        if (first == null || first.isBlank()) {
            return second;
        }
        return second == null || second.isBlank() ? first : first + "\n" + second;
    }

    private static <T> Collection<T> nullToEmpty(Collection<T> values) {
        return values == null ? List.of() : values;
    }
}
