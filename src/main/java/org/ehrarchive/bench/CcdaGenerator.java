package org.ehrarchive.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Writes synthetic C-CDA documents for benchmarks and crash tests. Names, identifiers and values are drawn
 * from fixed lists with a seeded random source: the same seed gives the same files, and no real patient is
 * described. Every document has the same shape, so the counts it must produce are known in advance.
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

    private final Random random;
    private final int entriesPerSection;

    /** What every generated document contains. */
    public record Shape(int entryElementsPerDocument, int normalizedEntriesPerDocument) {
    }

    public CcdaGenerator(long seed, int entriesPerSection) {
        this.random = new Random(seed);
        this.entriesPerSection = entriesPerSection;
    }

    /**
     * Per document: problems, medications and result panels, {@code entriesPerSection} entries each; a result panel
     * has two results; plus the header encounter.
     */
    public Shape shape() {
        return new Shape(3 * entriesPerSection, 1 + entriesPerSection + entriesPerSection + 2 * entriesPerSection);
    }

    /** Writes {@code count} documents into {@code folder}, for {@code count} distinct patients. */
    public void writeDocuments(Path folder, int count) throws IOException {
        Files.createDirectories(folder);
        for (int i = 0; i < count; i++) {
            Files.writeString(folder.resolve(String.format("doc-%06d.xml", i)), document(i), StandardCharsets.UTF_8);
        }
    }

    /** One document, for the patient with this number. */
    public String document(int number) {
        StringBuilder xml = new StringBuilder(16_384);
        String mrn = "GEN-" + number;
        xml.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<ClinicalDocument xmlns=\"urn:hl7-org:v3\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n")
                .append("<templateId root=\"2.16.840.1.113883.10.20.22.1.2\" extension=\"2015-08-01\"/>\n")
                .append("<id root=\"2.16.840.1.113883.19.5.99999.1\" extension=\"GEN-DOC-").append(number).append("\"/>\n")
                .append("<code code=\"34133-9\" codeSystem=\"2.16.840.1.113883.6.1\" displayName=\"Summarization of Episode Note\"/>\n")
                .append("<title>Generated document ").append(number).append("</title>\n")
                .append("<effectiveTime value=\"").append(date()).append("1200-0500\"/>\n")
                .append("<recordTarget><patientRole><id root=\"2.16.840.1.113883.19.5.99999.2\" extension=\"").append(mrn).append("\"/>\n")
                .append("<patient><name><given>").append(pick(GIVEN)).append("</given><family>").append(pick(FAMILY))
                .append("</family></name><administrativeGenderCode code=\"").append(random.nextBoolean() ? "F" : "M")
                .append("\" codeSystem=\"2.16.840.1.113883.5.1\"/><birthTime value=\"19").append(10 + random.nextInt(89))
                .append("0").append(1 + random.nextInt(9)).append("1").append(random.nextInt(9)).append("\"/></patient>\n")
                .append("</patientRole></recordTarget>\n")
                .append("<componentOf><encompassingEncounter><code code=\"AMB\" codeSystem=\"2.16.840.1.113883.5.4\"/>")
                .append("<effectiveTime><low value=\"").append(date()).append("\"/></effectiveTime></encompassingEncounter></componentOf>\n")
                .append("<component><structuredBody>\n");
        section(xml, "11450-4", "Problems", this::problem);
        section(xml, "10160-0", "Medications", this::medication);
        section(xml, "30954-2", "Results", this::resultPanel);
        xml.append("</structuredBody></component>\n</ClinicalDocument>\n");
        return xml.toString();
    }

    /** Writes one entry and returns what the section's narrative says about it. */
    private interface EntryWriter {
        String write(StringBuilder xml, int index);
    }

    private void section(StringBuilder xml, String loinc, String title, EntryWriter entry) {
        StringBuilder entries = new StringBuilder();
        List<String> narrative = new ArrayList<>();
        for (int i = 0; i < entriesPerSection; i++) {
            entries.append("<entry>");
            narrative.add(entry.write(entries, i));
            entries.append("</entry>\n");
        }
        xml.append("<component><section><code code=\"").append(loinc).append("\" codeSystem=\"2.16.840.1.113883.6.1\"/>")
                .append("<title>").append(title).append("</title><text><list>");
        for (int i = 0; i < narrative.size(); i++) {
            xml.append("<item ID=\"").append(loinc).append('-').append(i).append("\">").append(narrative.get(i)).append("</item>");
        }
        xml.append("</list></text>\n").append(entries).append("</section></component>\n");
    }

    private String problem(StringBuilder xml, int i) {
        String[] problem = pick(PROBLEMS);
        xml.append("<act classCode=\"ACT\" moodCode=\"EVN\"><templateId root=\"2.16.840.1.113883.10.20.22.4.3\"/>")
                .append("<code code=\"CONC\" codeSystem=\"2.16.840.1.113883.5.6\"/><statusCode code=\"active\"/>")
                .append("<entryRelationship typeCode=\"SUBJ\"><observation classCode=\"OBS\" moodCode=\"EVN\">")
                .append("<templateId root=\"2.16.840.1.113883.10.20.22.4.4\"/><code code=\"55607006\" codeSystem=\"2.16.840.1.113883.6.96\"/>")
                .append("<effectiveTime><low value=\"").append(date()).append("\"/></effectiveTime>")
                .append("<value xsi:type=\"CD\" code=\"").append(problem[0]).append("\" codeSystem=\"2.16.840.1.113883.6.96\" displayName=\"")
                .append(problem[1]).append("\"><originalText><reference value=\"#11450-4-").append(i).append("\"/></originalText></value>")
                .append("</observation></entryRelationship></act>");
        return problem[1] + ", active";
    }

    private String medication(StringBuilder xml, int i) {
        String[] drug = pick(DRUGS);
        xml.append("<substanceAdministration classCode=\"SBADM\" moodCode=\"EVN\"><templateId root=\"2.16.840.1.113883.10.20.22.4.16\"/>")
                .append("<statusCode code=\"active\"/><effectiveTime xsi:type=\"IVL_TS\"><low value=\"").append(date()).append("\"/></effectiveTime>")
                .append("<effectiveTime xsi:type=\"PIVL_TS\" operator=\"A\"><period value=\"12\" unit=\"h\"/></effectiveTime>")
                .append("<doseQuantity value=\"1\"/><consumable><manufacturedProduct><manufacturedMaterial><code code=\"").append(drug[0])
                .append("\" codeSystem=\"2.16.840.1.113883.6.88\" displayName=\"").append(drug[1])
                .append("\"/></manufacturedMaterial></manufacturedProduct></consumable></substanceAdministration>");
        return drug[1] + ", one tablet every 12 hours";
    }

    private String resultPanel(StringBuilder xml, int i) {
        xml.append("<organizer classCode=\"BATTERY\" moodCode=\"EVN\"><templateId root=\"2.16.840.1.113883.10.20.22.4.1\"/>")
                .append("<code code=\"24323-8\" codeSystem=\"2.16.840.1.113883.6.1\" displayName=\"Metabolic panel\"/><statusCode code=\"completed\"/>");
        String when = date();
        StringBuilder said = new StringBuilder("Metabolic panel:");
        for (int c = 0; c < 2; c++) {
            String[] test = pick(TESTS);
            said.append(' ').append(test[1]);
            xml.append("<component><observation classCode=\"OBS\" moodCode=\"EVN\"><templateId root=\"2.16.840.1.113883.10.20.22.4.2\"/>")
                    .append("<code code=\"").append(test[0]).append("\" codeSystem=\"2.16.840.1.113883.6.1\" displayName=\"").append(test[1]).append("\"/>")
                    .append("<statusCode code=\"completed\"/><effectiveTime value=\"").append(when).append("\"/>")
                    .append("<value xsi:type=\"PQ\" value=\"").append(50 + random.nextInt(100)).append('.').append(random.nextInt(10))
                    .append("\" unit=\"").append(test[2]).append("\"/><interpretationCode code=\"N\" codeSystem=\"2.16.840.1.113883.5.83\"/>")
                    .append("<referenceRange><observationRange><value xsi:type=\"IVL_PQ\"><low value=\"40\" unit=\"").append(test[2])
                    .append("\"/><high value=\"160\" unit=\"").append(test[2]).append("\"/></value></observationRange></referenceRange>")
                    .append("</observation></component>");
        }
        xml.append("</organizer>");
        return said.toString();
    }

    private String date() {
        return String.format("%04d%02d%02d", 1995 + random.nextInt(30), 1 + random.nextInt(12), 1 + random.nextInt(28));
    }

    private <T> T pick(T[] values) {
        return values[random.nextInt(values.length)];
    }
}
