package org.ehrarchive.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * Writes synthetic HL7 v2 message archives for benchmarks and tests: the files an interface engine kept of its feeds,
 * thousands of messages one after the other in each file (version 2.5.1, every segment ended by a carriage return).
 * Names, identifiers, codes and values are drawn from fixed lists with a seeded random source: the same seed gives
 * the same files, byte for byte, and no real patient is described (social security numbers are of the 9xx-00 form,
 * which is never issued; telephone numbers are in the fictional 555-01xx range).
 * <p>
 * The feed is what an archive of a real hospital holds, in roughly its proportions, so that an importer is measured
 * on the work it will do: per patient an ADT^A04 registration, ADT^A08 updates of the same visit (the whole
 * patient and visit again, one detail changed: new versions of the same facts), ORU^R01 results (numeric results
 * with units, reference ranges and flags, some coded as text, a comment), now and then a corrected result (OBX-11
 * {@code C}, the same filler order number, OBX-3 and OBX-4 as the final result it replaces, sent later), MDM^T02
 * notes, VXU^V04 immunizations, SIU^S12 appointments, DFT^P03 charges and an ADT^A03 discharge. Several visits are
 * open at a time and their messages interleave, as they do in a feed; MSH-7 always increases and every MSH-10 is
 * unique. Some patients carry a second identifier (PID-3 repetitions of type MR and SS, with their assigning
 * authorities); texts carry HL7 escape sequences.
 * <p>
 * Files are written as streams, one message at a time: an archive of any size never sits in memory, here or in the
 * importer that reads it. What a generator remembers is bounded by the visits open at a time.
 */
public final class Hl7v2Generator {

    /** Messages per file when the caller has no reason to choose: files of several MB, like a real archive's. */
    public static final int DEFAULT_MESSAGES_PER_FILE = 5_000;

    private static final String[] GIVEN_F = { "Alex", "Sam", "Robin", "Kim", "Jordan", "Casey", "Katherine", "Maria", "Aiko", "Fatima" };
    private static final String[] GIVEN_M = { "Alex", "Sam", "Robin", "Jordan", "Casey", "Stephen", "Luis", "Tomasz", "Kwame", "Arjun" };
    private static final String[] MIDDLE_NAMES = { "A", "B", "J", "L", "M", "R", "T", "" };
    private static final String[] FAMILY = { "Smith", "Garcia", "Nguyen", "Miller", "Schneider", "Okafor", "Kowalski", "O'Neil",
            "Garcia-Lopez", "Haddad", "Lindqvist", "Patel" };
    private static final String[] STREETS = { "Main St", "Oak Ave", "Maple Dr", "Cedar Ln", "River Rd", "Hill St", "Park Blvd", "Elm Ct" };
    private static final String[][] CITIES = { { "Springfield", "IL", "627" }, { "Riverton", "WY", "825" }, { "Fairview", "OR", "970" },
            { "Greenville", "SC", "296" }, { "Franklin", "TN", "370" }, { "Madison", "WI", "537" } };
    private static final String[] AREA_CODES = { "217", "307", "503", "864", "615", "608" };
    private static final String[][] RACES = { { "2106-3", "White" }, { "2054-5", "Black or African American" }, { "2028-9", "Asian" },
            { "2131-1", "Other Race" } };
    private static final String[][] ETHNICITIES = { { "2186-5", "Not Hispanic or Latino" }, { "2135-2", "Hispanic or Latino" } };
    private static final String[][] LANGUAGES = { { "eng", "English" }, { "eng", "English" }, { "eng", "English" }, { "spa", "Spanish" } };
    private static final String[][] MARITAL = { { "S", "Single" }, { "M", "Married" }, { "D", "Divorced" }, { "W", "Widowed" } };
    private static final String[][] KIN = { { "SPO", "Spouse" }, { "MTH", "Mother" }, { "FTH", "Father" }, { "CHD", "Child" },
            { "SIB", "Sibling" }, { "FND", "Friend" } };
    /** Fictional physicians: identifier, family, given, middle initial. */
    private static final String[][] PROVIDERS = { { "1001", "Rivera", "Ana", "M" }, { "1002", "Chen", "David", "L" },
            { "1003", "Okonkwo", "Grace", "A" }, { "1004", "Lindgren", "Erik", "J" }, { "1005", "Haddad", "Samir", "K" },
            { "1006", "Moreau", "Claire", "E" } };
    private static final String[][] DIAGNOSES = { { "E11.9", "Type 2 diabetes mellitus without complications" },
            { "I10", "Essential (primary) hypertension" }, { "J45.909", "Unspecified asthma, uncomplicated" },
            { "E78.5", "Hyperlipidemia, unspecified" }, { "M54.50", "Low back pain, unspecified" },
            { "J06.9", "Acute upper respiratory infection, unspecified" }, { "R07.9", "Chest pain, unspecified" },
            { "N39.0", "Urinary tract infection, site not specified" }, { "K21.9", "Gastro-esophageal reflux disease without esophagitis" } };
    /** Allergen type (HL7 table 0127), code, name, coding system. */
    private static final String[][] ALLERGENS = { { "DA", "70618", "Penicillin", "RXNORM" }, { "DA", "2670", "Codeine", "RXNORM" },
            { "DA", "1191", "Aspirin", "RXNORM" }, { "DA", "10831", "Sulfamethoxazole", "RXNORM" }, { "FA", "PNUT", "Peanut", "99GEN" },
            { "EA", "LATEX", "Latex", "99GEN" } };
    private static final String[] REACTIONS = { "Hives", "Rash", "Nausea", "Swelling", "Wheezing" };
    private static final String[][] SEVERITIES = { { "MI", "Mild" }, { "MO", "Moderate" }, { "SV", "Severe" } };
    private static final String[][] INSURERS = { { "GHP-PPO", "Generic Health Plan PPO", "GHP01", "Generic Health Plan" },
            { "EXM-HMO", "Example Mutual HMO", "EXM02", "Example Mutual" }, { "SMP-MCD", "Sample Care Medicaid", "SMP03", "Sample Care" } };
    /** Procedure (CPT), description, price. */
    private static final String[][] PROCEDURES = { { "99213", "Office visit, established patient, low complexity", "125.00" },
            { "99214", "Office visit, established patient, moderate complexity", "185.00" },
            { "99203", "Office visit, new patient, low complexity", "160.00" }, { "36415", "Routine venipuncture", "15.00" },
            { "80053", "Comprehensive metabolic panel", "42.00" }, { "85025", "Complete blood count with differential", "28.00" },
            { "90471", "Immunization administration", "25.00" }, { "93000", "Electrocardiogram with interpretation", "55.00" },
            { "71046", "Chest X-ray, 2 views", "90.00" } };
    /** CVX code, name, dose in mL, VIS edition date, then manufacturers (MVX code, name) that make it. */
    private static final String[][] VACCINES = {
            { "141", "Influenza, seasonal, injectable", "0.5", "20210806", "SKB", "GlaxoSmithKline", "SEQ", "Seqirus", "PMC", "sanofi pasteur" },
            { "115", "Tdap", "0.5", "20200401", "SKB", "GlaxoSmithKline", "PMC", "sanofi pasteur" },
            { "133", "Pneumococcal conjugate PCV 13", "0.5", "20211030", "PFR", "Pfizer, Inc" },
            { "43", "Hepatitis B, adult", "1.0", "20231015", "SKB", "GlaxoSmithKline", "MSD", "Merck and Co., Inc." },
            { "187", "Zoster vaccine recombinant", "0.5", "20211030", "SKB", "GlaxoSmithKline" },
            { "208", "COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose", "0.3", "20210219", "PFR", "Pfizer, Inc" } };
    private static final String[][] ROUTES = { { "C28161", "Intramuscular", "LD", "Left Deltoid" }, { "C28161", "Intramuscular", "RD", "Right Deltoid" } };
    /** Appointment reason (HL7 table 0276), its name, the service booked (CPT) and its name. */
    private static final String[][] APPOINTMENTS = { { "FOLLOWUP", "Follow-up visit", "99213", "Office visit, established patient" },
            { "CHECKUP", "Check-up", "99214", "Office visit, established patient" },
            { "ROUTINE", "Routine visit", "99213", "Office visit, established patient" } };
    /** TXA-2 (HL7 table 0270), its name, the LOINC code and name the note's OBX lines carry. */
    private static final String[][] NOTE_TYPES = { { "PR", "Progress note", "11506-3", "Progress note" },
            { "HP", "History and physical", "34117-2", "History and physical note" }, { "CN", "Consultation", "11488-4", "Consult note" },
            { "DS", "Discharge summary", "18842-5", "Discharge summary" } };
    private static final String[] COMPLAINTS = { "follow-up of blood pressure", "cough for five days", "low back pain", "medication review",
            "elevated blood sugar", "chest discomfort on exertion", "annual examination", "burning on urination" };
    private static final String[][] NOTE_LINES = {
            { "Subjective: patient reports feeling well overall.", "Subjective: symptoms started about a week ago.",
                    "Denies fever, chills or night sweats.", "Sleeping 6-7 hours a night; appetite normal.",
                    "Reports good adherence to current medications.", "No recent travel & no sick contacts." },
            { "Objective: BP 132/84, HR 76, T 36.8 C, SpO2 98% on room air.", "Lungs clear to auscultation bilaterally.",
                    "Heart regular rate and rhythm, no murmur.", "Abdomen soft, non-tender.", "No peripheral edema.",
                    "Gait steady; mild paraspinal tenderness." },
            { "Assessment: condition stable on current regimen.", "Assessment: likely viral upper respiratory infection.",
                    "Findings consistent with mechanical back pain.", "Glycemic control not at goal.", "Blood pressure near goal." },
            { "Plan: continue current medications.", "Plan: repeat labs in 3 months & review results.", "Increase fluids; rest.",
                    "Referral to physical therapy.", "Return if symptoms worsen or new symptoms appear.",
                    "Patient education provided; questions answered." } };
    private static final String[] LAB_COMMENTS = { "Specimen slightly hemolyzed; potassium may be falsely elevated.", "Fasting specimen.",
            "Non-fasting specimen.", "Results reviewed by laboratory director.", "Repeat analysis confirms result." };
    private static final String[] ORDER_NOTES = { "Specimen collected at the outpatient laboratory.", "Specimen received at room temperature.",
            "Collected by venipuncture, left arm.", "Results called to ordering provider & read back." };

    private static final Panel[] PANELS = {
            new Panel("24323-8", "Comprehensive metabolic 2000 panel - Serum or Plasma", "CH",
                    nm("2345-7", "Glucose", "mg/dL", "mg/dL", "70-99", 70, 99, 0),
                    nm("3094-0", "Urea nitrogen", "mg/dL", "mg/dL", "7-20", 7, 20, 0),
                    nm("2160-0", "Creatinine", "mg/dL", "mg/dL", "0.60-1.30", 0.6, 1.3, 2),
                    nm("2951-2", "Sodium", "mmol/L", "mmol/L", "136-145", 136, 145, 0),
                    nm("2823-3", "Potassium", "mmol/L", "mmol/L", "3.5-5.1", 3.5, 5.1, 1),
                    nm("2075-0", "Chloride", "mmol/L", "mmol/L", "98-107", 98, 107, 0),
                    nm("2028-9", "Carbon dioxide, total", "mmol/L", "mmol/L", "22-29", 22, 29, 0),
                    nm("17861-6", "Calcium", "mg/dL", "mg/dL", "8.5-10.5", 8.5, 10.5, 1),
                    nm("1751-7", "Albumin", "g/dL", "g/dL", "3.5-5.0", 3.5, 5.0, 1),
                    nm("1742-6", "Alanine aminotransferase", "U/L", "U/L", "7-56", 7, 56, 0)),
            new Panel("58410-2", "CBC panel - Blood by Automated count", "HM",
                    nm("6690-2", "Leukocytes", "10*3/uL", "K/uL", "4.0-11.0", 4.0, 11.0, 1),
                    nm("789-8", "Erythrocytes", "10*6/uL", "M/uL", "4.20-5.90", 4.2, 5.9, 2),
                    nm("718-7", "Hemoglobin", "g/dL", "g/dL", "12.0-17.5", 12.0, 17.5, 1),
                    nm("4544-3", "Hematocrit", "%", "%", "36.0-52.0", 36, 52, 1),
                    nm("787-2", "MCV", "fL", "fL", "80-100", 80, 100, 0),
                    nm("777-3", "Platelets", "10*3/uL", "K/uL", "150-400", 150, 400, 0)),
            new Panel("57698-3", "Lipid panel with direct LDL - Serum or Plasma", "CH",
                    nm("2093-3", "Cholesterol", "mg/dL", "mg/dL", "<200", 0, 199, 0),
                    nm("2571-8", "Triglyceride", "mg/dL", "mg/dL", "<150", 0, 149, 0),
                    nm("2085-9", "HDL Cholesterol", "mg/dL", "mg/dL", "40-60", 40, 60, 0),
                    nm("18262-6", "LDL Cholesterol, direct", "mg/dL", "mg/dL", "<100", 0, 99, 0)),
            new Panel("4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", "CH",
                    nm("4548-4", "Hemoglobin A1c", "%", "%", "4.0-5.6", 4.0, 5.6, 1),
                    nm("27353-2", "Estimated average glucose", "mg/dL", "mg/dL", "68-114", 68, 114, 0),
                    nm("2345-7", "Glucose", "mg/dL", "mg/dL", "70-99", 70, 99, 0)),
            new Panel("24356-8", "Urinalysis complete panel - Urine", "UR",
                    st("5778-6", "Color of Urine", "Yellow", "Amber", "Red"),
                    st("5767-9", "Appearance of Urine", "Clear", "Hazy", "Cloudy"),
                    nm("5811-5", "Specific gravity of Urine by Test strip", null, null, "1.005-1.030", 1.005, 1.030, 3),
                    nm("5803-2", "pH of Urine by Test strip", "[pH]", "pH", "5.0-8.0", 5.0, 8.0, 1),
                    st("5804-0", "Protein [Mass/volume] in Urine by Test strip", "Negative", "Trace", "1+"),
                    st("5792-7", "Glucose [Mass/volume] in Urine by Test strip", "Negative", "Trace", "2+"),
                    st("5799-2", "Leukocyte esterase in Urine by Test strip", "Negative", "Small", "Moderate"),
                    st("5802-4", "Nitrite in Urine by Test strip", "Negative", "Positive")),
            // Local codes, as legacy laboratory systems often send them.
            new Panel("THYPNL", "Thyroid panel", "CH",
                    nm("3016-3", "TSH", "m[IU]/L", "mIU/L", "0.40-4.00", 0.4, 4.0, 2),
                    nm("3024-7", "Free T4", "ng/dL", "ng/dL", "0.80-1.80", 0.8, 1.8, 2),
                    nm("3051-0", "Free T3", "pg/mL", "pg/mL", "2.3-4.2", 2.3, 4.2, 1)) };

    /** The message types, with the application that sends them and MSH-9 (type, event, structure). */
    private enum Kind {
        A04("GENADT", "ADT", "A04", "ADT_A01"), A08("GENADT", "ADT", "A08", "ADT_A01"), ORU("GENLAB", "ORU", "R01", "ORU_R01"),
        MDM("GENDOC", "MDM", "T02", "MDM_T02"), VXU("GENIMM", "VXU", "V04", "VXU_V04"), SIU("GENSCHED", "SIU", "S12", "SIU_S12"),
        DFT("GENBILL", "DFT", "P03", "DFT_P03"), A03("GENADT", "ADT", "A03", "ADT_A03");

        final String application;
        final String type;
        final String event;
        final String structure;

        Kind(String application, String type, String event, String structure) {
            this.application = application;
            this.type = type;
            this.event = event;
            this.structure = structure;
        }
    }

    /**
     * A visit is an A04, then 5 to 12 messages drawn with these weights (A08, ORU, MDM, VXU, SIU, DFT), then for every
     * second visit an A03: 10 messages on average, of which 10 % A04, 25 % A08, 30 % ORU, 10 % MDM, 5 % VXU, 5 % SIU,
     * 10 % DFT and 5 % A03.
     */
    private static final Kind[] MIDDLE = { Kind.A08, Kind.ORU, Kind.MDM, Kind.VXU, Kind.SIU, Kind.DFT };
    private static final int[] MIDDLE_WEIGHTS = { 25, 30, 10, 5, 5, 10 };
    /** Visits open at a time, whose messages interleave. */
    private static final int OPEN_VISITS = 8;
    /** Percent of results that correct an earlier result of the visit, when it has one. */
    private static final int CORRECTION_PERCENT = 12;

    private static final String VERSION = "2.5.1";
    private static final String FACILITY = "GENHOSP";
    private static final String MRN_AUTHORITY = "GENHOSP&2.16.840.1.113883.19.5.99999.2&ISO";
    private static final String SSN_AUTHORITY = "SSA&2.16.840.1.113883.4.1&ISO";
    private static final String VISIT_AUTHORITY = "GENHOSP&2.16.840.1.113883.19.5.99999.3&ISO";
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyyMMddHHmmss", Locale.ROOT);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd", Locale.ROOT);
    /** The feed's clock: a fixed offset, as many interface engines send it. */
    private static final String OFFSET = "-0500";
    private static final LocalDateTime START = LocalDateTime.of(2021, 1, 4, 7, 0);

    private final Random random;
    /** Prefix of every identifier the generator makes: two seeds never make the same patient or message. */
    private final String prefix;
    private final int ssnOffset;
    private final List<Visit> open = new ArrayList<>();
    private LocalDateTime clock = START;
    private long messageCount;
    private int patientCount;
    private long orderCount;
    private long otherCount;

    /**
     * What an archive holds: messages, files and bytes written, and messages per type (MSH-9's first two
     * components, {@code ORU^R01}), in the order of their names.
     */
    public record Shape(int messages, int files, long bytes, Map<String, Integer> messageTypes) {
    }

    public Hl7v2Generator(long seed) {
        this.random = new Random(seed);
        this.prefix = "G" + Long.toUnsignedString(seed, 36).toUpperCase(Locale.ROOT) + "-";
        this.ssnOffset = (int) Math.floorMod(seed * 7_919L, 1_000_000L);
    }

    /**
     * Writes {@code messages} messages into {@code folder}, {@code messagesPerFile} to a file (the last one may hold
     * fewer), as {@code messages-0001.hl7}, {@code messages-0002.hl7}, ... A second call goes on with the same feed:
     * its patients, times and identifiers follow those of the first.
     */
    public Shape writeArchive(Path folder, int messages, int messagesPerFile) throws IOException {
        if (messages < 0 || messagesPerFile < 1) {
            throw new IllegalArgumentException("messages must be at least 0 and messagesPerFile at least 1");
        }
        Files.createDirectories(folder);
        Map<String, Integer> types = new TreeMap<>();
        int files = 0;
        long bytes = 0;
        for (int written = 0; written < messages; files++) {
            Path file = folder.resolve(String.format(Locale.ROOT, "messages-%04d.hl7", files + 1));
            int inFile = Math.min(messagesPerFile, messages - written);
            try (Writer out = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.US_ASCII), 1 << 16)) {
                for (int i = 0; i < inFile; i++) {
                    Kind kind = nextMessage(out);
                    types.merge(kind.type + "^" + kind.event, 1, Integer::sum);
                }
            }
            written += inFile;
            bytes += Files.size(file);
        }
        return new Shape(messages, files, bytes, Collections.unmodifiableMap(types));
    }

    /** The next message of the feed: of one of the open visits, or the registration of a new one. */
    private Kind nextMessage(Appendable out) throws IOException {
        Visit visit;
        if (open.size() < OPEN_VISITS) {
            visit = newVisit();
            open.add(visit);
        } else {
            visit = open.get(random.nextInt(open.size()));
        }
        Kind kind = visit.plan.removeFirst();
        if (visit.plan.isEmpty()) {
            open.remove(visit);
        }
        clock = clock.plusSeconds(1 + random.nextInt(900));
        messageCount++;
        switch (kind) {
            case A04, A08, A03 -> adt(out, visit, kind);
            case ORU -> {
                List<Result> correctable = visit.results.stream().filter(r -> r.numeric().length > 0).toList();
                if (!correctable.isEmpty() && random.nextInt(100) < CORRECTION_PERCENT) {
                    correction(out, visit, correctable.get(random.nextInt(correctable.size())));
                } else {
                    result(out, visit);
                }
            }
            case MDM -> note(out, visit);
            case VXU -> immunization(out, visit);
            case SIU -> appointment(out, visit);
            case DFT -> charges(out, visit);
        }
        return kind;
    }

    // ---------------------------------------------------------------- the patient and the visit

    private static final class Visit {
        final Deque<Kind> plan = new ArrayDeque<>();
        final List<Result> results = new ArrayList<>();
        int patient;
        String mrn;
        String ssn;
        String account;
        String visitNumber;
        String family;
        String given;
        String middle;
        String birthDate;
        String sex;
        String[] race;
        String[] ethnicity;
        String[] language;
        String[] marital;
        String street;
        String[] city;
        String zip;
        String areaCode;
        String phone;
        String[] kin;
        String patientClass;
        String location;
        String admissionType;
        String service;
        String[] attending;
        String[] referring;
        final List<String[]> allergies = new ArrayList<>();
        String[] diagnosis;
        String[] insurer;
        String policy;
        int heightCm;
        int weightKg;
        LocalDateTime admitted;
    }

    /** One result's identity and values, kept while its visit is open, so that a later message can correct it. */
    private record Result(String placer, String filler, Panel panel, int[] tests, String[] values, LocalDateTime observed,
            String[] orderedBy) {
        /** The indexes (in {@link #tests}) of the numeric results, the ones a correction replaces. */
        int[] numeric() {
            return IntStream.range(0, tests.length).filter(i -> panel.tests[tests[i]].numeric()).toArray();
        }
    }

    private Visit newVisit() {
        Visit v = new Visit();
        int n = ++patientCount;
        v.patient = n;
        v.plan.add(Kind.A04);
        int middle = 5 + random.nextInt(8);
        for (int i = 0; i < middle; i++) {
            v.plan.add(weighted(MIDDLE, MIDDLE_WEIGHTS));
        }
        if (random.nextBoolean()) {
            v.plan.add(Kind.A03);
        }
        v.mrn = prefix + String.format(Locale.ROOT, "M%07d", n);
        v.ssn = random.nextInt(100) < 40 ? ssn(n) : null;
        v.account = prefix + String.format(Locale.ROOT, "A%07d", n);
        v.visitNumber = prefix + String.format(Locale.ROOT, "V%07d", n);
        v.sex = random.nextBoolean() ? "F" : "M";
        v.given = pick(v.sex.equals("F") ? GIVEN_F : GIVEN_M);
        v.middle = pick(MIDDLE_NAMES);
        v.family = pick(FAMILY);
        v.birthDate = LocalDateTime.of(1930 + random.nextInt(86), 1 + random.nextInt(12), 1 + random.nextInt(28), 0, 0).format(DAY);
        v.race = pick(RACES);
        v.ethnicity = pick(ETHNICITIES);
        v.language = pick(LANGUAGES);
        v.marital = pick(MARITAL);
        newAddress(v);
        v.areaCode = pick(AREA_CODES);
        v.phone = phone();
        v.kin = random.nextInt(100) < 60 ? new String[] { pick(FAMILY), pick(random.nextBoolean() ? GIVEN_F : GIVEN_M), pick(KIN)[0] } : null;
        int roll = random.nextInt(10);
        v.patientClass = roll < 6 ? "O" : roll < 9 ? "E" : "I";
        v.location = location(v.patientClass);
        v.admissionType = switch (v.patientClass) {
            case "E" -> "E";
            case "I" -> pick(new String[] { "U", "C" });
            default -> "R";
        };
        v.service = pick(new String[] { "MED", "MED", "CAR", "PUL", "SUR" });
        v.attending = pick(PROVIDERS);
        v.referring = pick(PROVIDERS);
        for (int i = random.nextInt(3); i > 0; i--) {
            addAllergy(v);
        }
        v.diagnosis = pick(DIAGNOSES);
        if (random.nextInt(100) < 80) {
            v.insurer = pick(INSURERS);
            v.policy = String.format(Locale.ROOT, "%s%08d", v.insurer[2], random.nextInt(100_000_000));
        }
        v.heightCm = random.nextInt(100) < 50 ? 150 + random.nextInt(45) : 0;
        v.weightKg = v.heightCm > 0 ? 45 + random.nextInt(70) : 0;
        return v;
    }

    /** A social security number of the 9xx-00-xxxx form: neither an SSN nor an ITIN is ever issued so. */
    private String ssn(int patient) {
        int n = (patient + ssnOffset) % 1_000_000;
        return String.format(Locale.ROOT, "9%02d00%04d", n / 10_000, n % 10_000);
    }

    private void newAddress(Visit v) {
        v.street = (1 + random.nextInt(9_899)) + " " + pick(STREETS);
        v.city = pick(CITIES);
        v.zip = v.city[2] + String.format(Locale.ROOT, "%02d", random.nextInt(100));
    }

    private String phone() {
        return "55501" + String.format(Locale.ROOT, "%02d", random.nextInt(100));
    }

    private String location(String patientClass) {
        return switch (patientClass) {
            case "E" -> "GENED^" + (1 + random.nextInt(20)) + "^^" + FACILITY;
            case "I" -> pick(new String[] { "3W", "4E", "5N" }) + "^" + (300 + random.nextInt(230)) + "^" + pick(new String[] { "A", "B" })
                    + "^" + FACILITY;
            default -> "GENCLIN^" + (101 + random.nextInt(20)) + "^^" + FACILITY;
        };
    }

    private void addAllergy(Visit v) {
        String[] allergen = pick(ALLERGENS);
        for (String[] known : v.allergies) {
            if (known[1].equals(allergen[1])) {
                return;
            }
        }
        v.allergies.add(new String[] { allergen[0], allergen[1], allergen[2], allergen[3], pick(SEVERITIES)[0], pick(REACTIONS),
                clock.format(DAY) });
    }

    /** An ADT^A08: the whole patient and visit again, with one detail changed since the last message. */
    private void update(Visit v) {
        switch (random.nextInt(7)) {
            case 0 -> v.phone = phone();
            case 1 -> newAddress(v);
            case 2 -> v.marital = pick(MARITAL);
            case 3 -> v.attending = pick(PROVIDERS);
            case 4 -> v.location = location(v.patientClass);
            case 5 -> addAllergy(v);
            default -> {
                if (v.ssn == null) {
                    v.ssn = ssn(v.patient);
                } else {
                    v.phone = phone();
                }
            }
        }
    }

    // ---------------------------------------------------------------- messages

    private void adt(Appendable out, Visit v, Kind kind) throws IOException {
        if (kind == Kind.A04) {
            v.admitted = clock;
        } else if (kind == Kind.A08) {
            update(v);
        }
        msh(out, kind);
        evn(out, kind);
        pid(out, v);
        if (kind != Kind.A03 && v.kin != null) {
            new Segment("NK1").set(1, "1").set(2, v.kin[0] + "^" + v.kin[1]).set(3, kinRelation(v.kin[2]))
                    .set(4, address(v)).set(5, phone(v, "PRN")).set(7, "EP^Emergency contact person^HL70131").writeTo(out);
        }
        Segment pv1 = pv1(v, true);
        if (kind == Kind.A03) {
            pv1.set(36, v.patientClass.equals("I") ? "06" : "01").set(45, ts(clock.minusMinutes(5 + random.nextInt(60))));
        }
        pv1.writeTo(out);
        if (kind != Kind.A03) {
            new Segment("PV2").set(3, v.diagnosis[0] + "^" + v.diagnosis[1] + "^I10").writeTo(out);
            if (v.heightCm > 0) {
                new Segment("OBX").set(1, "1").set(2, "NM").set(3, "8302-2^Body height^LN").set(5, Integer.toString(v.heightCm))
                        .set(6, "cm^centimeter^UCUM").set(11, "F").set(14, ts(v.admitted)).writeTo(out);
                new Segment("OBX").set(1, "2").set(2, "NM").set(3, "29463-7^Body weight^LN").set(5, Integer.toString(v.weightKg))
                        .set(6, "kg^kilogram^UCUM").set(11, "F").set(14, ts(v.admitted)).writeTo(out);
            }
        }
        int set = 1;
        for (String[] a : v.allergies) {
            new Segment("AL1").set(1, Integer.toString(set++)).set(2, a[0]).set(3, a[1] + "^" + a[2] + "^" + a[3]).set(4, a[4])
                    .set(5, a[5]).set(6, a[6]).writeTo(out);
        }
        new Segment("DG1").set(1, "1").set(3, v.diagnosis[0] + "^" + v.diagnosis[1] + "^I10").set(5, ts(v.admitted))
                .set(6, kind == Kind.A03 ? "F" : "A").writeTo(out);
        if (kind != Kind.A03 && v.insurer != null) {
            new Segment("IN1").set(1, "1").set(2, v.insurer[0] + "^" + v.insurer[1] + "^99GEN").set(3, v.insurer[2])
                    .set(4, v.insurer[3]).set(5, "PO Box 100^^" + v.city[0] + "^" + v.city[1] + "^" + v.city[2] + "00^USA")
                    .set(8, "GRP" + v.insurer[2].substring(3)).set(16, v.family + "^" + v.given).set(17, "SEL^Self^HL70063")
                    .set(18, v.birthDate).set(36, v.policy).writeTo(out);
        }
    }

    private void result(Appendable out, Visit v) throws IOException {
        Panel panel = pick(PANELS);
        int available = Math.min(8, panel.tests.length);
        int count = 3 + random.nextInt(available - 2);
        boolean comment = count < 8 && random.nextInt(100) < 25;
        int[] tests = choose(panel.tests.length, count);
        String[] values = new String[count];
        String[] flags = new String[count];
        for (int i = 0; i < count; i++) {
            String[] value = value(panel.tests[tests[i]]);
            values[i] = value[0];
            flags[i] = value[1];
        }
        long order = ++orderCount;
        LocalDateTime observed = latest(v.admitted, clock.minusMinutes(30 + random.nextInt(210)));
        Result result = new Result(prefix + String.format(Locale.ROOT, "P%07d", order), prefix + String.format(Locale.ROOT, "L%07d", order),
                panel, tests, values, observed, pick(PROVIDERS));
        v.results.add(result);

        msh(out, Kind.ORU);
        pid(out, v);
        pv1(v, false).writeTo(out);
        orc(out, result);
        obr(out, result, "F");
        int noteAfter = random.nextInt(count + 1); // 0: after the OBR; i: after the i-th OBX
        if (noteAfter == 0) {
            nte(out, pick(ORDER_NOTES));
        }
        for (int i = 0; i < count; i++) {
            obx(out, i + 1, panel.tests[tests[i]], values[i], flags[i], "F", observed);
            if (noteAfter == i + 1) {
                nte(out, pick(ORDER_NOTES));
            }
        }
        if (comment) {
            new Segment("OBX").set(1, Integer.toString(count + 1)).set(2, "TX").set(3, "LABCMT^Laboratory comment^99GEN").set(4, "1")
                    .set(5, escape(pick(LAB_COMMENTS))).set(11, "F").set(14, ts(observed)).writeTo(out);
        }
    }

    /** A corrected result: the same order, one or two of its numeric results again with new values, OBX-11 C. */
    private void correction(Appendable out, Visit v, Result original) throws IOException {
        int[] numeric = original.numeric();
        int corrected = numeric[random.nextInt(numeric.length)];
        int second = numeric.length > 1 && random.nextInt(100) < 30 ? numeric[random.nextInt(numeric.length)] : corrected;
        int[] which = second == corrected ? new int[] { corrected } : new int[] { Math.min(corrected, second), Math.max(corrected, second) };

        msh(out, Kind.ORU);
        pid(out, v);
        pv1(v, false).writeTo(out);
        orc(out, original);
        obr(out, original, "C");
        int set = 1;
        for (int i : which) {
            Test test = original.panel.tests[original.tests[i]];
            String[] value;
            do {
                value = value(test);
            } while (value[0].equals(original.values[i]));
            obx(out, set++, test, value[0], value[1], "C", original.observed);
            nte(out, "Corrected result; previously reported as " + original.values[i] + (test.unitText == null ? "" : " " + test.unitText) + ".");
        }
    }

    private void note(Appendable out, Visit v) throws IOException {
        String[] type = pick(NOTE_TYPES);
        String[] author = pick(PROVIDERS);
        LocalDateTime dictated = latest(v.admitted, clock.minusMinutes(10 + random.nextInt(120)));
        msh(out, Kind.MDM);
        evn(out, Kind.MDM);
        pid(out, v);
        pv1(v, false).writeTo(out);
        new Segment("TXA").set(1, "1").set(2, type[0] + "^" + type[1] + "^HL70270").set(3, "TX").set(4, ts(dictated))
                .set(5, provider(author)).set(6, ts(dictated)).set(7, ts(clock.minusMinutes(2))).set(9, provider(author))
                .set(12, prefix + String.format(Locale.ROOT, "D%07d", ++otherCount) + "^GENDOC").set(17, "AU").set(19, "AV")
                .writeTo(out);
        int lines = 5 + random.nextInt(16);
        String code = type[2] + "^" + type[3] + "^LN";
        int age = clock.getYear() - Integer.parseInt(v.birthDate.substring(0, 4));
        obxText(out, 1, code, age + " year old " + (v.sex.equals("F") ? "female" : "male") + " seen for " + pick(COMPLAINTS) + ".");
        for (int i = 1; i < lines; i++) {
            int section = (i - 1) * NOTE_LINES.length / (lines - 1);
            obxText(out, i + 1, code, pick(NOTE_LINES[section]));
        }
    }

    private void immunization(Appendable out, Visit v) throws IOException {
        String[] vaccine = pick(VACCINES);
        int maker = 4 + 2 * random.nextInt((vaccine.length - 4) / 2);
        String[] route = pick(ROUTES);
        String[] nurse = pick(PROVIDERS);
        LocalDateTime given = clock.minusMinutes(5 + random.nextInt(55));
        String lot = (char) ('A' + random.nextInt(26)) + "" + (char) ('A' + random.nextInt(26)) + String.format(Locale.ROOT, "%04d", random.nextInt(10_000));
        msh(out, Kind.VXU);
        pid(out, v);
        pv1(v, false).writeTo(out);
        new Segment("ORC").set(1, "RE").set(3, prefix + String.format(Locale.ROOT, "I%07d", ++otherCount) + "^GENIMM")
                .set(10, provider(nurse)).writeTo(out);
        new Segment("RXA").set(1, "0").set(2, "1").set(3, ts(given)).set(4, ts(given)).set(5, vaccine[0] + "^" + vaccine[1] + "^CVX")
                .set(6, vaccine[2]).set(7, "mL^milliliter^UCUM").set(9, "00^New immunization record^NIP001").set(10, provider(nurse))
                .set(11, "^^^GENCLIN").set(15, lot).set(16, given.plusDays(120 + random.nextInt(420)).format(DAY))
                .set(17, vaccine[maker] + "^" + vaccine[maker + 1] + "^MVX").set(20, "CP").set(21, "A").writeTo(out);
        new Segment("RXR").set(1, route[0] + "^" + route[1] + "^NCIT").set(2, route[2] + "^" + route[3] + "^HL70163").writeTo(out);
        new Segment("OBX").set(1, "1").set(2, "CE").set(3, "64994-7^Vaccine funding program eligibility category^LN").set(4, "1")
                .set(5, "V01^Not VFC eligible^HL70064").set(11, "F").set(14, ts(given))
                .set(17, "VXC40^Eligibility captured at the immunization level^CDCPHINVS").writeTo(out);
        new Segment("OBX").set(1, "2").set(2, "TS").set(3, "29768-9^Date vaccine information statement published^LN").set(4, "2")
                .set(5, vaccine[3]).set(11, "F").writeTo(out);
        new Segment("OBX").set(1, "3").set(2, "TS").set(3, "29769-7^Date vaccine information statement presented^LN").set(4, "2")
                .set(5, given.format(DAY)).set(11, "F").writeTo(out);
    }

    private void appointment(Appendable out, Visit v) throws IOException {
        String[] reason = pick(APPOINTMENTS);
        String[] with = random.nextInt(100) < 70 ? v.attending : pick(PROVIDERS);
        int minutes = random.nextBoolean() ? 20 : 30;
        LocalDateTime start = clock.toLocalDate().plusDays(7 + random.nextInt(84)).atTime(8 + random.nextInt(8), 15 * random.nextInt(4));
        String id = prefix + String.format(Locale.ROOT, "S%07d", ++otherCount);
        String room = "GENCLIN^" + (101 + random.nextInt(20)) + "^^" + FACILITY;
        msh(out, Kind.SIU);
        new Segment("SCH").set(1, id + "^GENEHR").set(2, id + "^GENSCHED").set(6, "NEW^New appointment^99GEN")
                .set(7, reason[0] + "^" + reason[1] + "^HL70276").set(8, "NORMAL^Routine schedule request^HL70277")
                .set(9, Integer.toString(minutes)).set(10, "MIN^minutes^ANS+")
                .set(11, "^^" + minutes + "^" + ts(start) + "^" + ts(start.plusMinutes(minutes))).set(16, provider(with))
                .set(17, "^WPN^PH^^1^" + v.areaCode + "^5550100").set(20, provider(pick(PROVIDERS))).set(25, "Booked^Booked^HL70278")
                .writeTo(out);
        if (random.nextInt(100) < 30) {
            nte(out, "Patient prefers a morning appointment.");
        }
        pid(out, v);
        new Segment("PV1").set(1, "1").set(2, "O").set(3, room).set(7, provider(with)).writeTo(out);
        new Segment("RGS").set(1, "1").set(2, "A").writeTo(out);
        new Segment("AIS").set(1, "1").set(2, "A").set(3, reason[2] + "^" + reason[3] + "^C4").set(4, ts(start)).set(5, "0")
                .set(6, "MIN").set(7, Integer.toString(minutes)).set(8, "MIN").set(10, "Booked").writeTo(out);
        new Segment("AIL").set(1, "1").set(2, "A").set(3, room).set(4, "CLINIC^Clinic^HL70305").set(6, ts(start)).set(7, "0")
                .set(8, "MIN").set(9, Integer.toString(minutes)).set(10, "MIN").set(12, "Booked").writeTo(out);
        new Segment("AIP").set(1, "1").set(2, "A").set(3, provider(with)).set(4, "MD^Physician^HL70182").set(6, ts(start)).set(7, "0")
                .set(8, "MIN").set(9, Integer.toString(minutes)).set(10, "MIN").set(12, "Booked").writeTo(out);
    }

    private void charges(Appendable out, Visit v) throws IOException {
        int count = 1 + random.nextInt(3);
        int[] procedures = choose(PROCEDURES.length, count);
        String[] second = random.nextInt(100) < 40 ? pick(DIAGNOSES) : null;
        if (second != null && second[0].equals(v.diagnosis[0])) {
            second = null;
        }
        LocalDateTime day = latest(v.admitted, clock.minusHours(1 + random.nextInt(8)));
        msh(out, Kind.DFT);
        evn(out, Kind.DFT);
        pid(out, v);
        pv1(v, false).writeTo(out);
        for (int i = 0; i < count; i++) {
            String[] p = PROCEDURES[procedures[i]];
            new Segment("FT1").set(1, Integer.toString(i + 1)).set(2, prefix + String.format(Locale.ROOT, "T%07d", ++otherCount))
                    .set(4, ts(day)).set(5, ts(clock)).set(6, "CG").set(7, p[0] + "^" + p[1] + "^C4").set(8, p[1]).set(10, "1")
                    .set(11, p[2] + "&USD").set(12, p[2] + "&USD").set(16, v.location)
                    .set(19, v.diagnosis[0] + "^" + v.diagnosis[1] + "^I10").set(20, provider(v.attending))
                    .set(21, provider(v.attending)).set(25, p[0] + "^" + p[1] + "^C4").writeTo(out);
        }
        new Segment("DG1").set(1, "1").set(3, v.diagnosis[0] + "^" + v.diagnosis[1] + "^I10").set(5, ts(day)).set(6, "F").writeTo(out);
        if (second != null) {
            new Segment("DG1").set(1, "2").set(3, second[0] + "^" + second[1] + "^I10").set(5, ts(day)).set(6, "F").writeTo(out);
        }
    }

    // ---------------------------------------------------------------- segments

    private void msh(Appendable out, Kind kind) throws IOException {
        new Segment("MSH").set(2, "^~\\&").set(3, kind.application).set(4, FACILITY).set(5, "LEGACYEHR").set(6, FACILITY)
                .set(7, ts(clock)).set(9, kind.type + "^" + kind.event + "^" + kind.structure)
                .set(10, prefix + String.format(Locale.ROOT, "C%09d", messageCount)).set(11, "P").set(12, VERSION).writeTo(out);
    }

    private void evn(Appendable out, Kind kind) throws IOException {
        new Segment("EVN").set(1, kind.event).set(2, ts(clock)).set(6, ts(clock.minusMinutes(1))).writeTo(out);
    }

    private void pid(Appendable out, Visit v) throws IOException {
        String ids = v.mrn + "^^^" + MRN_AUTHORITY + "^MR" + (v.ssn == null ? "" : "~" + v.ssn + "^^^" + SSN_AUTHORITY + "^SS");
        new Segment("PID").set(1, "1").set(3, ids).set(5, v.family + "^" + v.given + "^" + v.middle + "^^^^L").set(7, v.birthDate)
                .set(8, v.sex).set(10, v.race[0] + "^" + v.race[1] + "^CDCREC").set(11, address(v)).set(13, phone(v, "PRN"))
                .set(15, v.language[0] + "^" + v.language[1] + "^ISO6392").set(16, v.marital[0] + "^" + v.marital[1] + "^HL70002")
                .set(18, v.account + "^^^" + FACILITY + "^AN").set(22, v.ethnicity[0] + "^" + v.ethnicity[1] + "^CDCREC").writeTo(out);
    }

    /** The visit: in full in ADT messages, the visit's identity and place only in the others. */
    private Segment pv1(Visit v, boolean full) {
        Segment pv1 = new Segment("PV1").set(1, "1").set(2, v.patientClass).set(3, v.location).set(7, provider(v.attending))
                .set(19, v.visitNumber + "^^^" + VISIT_AUTHORITY + "^VN");
        if (full) {
            pv1.set(4, v.admissionType).set(8, provider(v.referring)).set(10, v.service)
                    .set(14, v.patientClass.equals("E") ? "7" : "1").set(17, provider(v.attending)).set(44, ts(v.admitted));
        }
        return pv1;
    }

    private void orc(Appendable out, Result r) throws IOException {
        new Segment("ORC").set(1, "RE").set(2, r.placer + "^GENEHR").set(3, r.filler + "^GENLAB").set(5, "CM").set(9, ts(clock))
                .set(12, provider(r.orderedBy)).writeTo(out);
    }

    private void obr(Appendable out, Result r, String status) throws IOException {
        new Segment("OBR").set(1, "1").set(2, r.placer + "^GENEHR").set(3, r.filler + "^GENLAB")
                .set(4, r.panel.code + "^" + r.panel.name + "^" + (r.panel.code.equals("THYPNL") ? "99GEN" : "LN")).set(7, ts(r.observed))
                .set(16, provider(r.orderedBy)).set(22, ts(clock)).set(24, r.panel.section).set(25, status).writeTo(out);
    }

    private void obx(Appendable out, int set, Test test, String value, String flag, String status, LocalDateTime observed)
            throws IOException {
        Segment obx = new Segment("OBX").set(1, Integer.toString(set)).set(2, test.numeric() ? "NM" : "ST")
                .set(3, test.code + "^" + test.name + "^LN").set(4, "1").set(5, value).set(7, test.range).set(8, flag).set(11, status)
                .set(14, ts(observed)).set(19, ts(clock)).set(23, "GenHosp Laboratory");
        if (test.unitCode != null) {
            obx.set(6, test.unitCode + "^" + test.unitText + "^UCUM");
        }
        obx.writeTo(out);
    }

    private static void obxText(Appendable out, int set, String code, String text) throws IOException {
        new Segment("OBX").set(1, Integer.toString(set)).set(2, "TX").set(3, code).set(5, escape(text)).set(11, "F").writeTo(out);
    }

    private static void nte(Appendable out, String text) throws IOException {
        new Segment("NTE").set(1, "1").set(2, "L").set(3, escape(text)).writeTo(out);
    }

    private static String provider(String[] p) {
        return p[0] + "^" + p[1] + "^" + p[2] + "^" + p[3] + "^^Dr^MD^^" + FACILITY;
    }

    private static String kinRelation(String code) {
        for (String[] kin : KIN) {
            if (kin[0].equals(code)) {
                return kin[0] + "^" + kin[1] + "^HL70063";
            }
        }
        throw new IllegalArgumentException(code);
    }

    private static String address(Visit v) {
        return v.street + "^^" + v.city[0] + "^" + v.city[1] + "^" + v.zip + "^USA^H";
    }

    private static String phone(Visit v, String use) {
        String local = v.phone.substring(0, 3) + "-" + v.phone.substring(3);
        return "(" + v.areaCode + ")" + local + "^" + use + "^PH^^1^" + v.areaCode + "^" + v.phone;
    }

    /** A segment, its fields set by number; the fields between are written empty, those after the last not at all. */
    private static final class Segment {
        private final String id;
        private final String[] fields = new String[48];
        private int last;

        Segment(String id) {
            this.id = id;
        }

        Segment set(int field, String value) {
            fields[field] = value;
            last = Math.max(last, field);
            return this;
        }

        void writeTo(Appendable out) throws IOException {
            out.append(id);
            // MSH-1 is the field separator itself: MSH's fields are written from MSH-2 on.
            for (int i = id.equals("MSH") ? 2 : 1; i <= last; i++) {
                out.append('|');
                if (fields[i] != null) {
                    out.append(fields[i]);
                }
            }
            out.append('\r');
        }
    }

    /** Text as HL7 v2 carries it: the delimiters as escape sequences. */
    private static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\E\\");
                case '|' -> out.append("\\F\\");
                case '^' -> out.append("\\S\\");
                case '&' -> out.append("\\T\\");
                case '~' -> out.append("\\R\\");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    // ---------------------------------------------------------------- values

    private record Test(String code, String name, String unitCode, String unitText, String range, double low, double high, int decimals,
            String[] texts) {
        boolean numeric() {
            return texts == null;
        }
    }

    private record Panel(String code, String name, String section, Test... tests) {
    }

    private static Test nm(String code, String name, String unitCode, String unitText, String range, double low, double high, int decimals) {
        return new Test(code, name, unitCode, unitText, range, low, high, decimals, null);
    }

    /** A result reported as a string; its first value is the normal one. */
    private static Test st(String code, String name, String... values) {
        return new Test(code, name, null, null, values[0], 0, 0, 0, values);
    }

    /** A value and its abnormal flag (HL7 table 0078): mostly within the range, now and then below or above it. */
    private String[] value(Test test) {
        if (!test.numeric()) {
            int i = random.nextInt(100) < 75 ? 0 : 1 + random.nextInt(test.texts.length - 1);
            return new String[] { test.texts[i], i == 0 ? "N" : "A" };
        }
        double span = test.high - test.low;
        int roll = random.nextInt(100);
        double value;
        if (roll < 10 && test.low > 0) {
            value = test.low - span * 0.3 * random.nextDouble();
        } else if (roll < 22) {
            value = test.high + span * 0.6 * random.nextDouble();
        } else {
            value = test.low + span * random.nextDouble();
        }
        String text = String.format(Locale.ROOT, "%." + test.decimals + "f", Math.max(value, 0));
        double shown = Double.parseDouble(text);
        return new String[] { text, shown < test.low ? "L" : shown > test.high ? "H" : "N" };
    }

    /** {@code count} distinct indexes below {@code bound}, in increasing order. */
    private int[] choose(int bound, int count) {
        List<Integer> all = new ArrayList<>(bound);
        for (int i = 0; i < bound; i++) {
            all.add(i);
        }
        Collections.shuffle(all, random);
        return all.subList(0, count).stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    private Kind weighted(Kind[] kinds, int[] weights) {
        int total = 0;
        for (int w : weights) {
            total += w;
        }
        int roll = random.nextInt(total);
        for (int i = 0; i < kinds.length; i++) {
            roll -= weights[i];
            if (roll < 0) {
                return kinds[i];
            }
        }
        throw new IllegalStateException();
    }

    private static LocalDateTime latest(LocalDateTime a, LocalDateTime b) {
        return a.isAfter(b) ? a : b;
    }

    private static String ts(LocalDateTime time) {
        return time.format(SECONDS) + OFFSET;
    }

    private <T> T pick(T[] values) {
        return values[random.nextInt(values.length)];
    }
}
