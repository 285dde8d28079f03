package org.ehrarchive.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import javax.sql.DataSource;

import org.ehrarchive.identity.PatientLinks;
import org.ehrarchive.ingest.IngestProgress;
import org.ehrarchive.ingest.IngestService;
import org.ehrarchive.ingest.table.MappingProfiles;

/**
 * {@code bench --workload identity}: matching a new source against a large archive (docs/patient-identity.md). It
 * archives {@code archived} generated patients (a Synthea-layout {@code patients.csv} through {@code synthea-csv}, the
 * whole batch matched against itself as an ingest does), then a new source of {@code arriving} patients as a FHIR
 * {@code Patient.ndjson}: a third are archived people under a record number of their own with a typo in the given
 * name and a new address (to be proposed on their score), a sixth the same with their SSN under its OID (to be linked by
 * it, the table of identifier-system spellings saying that the OID and the profile's URI are one authority), the rest
 * new people (to be left alone). It prints how long matching took, per patient, how many pairs it compared, and how
 * many of the expected links and proposals it made, and any it should not have.
 */
final class IdentityBench {

    /** Synthea's patient id system (the synthea-csv profile's): the archived side's record number. */
    private static final String SYNTHEA = "https://github.com/synthetichealth/synthea";
    private static final String NEW_SOURCE = "urn:bench:new-source:mrn";
    /** The SSN as C-CDA and HL7 v2 spell it (synthea-csv spells it as FHIR does): one authority by the equivalence table. */
    private static final String SSN = "urn:oid:2.16.840.1.113883.4.1";
    private static final String[] SYLLABLES = { "an", "bel", "car", "da", "el", "fen", "gar", "ha", "is", "jo", "ka", "lin", "mar", "ne",
            "o", "pe", "qui", "ro", "sa", "ta", "u", "ve", "win", "xa", "ya", "zel", "bri", "cle", "dru", "fla", "gro", "kri", "mo",
            "nor", "pri", "ste", "tho", "vi" };
    private static final String[] STREETS = { "Main", "Oak", "Pine", "Maple", "Cedar", "Elm", "Washington", "Lake", "Hill", "Park" };
    private static final String[] KINDS = { "Street", "Avenue", "Road", "Lane", "Drive", "Court" };
    private static final String[] TOWNS = { "Boston", "Worcester", "Springfield", "Lowell", "Cambridge", "Brockton", "Quincy", "Lynn" };

    private final IngestService ingest;
    private final DataSource dataSource;

    IdentityBench(IngestService ingest, DataSource dataSource) {
        this.ingest = ingest;
        this.dataSource = dataSource;
    }

    /** A generated person. */
    private record Person(String id, String given, String family, LocalDate born, String sex, String ssn, String street, String town) {
    }

    void run(Path workload, int archived, int arriving, long seed) throws IOException, SQLException {
        Random random = new Random(seed);
        Person[] people = new Person[archived];
        Path dump = Files.createDirectories(workload.resolve("archive"));
        try (BufferedWriter out = Files.newBufferedWriter(dump.resolve("patients.csv"), StandardCharsets.UTF_8)) {
            out.write("Id,BIRTHDATE,DEATHDATE,SSN,DRIVERS,PASSPORT,PREFIX,FIRST,MIDDLE,LAST,SUFFIX,MAIDEN,MARITAL,RACE,ETHNICITY,GENDER,"
                    + "BIRTHPLACE,ADDRESS,CITY,STATE,COUNTY,FIPS,ZIP,LAT,LON,HEALTHCARE_EXPENSES,HEALTHCARE_COVERAGE,INCOME\n");
            for (int i = 0; i < archived; i++) {
                Person p = person(random, i);
                people[i] = p;
                out.write(p.id + "," + p.born + ",," + p.ssn + ",,,," + p.given + ",," + p.family + ",,,,white,nonhispanic," + p.sex
                        + ",Boston  Massachusetts  US," + p.street + "," + p.town + ",Massachusetts,,,02101,42.3,-71.0,0,0,50000\n");
            }
        }
        System.out.printf("workload: %,d archived patients (patients.csv through synthea-csv), then a new source of %,d (FHIR), seed %d%n",
                archived, arriving, seed);
        long start = System.nanoTime();
        IngestService.BatchSummary first = ingest.ingest(dump, "Bench archive", MappingProfiles.shipped("synthea-csv").orElseThrow(),
                IngestProgress.NONE);
        double firstSeconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("archive: %,d patients ingested and matched against each other in %.1f s (%s)%n", archived, firstSeconds,
                first.identity() == null ? "matching failed" : first.identity().summary());

        // The new source: a third variants without a shared identifier, a sixth variants with their SSN, the rest new.
        Path source = Files.createDirectories(workload.resolve("new-source"));
        Map<String, String> expectedProposals = new HashMap<>(); // new-source MRN -> archived Synthea id
        Map<String, String> expectedLinks = new HashMap<>();
        try (BufferedWriter out = Files.newBufferedWriter(source.resolve("Patient.ndjson"), StandardCharsets.UTF_8)) {
            for (int i = 0; i < arriving; i++) {
                String mrn = "N-" + i;
                int kind = i % 6;
                Person p;
                String ssn = null;
                if (kind < 3) {
                    Person known = people[random.nextInt(archived)];
                    p = new Person(known.id, typo(random, known.given), known.family, known.born, known.sex, known.ssn,
                            (100 + random.nextInt(900)) + " " + STREETS[random.nextInt(STREETS.length)] + " " + KINDS[random.nextInt(KINDS.length)],
                            known.town);
                    if (kind == 2) {
                        ssn = known.ssn;
                        expectedLinks.put(mrn, known.id);
                    } else {
                        expectedProposals.put(mrn, known.id);
                    }
                } else {
                    p = person(random, archived + i);
                }
                out.write("{\"resourceType\":\"Patient\",\"id\":\"" + UUID.nameUUIDFromBytes(mrn.getBytes(StandardCharsets.UTF_8))
                        + "\",\"identifier\":[{\"system\":\"" + NEW_SOURCE + "\",\"value\":\"" + mrn + "\"}"
                        + (ssn == null ? "" : ",{\"system\":\"" + SSN + "\",\"value\":\"" + ssn + "\"}")
                        + "],\"name\":[{\"family\":\"" + p.family + "\",\"given\":[\"" + p.given + "\"]}],\"gender\":\""
                        + (p.sex.equals("F") ? "female" : "male") + "\",\"birthDate\":\"" + p.born + "\",\"address\":[{\"line\":[\"" + p.street
                        + "\"],\"city\":\"" + p.town + "\",\"state\":\"MA\"}]}\n");
            }
        }
        start = System.nanoTime();
        IngestService.BatchSummary second = ingest.ingest(source, "Bench new source", null, IngestProgress.NONE);
        double secondSeconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("new source: %,d patients ingested and matched against %,d archived in %.1f s (%s)%n", arriving, archived,
                secondSeconds, second.identity() == null ? "matching failed" : second.identity().summary());
        if (second.identity() != null) {
            System.out.printf("matching alone: %.2f s for %,d arriving patients against %,d archived: %.2f ms per patient, %,d candidate pairs"
                    + " compared%n", second.identity().seconds(), arriving, archived, second.identity().seconds() * 1e3 / Math.max(1, arriving),
                    second.identity().pairsScored());
        }
        report(expectedLinks, expectedProposals);
    }

    /** How many of the expected links and proposals the matcher made, and what else it made. */
    private void report(Map<String, String> expectedLinks, Map<String, String> expectedProposals) throws SQLException {
        int linked = 0;
        int proposed = 0;
        int wrong = 0;
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement("select n.value, a.value, (select d.state from patient_link_decision d"
                        + " where d.link_id = l.id order by d.id desc limit 1) from patient_link l"
                        + " join patient_identifier n on n.patient_id in (l.patient_low, l.patient_high) and n.system = ?"
                        + " join patient_identifier a on a.patient_id in (l.patient_low, l.patient_high) and a.system = ?")) {
            query.setString(1, NEW_SOURCE);
            query.setString(2, SYNTHEA);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    String mrn = rows.getString(1);
                    String archivedId = rows.getString(2);
                    PatientLinks.State state = PatientLinks.State.valueOf(rows.getString(3));
                    if (state == PatientLinks.State.LINKED && archivedId.equals(expectedLinks.get(mrn))) {
                        linked++;
                    } else if (state == PatientLinks.State.PROPOSED && archivedId.equals(expectedProposals.get(mrn))) {
                        proposed++;
                    } else {
                        wrong++;
                    }
                }
            }
        }
        System.out.printf("outcome: %,d of %,d linked by their SSN, %,d of %,d proposed on their score, %,d other links or proposals%n",
                linked, expectedLinks.size(), proposed, expectedProposals.size(), wrong);
    }

    private static Person person(Random random, int n) {
        boolean female = random.nextBoolean();
        LocalDate born = LocalDate.of(1930, 1, 1).plusDays(random.nextInt(90 * 365));
        String ssn = String.format("9%02d-%02d-%04d", n / 1_000_000 % 100, n / 10_000 % 100, n % 10_000);
        return new Person(new UUID(random.nextLong(), random.nextLong()).toString(), name(random), name(random), born, female ? "F" : "M",
                ssn, (1 + random.nextInt(999)) + " " + STREETS[random.nextInt(STREETS.length)] + " " + KINDS[random.nextInt(KINDS.length)],
                TOWNS[random.nextInt(TOWNS.length)]);
    }

    /** A name of two or three syllables: some thousands of names, as many as a large population has. */
    private static String name(Random random) {
        StringBuilder name = new StringBuilder();
        int syllables = 2 + random.nextInt(2);
        for (int i = 0; i < syllables; i++) {
            name.append(SYLLABLES[random.nextInt(SYLLABLES.length)]);
        }
        return Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }

    /** The name with two neighbouring letters swapped (past the first), a common typing error. */
    private static String typo(Random random, String name) {
        if (name.length() < 4) {
            return name + "e";
        }
        int at = 1 + random.nextInt(name.length() - 2);
        char[] letters = name.toCharArray();
        char swap = letters[at];
        letters[at] = letters[at + 1];
        letters[at + 1] = swap;
        return new String(letters);
    }
}
