package org.ehrarchive.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import jakarta.inject.Inject;
import javax.sql.DataSource;

import org.ehrarchive.ingest.IngestProgress;
import org.ehrarchive.ingest.IngestService;
import org.ehrarchive.ingest.table.MappingProfiles;
import org.ehrarchive.record.ChartService;
import org.ehrarchive.support.ArchiveTestDatabase;
import org.ehrarchive.support.Requirements;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The Synthea dev population ({@code ../shared/corpus/synthea-dev}, data nobody here wrote) from three sources: its
 * C-CDA documents name each person under the OID 2.16.840.1.113883.19.5, its FHIR export and CSV dump under
 * {@code https://github.com/synthetichealth/synthea}, the same value. Ingested from all three, each of the 71 people
 * is exactly one person with a source of each format, and no two people are linked or even proposed: not its 11
 * deceased patients and the living "replacements" with their birth date, city and sex.
 */
@QuarkusTest
@Tag("storage")
@WithTestResource(ArchiveTestDatabase.class)
class SyntheaIdentityConformanceTest {

    static final Set<String> SYNTHEA_SYSTEMS = Set.of("2.16.840.1.113883.19.5", "https://github.com/synthetichealth/synthea");

    @Inject
    IngestService ingest;
    @Inject
    PatientLinks links;
    @Inject
    ChartService charts;
    @Inject
    DataSource dataSource;

    @Test
    void everySyntheaPersonIsOnePatientWithASourceOfEachFormatAndNoTwoPeopleAreJoined() throws Exception {
        Path corpus = Requirements.corpus("synthea-dev");
        // The other conformance tests may have archived these already (the database is shared): then they are
        // duplicates here, and were matched when first archived.
        ingest.ingest(corpus.resolve("ccda"), "Synthea C-CDA", null, IngestProgress.NONE);
        ingest.ingest(corpus.resolve("csv"), "Synthea CSV", MappingProfiles.shipped("synthea-csv").orElseThrow(), IngestProgress.NONE);
        ingest.ingest(corpus.resolve("fhir"), "Synthea FHIR", null, IngestProgress.NONE);

        Map<String, Set<Long>> patientsBySyntheaId = new TreeMap<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement(
                        "select value, patient_id from patient_identifier where system = any(?)")) {
            query.setArray(1, connection.createArrayOf("text", SYNTHEA_SYSTEMS.toArray()));
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    patientsBySyntheaId.computeIfAbsent(rows.getString(1), k -> new HashSet<>()).add(rows.getLong(2));
                }
            }
        }
        assertThat(patientsBySyntheaId).as("71 people in the dev population").hasSize(71);

        Set<Long> synthea = new HashSet<>();
        patientsBySyntheaId.values().forEach(synthea::addAll);
        Map<Long, Long> representatives = links.representatives(synthea);
        Map<Long, String> personOf = new HashMap<>();
        patientsBySyntheaId.forEach((syntheaId, patients) -> {
            Set<Long> persons = new HashSet<>();
            patients.forEach(p -> persons.add(representatives.get(p)));
            assertThat(persons).as("Synthea " + syntheaId + ": one person").hasSize(1);
            String earlier = personOf.put(persons.iterator().next(), syntheaId);
            assertThat(earlier).as("person " + persons + " is " + syntheaId + ", and no one else").isNull();
        });

        for (Map.Entry<String, Set<Long>> person : patientsBySyntheaId.entrySet()) {
            ChartService.Chart chart = charts.outline(person.getValue().iterator().next()).orElseThrow();
            assertThat(chart.sources()).as(person.getKey()).extracting(ChartService.LinkedSource::format).contains("ccda", "csv", "fhir");
        }

        for (PatientLinks.Link link : links.inState(null, 100_000)) {
            if (synthea.contains(link.patientLow()) && synthea.contains(link.patientHigh())) {
                String low = syntheaIdOf(patientsBySyntheaId, link.patientLow());
                String high = syntheaIdOf(patientsBySyntheaId, link.patientHigh());
                assertThat(high).as("link " + link.id() + " (" + link.state() + ", score " + link.score() + ") pairs two Synthea people")
                        .isEqualTo(low);
            }
        }
    }

    private static String syntheaIdOf(Map<String, Set<Long>> patientsBySyntheaId, long patient) {
        return patientsBySyntheaId.entrySet().stream().filter(e -> e.getValue().contains(patient)).map(Map.Entry::getKey).findFirst()
                .orElseThrow();
    }
}
