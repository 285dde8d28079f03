package org.ehrarchive.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

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
import org.junit.jupiter.api.io.TempDir;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The Synthea dev population ({@code ../shared/corpus/synthea-dev}, data nobody here wrote) from three sources: its
 * C-CDA documents name each person under the OID 2.16.840.1.113883.19.5, its FHIR export and CSV dump under
 * {@code https://github.com/synthetichealth/synthea}, the same value. Ingested from all three, each of the 71 people
 * is exactly one person with a source of each format, and no two people are linked or even proposed: not its 11
 * deceased patients and the living "replacements" with their birth date, city and sex, nor these people and the
 * corpus' own copies the other conformance tests archive (the same names and dates, other record numbers).
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
    void everySyntheaPersonIsOnePatientWithASourceOfEachFormatAndNoTwoPeopleAreJoined(@TempDir Path folder) throws Exception {
        Path corpus = Requirements.corpus("synthea-dev");
        // The conformance tests of each format archive these very files and count them as theirs (the database is
        // shared): this test archives a copy of the population of its own, every identifier rewritten alike in the
        // three exports, so that it is a new population of the same people's records, in any order of the tests.
        Map<String, String> syntheaIds = new HashMap<>();
        Path copy = Files.createDirectories(folder.resolve("synthea-copy"));
        for (String format : List.of("ccda", "csv", "fhir")) {
            rewrittenCopy(corpus.resolve(format), copy.resolve(format), syntheaIds);
        }
        ingest.ingest(copy.resolve("ccda"), "Synthea C-CDA (identity test)", null, IngestProgress.NONE);
        ingest.ingest(copy.resolve("csv"), "Synthea CSV (identity test)", MappingProfiles.shipped("synthea-csv").orElseThrow(), IngestProgress.NONE);
        ingest.ingest(copy.resolve("fhir"), "Synthea FHIR (identity test)", null, IngestProgress.NONE);

        Map<String, Set<Long>> patientsBySyntheaId = new TreeMap<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement(
                        "select value, patient_id from patient_identifier where system = any(?) and value = any(?)")) {
            query.setArray(1, connection.createArrayOf("text", SYNTHEA_SYSTEMS.toArray()));
            query.setArray(2, connection.createArrayOf("text", syntheaIds.values().toArray()));
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

        for (long patient : synthea) {
            for (PatientLinks.Link link : links.ofPatient(patient)) {
                long other = link.patientLow() == patient ? link.patientHigh() : link.patientLow();
                assertThat(synthea).as("link " + link.id() + " (" + link.state() + ", score " + link.score()
                        + ") pairs a person of this population with someone else (the corpus' own archived copy, say)").contains(other);
                assertThat(syntheaIdOf(patientsBySyntheaId, other)).as("link " + link.id() + " (" + link.state() + ", score " + link.score()
                        + ") pairs two Synthea people").isEqualTo(syntheaIdOf(patientsBySyntheaId, patient));
            }
        }
    }

    private static final Pattern UUID_TEXT = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    /**
     * The export's files with every UUID (patients, encounters, resources, documents) replaced by one derived from it,
     * the same in every file, and the SSNs, driver's licences and passport numbers moved out of Synthea's ranges (a
     * number left as it is would file the copy's record under the original's archived patient); {@code rewritten}
     * keeps each original UUID's replacement. A file without a UUID is left out.
     */
    private static void rewrittenCopy(Path from, Path to, Map<String, String> rewritten) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(from)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path file : files) {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            Matcher uuids = UUID_TEXT.matcher(text);
            StringBuilder out = new StringBuilder(text.length());
            while (uuids.find()) {
                String replacement = rewritten.computeIfAbsent(uuids.group(), u ->
                        UUID.nameUUIDFromBytes(("identity-conformance:" + u).getBytes(StandardCharsets.UTF_8)).toString());
                uuids.appendReplacement(out, replacement);
            }
            uuids.appendTail(out);
            if (out.toString().equals(text)) {
                continue; // nothing of a person in it (the $import parameters): it would only be a duplicate
            }
            String copied = out.toString().replaceAll("\\b999-(\\d\\d-\\d{4})\\b", "998-$1").replaceAll("\\bS99(\\d{5,8})\\b", "S98$1")
                    .replaceAll("\\bX(\\d{6,10})X\\b", "Y$1Y");
            Path target = to.resolve(from.relativize(file).toString());
            Files.createDirectories(target.getParent());
            Files.writeString(target, copied, StandardCharsets.UTF_8);
        }
    }

    private static String syntheaIdOf(Map<String, Set<Long>> patientsBySyntheaId, long patient) {
        return patientsBySyntheaId.entrySet().stream().filter(e -> e.getValue().contains(patient)).map(Map.Entry::getKey).findFirst()
                .orElseThrow();
    }
}
