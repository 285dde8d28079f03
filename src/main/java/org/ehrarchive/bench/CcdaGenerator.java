package org.ehrarchive.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Writes synthetic C-CDA documents for benchmarks, the demo and crash tests. Names, identifiers and values are drawn
 * from fixed lists with seeded random sources: the same seed gives the same files, and no real patient is
 * described. Every document has the same shape, so the counts it must produce are known in advance, and every entry
 * has an id of its own, so none is a duplicate of another.
 * <p>
 * The values are meant to look right to a clinician (issue 15): each analyte has its usual unit and reference range,
 * most results fall inside it, and those outside are flagged H or L. A patient is a small model of its own, drawn
 * from the seed and the patient's number only: demographics, chronic conditions with their medications, and a
 * personal baseline and drift per analyte, so a patient's visits ({@link #writePatientHistories}) show the same
 * person with results that trend over the years.
 * <p>
 * A document is written as a stream: a document of a million entries never sits in memory, here or (ADR 0009) in
 * the archive that reads it.
 */
public final class CcdaGenerator {

    private static final String[] FEMALE = { "Katherine", "Maria", "Anna", "Grace", "Robin", "Kim" };
    private static final String[] MALE = { "Stephen", "Alex", "Sam", "Jordan", "David", "Tomasz" };
    private static final String[] FAMILY = { "Smith", "Garcia", "Nguyen", "Miller", "Schneider", "Okafor", "Kowalski" };
    private static final String ENTRY_IDS = "2.16.840.1.113883.19.5.99999.3";
    private static final DateTimeFormatter HL7_DATE = DateTimeFormatter.BASIC_ISO_DATE;

    /** A problem and the drug that treats it; a problem's medication entry sits at the same index as the problem. */
    private record Problem(String snomed, String name, double prevalence, String rxnorm, String drug, int everyHours) {
    }

    /**
     * Chronic conditions first (a patient has each with its prevalence; some change the labs), then minor ones that
     * fill a problem list when the patient has few chronic ones. RxNorm codes name the clinical drug.
     */
    private static final Problem[] CHRONIC = {
            new Problem("44054006", "Diabetes mellitus type 2", 0.30, "861007", "Metformin 500 MG Oral Tablet", 12),
            new Problem("38341003", "Hypertension", 0.40, "314076", "Lisinopril 10 MG Oral Tablet", 24),
            new Problem("55822004", "Hyperlipidemia", 0.30, "617312", "Atorvastatin 10 MG Oral Tablet", 24),
            new Problem("271737000", "Anemia", 0.10, "310325", "Ferrous sulfate 325 MG Oral Tablet", 24),
            new Problem("40930008", "Hypothyroidism", 0.10, "966222", "Levothyroxine Sodium 0.05 MG Oral Tablet", 24),
            new Problem("90560007", "Gout", 0.05, "197319", "Allopurinol 100 MG Oral Tablet", 24) };
    private static final Problem[] MINOR = {
            new Problem("367498001", "Seasonal allergic rhinitis", 0, "311372", "Loratadine 10 MG Oral Tablet", 24),
            new Problem("239873007", "Osteoarthritis of knee", 0, "198440", "Acetaminophen 500 MG Oral Tablet", 8),
            new Problem("279039007", "Low back pain", 0, "310965", "Ibuprofen 200 MG Oral Tablet", 8) };
    private static final int DIABETES = 0;
    private static final int HYPERTENSION = 1;
    private static final int ANEMIA = 3;
    private static final int GOUT = 5;

    /**
     * An analyte: LOINC code, unit, adult reference range, the decimals a laboratory reports, the population's
     * mean and spread between patients and between visits, and the physiological bounds no value leaves.
     */
    record Analyte(String loinc, String name, String unit, double low, double high, int decimals, double mean,
            double betweenPatients, double withinPatient, double min, double max) {

        /** N, H or L (HL7 ObservationInterpretation) for a value as reported, against this range. */
        String flag(BigDecimal value) {
            if (value.compareTo(BigDecimal.valueOf(low)) < 0) {
                return "L";
            }
            return value.compareTo(BigDecimal.valueOf(high)) > 0 ? "H" : "N";
        }

        String bound(double bound) {
            return BigDecimal.valueOf(bound).setScale(decimals == 0 ? 0 : 1, RoundingMode.HALF_UP).toPlainString();
        }
    }

    static final Analyte GLUCOSE = new Analyte("2345-7", "Glucose", "mg/dL", 70, 99, 0, 88, 5, 6, 40, 450);
    static final Analyte CREATININE = new Analyte("2160-0", "Creatinine", "mg/dL", 0.6, 1.3, 2, 0.9, 0.12, 0.07, 0.3, 5);
    static final Analyte HEMOGLOBIN = new Analyte("718-7", "Hemoglobin", "g/dL", 12.0, 17.5, 1, 14.4, 0.9, 0.5, 7, 20);
    static final Analyte WBC = new Analyte("6690-2", "WBC", "10*3/uL", 4.0, 11.0, 1, 6.8, 1.0, 1.1, 1.5, 30);
    static final Analyte SODIUM = new Analyte("2951-2", "Sodium", "mmol/L", 136, 145, 0, 140, 1.5, 1.8, 120, 160);
    static final Analyte POTASSIUM = new Analyte("2823-3", "Potassium", "mmol/L", 3.5, 5.1, 1, 4.2, 0.2, 0.25, 2.5, 6.5);
    static final Analyte HBA1C = new Analyte("4548-4", "Hemoglobin A1c", "%", 4.0, 5.6, 1, 5.2, 0.2, 0.12, 4.0, 14);
    /** Estimated average glucose: computed from the HbA1c (ADAG: 28.7 x A1c - 46.7), with the range 4.0-5.6 % gives. */
    static final Analyte EAG = new Analyte("27353-2", "Estimated average glucose", "mg/dL", 68, 114, 0, 0, 0, 0, 68, 355);

    /** A result panel (organizer code) and its two results. */
    private record Panel(String loinc, String name, Analyte first, Analyte second) {
    }

    /** Result panels, in this order in every document and cycled through when a document has more. */
    private static final Panel[] PANELS = { new Panel("51990-0", "Basic metabolic panel", GLUCOSE, CREATININE),
            new Panel("58410-2", "Complete blood count", HEMOGLOBIN, WBC),
            new Panel("24326-1", "Electrolytes panel", SODIUM, POTASSIUM),
            new Panel("4548-4", "Hemoglobin A1c panel", HBA1C, EAG) };

    /** Every analyte a document can hold, for tests that check each one. */
    static final List<Analyte> ANALYTES = List.of(GLUCOSE, CREATININE, HEMOGLOBIN, WBC, SODIUM, POTASSIUM, HBA1C, EAG);

    private final long seed;
    private final String prefix;
    private final int entriesPerSection;

    /** What every generated document contains. */
    public record Shape(int entryElementsPerDocument, int normalizedEntriesPerDocument, int recordsPerDocument) {
    }

    public CcdaGenerator(long seed, int entriesPerSection) {
        this(seed, entriesPerSection, "GEN");
    }

    /**
     * A generator whose MRNs and ids start with {@code prefix} ({@code GEN} by default): tests sharing one archive give
     * each generator a prefix of its own, so that two seeds never describe the same MRN.
     */
    public CcdaGenerator(long seed, int entriesPerSection, String prefix) {
        this.seed = seed;
        this.entriesPerSection = entriesPerSection;
        this.prefix = prefix;
    }

    /**
     * Per document: problems, medications and result panels, {@code entriesPerSection} entries each; a result panel
     * has two results; plus the header encounter. Records: the document, its header encounter, and each entry.
     */
    public Shape shape() {
        return new Shape(3 * entriesPerSection, 1 + entriesPerSection + entriesPerSection + 2 * entriesPerSection,
                2 + 3 * entriesPerSection);
    }

    /** Writes {@code count} documents into {@code folder}, for {@code count} distinct patients (each one's first visit). */
    public void writeDocuments(Path folder, int count) throws IOException {
        Files.createDirectories(folder);
        for (int i = 0; i < count; i++) {
            writeDocument(folder.resolve(String.format("doc-%06d.xml", i)), i);
        }
    }

    /**
     * Writes {@code visitsPerPatient} documents for each of {@code patients} patients: one per visit, each its own
     * encounter, months to a year and a half apart and in time order, with the same patient (identifier,
     * name, sex, birth date) in every one, and results that drift from visit to visit. Every document and entry
     * has an id of its own: a problem listed again at the next visit is a new entry, not a version of the last one.
     * File names sort by patient, then visit.
     */
    public void writePatientHistories(Path folder, int patients, int visitsPerPatient) throws IOException {
        if (visitsPerPatient < 1) {
            throw new IllegalArgumentException("visitsPerPatient must be at least 1");
        }
        Files.createDirectories(folder);
        for (int number = 0; number < patients; number++) {
            for (int visit = 0; visit < visitsPerPatient; visit++) {
                Path file = folder.resolve(String.format("history-%06d-visit-%02d.xml", number, visit + 1));
                try (Writer out = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), 1 << 16)) {
                    document(out, number, visit, true);
                }
            }
        }
    }

    /** Writes one document, for the patient with this number, as a stream. */
    public void writeDocument(Path file, int number) throws IOException {
        try (Writer out = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), 1 << 16)) {
            document(out, number, 0, false);
        }
    }

    /** One document, for the patient with this number, as a string (for small documents). */
    public String document(int number) {
        return asString(number, 0, false);
    }

    /** The document of one visit of a patient's history, as {@link #writePatientHistories} writes it. */
    public String visitDocument(int number, int visit) {
        return asString(number, visit, true);
    }

    private String asString(int number, int visit, boolean history) {
        StringWriter out = new StringWriter(16_384);
        try {
            document(out, number, visit, history);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    // ---- the patient --------------------------------------------------------------------------------------------

    /**
     * One synthetic patient, from the seed and the patient's number alone, so that every visit's document (and a
     * document asked for out of order) describes the same person.
     */
    private final class Patient {
        final String given;
        final String family;
        final boolean female;
        final LocalDate birth;
        final LocalDate firstVisit;
        /** The problem list, chronic conditions first; its length is at most the problem section's. */
        final List<Problem> problems = new ArrayList<>();
        final List<LocalDate> onsets = new ArrayList<>();
        final boolean diabetic;
        final boolean hypertensive;
        final boolean anemic;
        final boolean gout;
        /** Per analyte (index in ANALYTES): the patient's value at the first visit, and its change per year. */
        final double[] baseline = new double[ANALYTES.size()];
        final double[] drift = new double[ANALYTES.size()];
        private final long patientSeed;
        private final List<LocalDate> visits = new ArrayList<>();
        private final Random visitGaps;

        Patient(int number) {
            patientSeed = seed * 1_000_003L + number * 7_919L;
            Random random = new Random(patientSeed);
            female = random.nextBoolean();
            given = pick(random, female ? FEMALE : MALE);
            family = pick(random, FAMILY);
            firstVisit = LocalDate.of(2008, 1, 1).plusDays(random.nextInt(6 * 365));
            birth = firstVisit.minusYears(25 + random.nextInt(60)).minusDays(random.nextInt(365));
            List<Problem> minor = new ArrayList<>(List.of(MINOR));
            Collections.shuffle(minor, random);
            boolean[] has = new boolean[CHRONIC.length];
            for (int i = 0; i < CHRONIC.length; i++) {
                has[i] = random.nextDouble() < CHRONIC[i].prevalence();
                if (has[i]) {
                    problems.add(CHRONIC[i]);
                }
            }
            problems.addAll(minor);
            problems.subList(Math.min(problems.size(), Math.max(1, entriesPerSection)), problems.size()).clear();
            // A condition drives the labs only if the documents list it, so that chart and results agree.
            diabetic = problems.contains(CHRONIC[DIABETES]);
            hypertensive = problems.contains(CHRONIC[HYPERTENSION]);
            anemic = problems.contains(CHRONIC[ANEMIA]);
            gout = problems.contains(CHRONIC[GOUT]);
            for (int i = 0; i < problems.size(); i++) {
                onsets.add(firstVisit.minusDays(365 + random.nextInt(8 * 365)));
            }
            for (int a = 0; a < ANALYTES.size(); a++) {
                Analyte analyte = ANALYTES.get(a);
                baseline[a] = analyte.mean() + random.nextGaussian() * analyte.betweenPatients();
                // Healthy adults drift little; the small random drift keeps each line from being flat.
                drift[a] = random.nextGaussian() * analyte.withinPatient() * 0.1;
            }
            set(HEMOGLOBIN, female ? 13.6 + random.nextGaussian() * 0.7 : 15.2 + random.nextGaussian() * 0.8, 0);
            set(CREATININE, (female ? 0.78 : 0.98) + random.nextGaussian() * 0.1, 0);
            if (diabetic) {
                // Type 2 diabetes: raised HbA1c and glucose, getting better or worse over the years.
                double a1c = 6.8 + random.nextDouble() * 2.0;
                double perYear = -0.35 + random.nextDouble() * 0.7;
                set(HBA1C, a1c, perYear);
                set(GLUCOSE, 28.7 * a1c - 46.7 + random.nextGaussian() * 8, 28.7 * perYear * 0.8);
            }
            if (hypertensive) {
                // Long-standing hypertension: kidney function slowly declines.
                drift[ANALYTES.indexOf(CREATININE)] = 0.02 + random.nextDouble() * 0.05;
            }
            if (gout) {
                baseline[ANALYTES.indexOf(CREATININE)] += 0.25;
            }
            if (anemic) {
                // Iron-deficiency anaemia on iron: low at first, recovering.
                set(HEMOGLOBIN, 9.8 + random.nextDouble() * 1.5, 0.3 + random.nextDouble() * 0.4);
            }
            visitGaps = new Random(patientSeed ^ 0x5DEECE66DL);
            visits.add(firstVisit);
        }

        private void set(Analyte analyte, double atFirstVisit, double perYear) {
            baseline[ANALYTES.indexOf(analyte)] = atFirstVisit;
            drift[ANALYTES.indexOf(analyte)] = perYear;
        }

        /** The date of a visit: the first, then 6 to 18 months after the one before. */
        LocalDate visit(int visit) {
            while (visits.size() <= visit) {
                visits.add(visits.get(visits.size() - 1).plusDays(182 + visitGaps.nextInt(365)));
            }
            return visits.get(visit);
        }

        /** A result as the laboratory reports it: the patient's value on that day, with the day's variation. */
        BigDecimal value(Analyte analyte, LocalDate when, Random random) {
            double years = ChronoUnit.DAYS.between(firstVisit, when) / 365.25;
            int a = ANALYTES.indexOf(analyte);
            double value = baseline[a] + drift[a] * years + random.nextGaussian() * analyte.withinPatient();
            if (analyte == GLUCOSE && diabetic) {
                value += Math.abs(random.nextGaussian()) * 15; // a diabetic's glucose swings more, and upwards
            }
            value = Math.max(analyte.min(), Math.min(analyte.max(), value));
            return BigDecimal.valueOf(value).setScale(analyte.decimals(), RoundingMode.HALF_UP);
        }
    }

    /** One document's context: whose, which visit, on which day, and how its ids read. */
    private record Visit(int number, int visit, Patient patient, LocalDate date, String idSuffix) {
    }

    // ---- the document -------------------------------------------------------------------------------------------

    private void document(Writer xml, int number, int visitIndex, boolean history) throws IOException {
        Patient patient = new Patient(number);
        // A single document keeps the ids the benchmarks always had; a history's documents carry the visit.
        Visit visit = new Visit(number, visitIndex, patient, patient.visit(visitIndex), history ? "-" + (visitIndex + 1) : "");
        String mrn = prefix + "-" + number;
        String day = visit.date().format(HL7_DATE);
        xml.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<ClinicalDocument xmlns=\"urn:hl7-org:v3\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n")
                .append("<templateId root=\"2.16.840.1.113883.10.20.22.1.2\" extension=\"2015-08-01\"/>\n")
                .append("<id root=\"2.16.840.1.113883.19.5.99999.1\" extension=\"").append(prefix).append("-DOC-").append(Integer.toString(number))
                .append(visit.idSuffix()).append("\"/>\n")
                .append("<code code=\"34133-9\" codeSystem=\"2.16.840.1.113883.6.1\" displayName=\"Summarization of Episode Note\"/>\n")
                .append("<title>").append(history ? "Clinic visit " + (visitIndex + 1) + ", patient " : "Generated document ")
                .append(Integer.toString(number)).append("</title>\n")
                .append("<effectiveTime value=\"").append(day).append("1200-0500\"/>\n")
                .append("<recordTarget><patientRole><id root=\"2.16.840.1.113883.19.5.99999.2\" extension=\"").append(mrn).append("\"/>\n")
                .append("<patient><name><given>").append(patient.given).append("</given><family>").append(patient.family)
                .append("</family></name><administrativeGenderCode code=\"").append(patient.female ? "F" : "M")
                .append("\" codeSystem=\"2.16.840.1.113883.5.1\"/><birthTime value=\"").append(patient.birth.format(HL7_DATE))
                .append("\"/></patient>\n")
                .append("</patientRole></recordTarget>\n")
                .append("<componentOf><encompassingEncounter><id root=\"").append(ENTRY_IDS).append("\" extension=\"").append(prefix).append("-ENC-")
                .append(Integer.toString(number)).append(visit.idSuffix()).append("\"/><code code=\"AMB\" codeSystem=\"2.16.840.1.113883.5.4\"/>")
                .append("<effectiveTime><low value=\"").append(day).append("\"/></effectiveTime></encompassingEncounter></componentOf>\n")
                .append("<component><structuredBody>\n");
        section(xml, visit, "11450-4", "Problems", this::problem);
        section(xml, visit, "10160-0", "Medications", this::medication);
        section(xml, visit, "30954-2", "Results", this::resultPanel);
        xml.append("</structuredBody></component>\n</ClinicalDocument>\n");
    }

    /** Writes one entry and returns what the section's narrative says about it; the same random source gives the same both times. */
    private interface EntryWriter {
        String write(Appendable xml, Visit visit, String id, int index, Random random) throws IOException;
    }

    /**
     * A section: its narrative (one list item per entry), then its entries. Each entry draws from a random source of
     * its own, so that the narrative and the entries can be written one after the other without keeping either.
     */
    private void section(Writer xml, Visit visit, String loinc, String title, EntryWriter entry) throws IOException {
        xml.append("<component><section><code code=\"").append(loinc).append("\" codeSystem=\"2.16.840.1.113883.6.1\"/>")
                .append("<title>").append(title).append("</title><text><list>");
        StringBuilder discard = new StringBuilder();
        for (int i = 0; i < entriesPerSection; i++) {
            String said = entry.write(discard, visit, id(visit, loinc, i), i, entryRandom(visit, loinc, i));
            discard.setLength(0);
            xml.append("<item ID=\"").append(loinc).append('-').append(Integer.toString(i)).append("\">").append(said).append("</item>");
        }
        xml.append("</list></text>\n");
        for (int i = 0; i < entriesPerSection; i++) {
            xml.append("<entry>");
            entry.write(xml, visit, id(visit, loinc, i), i, entryRandom(visit, loinc, i));
            xml.append("</entry>\n");
        }
        xml.append("</section></component>\n");
    }

    private Random entryRandom(Visit visit, String loinc, int index) {
        return new Random(seed * 1_000_003L + visit.number() * 7_919L + visit.visit() * 104_729L + loinc.hashCode() * 31L + index);
    }

    private String id(Visit visit, String loinc, int index) {
        return prefix + "-" + visit.number() + visit.idSuffix() + "-" + loinc + "-" + index;
    }

    private String problem(Appendable xml, Visit visit, String id, int index, Random random) throws IOException {
        Patient patient = visit.patient();
        int which = index % patient.problems.size();
        Problem problem = patient.problems.get(which);
        xml.append("<act classCode=\"ACT\" moodCode=\"EVN\"><templateId root=\"2.16.840.1.113883.10.20.22.4.3\"/>")
                .append("<id root=\"").append(ENTRY_IDS).append("\" extension=\"").append(id).append("\"/>")
                .append("<code code=\"CONC\" codeSystem=\"2.16.840.1.113883.5.6\"/><statusCode code=\"active\"/>")
                .append("<entryRelationship typeCode=\"SUBJ\"><observation classCode=\"OBS\" moodCode=\"EVN\">")
                .append("<templateId root=\"2.16.840.1.113883.10.20.22.4.4\"/><code code=\"55607006\" codeSystem=\"2.16.840.1.113883.6.96\"/>")
                .append("<effectiveTime><low value=\"").append(patient.onsets.get(which).format(HL7_DATE)).append("\"/></effectiveTime>")
                .append("<value xsi:type=\"CD\" code=\"").append(problem.snomed()).append("\" codeSystem=\"2.16.840.1.113883.6.96\" displayName=\"")
                .append(problem.name()).append("\"><originalText><reference value=\"#11450-4-").append(Integer.toString(index))
                .append("\"/></originalText></value>")
                .append("</observation></entryRelationship></act>");
        return problem.name() + ", active since " + patient.onsets.get(which).getYear();
    }

    /** The drug for the problem at the same index, started a few weeks after its onset. */
    private String medication(Appendable xml, Visit visit, String id, int index, Random random) throws IOException {
        Patient patient = visit.patient();
        int which = index % patient.problems.size();
        Problem problem = patient.problems.get(which);
        LocalDate started = patient.onsets.get(which).plusDays(14 + (which * 17L) % 60);
        xml.append("<substanceAdministration classCode=\"SBADM\" moodCode=\"EVN\"><templateId root=\"2.16.840.1.113883.10.20.22.4.16\"/>")
                .append("<id root=\"").append(ENTRY_IDS).append("\" extension=\"").append(id).append("\"/>")
                .append("<statusCode code=\"active\"/><effectiveTime xsi:type=\"IVL_TS\"><low value=\"").append(started.format(HL7_DATE))
                .append("\"/></effectiveTime>")
                .append("<effectiveTime xsi:type=\"PIVL_TS\" operator=\"A\"><period value=\"").append(Integer.toString(problem.everyHours()))
                .append("\" unit=\"h\"/></effectiveTime>")
                .append("<doseQuantity value=\"1\"/><consumable><manufacturedProduct><manufacturedMaterial><code code=\"").append(problem.rxnorm())
                .append("\" codeSystem=\"2.16.840.1.113883.6.88\" displayName=\"").append(problem.drug())
                .append("\"/></manufacturedMaterial></manufacturedProduct></consumable></substanceAdministration>");
        return problem.drug() + ", one tablet every " + problem.everyHours() + " hours";
    }

    /**
     * A result panel of two results. The panels of a visit are drawn on the visit's day; a document with more panels
     * than {@link #PANELS} (a benchmark's lifetime summary) dates each further round of them earlier.
     */
    private String resultPanel(Appendable xml, Visit visit, String id, int index, Random random) throws IOException {
        Panel panel = PANELS[index % PANELS.length];
        int round = index / PANELS.length;
        LocalDate day = round == 0 ? visit.date() : visit.date().minusDays(1 + random.nextInt(20 * 365));
        String when = day.format(HL7_DATE);
        xml.append("<organizer classCode=\"BATTERY\" moodCode=\"EVN\"><templateId root=\"2.16.840.1.113883.10.20.22.4.1\"/>")
                .append("<id root=\"").append(ENTRY_IDS).append("\" extension=\"").append(id).append("\"/>")
                .append("<code code=\"").append(panel.loinc()).append("\" codeSystem=\"2.16.840.1.113883.6.1\" displayName=\"")
                .append(panel.name()).append("\"/><statusCode code=\"completed\"/>");
        BigDecimal first = visit.patient().value(panel.first(), day, random);
        BigDecimal second = panel.second() == EAG
                // computed by the laboratory from the HbA1c, not measured
                ? BigDecimal.valueOf(28.7 * first.doubleValue() - 46.7).setScale(0, RoundingMode.HALF_UP)
                : visit.patient().value(panel.second(), day, random);
        StringBuilder said = new StringBuilder(panel.name()).append(':');
        result(xml, said, id + "-0", when, panel.first(), first);
        said.append(';');
        result(xml, said, id + "-1", when, panel.second(), second);
        xml.append("</organizer>");
        return said.toString();
    }

    private static void result(Appendable xml, StringBuilder said, String id, String when, Analyte test, BigDecimal value)
            throws IOException {
        String flag = test.flag(value);
        String low = test.bound(test.low());
        String high = test.bound(test.high());
        said.append(' ').append(test.name()).append(' ').append(value.toPlainString()).append(' ').append(test.unit())
                .append(" (").append(flag).append(", reference ").append(low).append('-').append(high).append(')');
        xml.append("<component><observation classCode=\"OBS\" moodCode=\"EVN\"><templateId root=\"2.16.840.1.113883.10.20.22.4.2\"/>")
                .append("<id root=\"").append(ENTRY_IDS).append("\" extension=\"").append(id).append("\"/>")
                .append("<code code=\"").append(test.loinc()).append("\" codeSystem=\"2.16.840.1.113883.6.1\" displayName=\"").append(test.name()).append("\"/>")
                .append("<statusCode code=\"completed\"/><effectiveTime value=\"").append(when).append("\"/>")
                .append("<value xsi:type=\"PQ\" value=\"").append(value.toPlainString()).append("\" unit=\"").append(test.unit())
                .append("\"/><interpretationCode code=\"").append(flag).append("\" codeSystem=\"2.16.840.1.113883.5.83\"/>")
                .append("<referenceRange><observationRange><value xsi:type=\"IVL_PQ\"><low value=\"").append(low).append("\" unit=\"")
                .append(test.unit()).append("\"/><high value=\"").append(high).append("\" unit=\"").append(test.unit())
                .append("\"/></value></observationRange></referenceRange>")
                .append("</observation></component>");
    }

    private static <T> T pick(Random random, T[] values) {
        return values[random.nextInt(values.length)];
    }
}
