package org.ehrarchive.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;

/**
 * Writes synthetic FHIR R4 bulk-export folders for benchmarks and tests: what a FHIR server or Synthea hands over when
 * asked for everything ({@code $export}), one NDJSON file per resource type ({@code Patient.ndjson},
 * {@code Observation.ndjson}, ...), one compact JSON resource per line, each line ended by a line feed, UTF-8 without
 * a byte order mark. Names, identifiers, codes and values are drawn from fixed lists with a seeded random source: the
 * same seed gives the same folder, byte for byte, and no real patient is described (social security numbers are of the
 * 9xx-00-xxxx form, which is never issued; telephone numbers are in the fictional 555-01xx range; organizations carry
 * HL7's example OID). Every date falls in the ten years before {@link #EXPORTED} (a fixed day, not the clock's), so
 * that a folder written today and one written next year are the same.
 * <p>
 * The folder is what an archive of a real system is handed, in roughly the proportions of a Synthea export, so that
 * an importer is measured on the work it will do: per patient about 15 encounters, 15 conditions, 100 observations
 * (vital signs with UCUM quantities, blood pressure as one observation of two components, laboratory results with
 * reference ranges and interpretations, some coded or textual, smoking status), 15 medication requests (RxNorm), 5
 * immunizations (CVX), 0 to 2 allergies, 10 procedures (SNOMED CT), 10 laboratory reports that refer to their results,
 * and 15 clinical notes, their text inline as base64. Reference data, the same in every folder of one generator, is
 * written once: 20 organizations, 50 practitioners and 20 locations, to which clinical resources refer. Every resource
 * carries {@code meta.versionId} and {@code meta.lastUpdated} and what US Core requires of it. Patients carry several
 * identifiers with their systems and types, names with accents and apostrophes, and US Core's race and ethnicity.
 * <p>
 * A few percent of resources come again later in the same file, a few patients further on, as version 2 with a later
 * {@code lastUpdated} and one fact changed (a corrected observation value, an encounter finished, a condition
 * resolved, a prescription stopped, a patient's new telephone number): an export of a live system holds such new
 * versions of the same fact, and an importer must keep both in their order.
 * <p>
 * Files are written as streams, every file open at once and each patient's resources appended to theirs as they are
 * made: a folder of any size never sits in memory. What the generator remembers is bounded by one patient (the
 * identifiers that the patient's later resources refer to) and by the few new versions still to be written.
 */
public final class FhirGenerator {

    /** The day the export was taken: every date of the folder falls in the ten years before it. */
    public static final LocalDate EXPORTED = LocalDate.of(2026, 1, 1);

    /** The resource types, one file each, in the order their files are opened. */
    public static final List<String> RESOURCE_TYPES = List.of("Organization", "Location", "Practitioner", "Patient", "Encounter",
            "Condition", "Observation", "MedicationRequest", "Immunization", "AllergyIntolerance", "Procedure", "DiagnosticReport",
            "DocumentReference");

    private static final int ORGANIZATIONS = 20;
    private static final int PRACTITIONERS = 50;
    /** One location for each organization: its site. */
    private static final int LOCATIONS = ORGANIZATIONS;

    // ---------------------------------------------------------------- code systems and other fixed strings

    private static final String SNOMED = "http://snomed.info/sct";
    private static final String LOINC = "http://loinc.org";
    private static final String RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm";
    private static final String CVX = "http://hl7.org/fhir/sid/cvx";
    private static final String ICD10 = "http://hl7.org/fhir/sid/icd-10-cm";
    private static final String UCUM = "http://unitsofmeasure.org";
    private static final String V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203";
    private static final String CDC_RACE = "urn:oid:2.16.840.1.113883.6.238";
    private static final String US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/";
    private static final String MRN_SYSTEM = "urn:oid:2.16.840.1.113883.19.5";
    private static final String SSN_SYSTEM = "http://hl7.org/fhir/sid/us-ssn";
    private static final String NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi";
    private static final String PASSPORT_SYSTEM = "http://hl7.org/fhir/sid/passport-USA";
    /** Organizations' own identifiers, under HL7's OID for examples. */
    private static final String ORGANIZATION_SYSTEM = "urn:oid:2.16.840.1.113883.19.5.99999.1";
    /** Codes of the legacy laboratory system, for what it has no LOINC code for. */
    private static final String LOCAL_LAB = "urn:oid:2.16.840.1.113883.19.5.99999.5";
    private static final String OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category";
    private static final String INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation";
    private static final String ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode";

    /** Local wall time is five hours behind UTC, as the source system kept it all year. */
    private static final String OFFSET = "-05:00";
    private static final long OFFSET_SECONDS = 5 * 3_600;
    private static final long END = EXPORTED.atStartOfDay().toEpochSecond(ZoneOffset.UTC);
    private static final long START = EXPORTED.minusYears(10).atStartOfDay().toEpochSecond(ZoneOffset.UTC);
    /** The last visit begins two months before the export: what follows it (stays, corrections) still falls before. */
    private static final long LAST_VISIT = END - 60 * 86_400L;
    private static final long MINUTE = 60;
    private static final long HOUR = 3_600;
    private static final long DAY = 86_400;

    /** Percent of each kind that comes again as version 2. */
    private static final int REVISED_ENCOUNTERS = 4;
    private static final int REVISED_OBSERVATIONS = 3;
    private static final int REVISED_CONDITIONS = 6;
    private static final int REVISED_ORDERS = 4;
    private static final int REVISED_PATIENTS = 4;
    /** A new version is written this many patients later, at most: new versions interleave with other patients. */
    private static final int REVISION_DELAY = 3;

    // ---------------------------------------------------------------- fictional people and places

    private static final String[] GIVEN_F = { "Alex", "Sam", "Robin", "Kim", "Jordan", "Katherine", "Maria", "Aiko", "Fatima", "Zoë",
            "Renée", "Chloé", "Siobhan", "Ingrid", "Priya", "Grace" };
    private static final String[] GIVEN_M = { "Alex", "Sam", "Robin", "Jordan", "Casey", "Stephen", "Luis", "Tomasz", "Kwame", "Arjun",
            "José", "Björn", "Jörg", "D'Andre", "Omar", "Daniel" };
    private static final String[] MIDDLE = { "A", "B", "J", "L", "M", "R", "T", "Lee", "Marie", "" };
    private static final String[] FAMILY = { "Smith", "Garcia", "Nguyen", "Miller", "Schröder", "Okafor", "Kowalski", "O'Neil",
            "García-López", "Haddad", "Lindqvist", "Patel", "D'Amico", "Lefèvre", "Johnson", "Brown", "Müller", "Kim", "Williams",
            "O'Brien" };
    private static final String[] STREETS = { "Main St", "Oak Ave", "Maple Dr", "Cedar Ln", "River Rd", "Hill St", "Park Blvd", "Elm Ct",
            "Lakeview Ter", "Church St" };
    /** City, state, ZIP prefix, the state's FIPS code (its driver's license OID arc), telephone area code. */
    private static final String[][] CITIES = { { "Springfield", "IL", "627", "17", "217" }, { "Riverton", "WY", "825", "56", "307" },
            { "Fairview", "OR", "970", "41", "503" }, { "Greenville", "SC", "296", "45", "864" }, { "Franklin", "TN", "370", "47", "615" },
            { "Madison", "WI", "537", "55", "608" } };
    private static final String[][] RACES = { { "2106-3", "White" }, { "2106-3", "White" }, { "2054-5", "Black or African American" },
            { "2028-9", "Asian" }, { "1002-5", "American Indian or Alaska Native" },
            { "2076-8", "Native Hawaiian or Other Pacific Islander" } };
    private static final String[][] ETHNICITIES = { { "2186-5", "Not Hispanic or Latino" }, { "2186-5", "Not Hispanic or Latino" },
            { "2135-2", "Hispanic or Latino" } };
    /** BCP 47 code, display, text. */
    private static final String[][] LANGUAGES = { { "en-US", "English (United States)", "English" },
            { "en-US", "English (United States)", "English" }, { "en-US", "English (United States)", "English" },
            { "es", "Spanish", "Spanish" }, { "vi", "Vietnamese", "Vietnamese" }, { "de", "German", "German" } };
    private static final String[][] MARITAL = { { "S", "Never Married" }, { "M", "Married" }, { "M", "Married" }, { "D", "Divorced" },
            { "W", "Widowed" } };
    private static final String[] PRACTITIONER_GIVEN = { "Ana", "David", "Grace", "Erik", "Samir", "Claire", "Wei", "Nadia", "Thomas",
            "Helen", "Marcus", "Yuki", "Peter", "Olivia", "Ravi" };
    private static final String[] PRACTITIONER_FAMILY = { "Rivera", "Chen", "Okonkwo", "Lindgren", "Haddad", "Moreau", "Novak", "Adeyemi",
            "Fischer", "Brennan", "Castillo", "Sato", "Whitfield", "Mensah", "Iyer" };
    private static final String[] ORGANIZATION_KINDS = { "General Hospital", "Family Medicine", "Community Clinic",
            "Internal Medicine Associates" };

    // ---------------------------------------------------------------- clinical content

    /** An encounter's kind: its class (v3 ActCode), its type (SNOMED CT), its length and how often it comes. */
    private record VisitType(String classCode, String classDisplay, String code, String display, long minSeconds, long maxSeconds,
            int weight, boolean wellness) {
        boolean virtual() {
            return classCode.equals("VR");
        }
    }

    private static final VisitType[] VISIT_TYPES = {
            new VisitType("AMB", "ambulatory", "162673000", "General examination of patient (procedure)", 20 * MINUTE, 45 * MINUTE, 22, true),
            new VisitType("AMB", "ambulatory", "185349003", "Encounter for check up (procedure)", 15 * MINUTE, 30 * MINUTE, 18, true),
            new VisitType("AMB", "ambulatory", "185345009", "Encounter for symptom (procedure)", 15 * MINUTE, 40 * MINUTE, 25, false),
            new VisitType("AMB", "ambulatory", "390906007", "Follow-up encounter (procedure)", 15 * MINUTE, 30 * MINUTE, 15, false),
            new VisitType("VR", "virtual", "448337001", "Telemedicine consultation with patient (procedure)", 10 * MINUTE, 25 * MINUTE, 6,
                    false),
            new VisitType("EMER", "emergency", "50849002", "Emergency room admission (procedure)", 2 * HOUR, 8 * HOUR, 9, false),
            new VisitType("IMP", "inpatient encounter", "32485007", "Hospital admission (procedure)", DAY, 5 * DAY, 5, false) };

    /** A condition: SNOMED CT and ICD-10-CM codes, whether it lasts, and the drugs (indexes in {@link #DRUGS}) it is treated with. */
    private record Problem(String code, String display, String icd10, String icd10Display, boolean chronic, int... drugs) {
    }

    private static final Problem[] PROBLEMS = {
            new Problem("44054006", "Diabetes mellitus type 2 (disorder)", "E11.9", "Type 2 diabetes mellitus without complications", true,
                    0, 13),
            new Problem("59621000", "Essential hypertension (disorder)", "I10", "Essential (primary) hypertension", true, 1, 3, 10),
            new Problem("55822004", "Hyperlipidemia (disorder)", "E78.5", "Hyperlipidemia, unspecified", true, 2, 12),
            new Problem("195967001", "Asthma (disorder)", "J45.909", "Unspecified asthma, uncomplicated", true, 8, 9),
            new Problem("15777000", "Prediabetes (finding)", "R73.03", "Prediabetes", true),
            new Problem("162864005", "Body mass index 30+ - obesity (finding)", "E66.9", "Obesity, unspecified", true),
            new Problem("239873007", "Osteoarthritis of knee (disorder)", "M17.9", "Osteoarthritis of knee, unspecified", true, 11, 5),
            new Problem("35489007", "Depressive disorder (disorder)", "F32.A", "Depression, unspecified", true, 14),
            new Problem("444814009", "Viral sinusitis (disorder)", "J01.90", "Acute sinusitis, unspecified", false, 4),
            new Problem("195662009", "Acute viral pharyngitis (disorder)", "J02.9", "Acute pharyngitis, unspecified", false, 4),
            new Problem("10509002", "Acute bronchitis (disorder)", "J20.9", "Acute bronchitis, unspecified", false, 4, 9),
            new Problem("43878008", "Streptococcal sore throat (disorder)", "J02.0", "Streptococcal pharyngitis", false, 6, 7),
            new Problem("65363002", "Otitis media (disorder)", "H66.90", "Otitis media, unspecified, unspecified ear", false, 6),
            new Problem("44465007", "Sprain of ankle (disorder)", "S93.409A", "Sprain of unspecified ligament of unspecified ankle", false,
                    11, 5),
            new Problem("68566005", "Urinary tract infectious disease (disorder)", "N39.0", "Urinary tract infection, site not specified",
                    false, 15),
            new Problem("233604007", "Pneumonia (disorder)", "J18.9", "Pneumonia, unspecified organism", false, 6),
            new Problem("73595000", "Stress (finding)", "Z73.3", "Stress, not elsewhere classified", false),
            new Problem("271737000", "Anemia (disorder)", "D64.9", "Anemia, unspecified", false) };

    /** RxNorm code and name, the dose's text, times a day, whether taken as needed. */
    private record Drug(String code, String display, String dose, int perDay, boolean asNeeded) {
    }

    private static final Drug[] DRUGS = {
            new Drug("860975", "24 HR metformin hydrochloride 500 MG Extended Release Oral Tablet", "Take 1 tablet by mouth daily with dinner", 1,
                    false),
            new Drug("314076", "lisinopril 10 MG Oral Tablet", "Take 1 tablet by mouth once daily", 1, false),
            new Drug("617310", "atorvastatin 20 MG Oral Tablet", "Take 1 tablet by mouth at bedtime", 1, false),
            new Drug("197361", "amlodipine 5 MG Oral Tablet", "Take 1 tablet by mouth once daily", 1, false),
            new Drug("313782", "acetaminophen 325 MG Oral Tablet", "Take 2 tablets by mouth every 6 hours as needed for pain or fever", 4,
                    true),
            new Drug("849574", "naproxen sodium 220 MG Oral Tablet", "Take 1 tablet by mouth every 12 hours as needed for pain", 2, true),
            new Drug("308182", "amoxicillin 250 MG Oral Capsule", "Take 1 capsule by mouth three times daily for 10 days", 3, false),
            new Drug("834061", "penicillin V potassium 250 MG Oral Tablet", "Take 1 tablet by mouth four times daily for 10 days", 4, false),
            new Drug("895994", "120 ACTUAT fluticasone propionate 0.044 MG/ACTUAT Metered Dose Inhaler", "Inhale 2 puffs twice daily", 2,
                    false),
            new Drug("745679", "200 ACTUAT albuterol 0.09 MG/ACTUAT Metered Dose Inhaler",
                    "Inhale 2 puffs every 4 to 6 hours as needed for wheezing", 6, true),
            new Drug("310798", "hydrochlorothiazide 25 MG Oral Tablet", "Take 1 tablet by mouth every morning", 1, false),
            new Drug("310965", "ibuprofen 200 MG Oral Tablet", "Take 2 tablets by mouth every 8 hours as needed with food", 3, true),
            new Drug("312961", "simvastatin 20 MG Oral Tablet", "Take 1 tablet by mouth in the evening", 1, false),
            new Drug("106892", "insulin isophane, human 70 UNT/ML / insulin regular, human 30 UNT/ML Injectable Suspension",
                    "Inject 20 units under the skin twice daily before meals", 2, false),
            new Drug("312938", "sertraline 50 MG Oral Tablet", "Take 1 tablet by mouth once daily", 1, false),
            new Drug("311989", "nitrofurantoin 100 MG Oral Capsule", "Take 1 capsule by mouth twice daily for 5 days", 2, false) };

    /** CVX code, name, dose in tenths of a millilitre; influenza comes most often, as it does. */
    private static final String[][] VACCINES = { { "140", "Influenza, seasonal, injectable, preservative free", "5" },
            { "140", "Influenza, seasonal, injectable, preservative free", "5" }, { "141", "Influenza, seasonal, injectable", "5" },
            { "115", "Tdap", "5" }, { "113", "Td (adult) preservative free", "5" }, { "133", "Pneumococcal conjugate PCV 13", "5" },
            { "33", "pneumococcal polysaccharide vaccine, 23 valent", "5" }, { "43", "Hep B, adult", "10" },
            { "83", "Hep A, ped/adol, 2 dose", "5" }, { "187", "zoster vaccine recombinant", "5" }, { "62", "HPV, quadrivalent", "5" },
            { "208", "SARS-COV-2 (COVID-19) vaccine, mRNA, spike protein, LNP, preservative free, 30 mcg/0.3mL dose", "3" } };
    private static final String[][] SITES = { { "LA", "left arm" }, { "RA", "right arm" }, { "LD", "left deltoid" }, { "RD", "right deltoid" } };

    /** SNOMED CT code and name, minutes it takes. */
    private static final String[][] PROCEDURES = { { "430193006", "Medication Reconciliation (procedure)", "15" },
            { "710824005", "Assessment of health and social care needs (procedure)", "15" },
            { "171207006", "Depression screening (procedure)", "10" },
            { "428211000124100", "Assessment of substance use (procedure)", "10" }, { "117015009", "Throat culture (procedure)", "10" },
            { "399208008", "Plain X-ray of chest (procedure)", "20" }, { "29303009", "Electrocardiographic procedure (procedure)", "20" },
            { "23426006", "Measurement of respiratory function (procedure)", "20" }, { "73761001", "Colonoscopy (procedure)", "60" },
            { "76601001", "Intramuscular injection (procedure)", "5" }, { "18949003", "Change of dressing (procedure)", "15" },
            { "288086009", "Suture open wound (procedure)", "30" } };

    /** Category, code (SNOMED CT or RxNorm), name, then the reactions (SNOMED CT code, name) it may cause. */
    private static final String[][] ALLERGENS = { { "medication", RXNORM, "7980", "Penicillin G", "271807003", "Eruption of skin (disorder)",
            "247472004", "Wheal (finding)", "39579001", "Anaphylaxis (disorder)" },
            { "medication", RXNORM, "2670", "Codeine", "422587007", "Nausea (finding)", "271807003", "Eruption of skin (disorder)" },
            { "medication", RXNORM, "1191", "Aspirin", "247472004", "Wheal (finding)", "56018004", "Wheezing (finding)" },
            { "medication", RXNORM, "10831", "Sulfamethoxazole", "271807003", "Eruption of skin (disorder)" },
            { "food", SNOMED, "762952008", "Peanut (substance)", "39579001", "Anaphylaxis (disorder)", "247472004", "Wheal (finding)" },
            { "food", SNOMED, "735029006", "Shellfish (substance)", "267038008", "Edema (finding)", "247472004", "Wheal (finding)" },
            { "food", SNOMED, "102263004", "Eggs (edible) (substance)", "271807003", "Eruption of skin (disorder)" },
            { "environment", SNOMED, "111088007", "Latex (substance)", "271807003", "Eruption of skin (disorder)" },
            { "environment", SNOMED, "256277009", "Grass pollen (substance)", "49727002", "Cough (finding)", "56018004", "Wheezing (finding)" },
            { "environment", SNOMED, "260147004", "House dust mite (organism)", "49727002", "Cough (finding)" } };

    /** Smoking status (SNOMED CT code, name): the patient's for life. */
    private static final String[][] SMOKING = { { "266919005", "Never smoked tobacco (finding)" },
            { "266919005", "Never smoked tobacco (finding)" }, { "8517006", "Ex-smoker (finding)" },
            { "449868002", "Smokes tobacco daily (finding)" } };

    /** LOINC code and name of a note, per encounter class. */
    private static final String[][] NOTES_AMB = { { "11506-3", "Progress note" }, { "11506-3", "Progress note" },
            { "34117-2", "History and physical note" }, { "11488-4", "Consult note" } };
    private static final String[][] NOTE_EMER = { { "34111-5", "Emergency department note" } };
    private static final String[][] NOTE_IMP = { { "18842-5", "Discharge summary" } };
    private static final String[] COMPLAINTS = { "follow-up of blood pressure", "cough for five days", "low back pain", "medication review",
            "elevated blood sugar", "chest discomfort on exertion", "annual examination", "burning on urination", "sore throat and fever",
            "ankle pain after a fall" };
    private static final String[][] NOTE_LINES = {
            { "Subjective: patient reports feeling well overall.", "Subjective: symptoms started about a week ago.",
                    "Denies fever, chills or night sweats.", "Sleeping 6-7 hours a night; appetite normal.",
                    "Reports good adherence to current medications.", "No recent travel and no sick contacts." },
            { "Objective: vital signs reviewed and within expected limits.", "Lungs clear to auscultation bilaterally.",
                    "Heart regular rate and rhythm, no murmur.", "Abdomen soft, non-tender.", "No peripheral edema.",
                    "Gait steady; mild paraspinal tenderness." },
            { "Assessment: condition stable on current regimen.", "Assessment: likely viral upper respiratory infection.",
                    "Findings consistent with mechanical back pain.", "Glycemic control not at goal.", "Blood pressure near goal." },
            { "Plan: continue current medications.", "Plan: repeat labs in 3 months and review results.", "Increase fluids; rest.",
                    "Referral to physical therapy.", "Return if symptoms worsen or new symptoms appear.",
                    "Patient education provided; questions answered." } };

    /**
     * What is measured: LOINC code and name, category, UCUM unit and the unit shown, decimals; for laboratory results
     * the reference range ({@code low} and {@code high} in units of the last decimal, {@code low} -1 when there is only
     * an upper limit), for results reported as words the words (the first the normal one), coded in SNOMED CT when
     * {@code coded}.
     */
    private record Test(String code, String display, String category, String ucum, String unit, int decimals, long low, long high,
            String range, String[] words, boolean coded) {
        boolean quantity() {
            return words == null;
        }
    }

    private record Panel(String code, String system, String display, Test... tests) {
    }

    private static final Test BLOOD_PRESSURE = vital("85354-9", "Blood pressure panel with all children optional", "mm[Hg]", 0);
    private static final Test SYSTOLIC = vital("8480-6", "Systolic blood pressure", "mm[Hg]", 0);
    private static final Test DIASTOLIC = vital("8462-4", "Diastolic blood pressure", "mm[Hg]", 0);
    /** The vital signs, in the order they are taken; the first is {@link #BLOOD_PRESSURE}. */
    private static final Test[] VITALS = { BLOOD_PRESSURE, vital("8867-4", "Heart rate", "/min", 0),
            vital("9279-1", "Respiratory rate", "/min", 0), vital("8310-5", "Body temperature", "Cel", 1),
            vital("29463-7", "Body weight", "kg", 1), vital("8302-2", "Body height", "cm", 1),
            vital("39156-5", "Body mass index (BMI) [Ratio]", "kg/m2", 1),
            vital("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry", "%", 0),
            vital("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported", "{score}", 0) };
    private static final Test SMOKING_STATUS = new Test("72166-2", "Tobacco smoking status", "social-history", null, null, 0, 0, 0, null,
            new String[0], true);

    private static final Panel[] PANELS = {
            new Panel("24323-8", LOINC, "Comprehensive metabolic 2000 panel - Serum or Plasma",
                    lab("2345-7", "Glucose [Mass/volume] in Serum or Plasma", "mg/dL", "mg/dL", 0, 70, 99, "70-99 mg/dL"),
                    lab("3094-0", "Urea nitrogen [Mass/volume] in Serum or Plasma", "mg/dL", "mg/dL", 0, 7, 20, "7-20 mg/dL"),
                    lab("2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "mg/dL", "mg/dL", 2, 60, 130, "0.60-1.30 mg/dL"),
                    lab("2951-2", "Sodium [Moles/volume] in Serum or Plasma", "mmol/L", "mmol/L", 0, 136, 145, "136-145 mmol/L"),
                    lab("2823-3", "Potassium [Moles/volume] in Serum or Plasma", "mmol/L", "mmol/L", 1, 35, 51, "3.5-5.1 mmol/L"),
                    lab("2075-0", "Chloride [Moles/volume] in Serum or Plasma", "mmol/L", "mmol/L", 0, 98, 107, "98-107 mmol/L"),
                    lab("2028-9", "Carbon dioxide, total [Moles/volume] in Serum or Plasma", "mmol/L", "mmol/L", 0, 22, 29, "22-29 mmol/L"),
                    lab("17861-6", "Calcium [Mass/volume] in Serum or Plasma", "mg/dL", "mg/dL", 1, 85, 105, "8.5-10.5 mg/dL"),
                    lab("1751-7", "Albumin [Mass/volume] in Serum or Plasma", "g/dL", "g/dL", 1, 35, 50, "3.5-5.0 g/dL"),
                    lab("1742-6", "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma", "U/L", "U/L", 0, 7, 56,
                            "7-56 U/L")),
            new Panel("58410-2", LOINC, "CBC panel - Blood by Automated count",
                    lab("6690-2", "Leukocytes [#/volume] in Blood by Automated count", "10*3/uL", "K/uL", 1, 40, 110, "4.0-11.0 K/uL"),
                    lab("789-8", "Erythrocytes [#/volume] in Blood by Automated count", "10*6/uL", "M/uL", 2, 420, 590, "4.20-5.90 M/uL"),
                    lab("718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL", "g/dL", 1, 120, 175, "12.0-17.5 g/dL"),
                    lab("4544-3", "Hematocrit [Volume Fraction] of Blood by Automated count", "%", "%", 1, 360, 520, "36.0-52.0 %"),
                    lab("787-2", "MCV [Entitic volume] by Automated count", "fL", "fL", 0, 80, 100, "80-100 fL"),
                    lab("777-3", "Platelets [#/volume] in Blood by Automated count", "10*3/uL", "K/uL", 0, 150, 400, "150-400 K/uL")),
            new Panel("57698-3", LOINC, "Lipid panel with direct LDL - Serum or Plasma",
                    lab("2093-3", "Cholesterol [Mass/volume] in Serum or Plasma", "mg/dL", "mg/dL", 0, -1, 199, "<200 mg/dL"),
                    lab("2571-8", "Triglyceride [Mass/volume] in Serum or Plasma", "mg/dL", "mg/dL", 0, -1, 149, "<150 mg/dL"),
                    lab("2085-9", "Cholesterol in HDL [Mass/volume] in Serum or Plasma", "mg/dL", "mg/dL", 0, 40, 60, "40-60 mg/dL"),
                    lab("18262-6", "Cholesterol in LDL [Mass/volume] in Serum or Plasma by Direct assay", "mg/dL", "mg/dL", 0, -1, 99,
                            "<100 mg/dL")),
            new Panel("4548-4", LOINC, "Hemoglobin A1c/Hemoglobin.total in Blood",
                    lab("4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", "%", "%", 1, 40, 56, "4.0-5.6 %"),
                    lab("27353-2", "Glucose mean value [Mass/volume] in Blood Estimated from glycated hemoglobin", "mg/dL", "mg/dL", 0, 68,
                            114, "68-114 mg/dL"),
                    lab("2345-7", "Glucose [Mass/volume] in Serum or Plasma", "mg/dL", "mg/dL", 0, 70, 99, "70-99 mg/dL")),
            new Panel("24356-8", LOINC, "Urinalysis complete panel - Urine",
                    words("5778-6", "Color of Urine", false, "Yellow", "Amber", "Red"),
                    words("5767-9", "Appearance of Urine", false, "Clear", "Hazy", "Cloudy"),
                    lab("5811-5", "Specific gravity of Urine by Test strip", "{SG}", "{SG}", 3, 1005, 1030, "1.005-1.030"),
                    lab("5803-2", "pH of Urine by Test strip", "[pH]", "[pH]", 1, 50, 80, "5.0-8.0"),
                    words("5804-0", "Protein [Mass/volume] in Urine by Test strip", true, "Negative", "Trace", "1+"),
                    words("5792-7", "Glucose [Mass/volume] in Urine by Test strip", true, "Negative", "Trace", "2+"),
                    words("5799-2", "Leukocyte esterase [Presence] in Urine by Test strip", true, "Negative", "Small", "Moderate"),
                    words("5802-4", "Nitrite [Presence] in Urine by Test strip", true, "Negative", "Positive")),
            // A local code, as legacy laboratory systems often send them.
            new Panel("THYPNL", LOCAL_LAB, "Thyroid panel",
                    lab("3016-3", "Thyrotropin [Units/volume] in Serum or Plasma", "m[IU]/L", "mIU/L", 2, 40, 400, "0.40-4.00 mIU/L"),
                    lab("3024-7", "Thyroxine (T4) free [Mass/volume] in Serum or Plasma", "ng/dL", "ng/dL", 2, 80, 180, "0.80-1.80 ng/dL"),
                    lab("3051-0", "Triiodothyronine (T3) free [Mass/volume] in Serum or Plasma", "pg/mL", "pg/mL", 1, 23, 42,
                            "2.3-4.2 pg/mL")) };

    private static final long[] POWERS = { 1, 10, 100, 1_000, 10_000 };

    // ---------------------------------------------------------------- state

    private final Random random;
    private final String prefix;
    private final int ssnOffset;
    private final JsonFactory json = new JsonFactoryBuilder().rootValueSeparator((String) null).build();
    private final char[] chars = new char[40];

    private final Organization[] organizations = new Organization[ORGANIZATIONS];
    private final Practitioner[] practitioners = new Practitioner[PRACTITIONERS];
    private final Site[] sites = new Site[LOCATIONS];
    /** The new versions still to be written, each once its patient is {@link #REVISION_DELAY} patients behind at most. */
    private final List<Revision> revisions = new ArrayList<>();
    private int patientCount;

    private Out patientOut;
    private Out encountersOut;
    private Out conditionsOut;
    private Out observationsOut;
    private Out ordersOut;
    private Out immunizationsOut;
    private Out allergiesOut;
    private Out proceduresOut;
    private Out reportsOut;
    private Out documentsOut;

    /**
     * What a folder holds: patients, resources (lines, new versions included), files and bytes written, and lines per
     * resource type, in the order of their names.
     */
    public record Shape(int patients, long resources, int files, long bytes, Map<String, Long> resourceTypes) {
    }

    public FhirGenerator(long seed) {
        this.random = new Random(seed);
        this.prefix = "F" + Long.toUnsignedString(seed, 36).toUpperCase(Locale.ROOT) + "-";
        this.ssnOffset = (int) Math.floorMod(seed * 7_919L, 1_000_000L);
        referenceData();
    }

    /**
     * Writes a bulk-export folder for {@code patients} patients into {@code folder} (created if missing): every file of
     * {@link #RESOURCE_TYPES}, {@code <type>.ndjson}, an existing one replaced. A second call writes another folder of
     * other patients (their numbers, times and identifiers follow those of the first) with the same reference data.
     */
    public Shape writeExport(Path folder, int patients) throws IOException {
        if (patients < 0) {
            throw new IllegalArgumentException("patients must be at least 0");
        }
        Files.createDirectories(folder);
        List<Out> outs = new ArrayList<>();
        Throwable failure = null;
        try {
            for (String type : RESOURCE_TYPES) {
                outs.add(new Out(type, folder.resolve(type + ".ndjson"),
                        json.createGenerator(new BufferedOutputStream(Files.newOutputStream(folder.resolve(type + ".ndjson")), 1 << 16),
                                JsonEncoding.UTF8)));
            }
            Out organizationOut = outs.get(0);
            Out locationOut = outs.get(1);
            Out practitionerOut = outs.get(2);
            patientOut = outs.get(3);
            encountersOut = outs.get(4);
            conditionsOut = outs.get(5);
            observationsOut = outs.get(6);
            ordersOut = outs.get(7);
            immunizationsOut = outs.get(8);
            allergiesOut = outs.get(9);
            proceduresOut = outs.get(10);
            reportsOut = outs.get(11);
            documentsOut = outs.get(12);

            for (Organization o : organizations) {
                organization(organizationOut, o);
            }
            for (Site s : sites) {
                location(locationOut, s);
            }
            for (Practitioner p : practitioners) {
                practitioner(practitionerOut, p);
            }
            for (int i = 0; i < patients; i++) {
                int number = ++patientCount;
                patient(number);
                writeRevisions(number);
            }
            writeRevisions(Integer.MAX_VALUE);
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            revisions.clear();
            Closing.all(outs.stream().map(out -> out.json).toList(), failure);
        }
        Map<String, Long> types = new TreeMap<>();
        long resources = 0;
        long bytes = 0;
        for (Out out : outs) {
            types.put(out.type, out.lines);
            resources += out.lines;
            bytes += Files.size(out.file);
        }
        return new Shape(patients, resources, outs.size(), bytes, Collections.unmodifiableMap(types));
    }

    /** One output file: its generator, and the lines written to it. */
    private static final class Out {
        final String type;
        final Path file;
        final JsonGenerator json;
        long lines;

        Out(String type, Path file, JsonGenerator json) {
            this.type = type;
            this.file = file;
            this.json = json;
        }
    }

    /** A new version to write later, once the patient number written reaches {@code due}. */
    private record Revision(int due, Write write) {
    }

    @FunctionalInterface
    private interface Write {
        void run() throws IOException;
    }

    private void revise(int patient, Write write) {
        revisions.add(new Revision(patient + random.nextInt(REVISION_DELAY + 1), write));
    }

    private void writeRevisions(int patient) throws IOException {
        for (Iterator<Revision> i = revisions.iterator(); i.hasNext();) {
            Revision r = i.next();
            if (r.due <= patient) {
                r.write.run();
                i.remove();
            }
        }
    }

    // ---------------------------------------------------------------- reference data

    private record Organization(String id, String identifier, String name, String phone, String street, String[] city, String zip,
            long updated) {
    }

    private record Practitioner(String id, String npi, String family, String given, String gender, int organization, String display,
            long updated) {
    }

    private record Site(String id, String name, int organization, long updated) {
    }

    private void referenceData() {
        for (int i = 0; i < ORGANIZATIONS; i++) {
            String[] city = CITIES[i % CITIES.length];
            String name = city[0] + " " + ORGANIZATION_KINDS[i / CITIES.length % ORGANIZATION_KINDS.length];
            String phone = city[4] + "-555-01" + two(random.nextInt(100));
            String street = (100 + random.nextInt(9_800)) + " " + pick(STREETS);
            organizations[i] = new Organization(uuid(), String.format(Locale.ROOT, "ORG%04d", 1 + i), name, phone, street, city,
                    city[2] + two(random.nextInt(100)), referenceUpdated());
        }
        for (int i = 0; i < LOCATIONS; i++) {
            boolean hospital = i / CITIES.length % ORGANIZATION_KINDS.length == 0;
            sites[i] = new Site(uuid(), organizations[i].name + (hospital ? ", Main Campus" : ", Clinic"), i, referenceUpdated());
        }
        for (int i = 0; i < PRACTITIONERS; i++) {
            String given = pick(PRACTITIONER_GIVEN);
            String family = pick(PRACTITIONER_FAMILY);
            practitioners[i] = new Practitioner(uuid(), String.format(Locale.ROOT, "99999%05d", random.nextInt(100_000)), family, given,
                    random.nextBoolean() ? "female" : "male", i % ORGANIZATIONS, "Dr. " + given + " " + family, referenceUpdated());
        }
    }

    /** Reference data was last updated in the first month of the ten years, in working hours. */
    private long referenceUpdated() {
        return updated(START + random.nextInt(30) * DAY + 8 * HOUR + random.nextInt(600) * MINUTE);
    }

    /** An {@code identifier} array of one system and value. */
    private static void identifier(JsonGenerator g, String system, String value) throws IOException {
        g.writeArrayFieldStart("identifier");
        g.writeStartObject();
        g.writeStringField("system", system);
        g.writeStringField("value", value);
        g.writeEndObject();
        g.writeEndArray();
    }

    private void organization(Out out, Organization o) throws IOException {
        JsonGenerator g = begin(out, o.id, 1, o.updated);
        identifier(g, ORGANIZATION_SYSTEM, o.identifier);
        g.writeBooleanField("active", true);
        concepts(g, "type", "http://terminology.hl7.org/CodeSystem/organization-type", "prov", "Healthcare Provider", "Healthcare Provider");
        g.writeStringField("name", o.name);
        telecom(g, "phone", o.phone, "work");
        g.writeArrayFieldStart("address");
        address(g, null, o.street, null, o.city, o.zip);
        g.writeEndArray();
        end(out);
    }

    private void location(Out out, Site s) throws IOException {
        Organization o = organizations[s.organization];
        JsonGenerator g = begin(out, s.id, 1, s.updated);
        g.writeStringField("status", "active");
        g.writeStringField("name", s.name);
        boolean hospital = s.name.endsWith("Main Campus");
        concepts(g, "type", "http://terminology.hl7.org/CodeSystem/v3-RoleCode", hospital ? "HOSP" : "OF",
                hospital ? "Hospital" : "Outpatient facility", null);
        telecom(g, "phone", o.phone, "work");
        g.writeFieldName("address");
        address(g, null, o.street, null, o.city, o.zip);
        concept(g, "physicalType", "http://terminology.hl7.org/CodeSystem/location-physical-type", "bu", "Building", null);
        reference(g, "managingOrganization", "Organization", o.id, o.name);
        end(out);
    }

    private void practitioner(Out out, Practitioner p) throws IOException {
        Organization o = organizations[p.organization];
        JsonGenerator g = begin(out, p.id, 1, p.updated);
        identifier(g, NPI_SYSTEM, p.npi);
        g.writeBooleanField("active", true);
        g.writeArrayFieldStart("name");
        g.writeStartObject();
        g.writeStringField("use", "official");
        g.writeStringField("family", p.family);
        g.writeArrayFieldStart("given");
        g.writeString(p.given);
        g.writeEndArray();
        g.writeArrayFieldStart("prefix");
        g.writeString("Dr.");
        g.writeEndArray();
        g.writeEndObject();
        g.writeEndArray();
        g.writeArrayFieldStart("telecom");
        telecomValue(g, "phone", o.phone, "work");
        telecomValue(g, "email", p.given.toLowerCase(Locale.ROOT) + "." + p.family.toLowerCase(Locale.ROOT) + "@example.org", "work");
        g.writeEndArray();
        g.writeArrayFieldStart("address");
        address(g, null, o.street, null, o.city, o.zip);
        g.writeEndArray();
        g.writeStringField("gender", p.gender);
        end(out);
    }

    // ---------------------------------------------------------------- the patient

    /** A patient's demographics and what stays the same from visit to visit. */
    private static final class Person implements Cloneable {
        int number;
        String id;
        String mrn;
        String ssn;
        String license;
        String passport;
        String gender;
        String given;
        String middle;
        String family;
        String maiden;
        long birthDay;
        String[] race;
        String[] ethnicity;
        String[] language;
        String[] marital;
        String street;
        String unit;
        String[] city;
        String zip;
        String phone;
        String mobile;
        int organization;
        int practitioner;
        long deceased = -1;
        long updated;
        int heightMm;
        int weightHg;
        int systolic;
        int diastolic;
        String[] smoking;
        /** The conditions diagnosed so far: what later prescriptions and procedures name as their reason. */
        final List<Diagnosis> diagnoses = new ArrayList<>();
        final boolean[] chronic = new boolean[PROBLEMS.length];

        Person copy() {
            try {
                return (Person) super.clone();
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
        }
    }

    private void patient(int number) throws IOException {
        Person p = person(number);
        int visits = 8 + random.nextInt(15);
        long[] starts = new long[visits];
        long from = Math.max(START, p.birthDay * DAY + 365 * DAY);
        for (int i = 0; i < visits; i++) {
            starts[i] = from + (long) (random.nextDouble() * (LAST_VISIT - from)) / DAY * DAY;
        }
        Arrays.sort(starts);
        VisitType[] types = new VisitType[visits];
        long[] times = new long[visits];
        long[] ends = new long[visits];
        long previousEnd = 0;
        for (int i = 0; i < visits; i++) {
            types[i] = visitType();
            long start = types[i].classCode.equals("AMB") || types[i].virtual()
                    ? starts[i] + 8 * HOUR + random.nextInt(40) * 15 * MINUTE
                    : starts[i] + random.nextInt(24) * HOUR + random.nextInt(60) * MINUTE;
            if (start <= previousEnd) {
                start = previousEnd + DAY;
            }
            times[i] = start;
            ends[i] = start + types[i].minSeconds + (long) (random.nextDouble() * (types[i].maxSeconds - types[i].minSeconds)) / MINUTE * MINUTE;
            previousEnd = ends[i];
        }
        if (random.nextInt(100) < 5) {
            long after = ends[visits - 1] + DAY;
            p.deceased = after + (long) (random.nextDouble() * Math.max(0, Math.min(365 * DAY, END - DAY - after))) / MINUTE * MINUTE;
        }
        p.updated = updated(times[0] - 10 * MINUTE - random.nextInt(120) * MINUTE);
        patientResource(p, 1);
        if (random.nextInt(100) < REVISED_PATIENTS) {
            Person changed = p.copy();
            changed.phone = changed.city[4] + "-555-01" + two((Integer.parseInt(p.phone.substring(10)) + 1 + random.nextInt(99)) % 100);
            changed.updated = later(p.updated, 30 * DAY, 300 * DAY);
            revise(number, () -> patientResource(changed, 2));
        }
        for (int i = 0; i < visits; i++) {
            visit(p, types[i], times[i], ends[i], i == 0);
        }
    }

    private Person person(int number) {
        Person p = new Person();
        p.number = number;
        p.id = uuid();
        p.mrn = prefix + String.format(Locale.ROOT, "M%07d", number);
        p.gender = random.nextBoolean() ? "female" : "male";
        p.given = pick(p.gender.equals("female") ? GIVEN_F : GIVEN_M);
        p.middle = pick(MIDDLE);
        p.family = pick(FAMILY);
        p.birthDay = LocalDate.of(1940, 1, 1).toEpochDay() + random.nextInt(65 * 365);
        p.marital = pick(MARITAL);
        if (p.gender.equals("female") && p.marital[0].equals("M") && random.nextInt(100) < 60) {
            p.maiden = pick(FAMILY);
        }
        p.race = pick(RACES);
        p.ethnicity = pick(ETHNICITIES);
        p.language = pick(LANGUAGES);
        p.city = pick(CITIES);
        p.street = (1 + random.nextInt(9_899)) + " " + pick(STREETS);
        p.unit = random.nextInt(100) < 25 ? "Apt " + (1 + random.nextInt(40)) : null;
        p.zip = p.city[2] + two(random.nextInt(100));
        p.phone = p.city[4] + "-555-01" + two(random.nextInt(100));
        p.mobile = random.nextInt(100) < 50 ? p.city[4] + "-555-01" + two(random.nextInt(100)) : null;
        p.ssn = random.nextInt(100) < 85 ? ssn(number) : null;
        p.license = random.nextInt(100) < 60 ? "S99" + String.format(Locale.ROOT, "%06d", random.nextInt(1_000_000)) : null;
        p.passport = random.nextInt(100) < 20 ? "X" + String.format(Locale.ROOT, "%08d", random.nextInt(100_000_000)) + "X" : null;
        p.organization = random.nextInt(ORGANIZATIONS);
        p.practitioner = p.organization + ORGANIZATIONS * random.nextInt(staffOf(p.organization));
        p.heightMm = (p.gender.equals("female") ? 1_520 : 1_630) + random.nextInt(300);
        p.weightHg = (p.gender.equals("female") ? 480 : 600) + random.nextInt(600);
        p.systolic = 105 + random.nextInt(40);
        p.diastolic = 65 + random.nextInt(25);
        p.smoking = pick(SMOKING);
        return p;
    }

    /** How many practitioners work for an organization: practitioner {@code i} works for organization {@code i % 20}. */
    private static int staffOf(int organization) {
        return (PRACTITIONERS - 1 - organization) / ORGANIZATIONS + 1;
    }

    /** A social security number of the 9xx-00-xxxx form: neither an SSN nor an ITIN is ever issued so. */
    private String ssn(int patient) {
        int n = (patient + ssnOffset) % 1_000_000;
        return String.format(Locale.ROOT, "9%02d-00-%04d", n / 10_000, n % 10_000);
    }

    private void patientResource(Person p, int version) throws IOException {
        JsonGenerator g = begin(patientOut, p.id, version, p.updated);
        g.writeArrayFieldStart("extension");
        ombExtension(g, "us-core-race", p.race);
        ombExtension(g, "us-core-ethnicity", p.ethnicity);
        g.writeStartObject();
        g.writeStringField("url", US_CORE + "us-core-birthsex");
        g.writeStringField("valueCode", p.gender.equals("female") ? "F" : "M");
        g.writeEndObject();
        g.writeEndArray();

        g.writeArrayFieldStart("identifier");
        identifier(g, "MR", "Medical Record Number", MRN_SYSTEM, p.mrn);
        if (p.ssn != null) {
            identifier(g, "SS", "Social Security Number", SSN_SYSTEM, p.ssn);
        }
        if (p.license != null) {
            identifier(g, "DL", "Driver's License", "urn:oid:2.16.840.1.113883.4.3." + p.city[3], p.license);
        }
        if (p.passport != null) {
            identifier(g, "PPN", "Passport Number", PASSPORT_SYSTEM, p.passport);
        }
        g.writeEndArray();

        g.writeArrayFieldStart("name");
        name(g, "official", p.family, p.given, p.middle, p.gender.equals("male") ? "Mr." : p.marital[0].equals("M") ? "Mrs." : "Ms.");
        if (p.maiden != null) {
            name(g, "maiden", p.maiden, p.given, p.middle, null);
        }
        g.writeEndArray();

        g.writeArrayFieldStart("telecom");
        telecomValue(g, "phone", p.phone, "home");
        if (p.mobile != null) {
            telecomValue(g, "phone", p.mobile, "mobile");
        }
        g.writeEndArray();
        g.writeStringField("gender", p.gender);
        date(g, "birthDate", p.birthDay);
        if (p.deceased >= 0) {
            dateTime(g, "deceasedDateTime", p.deceased);
        }
        g.writeArrayFieldStart("address");
        address(g, "home", p.street, p.unit, p.city, p.zip);
        g.writeEndArray();
        concept(g, "maritalStatus", "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus", p.marital[0], p.marital[1], p.marital[1]);
        g.writeBooleanField("multipleBirthBoolean", false);
        g.writeArrayFieldStart("communication");
        g.writeStartObject();
        concept(g, "language", "urn:ietf:bcp:47", p.language[0], p.language[1], p.language[2]);
        g.writeEndObject();
        g.writeEndArray();
        g.writeArrayFieldStart("generalPractitioner");
        referenceValue(g, "Practitioner", practitioners[p.practitioner].id, practitioners[p.practitioner].display);
        g.writeEndArray();
        reference(g, "managingOrganization", "Organization", organizations[p.organization].id, organizations[p.organization].name);
        end(patientOut);
    }

    private void ombExtension(JsonGenerator g, String name, String[] category) throws IOException {
        g.writeStartObject();
        g.writeStringField("url", US_CORE + name);
        g.writeArrayFieldStart("extension");
        g.writeStartObject();
        g.writeStringField("url", "ombCategory");
        g.writeObjectFieldStart("valueCoding");
        g.writeStringField("system", CDC_RACE);
        g.writeStringField("code", category[0]);
        g.writeStringField("display", category[1]);
        g.writeEndObject();
        g.writeEndObject();
        g.writeStartObject();
        g.writeStringField("url", "text");
        g.writeStringField("valueString", category[1]);
        g.writeEndObject();
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void identifier(JsonGenerator g, String type, String typeText, String system, String value) throws IOException {
        g.writeStartObject();
        g.writeObjectFieldStart("type");
        g.writeArrayFieldStart("coding");
        coding(g, V2_0203, type, null);
        g.writeEndArray();
        g.writeStringField("text", typeText);
        g.writeEndObject();
        g.writeStringField("system", system);
        g.writeStringField("value", value);
        g.writeEndObject();
    }

    private static void name(JsonGenerator g, String use, String family, String given, String middle, String prefix) throws IOException {
        g.writeStartObject();
        g.writeStringField("use", use);
        g.writeStringField("family", family);
        g.writeArrayFieldStart("given");
        g.writeString(given);
        if (!middle.isEmpty()) {
            g.writeString(middle);
        }
        g.writeEndArray();
        if (prefix != null) {
            g.writeArrayFieldStart("prefix");
            g.writeString(prefix);
            g.writeEndArray();
        }
        g.writeEndObject();
    }

    // ---------------------------------------------------------------- a visit and what it brings

    /** An encounter, kept whole when it is to come again as a new version. */
    private record Visit(String id, Person person, VisitType type, long start, long end, int organization, int practitioner,
            Problem reason, String status, long updated) {
    }

    private void visit(Person p, VisitType type, long start, long end, boolean first) throws IOException {
        int organization = random.nextInt(100) < 70 ? p.organization : random.nextInt(ORGANIZATIONS);
        int practitioner = organization == p.organization && random.nextInt(100) < 70 ? p.practitioner
                : organization + ORGANIZATIONS * random.nextInt(staffOf(organization));
        int roll = random.nextInt(100);
        int diagnosed = type.virtual() && roll < 50 ? 0 : roll < 25 ? 0 : roll < 70 ? 1 : 2;
        List<Problem> found = new ArrayList<>(2);
        for (int i = 0; i < diagnosed; i++) {
            int k = random.nextInt(PROBLEMS.length);
            if (!(PROBLEMS[k].chronic && p.chronic[k]) && !found.contains(PROBLEMS[k])) {
                p.chronic[k] |= PROBLEMS[k].chronic;
                found.add(PROBLEMS[k]);
            }
        }
        Problem reason = !type.wellness && !found.isEmpty() ? found.get(0) : null;
        boolean revised = random.nextInt(100) < REVISED_ENCOUNTERS;
        Visit v = new Visit(uuid(), p, type, start, end, organization, practitioner, reason, revised ? "in-progress" : "finished",
                updated(end + random.nextInt(60) * MINUTE));
        encounter(v, 1);
        if (revised) {
            Visit finished = new Visit(v.id, p, type, start, end, organization, practitioner, reason, "finished",
                    later(v.updated, HOUR, 3 * DAY));
            revise(p.number, () -> encounter(finished, 2));
        }

        for (Problem problem : found) {
            diagnosis(v, problem);
        }
        if (first) {
            for (int k : choose(ALLERGENS.length, random.nextInt(3))) {
                allergy(v, ALLERGENS[k]);
            }
        }
        if (!type.virtual()) {
            vitals(v);
            if (random.nextInt(100) < 70) {
                laboratory(v);
            }
        }
        if (type.wellness && random.nextBoolean()) {
            smoking(v);
        }
        roll = random.nextInt(100);
        int prescriptions = roll < 25 ? 0 : roll < 75 ? 1 : 2;
        for (int i = 0; i < prescriptions; i++) {
            prescription(v);
        }
        if (!type.virtual() && random.nextInt(100) < 35) {
            immunization(v);
        }
        roll = random.nextInt(100);
        int performed = type.virtual() ? 0 : roll < 40 ? 0 : roll < 85 ? 1 : 2;
        for (int i = 0; i < performed; i++) {
            procedure(v);
        }
        note(v);
    }

    private VisitType visitType() {
        int total = 0;
        for (VisitType t : VISIT_TYPES) {
            total += t.weight;
        }
        int roll = random.nextInt(total);
        for (VisitType t : VISIT_TYPES) {
            roll -= t.weight;
            if (roll < 0) {
                return t;
            }
        }
        throw new IllegalStateException();
    }

    private void encounter(Visit v, int version) throws IOException {
        Practitioner doctor = practitioners[v.practitioner];
        Organization o = organizations[v.organization];
        JsonGenerator g = begin(encountersOut, v.id, version, v.updated);
        g.writeStringField("status", v.status);
        g.writeObjectFieldStart("class");
        g.writeStringField("system", ACT_CODE);
        g.writeStringField("code", v.type.classCode);
        g.writeStringField("display", v.type.classDisplay);
        g.writeEndObject();
        concepts(g, "type", SNOMED, v.type.code, v.type.display, v.type.display);
        subject(g, v.person);
        g.writeArrayFieldStart("participant");
        g.writeStartObject();
        concepts(g, "type", "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "PPRF", "primary performer", "primary performer");
        period(g, v.start, v.end);
        reference(g, "individual", "Practitioner", doctor.id, doctor.display);
        g.writeEndObject();
        g.writeEndArray();
        period(g, v.start, v.end);
        if (v.reason != null) {
            concepts(g, "reasonCode", SNOMED, v.reason.code, v.reason.display, v.reason.display);
        }
        if (v.type.classCode.equals("IMP")) {
            g.writeObjectFieldStart("hospitalization");
            concept(g, "dischargeDisposition", "http://terminology.hl7.org/CodeSystem/discharge-disposition", "home", "Home", "Home");
            g.writeEndObject();
        }
        g.writeArrayFieldStart("location");
        g.writeStartObject();
        reference(g, "location", "Location", sites[v.organization].id, sites[v.organization].name);
        g.writeEndObject();
        g.writeEndArray();
        reference(g, "serviceProvider", "Organization", o.id, o.name);
        end(encountersOut);
    }

    // ---------------------------------------------------------------- conditions, allergies

    /** A condition, kept whole when it is to come again as a new version. */
    private record Diagnosis(String id, Visit visit, Problem problem, long onset, long abatement, String clinicalStatus, long updated) {
    }

    private void diagnosis(Visit v, Problem problem) throws IOException {
        long onset = problem.chronic ? v.start - random.nextInt(400) * DAY : v.start - random.nextInt(4) * DAY;
        onset = Math.max(onset, START);
        boolean revised = !problem.chronic && random.nextInt(100) < REVISED_CONDITIONS;
        long abatement = problem.chronic || revised ? -1 : v.start + (5 + random.nextInt(25)) * DAY;
        Diagnosis d = new Diagnosis(uuid(), v, problem, onset, abatement, problem.chronic || revised ? "active" : "resolved",
                updated(v.end + random.nextInt(30) * MINUTE));
        v.person.diagnoses.add(d);
        condition(d, 1);
        if (revised) {
            Diagnosis resolved = new Diagnosis(d.id, v, problem, onset, -1, "resolved", later(d.updated, 5 * DAY, 30 * DAY));
            revise(v.person.number, () -> condition(resolved, 2));
        }
    }

    private void condition(Diagnosis d, int version) throws IOException {
        Visit v = d.visit;
        JsonGenerator g = begin(conditionsOut, d.id, version, d.updated);
        concept(g, "clinicalStatus", "http://terminology.hl7.org/CodeSystem/condition-clinical", d.clinicalStatus,
                d.clinicalStatus.equals("active") ? "Active" : "Resolved", null);
        concept(g, "verificationStatus", "http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed", "Confirmed", null);
        if (d.problem.chronic) {
            concepts(g, "category", "http://terminology.hl7.org/CodeSystem/condition-category", "problem-list-item", "Problem List Item",
                    null);
        } else {
            concepts(g, "category", "http://terminology.hl7.org/CodeSystem/condition-category", "encounter-diagnosis", "Encounter Diagnosis",
                    null);
        }
        g.writeObjectFieldStart("code");
        g.writeArrayFieldStart("coding");
        coding(g, SNOMED, d.problem.code, d.problem.display);
        coding(g, ICD10, d.problem.icd10, d.problem.icd10Display);
        g.writeEndArray();
        g.writeStringField("text", d.problem.display);
        g.writeEndObject();
        subject(g, v.person);
        encounterReference(g, v);
        dateTime(g, "onsetDateTime", d.onset);
        if (d.abatement >= 0) {
            dateTime(g, "abatementDateTime", d.abatement);
        }
        dateTime(g, "recordedDate", v.start);
        Practitioner doctor = practitioners[v.practitioner];
        reference(g, "recorder", "Practitioner", doctor.id, doctor.display);
        end(conditionsOut);
    }

    private void allergy(Visit v, String[] a) throws IOException {
        int reactions = (a.length - 4) / 2;
        int reaction = random.nextInt(reactions);
        int severity = random.nextInt(10);
        boolean anaphylaxis = a[4 + 2 * reaction].equals("39579001");
        Practitioner doctor = practitioners[v.practitioner];
        JsonGenerator g = begin(allergiesOut, uuid(), 1, updated(v.end + random.nextInt(30) * MINUTE));
        concept(g, "clinicalStatus", "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active", "Active", null);
        concept(g, "verificationStatus", "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "confirmed", "Confirmed",
                null);
        g.writeStringField("type", a[0].equals("medication") && random.nextInt(100) < 30 ? "intolerance" : "allergy");
        g.writeArrayFieldStart("category");
        g.writeString(a[0]);
        g.writeEndArray();
        g.writeStringField("criticality", anaphylaxis ? "high" : severity < 8 ? "low" : "unable-to-assess");
        concept(g, "code", a[1], a[2], a[3], a[3]);
        subject(g, "patient", v.person);
        encounterReference(g, v);
        dateTime(g, "onsetDateTime", Math.max(START, v.start - (30 + random.nextInt(3_000)) * DAY) / MINUTE * MINUTE);
        dateTime(g, "recordedDate", v.start);
        reference(g, "recorder", "Practitioner", doctor.id, doctor.display);
        g.writeArrayFieldStart("reaction");
        g.writeStartObject();
        concepts(g, "manifestation", SNOMED, a[4 + 2 * reaction], a[5 + 2 * reaction], a[5 + 2 * reaction]);
        g.writeStringField("severity", anaphylaxis ? "severe" : severity < 6 ? "mild" : "moderate");
        g.writeEndObject();
        g.writeEndArray();
        end(allergiesOut);
    }

    // ---------------------------------------------------------------- observations, reports

    /** An observation of one quantity, kept whole when it is to come again as a new version. */
    private record Measure(String id, Visit visit, Test test, long value, long effective, long issued, String status, long updated) {
    }

    private void vitals(Visit v) throws IOException {
        Person p = v.person;
        int count = 2 + random.nextInt(5);
        long effective = v.start + (5 + random.nextInt(10)) * MINUTE;
        long issued = effective + random.nextInt(10) * MINUTE;
        p.weightHg = Math.max(400, p.weightHg + random.nextInt(31) - 15);
        for (int k : choose(VITALS.length, count)) {
            Test test = VITALS[k];
            if (test == BLOOD_PRESSURE) {
                bloodPressure(v, effective, issued, p.systolic + random.nextInt(25) - 12, p.diastolic + random.nextInt(17) - 8);
                continue;
            }
            long value = switch (test.code) {
                case "8867-4" -> 58 + random.nextInt(40);
                case "9279-1" -> 12 + random.nextInt(9);
                case "8310-5" -> 361 + random.nextInt(17);
                case "29463-7" -> p.weightHg;
                case "8302-2" -> p.heightMm + random.nextInt(7) - 3;
                case "39156-5" -> Math.round(p.weightHg * 1_000_000.0 / ((long) p.heightMm * p.heightMm));
                case "59408-5" -> 94 + random.nextInt(7);
                default -> random.nextInt(100) < 60 ? 0 : 1 + random.nextInt(7);
            };
            measure(v, test, value, effective, issued);
        }
    }

    private void laboratory(Visit v) throws IOException {
        Panel panel = pick(PANELS);
        int available = Math.min(8, panel.tests.length);
        int count = 3 + random.nextInt(available - 2);
        long effective = v.start + (10 + random.nextInt(30)) * MINUTE;
        long issued = effective + (1 + random.nextInt(20)) * HOUR;
        int[] tests = choose(panel.tests.length, count);
        String[] results = new String[count];
        for (int i = 0; i < count; i++) {
            Test test = panel.tests[tests[i]];
            if (test.quantity()) {
                results[i] = measure(v, test, labValue(test), effective, issued);
            } else {
                int word = random.nextInt(100) < 75 ? 0 : 1 + random.nextInt(test.words.length - 1);
                results[i] = wordResult(v, test, word, effective, issued);
            }
        }
        Organization lab = organizations[v.organization];
        Practitioner doctor = practitioners[v.practitioner];
        JsonGenerator g = begin(reportsOut, uuid(), 1, updated(issued + random.nextInt(30) * MINUTE));
        g.writeStringField("status", "final");
        concepts(g, "category", "http://terminology.hl7.org/CodeSystem/v2-0074", "LAB", "Laboratory", null);
        concept(g, "code", panel.system, panel.code, panel.display, panel.display);
        subject(g, v.person);
        encounterReference(g, v);
        dateTime(g, "effectiveDateTime", effective);
        instant(g, "issued", issued * 1_000);
        g.writeArrayFieldStart("performer");
        referenceValue(g, "Organization", lab.id, lab.name);
        g.writeEndArray();
        g.writeArrayFieldStart("resultsInterpreter");
        referenceValue(g, "Practitioner", doctor.id, doctor.display);
        g.writeEndArray();
        g.writeArrayFieldStart("result");
        for (String id : results) {
            referenceValue(g, "Observation", id, null);
        }
        g.writeEndArray();
        end(reportsOut);
    }

    /** A laboratory value, in units of its last decimal: mostly within the range, now and then below or above it. */
    private long labValue(Test test) {
        long low = Math.max(test.low, 0);
        long span = test.high - low;
        int roll = random.nextInt(100);
        double value;
        if (roll < 10 && test.low > 0) {
            value = low - span * 0.3 * random.nextDouble();
        } else if (roll < 22) {
            value = test.high + span * 0.6 * random.nextDouble();
        } else {
            value = low + span * random.nextDouble();
        }
        return Math.max(0, Math.round(value));
    }

    /** Writes an observation of one quantity; some come again later, corrected. Returns its id. */
    private String measure(Visit v, Test test, long value, long effective, long issued) throws IOException {
        Measure m = new Measure(uuid(), v, test, value, effective, issued, "final", updated(issued + random.nextInt(60) * MINUTE));
        observation(m, 1);
        if (random.nextInt(100) < REVISED_OBSERVATIONS) {
            long corrected = value + (random.nextBoolean() || value < 4 ? 1 + random.nextInt(3) : -1 - random.nextInt(3));
            Measure c = new Measure(m.id, v, test, corrected, effective, issued, "corrected", later(m.updated, 2 * HOUR, 10 * DAY));
            revise(v.person.number, () -> observation(c, 2));
        }
        return m.id;
    }

    private void observation(Measure m, int version) throws IOException {
        Test t = m.test;
        JsonGenerator g = observationHead(m.id, version, m.updated, m.status, m.visit, t, m.effective, m.issued);
        g.writeFieldName("valueQuantity");
        quantity(g, m.value, t.decimals, t.unit, t.ucum);
        if (t.range != null) {
            String flag = m.value < t.low ? "L" : m.value > t.high ? "H" : "N";
            interpretation(g, flag);
            g.writeArrayFieldStart("referenceRange");
            g.writeStartObject();
            if (t.low >= 0) {
                g.writeFieldName("low");
                quantity(g, t.low, t.decimals, t.unit, t.ucum);
            }
            g.writeFieldName("high");
            quantity(g, t.high, t.decimals, t.unit, t.ucum);
            g.writeStringField("text", t.range);
            g.writeEndObject();
            g.writeEndArray();
        }
        end(observationsOut);
    }

    private void bloodPressure(Visit v, long effective, long issued, int systolic, int diastolic) throws IOException {
        JsonGenerator g = observationHead(uuid(), 1, updated(issued + random.nextInt(60) * MINUTE), "final", v, BLOOD_PRESSURE, effective,
                issued);
        g.writeArrayFieldStart("component");
        component(g, SYSTOLIC, systolic);
        component(g, DIASTOLIC, diastolic);
        g.writeEndArray();
        end(observationsOut);
    }

    private void component(JsonGenerator g, Test t, long value) throws IOException {
        g.writeStartObject();
        concept(g, "code", LOINC, t.code, t.display, t.display);
        g.writeFieldName("valueQuantity");
        quantity(g, value, t.decimals, t.unit, t.ucum);
        g.writeEndObject();
    }

    private String wordResult(Visit v, Test t, int word, long effective, long issued) throws IOException {
        String id = uuid();
        JsonGenerator g = observationHead(id, 1, updated(issued + random.nextInt(60) * MINUTE), "final", v, t, effective, issued);
        String text = t.words[word];
        if (t.coded) {
            concept(g, "valueCodeableConcept", SNOMED, qualifier(text), qualifierDisplay(text), text);
        } else {
            g.writeStringField("valueString", text);
        }
        interpretation(g, word == 0 ? "N" : "A");
        g.writeArrayFieldStart("referenceRange");
        g.writeStartObject();
        g.writeStringField("text", t.words[0]);
        g.writeEndObject();
        g.writeEndArray();
        end(observationsOut);
        return id;
    }

    private void smoking(Visit v) throws IOException {
        long effective = v.start + random.nextInt(10) * MINUTE;
        JsonGenerator g = observationHead(uuid(), 1, updated(effective + random.nextInt(60) * MINUTE), "final", v, SMOKING_STATUS,
                effective, effective);
        concept(g, "valueCodeableConcept", SNOMED, v.person.smoking[0], v.person.smoking[1], v.person.smoking[1]);
        end(observationsOut);
    }

    private JsonGenerator observationHead(String id, int version, long updated, String status, Visit v, Test t, long effective, long issued)
            throws IOException {
        JsonGenerator g = begin(observationsOut, id, version, updated);
        g.writeStringField("status", status);
        String category = t.category;
        concepts(g, "category", OBSERVATION_CATEGORY, category, switch (category) {
            case "vital-signs" -> "Vital Signs";
            case "laboratory" -> "Laboratory";
            default -> "Social History";
        }, null);
        concept(g, "code", LOINC, t.code, t.display, t.display);
        subject(g, v.person);
        encounterReference(g, v);
        dateTime(g, "effectiveDateTime", effective);
        instant(g, "issued", issued * 1_000);
        return g;
    }

    private static void interpretation(JsonGenerator g, String flag) throws IOException {
        String display = switch (flag) {
            case "L" -> "Low";
            case "H" -> "High";
            case "A" -> "Abnormal";
            default -> "Normal";
        };
        concepts(g, "interpretation", INTERPRETATION, flag, display, display);
    }

    private void quantity(JsonGenerator g, long value, int decimals, String unit, String ucum) throws IOException {
        g.writeStartObject();
        g.writeFieldName("value");
        g.writeNumber(decimal(value, decimals));
        g.writeStringField("unit", unit);
        g.writeStringField("system", UCUM);
        g.writeStringField("code", ucum);
        g.writeEndObject();
    }

    private static String qualifier(String word) {
        return switch (word) {
            case "Negative" -> "260385009";
            case "Trace" -> "260405006";
            case "1+" -> "260347006";
            case "2+" -> "260348001";
            case "Small" -> "255507004";
            case "Moderate" -> "6736007";
            case "Positive" -> "10828004";
            default -> throw new IllegalArgumentException(word);
        };
    }

    private static String qualifierDisplay(String word) {
        return switch (word) {
            case "1+" -> "+ (qualifier value)";
            case "2+" -> "++ (qualifier value)";
            case "Moderate" -> "Moderate (severity modifier) (qualifier value)";
            default -> word + " (qualifier value)";
        };
    }

    // ---------------------------------------------------------------- prescriptions, immunizations, procedures

    /** A prescription, kept whole when it is to come again as a new version. */
    private record Order(String id, Visit visit, Drug drug, Diagnosis reason, String status, long updated) {
    }

    private void prescription(Visit v) throws IOException {
        List<Diagnosis> known = v.person.diagnoses;
        Diagnosis reason = null;
        Drug drug;
        int start = random.nextInt(known.size() + 1);
        for (int i = 0; i < known.size() && reason == null; i++) {
            Diagnosis d = known.get((start + i) % known.size());
            boolean current = d.problem.chronic || d.visit == v;
            if (current && d.problem.drugs.length > 0) {
                reason = d;
            }
        }
        drug = reason == null ? DRUGS[random.nextBoolean() ? 4 : 11] : DRUGS[reason.problem.drugs[random.nextInt(reason.problem.drugs.length)]];
        boolean ongoing = reason != null && reason.problem.chronic;
        boolean revised = ongoing && random.nextInt(100) < REVISED_ORDERS;
        Order o = new Order(uuid(), v, drug, reason, ongoing ? "active" : random.nextInt(100) < 80 ? "completed" : "stopped",
                updated(v.end + random.nextInt(30) * MINUTE));
        medicationRequest(o, 1);
        if (revised) {
            Order stopped = new Order(o.id, v, drug, reason, "stopped", later(o.updated, 10 * DAY, 120 * DAY));
            revise(v.person.number, () -> medicationRequest(stopped, 2));
        }
    }

    private void medicationRequest(Order o, int version) throws IOException {
        Visit v = o.visit;
        Practitioner doctor = practitioners[v.practitioner];
        JsonGenerator g = begin(ordersOut, o.id, version, o.updated);
        g.writeStringField("status", o.status);
        g.writeStringField("intent", "order");
        String category = v.type.classCode.equals("IMP") ? "inpatient" : "community";
        concepts(g, "category", "http://terminology.hl7.org/CodeSystem/medicationrequest-category", category,
                category.equals("inpatient") ? "Inpatient" : "Community", null);
        concept(g, "medicationCodeableConcept", RXNORM, o.drug.code, o.drug.display, o.drug.display);
        subject(g, v.person);
        encounterReference(g, v);
        dateTime(g, "authoredOn", v.start + 5 * MINUTE);
        reference(g, "requester", "Practitioner", doctor.id, doctor.display);
        if (o.reason != null) {
            g.writeArrayFieldStart("reasonReference");
            referenceValue(g, "Condition", o.reason.id, o.reason.problem.display);
            g.writeEndArray();
        }
        g.writeArrayFieldStart("dosageInstruction");
        g.writeStartObject();
        g.writeNumberField("sequence", 1);
        g.writeStringField("text", o.drug.dose);
        g.writeObjectFieldStart("timing");
        g.writeObjectFieldStart("repeat");
        g.writeNumberField("frequency", o.drug.perDay);
        g.writeNumberField("period", 1);
        g.writeStringField("periodUnit", "d");
        g.writeEndObject();
        g.writeEndObject();
        g.writeBooleanField("asNeededBoolean", o.drug.asNeeded);
        g.writeArrayFieldStart("doseAndRate");
        g.writeStartObject();
        concept(g, "type", "http://terminology.hl7.org/CodeSystem/dose-rate-type", "ordered", "Ordered", null);
        g.writeObjectFieldStart("doseQuantity");
        g.writeNumberField("value", o.drug.dose.contains("2 ") ? 2 : 1);
        g.writeEndObject();
        g.writeEndObject();
        g.writeEndArray();
        g.writeEndObject();
        g.writeEndArray();
        end(ordersOut);
    }

    private void immunization(Visit v) throws IOException {
        String[] vaccine = pick(VACCINES);
        String[] site = pick(SITES);
        Practitioner nurse = practitioners[v.organization + ORGANIZATIONS * random.nextInt(staffOf(v.organization))];
        long given = v.start + (10 + random.nextInt(20)) * MINUTE;
        JsonGenerator g = begin(immunizationsOut, uuid(), 1, updated(given + random.nextInt(60) * MINUTE));
        g.writeStringField("status", "completed");
        concept(g, "vaccineCode", CVX, vaccine[0], vaccine[1], vaccine[1]);
        subject(g, "patient", v.person);
        encounterReference(g, v);
        dateTime(g, "occurrenceDateTime", given);
        dateTime(g, "recorded", given);
        g.writeBooleanField("primarySource", true);
        reference(g, "location", "Location", sites[v.organization].id, sites[v.organization].name);
        g.writeStringField("lotNumber", (char) ('A' + random.nextInt(26)) + "" + (char) ('A' + random.nextInt(26))
                + String.format(Locale.ROOT, "%04d", random.nextInt(10_000)));
        date(g, "expirationDate", given / DAY + 120 + random.nextInt(420));
        concept(g, "site", "http://terminology.hl7.org/CodeSystem/v3-ActSite", site[0], site[1], site[1]);
        concept(g, "route", "http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration", "IM", "Injection, intramuscular",
                "Injection, intramuscular");
        g.writeFieldName("doseQuantity");
        quantity(g, Integer.parseInt(vaccine[2]), 1, "mL", "mL");
        g.writeArrayFieldStart("performer");
        g.writeStartObject();
        concept(g, "function", "http://terminology.hl7.org/CodeSystem/v2-0443", "AP", "Administering Provider", null);
        reference(g, "actor", "Practitioner", nurse.id, nurse.display);
        g.writeEndObject();
        g.writeEndArray();
        end(immunizationsOut);
    }

    private void procedure(Visit v) throws IOException {
        String[] what = pick(PROCEDURES);
        long start = v.start + (5 + random.nextInt(20)) * MINUTE;
        long end = start + Integer.parseInt(what[2]) * MINUTE;
        List<Diagnosis> known = v.person.diagnoses;
        Diagnosis reason = !known.isEmpty() && random.nextInt(100) < 40 ? known.get(random.nextInt(known.size())) : null;
        Practitioner doctor = practitioners[v.practitioner];
        JsonGenerator g = begin(proceduresOut, uuid(), 1, updated(end + random.nextInt(60) * MINUTE));
        g.writeStringField("status", "completed");
        concept(g, "code", SNOMED, what[0], what[1], what[1]);
        subject(g, v.person);
        encounterReference(g, v);
        period(g, "performedPeriod", start, end);
        g.writeArrayFieldStart("performer");
        g.writeStartObject();
        reference(g, "actor", "Practitioner", doctor.id, doctor.display);
        g.writeEndObject();
        g.writeEndArray();
        reference(g, "location", "Location", sites[v.organization].id, sites[v.organization].name);
        if (reason != null) {
            g.writeArrayFieldStart("reasonReference");
            referenceValue(g, "Condition", reason.id, reason.problem.display);
            g.writeEndArray();
        }
        end(proceduresOut);
    }

    // ---------------------------------------------------------------- notes

    private void note(Visit v) throws IOException {
        String[] type = pick(switch (v.type.classCode) {
            case "EMER" -> NOTE_EMER;
            case "IMP" -> NOTE_IMP;
            default -> NOTES_AMB;
        });
        Practitioner author = practitioners[v.practitioner];
        Organization o = organizations[v.organization];
        long written = v.end + random.nextInt(120) * MINUTE;
        byte[] text = noteText(v, type[1], author);
        JsonGenerator g = begin(documentsOut, uuid(), 1, updated(written + random.nextInt(30) * MINUTE));
        g.writeObjectFieldStart("masterIdentifier");
        g.writeStringField("system", "urn:ietf:rfc:3986");
        g.writeStringField("value", "urn:uuid:" + uuid());
        g.writeEndObject();
        g.writeStringField("status", "current");
        g.writeStringField("docStatus", "final");
        concept(g, "type", LOINC, type[0], type[1], type[1]);
        concepts(g, "category", "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category", "clinical-note",
                "Clinical Note", null);
        subject(g, v.person);
        instant(g, "date", written * 1_000);
        g.writeArrayFieldStart("author");
        referenceValue(g, "Practitioner", author.id, author.display);
        g.writeEndArray();
        reference(g, "custodian", "Organization", o.id, o.name);
        g.writeArrayFieldStart("content");
        g.writeStartObject();
        g.writeObjectFieldStart("attachment");
        g.writeStringField("contentType", "text/plain");
        g.writeFieldName("data");
        g.writeBinary(text);
        g.writeStringField("title", type[1]);
        dateTime(g, "creation", written);
        g.writeEndObject();
        g.writeObjectFieldStart("format");
        g.writeStringField("system", "http://ihe.net/fhir/ihe.formatcode.fhir/CodeSystem/formatcode");
        g.writeStringField("code", "urn:ihe:iti:xds:2017:mimeTypeSufficient");
        g.writeStringField("display", "mimeType Sufficient");
        g.writeEndObject();
        g.writeEndObject();
        g.writeEndArray();
        g.writeObjectFieldStart("context");
        g.writeArrayFieldStart("encounter");
        referenceValue(g, "Encounter", v.id, null);
        g.writeEndArray();
        period(g, v.start, v.end);
        g.writeEndObject();
        end(documentsOut);
    }

    /** A short note, ASCII only: a few hundred bytes, its sections in the usual order. */
    private byte[] noteText(Visit v, String title, Practitioner author) {
        StringBuilder s = new StringBuilder(640);
        s.append(title).append('\n');
        int dateLength = ymd(v.start / DAY, 0);
        s.append("Date of service: ").append(chars, 0, dateLength).append('\n');
        long age = (v.start / DAY - v.person.birthDay) / 365;
        s.append('\n').append(age).append(" year old ").append(v.person.gender).append(" seen for ").append(pick(COMPLAINTS)).append(".\n");
        for (String[] section : NOTE_LINES) {
            for (int i = 1 + random.nextInt(2); i > 0; i--) {
                s.append(pick(section)).append('\n');
            }
        }
        s.append('\n').append("Electronically signed by ").append(author.display).append(", MD\n");
        return s.toString().getBytes(StandardCharsets.US_ASCII);
    }

    // ---------------------------------------------------------------- JSON pieces

    /** Starts a resource: its type, id and meta. */
    private JsonGenerator begin(Out out, String id, int version, long updatedMillis) throws IOException {
        JsonGenerator g = out.json;
        g.writeStartObject();
        g.writeStringField("resourceType", out.type);
        g.writeStringField("id", id);
        g.writeObjectFieldStart("meta");
        g.writeStringField("versionId", version == 1 ? "1" : "2");
        instant(g, "lastUpdated", updatedMillis);
        g.writeEndObject();
        return g;
    }

    /** Ends a resource and its line. */
    private static void end(Out out) throws IOException {
        out.json.writeEndObject();
        out.json.writeRaw('\n');
        out.lines++;
    }

    private static void coding(JsonGenerator g, String system, String code, String display) throws IOException {
        g.writeStartObject();
        g.writeStringField("system", system);
        g.writeStringField("code", code);
        if (display != null) {
            g.writeStringField("display", display);
        }
        g.writeEndObject();
    }

    /** {@code field: {"coding": [{system, code, display}], "text": text}}, no text when {@code text} is null. */
    private static void concept(JsonGenerator g, String field, String system, String code, String display, String text) throws IOException {
        g.writeFieldName(field);
        conceptValue(g, system, code, display, text);
    }

    /** {@code field: [{"coding": [...], "text": text}]}: a list of one concept. */
    private static void concepts(JsonGenerator g, String field, String system, String code, String display, String text) throws IOException {
        g.writeArrayFieldStart(field);
        conceptValue(g, system, code, display, text);
        g.writeEndArray();
    }

    private static void conceptValue(JsonGenerator g, String system, String code, String display, String text) throws IOException {
        g.writeStartObject();
        g.writeArrayFieldStart("coding");
        coding(g, system, code, display);
        g.writeEndArray();
        if (text != null) {
            g.writeStringField("text", text);
        }
        g.writeEndObject();
    }

    private static void reference(JsonGenerator g, String field, String type, String id, String display) throws IOException {
        g.writeFieldName(field);
        referenceValue(g, type, id, display);
    }

    private static void referenceValue(JsonGenerator g, String type, String id, String display) throws IOException {
        g.writeStartObject();
        g.writeStringField("reference", type + "/" + id);
        if (display != null) {
            g.writeStringField("display", display);
        }
        g.writeEndObject();
    }

    private static void subject(JsonGenerator g, Person p) throws IOException {
        subject(g, "subject", p);
    }

    private static void subject(JsonGenerator g, String field, Person p) throws IOException {
        g.writeObjectFieldStart(field);
        g.writeStringField("reference", "Patient/" + p.id);
        g.writeEndObject();
    }

    private static void encounterReference(JsonGenerator g, Visit v) throws IOException {
        g.writeObjectFieldStart("encounter");
        g.writeStringField("reference", "Encounter/" + v.id);
        g.writeEndObject();
    }

    private static void telecom(JsonGenerator g, String system, String value, String use) throws IOException {
        g.writeArrayFieldStart("telecom");
        telecomValue(g, system, value, use);
        g.writeEndArray();
    }

    private static void telecomValue(JsonGenerator g, String system, String value, String use) throws IOException {
        g.writeStartObject();
        g.writeStringField("system", system);
        g.writeStringField("value", value);
        g.writeStringField("use", use);
        g.writeEndObject();
    }

    private static void address(JsonGenerator g, String use, String street, String unit, String[] city, String zip) throws IOException {
        g.writeStartObject();
        if (use != null) {
            g.writeStringField("use", use);
        }
        g.writeArrayFieldStart("line");
        g.writeString(street);
        if (unit != null) {
            g.writeString(unit);
        }
        g.writeEndArray();
        g.writeStringField("city", city[0]);
        g.writeStringField("state", city[1]);
        g.writeStringField("postalCode", zip);
        g.writeStringField("country", "US");
        g.writeEndObject();
    }

    private void period(JsonGenerator g, long start, long end) throws IOException {
        period(g, "period", start, end);
    }

    private void period(JsonGenerator g, String field, long start, long end) throws IOException {
        g.writeObjectFieldStart(field);
        dateTime(g, "start", start);
        dateTime(g, "end", end);
        g.writeEndObject();
    }

    // ---------------------------------------------------------------- times, numbers, identifiers

    /** A dateTime of the source system's wall time (seconds since 1970 of that clock), with its offset. */
    private void dateTime(JsonGenerator g, String field, long seconds) throws IOException {
        g.writeFieldName(field);
        int n = time(seconds, 0);
        for (int i = 0; i < OFFSET.length(); i++) {
            chars[n++] = OFFSET.charAt(i);
        }
        g.writeString(chars, 0, n);
    }

    /** An instant, in UTC with milliseconds, of the source system's wall time in milliseconds. */
    private void instant(JsonGenerator g, String field, long millis) throws IOException {
        g.writeFieldName(field);
        long utc = millis + OFFSET_SECONDS * 1_000;
        int n = time(Math.floorDiv(utc, 1_000), 0);
        int ms = Math.floorMod(utc, 1_000);
        chars[n++] = '.';
        chars[n++] = (char) ('0' + ms / 100);
        chars[n++] = (char) ('0' + ms / 10 % 10);
        chars[n++] = (char) ('0' + ms % 10);
        chars[n++] = 'Z';
        g.writeString(chars, 0, n);
    }

    private void date(JsonGenerator g, String field, long epochDay) throws IOException {
        g.writeFieldName(field);
        g.writeString(chars, 0, ymd(epochDay, 0));
    }

    /** {@code yyyy-MM-ddTHH:mm:ss} into {@link #chars} from {@code at}; returns the end. */
    private int time(long seconds, int at) {
        int n = ymd(Math.floorDiv(seconds, DAY), at);
        int second = (int) Math.floorMod(seconds, DAY);
        chars[n++] = 'T';
        n = digits(second / 3_600, n);
        chars[n++] = ':';
        n = digits(second / 60 % 60, n);
        chars[n++] = ':';
        return digits(second % 60, n);
    }

    /** {@code yyyy-MM-dd} into {@link #chars} from {@code at}; returns the end. */
    private int ymd(long epochDay, int at) {
        LocalDate d = LocalDate.ofEpochDay(epochDay);
        int y = d.getYear();
        chars[at] = (char) ('0' + y / 1_000);
        chars[at + 1] = (char) ('0' + y / 100 % 10);
        chars[at + 2] = (char) ('0' + y / 10 % 10);
        chars[at + 3] = (char) ('0' + y % 10);
        chars[at + 4] = '-';
        int n = digits(d.getMonthValue(), at + 5);
        chars[n++] = '-';
        return digits(d.getDayOfMonth(), n);
    }

    private int digits(int twoDigits, int at) {
        chars[at] = (char) ('0' + twoDigits / 10);
        chars[at + 1] = (char) ('0' + twoDigits % 10);
        return at + 2;
    }

    private static String two(int n) {
        return n < 10 ? "0" + n : Integer.toString(n);
    }

    /** A number given in units of its last decimal, as text: {@code decimal(1015, 3)} is {@code 1.015}. */
    private static String decimal(long value, int decimals) {
        if (decimals == 0) {
            return Long.toString(value);
        }
        long power = POWERS[decimals];
        String fraction = Long.toString(value % power);
        StringBuilder s = new StringBuilder(12).append(value / power).append('.');
        for (int i = fraction.length(); i < decimals; i++) {
            s.append('0');
        }
        return s.append(fraction).toString();
    }

    /** When a first version was last updated: some seconds and milliseconds after the wall time given. */
    private long updated(long seconds) {
        return seconds * 1_000 + random.nextInt(60_000);
    }

    /** A later version's lastUpdated: between {@code min} and {@code max} seconds after the last, before the export. */
    private long later(long millis, long min, long max) {
        long next = millis + (min + (long) (random.nextDouble() * (max - min))) * 1_000 + random.nextInt(1_000);
        return Math.max(millis + 1, Math.min(next, (END - HOUR) * 1_000));
    }

    /** A random (version 4) UUID, drawn from the seeded source. */
    private String uuid() {
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(high, low).toString();
    }

    /** {@code count} distinct indexes below {@code bound}, in increasing order. */
    private int[] choose(int bound, int count) {
        int[] all = new int[bound];
        for (int i = 0; i < bound; i++) {
            all[i] = i;
        }
        for (int i = 0; i < count; i++) {
            int j = i + random.nextInt(bound - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        int[] chosen = Arrays.copyOf(all, count);
        Arrays.sort(chosen);
        return chosen;
    }

    private <T> T pick(T[] values) {
        return values[random.nextInt(values.length)];
    }

    private static Test vital(String code, String display, String ucum, int decimals) {
        return new Test(code, display, "vital-signs", ucum, ucum, decimals, -1, -1, null, null, false);
    }

    private static Test lab(String code, String display, String ucum, String unit, int decimals, long low, long high, String range) {
        return new Test(code, display, "laboratory", ucum, unit, decimals, low, high, range, null, false);
    }

    private static Test words(String code, String display, boolean coded, String... words) {
        return new Test(code, display, "laboratory", null, null, 0, -1, -1, null, words, coded);
    }
}
