package org.ehrarchive.search;

import java.util.List;

/**
 * The search port (architecture D3): patients by name (tolerant of typos and phonetic variants), birth date and
 * any identifier, and full text over narratives, notes and entry names with highlighted snippets. Adapters:
 * Lucene in process (default); Elasticsearch later. The index holds plain records handed to it by the indexer;
 * it knows nothing of the database, and can always be rebuilt from the archive store ({@code reindex}).
 */
public interface SearchIndex {

    /** Adds or replaces patients and texts (by their keys), and makes them searchable before returning. */
    void index(List<IndexedPatient> patients, List<IndexedText> texts);

    /** Patients matching every criterion given, best first. */
    List<PatientHit> findPatients(PatientQuery query, int limit);

    /** Texts matching the words, best first, each with a highlighted snippet. */
    List<TextHit> searchText(String words, int limit);

    /** Removes everything (the first step of a rebuild). */
    void clear();

    /** How many patients and texts the index holds. */
    long size();

    /**
     * Whether this process may write the index. Lucene allows one writer per index: the process that holds it
     * (the server, when one runs) indexes for everyone (ADR 0007).
     */
    boolean canWrite();
}
