package org.ehrarchive.identity;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.ehrarchive.search.PatientHit;
import org.ehrarchive.search.PatientQuery;
import org.ehrarchive.search.SearchIndex;

/**
 * Patient search by person: the index knows archived patients (one source's record each), and a person linked from
 * several sources is one hit, under the lowest id of its archived patients, whichever source's name, birth date or
 * identifier matched. What the hits of one person show (names, birth dates, identifiers) is the union of theirs.
 */
@ApplicationScoped
public class PersonSearch {

    /** The index is asked for this many times the hits wanted, so that collapsing linked records still fills the page. */
    static final int OVERFETCH = 3;

    private final SearchIndex index;
    private final PatientLinks links;

    public PersonSearch(SearchIndex index, PatientLinks links) {
        this.index = index;
        this.links = links;
    }

    /** The persons matching every criterion given, best first, at most {@code limit}. */
    public List<PatientHit> find(PatientQuery query, int limit) {
        List<PatientHit> hits = index.findPatients(query, limit * OVERFETCH);
        if (hits.isEmpty()) {
            return hits;
        }
        Map<Long, Long> representatives = links.representatives(hits.stream().map(PatientHit::patientId).toList());
        Map<Long, List<PatientHit>> byPerson = new LinkedHashMap<>(); // in the order of each person's best hit
        for (PatientHit hit : hits) {
            byPerson.computeIfAbsent(representatives.getOrDefault(hit.patientId(), hit.patientId()), k -> new ArrayList<>()).add(hit);
        }
        List<PatientHit> persons = new ArrayList<>();
        for (Map.Entry<Long, List<PatientHit>> person : byPerson.entrySet()) {
            if (persons.size() == limit) {
                break;
            }
            persons.add(merged(person.getKey(), person.getValue()));
        }
        return persons;
    }

    private static PatientHit merged(long personId, List<PatientHit> hits) {
        if (hits.size() == 1 && hits.get(0).patientId() == personId) {
            return hits.get(0);
        }
        Set<String> names = new LinkedHashSet<>();
        Set<String> birthDates = new LinkedHashSet<>();
        Set<String> identifiers = new LinkedHashSet<>();
        String sex = null;
        for (PatientHit hit : hits) {
            names.addAll(hit.names());
            birthDates.addAll(hit.birthDates());
            identifiers.addAll(hit.identifiers());
            sex = sex == null ? hit.sex() : sex;
        }
        return new PatientHit(personId, hits.get(0).score(), List.copyOf(names), List.copyOf(birthDates), List.copyOf(identifiers), sex);
    }
}
