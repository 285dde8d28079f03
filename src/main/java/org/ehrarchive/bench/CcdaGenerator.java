package org.ehrarchive.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Writes synthetic C-CDA documents for benchmarks, the demo and crash tests. Names, identifiers and values are drawn
 * from fixed lists with a seeded random source: the same seed gives the same files, and no real patient is
 * described. Every document has the same shape, so the counts it must produce are known in advance, and every entry
 * has an id of its own, so none is a duplicate of another.
 * <p>
 * A document is written as a stream: a document of a million entries never sits in memory, here or (ADR 0009) in
 * the archive that reads it.
 */
public final class CcdaGenerator {

    private static final String[] GIVEN = { "Alex", "Sam", "Robin", "Kim", "Jordan", "Casey", "Katherine", "Stephen" };
    private static final String[] FAMILY = { "Smith", "Garcia", "Nguyen", "Miller", "Schneider", "Okafor", "Kowalski" };
    private static final String[][] PROBLEMS = { { "44054006", "Diabetes mellitus type 2" }, { "38341003", "Hypertension" },
            { "195967001", "Asthma" }, { "55822004", "Hyperlipidemia" } };
    private static final String[][] DRUGS = { { "861007", "Metformin 500 MG Oral Tablet" }, { "314076", "Lisinopril 10 MG Oral Tablet" },
            { "617312", "Atorvastatin 10 MG Oral Tablet" } };
    private static final String[][] TESTS = { { "2345-7", "Glucose", "mg/dL" }, { "718-7", "Hemoglobin", "g/dL" },
            { "2160-0", "Creatinine", "mg/dL" }, { "6690-2", "WBC", "10*3/uL" } };
    private static final String ENTRY_IDS = "2.16.840.1.113883.19.5.99999.3";

    private final long seed;
    private final Random random;
    private final int entriesPerSection;

    /** What every generated document contains. */
    public record Shape(int entryElementsPerDocument, int normalizedEntriesPerDocument, int recordsPerDocument) {
    }

    public CcdaGenerator(long seed, int entriesPerSection) {
        this.seed = seed;
        this.random = new Random(seed);
        this.entriesPerSection = entriesPerSection;
    }

    /**
     * Per document: problems, medications and result panels, {@code entriesPerSection} entries each; a result panel
     * has two results; plus the header encounter. Records: the document, its header encounter, and each entry.
     */
    public Shape shape() {
        return new Shape(3 * entriesPerSection, 1 + entriesPerSection + entriesPerSection + 2 * entriesPerSection,
                2 + 3 * entriesPerSection);
    }

    /** Writes {@code count} documents into {@code folder}, for {@code count} distinct patients. */
    public void writeDocuments(Path folder, int count) throws IOException {
        Files.createDirectories(folder);
        for (int i = 0; i < count; i++) {
            writeDocument(folder.resolve(String.format("doc-%06d.xml", i)), i);
        }
    }

    /**
     * Writes {@code count} documents into {@code folder}, all for one patient (one MRN, so the ingest files them under
     * one patient), each with its own document id and entry ids: a heavy chart, for the chart benchmark.
     */
    public void writeDocumentsOfOnePatient(Path folder, int count) throws IOException {
        Files.createDirectories(folder);
        String mrn = "GEN-HEAVY-" + seed;
        for (int i = 0; i < count; i++) {
            try (Writer out = new BufferedWriter(Files.newBufferedWriter(folder.resolve(String.format("heavy-%06d.xml", i)),
                    StandardCharsets.UTF_8), 1 << 16)) {
                document(out, i, mrn);
            }
        }
    }

    /** Writes one document, for the patient with this number, as a stream. */
    public void writeDocument(Path file, int number) throws IOException {
        try (Writer out = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), 1 << 16)) {
            document(out, number);
        }
    }

    /** One document, for the patient with this number, as a string (for small documents). */
    public String document(int number) {
        StringWriter out = new StringWriter(16_384);
        try {
            document(out, number);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private void document(Writer xml, int number) throws IOException {
        document(xml, number, "GEN-" + number);
    }

    private void document(Writer xml, int number, String mrn) throws IOException {
        xml.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<ClinicalDocument xmlns=\"urn:hl7-org:v3\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n")
                .append("<templateId root=\"2.16.840.1.113883.10.20.22.1.2\" extension=\"2015-08-01\"/>\n")
                .append("<id root=\"2.16.840.1.113883.19.5.99999.1\" extension=\"GEN-DOC-").append(Integer.toString(number)).append("\"/>\n")
                .append("<code code=\"34133-9\" codeSystem=\"2.16.840.1.113883.6.1\" displayName=\"Summarization of Episode Note\"/>\n")
                .append("<title>Generated document ").append(Integer.toString(number)).append("</title>\n")
                .append("<effectiveTime value=\"").append(date(random)).append("1200-0500\"/>\n")
                .append("<recordTarget><patientRole><id root=\"2.16.840.1.113883.19.5.99999.2\" extension=\"").append(mrn).append("\"/>\n")
                .append("<patient><name><given>").append(pick(random, GIVEN)).append("</given><family>").append(pick(random, FAMILY))
                .append("</family></name><administrativeGenderCode code=\"").append(random.nextBoolean() ? "F" : "M")
                .append("\" codeSystem=\"2.16.840.1.113883.5.1\"/><birthTime value=\"19").append(Integer.toString(10 + random.nextInt(89)))
                .append("0").append(Integer.toString(1 + random.nextInt(9))).append("1").append(Integer.toString(random.nextInt(9)))
                .append("\"/></patient>\n")
                .append("</patientRole></recordTarget>\n")
                .append("<componentOf><encompassingEncounter><id root=\"").append(ENTRY_IDS).append("\" extension=\"GEN-ENC-")
                .append(Integer.toString(number)).append("\"/><code code=\"AMB\" codeSystem=\"2.16.840.1.113883.5.4\"/>")
                .append("<effectiveTime><low value=\"").append(date(random)).append("\"/></effectiveTime></encompassingEncounter></componentOf>\n")
                .append("<component><structuredBody>\n");
        section(xml, number, "11450-4", "Problems", this::problem);
        section(xml, number, "10160-0", "Medications", this::medication);
        section(xml, number, "30954-2", "Results", this::resultPanel);
        xml.append("</structuredBody></component>\n</ClinicalDocument>\n");
    }

    /** Writes one entry and returns what the section's narrative says about it; the same random source gives the same both times. */
    private interface EntryWriter {
        String write(Appendable xml, String id, Random random) throws IOException;
    }

    /**
     * A section: its narrative (one list item per entry), then its entries. Each entry draws from a random source of
     * its own, so that the narrative and the entries can be written one after the other without keeping either.
     */
    private void section(Writer xml, int number, String loinc, String title, EntryWriter entry) throws IOException {
        xml.append("<component><section><code code=\"").append(loinc).append("\" codeSystem=\"2.16.840.1.113883.6.1\"/>")
                .append("<title>").append(title).append("</title><text><list>");
        Appendable discard = new StringBuilder();
        for (int i = 0; i < entriesPerSection; i++) {
            String said = entry.write(discard, id(number, loinc, i), entryRandom(number, loinc, i));
            ((StringBuilder) discard).setLength(0);
            xml.append("<item ID=\"").append(loinc).append('-').append(Integer.toString(i)).append("\">").append(said).append("</item>");
        }
        xml.append("</list></text>\n");
        for (int i = 0; i < entriesPerSection; i++) {
            xml.append("<entry>");
            entry.write(xml, id(number, loinc, i), entryRandom(number, loinc, i));
            xml.append("</entry>\n");
        }
        xml.append("</section></component>\n");
    }

    private Random entryRandom(int number, String loinc, int index) {
        return new Random(seed * 1_000_003L + number * 7_919L + loinc.hashCode() * 31L + index);
    }

    private static String id(int number, String loinc, int index) {
        return "GEN-" + number + "-" + loinc + "-" + index;
    }

    private String problem(Appendable xml, String id, Random random) throws IOException {
        String[] problem = pick(random, PROBLEMS);
        String index = id.substring(id.lastIndexOf('-') + 1);
        xml.append("<act classCode=\"ACT\" moodCode=\"EVN\"><templateId root=\"2.16.840.1.113883.10.20.22.4.3\"/>")
                .append("<id root=\"").append(ENTRY_IDS).append("\" extension=\"").append(id).append("\"/>")
                .append("<code code=\"CONC\" codeSystem=\"2.16.840.1.113883.5.6\"/><statusCode code=\"active\"/>")
                .append("<entryRelationship typeCode=\"SUBJ\"><observation classCode=\"OBS\" moodCode=\"EVN\">")
                .append("<templateId root=\"2.16.840.1.113883.10.20.22.4.4\"/><code code=\"55607006\" codeSystem=\"2.16.840.1.113883.6.96\"/>")
                .append("<effectiveTime><low value=\"").append(date(random)).append("\"/></effectiveTime>")
                .append("<value xsi:type=\"CD\" code=\"").append(problem[0]).append("\" codeSystem=\"2.16.840.1.113883.6.96\" displayName=\"")
                .append(problem[1]).append("\"><originalText><reference value=\"#11450-4-").append(index).append("\"/></originalText></value>")
                .append("</observation></entryRelationship></act>");
        return problem[1] + ", active";
    }

    private String medication(Appendable xml, String id, Random random) throws IOException {
        String[] drug = pick(random, DRUGS);
        xml.append("<substanceAdministration classCode=\"SBADM\" moodCode=\"EVN\"><templateId root=\"2.16.840.1.113883.10.20.22.4.16\"/>")
                .append("<id root=\"").append(ENTRY_IDS).append("\" extension=\"").append(id).append("\"/>")
                .append("<statusCode code=\"active\"/><effectiveTime xsi:type=\"IVL_TS\"><low value=\"").append(date(random)).append("\"/></effectiveTime>")
                .append("<effectiveTime xsi:type=\"PIVL_TS\" operator=\"A\"><period value=\"12\" unit=\"h\"/></effectiveTime>")
                .append("<doseQuantity value=\"1\"/><consumable><manufacturedProduct><manufacturedMaterial><code code=\"").append(drug[0])
                .append("\" codeSystem=\"2.16.840.1.113883.6.88\" displayName=\"").append(drug[1])
                .append("\"/></manufacturedMaterial></manufacturedProduct></consumable></substanceAdministration>");
        return drug[1] + ", one tablet every 12 hours";
    }

    private String resultPanel(Appendable xml, String id, Random random) throws IOException {
        xml.append("<organizer classCode=\"BATTERY\" moodCode=\"EVN\"><templateId root=\"2.16.840.1.113883.10.20.22.4.1\"/>")
                .append("<id root=\"").append(ENTRY_IDS).append("\" extension=\"").append(id).append("\"/>")
                .append("<code code=\"24323-8\" codeSystem=\"2.16.840.1.113883.6.1\" displayName=\"Metabolic panel\"/><statusCode code=\"completed\"/>");
        String when = date(random);
        StringBuilder said = new StringBuilder("Metabolic panel:");
        for (int c = 0; c < 2; c++) {
            String[] test = pick(random, TESTS);
            said.append(' ').append(test[1]);
            xml.append("<component><observation classCode=\"OBS\" moodCode=\"EVN\"><templateId root=\"2.16.840.1.113883.10.20.22.4.2\"/>")
                    .append("<id root=\"").append(ENTRY_IDS).append("\" extension=\"").append(id).append("-").append(Integer.toString(c)).append("\"/>")
                    .append("<code code=\"").append(test[0]).append("\" codeSystem=\"2.16.840.1.113883.6.1\" displayName=\"").append(test[1]).append("\"/>")
                    .append("<statusCode code=\"completed\"/><effectiveTime value=\"").append(when).append("\"/>")
                    .append("<value xsi:type=\"PQ\" value=\"").append(Integer.toString(50 + random.nextInt(100))).append('.')
                    .append(Integer.toString(random.nextInt(10))).append("\" unit=\"").append(test[2])
                    .append("\"/><interpretationCode code=\"N\" codeSystem=\"2.16.840.1.113883.5.83\"/>")
                    .append("<referenceRange><observationRange><value xsi:type=\"IVL_PQ\"><low value=\"40\" unit=\"").append(test[2])
                    .append("\"/><high value=\"160\" unit=\"").append(test[2]).append("\"/></value></observationRange></referenceRange>")
                    .append("</observation></component>");
        }
        xml.append("</organizer>");
        return said.toString();
    }

    private static String date(Random random) {
        return String.format("%04d%02d%02d", 1995 + random.nextInt(30), 1 + random.nextInt(12), 1 + random.nextInt(28));
    }

    private static <T> T pick(Random random, T[] values) {
        return values[random.nextInt(values.length)];
    }
}
