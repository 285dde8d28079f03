package org.ehrarchive.sampling;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.ehrarchive.ingest.IngestProgress;
import org.ehrarchive.ingest.IngestService;
import org.ehrarchive.ingest.SourceSystems;
import org.ehrarchive.support.Fixtures;

/**
 * Archives project fixtures as a source system of their own, in the tests' shared database: each copy's patients
 * get new identifiers (and its documents and messages new ids), so that none of its records is a duplicate of one
 * another test archived, and all of them belong to this source system.
 */
public final class SampledFixtures {

    /** Identifiers to make unique in the C-CDA document and the FHIR bundle; the HL7 v2 archives get theirs rewritten by segment. */
    private static final Map<String, Map<String, String>> FILES = Map.of(
            "ccda/full-ccd.xml", Map.of("MRN-4711", "MRN-4711-", "999-00-4711", "999-00-4711-", "DOC-0001", "DOC-0001-", "SET-0001", "SET-0001-"),
            "hl7v2/oru-r01-values.hl7", Map.of(),
            "hl7v2/adt-a04-then-a08.hl7", Map.of(),
            // its Patient's identifier made unique gives every resource of the bundle a new patient, so a new record
            "fhir/bundle-transaction.json", Map.of("B-100", "B-100-"));

    private SampledFixtures() {
    }

    /** Archives the fixtures as source system {@code name} and returns its id. */
    public static long archive(IngestService ingest, SourceSystems systems, String name) throws IOException, java.sql.SQLException {
        String tag = Long.toString(Math.abs(name.hashCode())) + "-" + System.nanoTime();
        Path folder = Files.createTempDirectory("sampled-fixture-");
        for (Map.Entry<String, Map<String, String>> file : FILES.entrySet()) {
            String[] formatAndName = file.getKey().split("/");
            String text = new String(Fixtures.bytes(formatAndName[0], formatAndName[1]), StandardCharsets.ISO_8859_1);
            if (file.getValue().isEmpty()) {
                text = uniqueHl7(text, tag);
            }
            for (Map.Entry<String, String> id : file.getValue().entrySet()) {
                text = text.replace(id.getKey(), id.getValue() + tag);
            }
            Files.write(folder.resolve(formatAndName[1]), text.getBytes(StandardCharsets.ISO_8859_1));
        }
        ingest.ingest(folder, name, IngestProgress.NONE);
        return systems.byName(name).orElseThrow().id();
    }

    /** Every PID-3 identifier and MSH-10 control id of an HL7 v2 archive, suffixed. */
    private static String uniqueHl7(String text, String tag) {
        StringBuilder out = new StringBuilder();
        for (String segment : text.split("(?<=\r\n|\r|\n)")) {
            String[] fields = segment.split("\\|", -1);
            if (fields[0].equals("PID") && fields.length > 3) {
                fields[3] = fields[3].replaceAll("^([^^~]+)", "$1-" + tag).replaceAll("~([^^~]+)", "~$1-" + tag);
            } else if (fields[0].equals("MSH") && fields.length > 9) {
                fields[9] = fields[9] + "-" + tag;
            }
            out.append(String.join("|", fields));
        }
        return out.toString();
    }

    /** A plan item, for tests of the pages: a new plan of the default source system with this document's record in it. */
    public record Item(long sourceSystemId, long planId, long itemId) {
    }

    /** Draws a small plan of the source system of the fixtures the page tests archive, and adds this document's record. */
    public static Item itemOfDocument(SamplingPlans plans, SourceSystems systems, long documentId) throws java.sql.SQLException {
        long system = systems.byName(SourceSystems.DEFAULT_NAME).orElseThrow().id();
        long planId = plans.draw(system, 1, 1, null, null, "test-admin");
        long record = plans.sourceRecordOfDocument(documentId).orElseThrow();
        if (plans.items(planId).stream().noneMatch(i -> i.sourceRecordId() == record)) {
            plans.pick(planId, record, "test-clinician");
        }
        return new Item(system, planId, plans.items(planId).stream().filter(i -> i.sourceRecordId() == record).findFirst().orElseThrow().itemId());
    }
}
