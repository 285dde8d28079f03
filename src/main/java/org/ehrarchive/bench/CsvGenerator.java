package org.ehrarchive.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * Writes synthetic table dumps in the layout of Synthea's CSV export ({@code exporter.csv.export = true}) for benchmarks
 * and tests: one file per table, the 16 files of {@link #TABLES} ({@code patients.csv}, {@code encounters.csv}, ...),
 * each with exactly Synthea's header row (the same columns in the same order), comma-separated, quoted per RFC 4180
 * where a value needs it, every row ended by a line feed, UTF-8 without a byte order mark (every character is in fact
 * ASCII). The shipped mapping profile {@code archive-schemas/mappings/synthea-csv.yaml} reads them. Names, identifiers,
 * codes and values are drawn from fixed lists with a seeded random source: the same seed gives the same files, byte for
 * byte, and no real patient is described (names are a first or last name followed by digits, as Synthea writes them,
 * {@code Stewart672}; social security numbers are of the 999-xx-xxxx form, which is never issued, unique per patient up to
 * a million patients (as driver's licences and passports); telephone numbers
 * are in the fictional 555-01xx range; payers other than Medicare, Medicaid and Dual Eligible have made-up names).
 * Identifiers are UUID-shaped strings drawn from the same random source. Every date falls before {@link #EXPORTED}
 * (a fixed day, not the clock's): dates of conditions, allergies, care plans, supplies and birth and death are
 * {@code yyyy-MM-dd}, the others (encounters, observations, medications, procedures...) {@code yyyy-MM-dd'T'HH:mm:ssZ},
 * as Synthea writes them.
 * <p>
 * The dump is what Synthea writes, in roughly the proportions of its export, so that an importer is measured on the
 * work it will do: per patient on average about 15 encounters, 14 conditions (chronic ones, acute ones that resolve,
 * and social findings), 1 allergy (a fifth of the patients have 1 to 9, half of them with one or two reactions), 12
 * medications (chronic prescriptions renewed at later visits, short courses), 135 observations (vital signs and
 * laboratory panels with plausible values and UCUM units, haemoglobin 12-17 g/dL for example, urinalysis and survey
 * answers as text, scores, some rows with no category), 27 procedures, 1.5 immunizations, 2 care plans, 2 devices, 8
 * supplies, 1.3 payer transitions, and 60 imaging-study rows, nearly all of them of the 3 % of patients who have
 * chest CT series of several hundred instances (one row per instance, as Synthea writes them): about 64 kB of CSV a
 * patient, as in Synthea's export. One patient in seven has died (a death date, and a last death-certification visit
 * with the cause of death). Every row's
 * PATIENT and ENCOUNTER are of rows of {@code patients.csv} and {@code encounters.csv} (an encounter of the same
 * patient), and every PROVIDER, ORGANIZATION, PAYER and SECONDARY_PAYER of a row of the reference tables, which are
 * the same in every dump of one seed: 40 organizations, 80 providers, 10 payers. Their counters (revenue,
 * utilization, covered encounters...) are made up: they are written first, before the patients they would count.
 * <p>
 * To exercise a CSV reader, about one row in 200 that has a DESCRIPTION carries, in its DESCRIPTION or
 * REASONDESCRIPTION, a comma and a quoted remark ({@code Viral sinusitis (disorder), "per patient report"}), so that
 * the field is written quoted with its quotes doubled; one row in 2,000 has a line feed inside the quotes as well
 * (such a row spans two lines of the file and is still one row). Synthea itself writes commas inside its texts as two
 * spaces ({@code Influenza  seasonal  injectable}), and so do the lists here.
 * <p>
 * Files are written as streams: every file is open at once, and each patient's rows are appended to theirs as they are
 * made, so a dump of any size never sits in memory. What the generator remembers is bounded by one patient.
 */
public final class CsvGenerator {

    /** The day the dump was taken: every date of it falls before. */
    public static final LocalDate EXPORTED = LocalDate.of(2026, 1, 1);

    /** Every table's columns, exactly as Synthea's CSV export writes its header rows, in the order of {@link #TABLES}. */
    public static final Map<String, List<String>> HEADERS = headers(
            "organizations", "Id,NAME,ADDRESS,CITY,STATE,ZIP,LAT,LON,PHONE,REVENUE,UTILIZATION",
            "providers", "Id,ORGANIZATION,NAME,GENDER,SPECIALITY,ADDRESS,CITY,STATE,ZIP,LAT,LON,ENCOUNTERS,PROCEDURES",
            "payers", "Id,NAME,OWNERSHIP,ADDRESS,CITY,STATE_HEADQUARTERED,ZIP,PHONE,AMOUNT_COVERED,AMOUNT_UNCOVERED,REVENUE,"
                    + "COVERED_ENCOUNTERS,UNCOVERED_ENCOUNTERS,COVERED_MEDICATIONS,UNCOVERED_MEDICATIONS,COVERED_PROCEDURES,"
                    + "UNCOVERED_PROCEDURES,COVERED_IMMUNIZATIONS,UNCOVERED_IMMUNIZATIONS,UNIQUE_CUSTOMERS,QOLS_AVG,MEMBER_MONTHS",
            "patients", "Id,BIRTHDATE,DEATHDATE,SSN,DRIVERS,PASSPORT,PREFIX,FIRST,MIDDLE,LAST,SUFFIX,MAIDEN,MARITAL,RACE,ETHNICITY,"
                    + "GENDER,BIRTHPLACE,ADDRESS,CITY,STATE,COUNTY,FIPS,ZIP,LAT,LON,HEALTHCARE_EXPENSES,HEALTHCARE_COVERAGE,INCOME",
            "encounters", "Id,START,STOP,PATIENT,ORGANIZATION,PROVIDER,PAYER,ENCOUNTERCLASS,CODE,DESCRIPTION,BASE_ENCOUNTER_COST,"
                    + "TOTAL_CLAIM_COST,PAYER_COVERAGE,REASONCODE,REASONDESCRIPTION",
            "conditions", "START,STOP,PATIENT,ENCOUNTER,SYSTEM,CODE,DESCRIPTION",
            "allergies", "START,STOP,PATIENT,ENCOUNTER,CODE,SYSTEM,DESCRIPTION,TYPE,CATEGORY,REACTION1,DESCRIPTION1,SEVERITY1,"
                    + "REACTION2,DESCRIPTION2,SEVERITY2",
            "medications", "START,STOP,PATIENT,PAYER,ENCOUNTER,CODE,DESCRIPTION,BASE_COST,PAYER_COVERAGE,DISPENSES,TOTALCOST,"
                    + "REASONCODE,REASONDESCRIPTION",
            "observations", "DATE,PATIENT,ENCOUNTER,CATEGORY,CODE,DESCRIPTION,VALUE,UNITS,TYPE",
            "procedures", "START,STOP,PATIENT,ENCOUNTER,SYSTEM,CODE,DESCRIPTION,BASE_COST,REASONCODE,REASONDESCRIPTION",
            "immunizations", "DATE,PATIENT,ENCOUNTER,CODE,DESCRIPTION,BASE_COST",
            "careplans", "Id,START,STOP,PATIENT,ENCOUNTER,CODE,DESCRIPTION,REASONCODE,REASONDESCRIPTION",
            "devices", "START,STOP,PATIENT,ENCOUNTER,CODE,DESCRIPTION,UDI",
            "supplies", "DATE,PATIENT,ENCOUNTER,CODE,DESCRIPTION,QUANTITY",
            "imaging_studies", "Id,DATE,PATIENT,ENCOUNTER,SERIES_UID,BODYSITE_CODE,BODYSITE_DESCRIPTION,MODALITY_CODE,"
                    + "MODALITY_DESCRIPTION,INSTANCE_UID,SOP_CODE,SOP_DESCRIPTION,PROCEDURE_CODE",
            "payer_transitions", "PATIENT,MEMBERID,START_DATE,END_DATE,PAYER,SECONDARY_PAYER,PLAN_OWNERSHIP,OWNER_NAME");

    /** The tables, one file each ({@code <table>.csv}), in the order their files are opened. */
    public static final List<String> TABLES = List.copyOf(HEADERS.keySet());

    private static final int ORGANIZATIONS = 40;
    private static final int PROVIDERS_PER_ORGANIZATION = 2;

    // Indexes of the tables, in the order of TABLES.
    private static final int ORGANIZATION = 0;
    private static final int PROVIDER = 1;
    private static final int PAYER = 2;
    private static final int PATIENT = 3;
    private static final int ENCOUNTER = 4;
    private static final int CONDITION = 5;
    private static final int ALLERGY = 6;
    private static final int MEDICATION = 7;
    private static final int OBSERVATION = 8;
    private static final int PROCEDURE = 9;
    private static final int IMMUNIZATION = 10;
    private static final int CAREPLAN = 11;
    private static final int DEVICE = 12;
    private static final int SUPPLY = 13;
    private static final int IMAGING = 14;
    private static final int PAYER_TRANSITION = 15;

    private static final String SNOMED = "http://snomed.info/sct";
    private static final long DAY = 86_400L;
    private static final long EXPORTED_DAY = EXPORTED.toEpochDay();

    /** One row in QUIRK_IN that has a DESCRIPTION gets a quoted remark, QUIRKS of them; the first also a line feed. */
    private static final int QUIRK_IN = 2_000;
    private static final int QUIRKS = 10;
    private static final String[] QUIRK_REMARKS = { "per patient report", "see \"prior\" note", "unconfirmed", "as stated by family",
            "query: \"recurrent\"", "provisional", "per referral letter", "noted by nurse", "see scanned form", "patient's words" };

    // ---------------------------------------------------------------- names and places (made up, ASCII)

    private static final String[] GIVEN_F = { "Stella", "Marvella", "Hassie", "Audrie", "Ashlee", "Shaunte", "Geralyn", "Karly",
            "Winter", "Daniela", "Miranda", "Lorita", "Jeanice", "Tomika", "Ardith", "Kathrin", "Nelida", "Rosalia", "Yetta", "Cleora",
            "Mabel", "Ione", "Zoila", "Evelin", "Sherika", "Veta", "Lue", "Jenise", "Carmelia", "Oralia" };
    private static final String[] GIVEN_M = { "Stewart", "Jamison", "Zachary", "Moshe", "Mark", "Lemuel", "Willie", "Gabriel",
            "Claude", "Don", "Lawrence", "Emory", "Rufus", "Odis", "Merle", "Antone", "Wilbert", "Hershel", "Lino", "Cletus",
            "Jerold", "Royce", "Vance", "Burl", "Tad", "Elwood", "Nigel", "Osvaldo", "Quinton", "Dewayne" };
    private static final String[] FAMILY = { "Rau", "Streich", "Olson", "Brakus", "Moore", "Nikolaus", "Schiller", "Cruickshank",
            "Volkman", "Crooks", "Muller", "Runte", "Jones", "Padberg", "Kuhn", "Hegmann", "Marks", "Mueller", "Reilly", "Meza",
            "Zieme", "Walsh", "Prosacco", "Hagenes", "Graham", "Jacobi", "Lockman", "Larkin", "Collins", "Gleason", "Bashirian",
            "Wolff", "Feest", "Hintz", "Ledner", "Okuneva", "Schowalter", "Torphy", "Wuckert", "Yundt" };
    private static final String[] STREET_KINDS = { "Overpass", "Well", "Rest", "Ranch", "Avenue", "Manor", "Crossroad", "Run",
            "Bay", "Plaza", "Village", "Street", "Road", "Lane", "Mill", "Gardens", "Knoll", "Row", "Trail", "Parade" };
    /** Town, county, FIPS code of the county, ZIP prefix, latitude, longitude. */
    private static final String[][] TOWNS = { { "Fitchburg", "Worcester County", "25027", "014", "42.58", "-71.80" },
            { "Chicopee", "Hampden County", "25013", "010", "42.16", "-72.59" },
            { "Shrewsbury", "Worcester County", "25027", "015", "42.29", "-71.71" },
            { "Barnstable", "Barnstable County", "25001", "026", "41.65", "-70.29" },
            { "Easton", "Bristol County", "25005", "023", "42.06", "-71.11" },
            { "Lawrence", "Essex County", "25009", "018", "42.70", "-71.16" },
            { "Malden", "Middlesex County", "25017", "021", "42.42", "-71.06" },
            { "Springfield", "Hampden County", "25013", "011", "42.10", "-72.59" },
            { "Worcester", "Worcester County", "25027", "016", "42.26", "-71.80" },
            { "Lowell", "Middlesex County", "25017", "018", "42.63", "-71.31" },
            { "Quincy", "Norfolk County", "25021", "021", "42.25", "-71.00" },
            { "Salem", "Essex County", "25009", "019", "42.51", "-70.89" },
            { "Pittsfield", "Berkshire County", "25003", "012", "42.45", "-73.25" },
            { "Framingham", "Middlesex County", "25017", "017", "42.28", "-71.42" },
            { "Brockton", "Plymouth County", "25023", "023", "42.08", "-71.02" },
            { "Taunton", "Bristol County", "25005", "027", "41.90", "-71.09" },
            { "Amherst", "Hampshire County", "25015", "010", "42.37", "-72.52" },
            { "Chelmsford", "Middlesex County", "25017", "018", "42.60", "-71.37" },
            { "Ludlow", "Hampden County", "25013", "010", "42.16", "-72.48" },
            { "Harwich", "Barnstable County", "25001", "026", "41.69", "-70.08" } };
    private static final String[] AREA_CODES = { "413", "508", "617", "781", "978" };
    private static final String[] RACES = { "white", "white", "white", "white", "white", "white", "white", "black", "black", "asian",
            "asian", "native", "hawaiian", "other" };
    private static final String[] SUFFIXES = { "PhD", "JD", "MD" };
    private static final String[] SPECIALITIES = { "GENERAL PRACTICE", "GENERAL PRACTICE", "GENERAL PRACTICE", "INTERNAL MEDICINE",
            "FAMILY PRACTICE", "PEDIATRIC MEDICINE", "NURSE PRACTITIONER" };
    private static final String[] ORGANIZATION_KINDS = { "%s Outpatient Clinic", "%S FAMILY MEDICINE", "%s Medical Center",
            "%s Urgent Care", "%S HOME CARE INC.", "%s Community Health Center", "%S DENTAL GROUP", "%s Hospital" };
    /** Name, ownership (Synthea's), and whether it covers at all. */
    private static final String[][] PAYERS = { { "Medicare", "GOVERNMENT" }, { "Medicaid", "GOVERNMENT" },
            { "Dual Eligible", "GOVERNMENT" }, { "Generic Health Plan", "PRIVATE" }, { "Example Mutual", "PRIVATE" },
            { "Sample Care", "PRIVATE" }, { "Placeholder Health", "PRIVATE" }, { "Demo Benefit Co", "PRIVATE" },
            { "Fictive Assurance", "PRIVATE" }, { "NO_INSURANCE", "NO_INSURANCE" } };
    private static final int MEDICARE = 0;
    private static final int MEDICAID = 1;
    private static final int DUAL_ELIGIBLE = 2;
    private static final int FIRST_PRIVATE = 3;
    private static final int PRIVATE_PAYERS = 6;
    private static final int NO_INSURANCE = 9;

    // ---------------------------------------------------------------- clinical content (Synthea's codes)

    /** Encounter classes (Synthea's), their weights in a patient's visits, and their codes: code, description, base cost. */
    private static final String[] CLASSES = { "wellness", "ambulatory", "outpatient", "urgentcare", "emergency", "inpatient", "virtual" };
    private static final int[] CLASS_WEIGHTS = { 36, 33, 13, 8, 5, 4, 1 };
    private static final int WELLNESS = 0;
    private static final int AMBULATORY = 1;
    private static final int URGENT_CARE = 3;
    private static final int EMERGENCY = 4;
    private static final int INPATIENT = 5;
    private static final String[][][] CLASS_CODES = {
            { { "162673000", "General examination of patient (procedure)", "136.80" } },
            { { "185347001", "Encounter for problem (procedure)", "85.55" }, { "185345009", "Encounter for symptom", "85.55" },
                    { "185349003", "Encounter for check up (procedure)", "85.55" }, { "390906007", "Follow-up encounter", "85.55" } },
            { { "185349003", "Encounter for check up (procedure)", "85.55" }, { "308335008", "Patient encounter procedure", "142.58" },
                    { "698314001", "Consultation for treatment", "142.58" } },
            { { "702927004", "Urgent care clinic (environment)", "142.58" } },
            { { "50849002", "Emergency room admission (procedure)", "146.18" }, { "182813001", "Emergency treatment (procedure)", "146.18" } },
            { { "32485007", "Hospital admission (procedure)", "146.18" }, { "305408004", "Admission to surgical department", "146.18" } },
            { { "448337001", "Telemedicine consultation with patient (procedure)", "85.55" } } };
    private static final String[] WELL_CHILD = { "410620009", "Well child visit (procedure)", "136.80" };
    private static final String[] DEATH_CERTIFICATION = { "308646001", "Death Certification", "136.80" };
    private static final String[] HOSPICE = { "305336008", "Admission to hospice (procedure)", "137.53" };
    private static final String[] DENTAL_REFERRAL = { "103697008", "Patient referral for dental care (procedure)" };
    private static final String[] DENTAL_REFERRAL_PROCEDURE = { DENTAL_REFERRAL[0], DENTAL_REFERRAL[1], "43140" };
    private static final String[] HOSPICE_CARE = { "385763009", "Hospice care (regime/therapy)", "43140" };
    private static final String[] CAUSES_OF_DEATH = { "End-stage renal disease (disorder)", "Stroke", "Sudden Cardiac Death",
            "Secondary malignant neoplasm of colon", "Chronic congestive heart failure (disorder)", "Myocardial infarction (disorder)" };

    /** A chronic condition: its code and name, medications (code, name, cost in cents), care plan, device, supplies. */
    private record Chronic(String code, String description, String[][] medications, String[] careplan, String[] device,
            String[][] supplies, int minAge, int percent) {
    }

    private static final Chronic[] CHRONICS = {
            new Chronic("59621000", "Essential hypertension (disorder)",
                    new String[][] { { "314076", "lisinopril 10 MG Oral Tablet", "91" }, { "310798", "Hydrochlorothiazide 25 MG Oral Tablet", "45" },
                            { "308136", "amLODIPine 2.5 MG Oral Tablet", "91" } },
                    new String[] { "443402002", "Lifestyle education regarding hypertension" }, null, null, 25, 30),
            new Chronic("15777000", "Prediabetes",
                    new String[][] { { "860975", "24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet", "4508" },
                            { "106892", "insulin isophane  human 70 UNT/ML / insulin  regular  human 30 UNT/ML Injectable Suspension [Humulin]",
                                    "12689" } },
                    new String[] { "698360004", "Diabetes self management plan" }, new String[] { "337414009", "Blood glucose meter (physical object)" },
                    new String[][] { { "337388004", "Blood glucose testing strips (physical object)", "50" },
                            { "1137596000", "Blood lancet (physical object)", "100" } },
                    30, 25),
            new Chronic("55822004", "Hyperlipidemia", new String[][] { { "314231", "Simvastatin 10 MG Oral Tablet", "30" } },
                    new String[] { "736285004", "Hyperlipidemia clinical management plan" }, null, null, 30, 18),
            new Chronic("233678006", "Childhood asthma",
                    new String[][] { { "616830", "budesonide 0.125 MG/ML Inhalation Suspension [Pulmicort]", "12994" },
                            { "745752", "NDA021457 200 ACTUAT albuterol 0.09 MG/ACTUAT Metered Dose Inhaler [ProAir]", "12994" },
                            { "895996", "120 ACTUAT fluticasone propionate 0.044 MG/ACTUAT Metered Dose Inhaler [Flovent]", "12994" } },
                    new String[] { "699728000", "Asthma self management" }, new String[] { "170615005", "Home nebulizer (physical object)" },
                    null, 0, 10),
            new Chronic("78275009", "Obstructive sleep apnea syndrome (disorder)", null,
                    new String[] { "734163000", "Care plan (record artifact)" },
                    new String[] { "702172008", "Home continuous positive airway pressure unit (physical object)" },
                    new String[][] { { "706226000", "Continuous positive airway pressure/Bilevel positive airway pressure mask (physical object)", "1" },
                            { "972002", "Air filter  device (physical object)", "5" }, { "463659001", "Medical air low pressure tubing (physical object)", "1" } },
                    30, 8),
            new Chronic("82423001", "Chronic pain (finding)",
                    new String[][] { { "1049625", "Acetaminophen 325 MG / Oxycodone Hydrochloride 10 MG Oral Tablet [Percocet]", "12994" },
                            { "993770", "Acetaminophen 300 MG / Codeine Phosphate 15 MG Oral Tablet", "12994" } },
                    null, null, null, 18, 10),
            new Chronic("271737000", "Anemia (disorder)", new String[][] { { "205923", "1 ML Epoetin Alfa 4000 UNT/ML Injection [Epogen]", "2921" } },
                    null, null, null, 0, 6),
            new Chronic("431856006", "Chronic kidney disease stage 2 (disorder)", null, new String[] { "736690008", "Dialysis care plan (record artifact)" },
                    null, null, 40, 8),
            new Chronic("66383009", "Gingivitis (disorder)", new String[][] { { "1535362", "sodium fluoride 0.0272 MG/MG Oral Gel", "12994" } },
                    null, null, null, 5, 20),
            new Chronic("414545008", "Ischemic heart disease (disorder)",
                    new String[][] { { "866412", "24 HR metoprolol succinate 100 MG Extended Release Oral Tablet", "12994" } },
                    null, null, null, 45, 8),
            new Chronic("40055000", "Chronic sinusitis (disorder)", null, null, null, null, 10, 10),
            new Chronic("239873007", "Osteoarthritis of knee", new String[][] { { "849574", "Naproxen sodium 220 MG Oral Tablet", "1254" } },
                    new String[] { "408869004", "Musculoskeletal care" }, null, null, 50, 10) };
    /** The condition of the patients with chest CT series: not drawn with the others. */
    private static final Chronic LUNG_CANCER = new Chronic("424132000", "Non-small cell carcinoma of lung  TNM stage 1 (disorder)",
            new String[][] { { "1736854", "Cisplatin 50 MG Injection", "20384" }, { "583214", "PACLitaxel 100 MG Injection", "365" } },
            null, null, null, 40, 0);
    /** Patients in 1,000 (aged 40 or more at the end of their records) with lung cancer, followed by chest CT series. */
    private static final int CT_PER_MILLE = 50;

    /** An acute problem: code, name, days it lasts (at most), a medication for it (code, name, cents) or null, care plan. */
    private record Acute(String code, String description, int days, String[] medication, String[] careplan) {
    }

    private static final Acute[] ACUTES = {
            new Acute("444814009", "Viral sinusitis (disorder)", 21, null, null),
            new Acute("10509002", "Acute bronchitis (disorder)", 28, new String[] { "313782", "Acetaminophen 325 MG Oral Tablet", "85" },
                    new String[] { "53950000", "Respiratory therapy" }),
            new Acute("65363002", "Otitis media", 14, new String[] { "308182", "Amoxicillin 250 MG Oral Capsule", "1149" }, null),
            new Acute("75498004", "Acute bacterial sinusitis (disorder)", 21,
                    new String[] { "562251", "Amoxicillin 250 MG / Clavulanate 125 MG Oral Tablet", "1624" }, null),
            new Acute("43878008", "Streptococcal sore throat (disorder)", 10,
                    new String[] { "834061", "Penicillin V Potassium 500 MG Oral Tablet", "382" }, null),
            new Acute("195662009", "Acute viral pharyngitis (disorder)", 10, null, null),
            new Acute("44465007", "Sprain of ankle", 42, new String[] { "310965", "Ibuprofen 200 MG Oral Tablet", "64" },
                    new String[] { "384758001", "Self-care interventions (procedure)" }),
            new Acute("283371005", "Laceration of forearm", 21, new String[] { "313782", "Acetaminophen 325 MG Oral Tablet", "85" },
                    new String[] { "225358003", "Wound care" }),
            new Acute("39848009", "Whiplash injury to neck", 60, new String[] { "310965", "Ibuprofen 200 MG Oral Tablet", "64" }, null),
            new Acute("68496003", "Polyp of colon", 30, null, null) };

    /** Findings of a wellness visit (Synthea's social determinants): code, name, and whether they last. */
    private static final String[][] FINDINGS = { { "314529007", "Medication review due (situation)", "day" },
            { "160903007", "Full-time employment (finding)", "years" }, { "160904001", "Part-time employment (finding)", "years" },
            { "73595000", "Stress (finding)", "years" }, { "224299000", "Received higher education (finding)", "" },
            { "423315002", "Limited social contact (finding)", "years" }, { "422650009", "Social isolation (finding)", "years" },
            { "162864005", "Body mass index 30+ - obesity (finding)", "years" }, { "741062008", "Not in labor force (finding)", "years" },
            { "5251000175109", "Received certificate of high school equivalency (finding)", "" } };

    /** Procedures of a wellness visit: code, name, cost in cents. */
    private static final String[][] SCREENINGS = { { "710824005", "Assessment of health and social care needs (procedure)", "43140" },
            { "171207006", "Depression screening (procedure)", "43140" },
            { "454711000124102", "Depression screening using Patient Health Questionnaire Two-Item score (procedure)", "43140" },
            { "428211000124100", "Assessment of substance use (procedure)", "43140" }, { "710841007", "Assessment of anxiety (procedure)", "43140" },
            { "713106006", "Screening for drug abuse (procedure)", "43140" }, { "866148006", "Screening for domestic abuse (procedure)", "43140" },
            { "430193006", "Medication Reconciliation (procedure)", "21570" },
            { "763302001", "Assessment using Alcohol Use Disorders Identification Test - Consumption (procedure)", "43140" },
            { "398171003", "Hearing examination (procedure)", "43140" } };
    private static final String[] FALL_RISK = { "762993000", "Assessment using Morse Fall Scale (procedure)", "43140" };
    private static final String[][] DENTAL = { { "34043003", "Dental consultation and report (procedure)", "43140" },
            { "225362009", "Dental care (regime/therapy)", "43140" },
            { "1260009003", "Removal of supragingival plaque and calculus from all teeth using dental instrument (procedure)", "43140" },
            { "1260010008", "Removal of subgingival plaque and calculus from all teeth using dental instrument (procedure)", "43140" },
            { "274788003", "Examination of gingivae (procedure)", "43140" }, { "243085009", "Oral health education (procedure)", "43140" },
            { "68071007", "Dental fluoride treatment (procedure)", "43140" } };
    private static final String[] BITEWING = { "241046008", "Dental X-ray bitewing (procedure)", "43140" };
    private static final String[] CHEST_XRAY = { "399208008", "Plain X-ray of chest (procedure)", "43140" };
    private static final String[] CHEST_CT = { "16335031000119103", "High resolution computed tomography of chest without contrast (procedure)",
            "43140" };
    private static final String[][] ACUTE_PROCEDURES = { { "23426006", "Measurement of respiratory function (procedure)", "43140" },
            { "117015009", "Throat culture (procedure)", "43140" }, { "288086009", "Suture open wound", "43140" },
            { "76601001", "Intramuscular injection", "110827" }, { "73761001", "Colonoscopy", "1055074" } };
    private static final String[][] INPATIENT_PROCEDURES = { { "76601001", "Intramuscular injection", "110827" },
            { "370789001", "Development of individualized plan of care (procedure)", "43140" },
            { "315639002", "Initial patient assessment (procedure)", "43140" }, { "265764009", "Renal dialysis (procedure)", "45032" } };
    private static final String[][] DENTAL_SUPPLIES = { { "469020004", "Dental floss (physical object)", "1" },
            { "1230220004", "Conventional release periodontal gel (dose form)", "1" }, { "277183007", "Dental equipment (physical object)", "1" },
            { "706390002", "Dental impression material (physical object)", "1" },
            { "468277001", "Dental impression tray material (physical object)", "1" } };
    private static final String[] DENTAL_XRAY_SYSTEM = { "706298007", "Dental x-ray system (physical object)" };
    private static final String[] WEIGHT_PLAN = { "718361005", "Weight management program" };
    private static final String[] OBESITY = { "162864005", "Body mass index 30+ - obesity (finding)" };
    private static final String[] HOSPITAL_BED = { "91537007", "Hospital bed  device (physical object)" };
    private static final String[][] INPATIENT_SUPPLIES = { { "8537005", "Solution (substance)", "100" },
            { "431069006", "Packed red blood cells (product)", "2" } };

    /** Vaccines: CVX code, name (Synthea's, commas as two spaces). The first is the yearly influenza vaccine. */
    private static final String[][] VACCINES = { { "140", "Influenza  seasonal  injectable  preservative free" }, { "10", "IPV" },
            { "20", "DTaP" }, { "08", "Hep B  adolescent or pediatric" }, { "49", "Hib (PRP-OMP)" }, { "03", "MMR" }, { "21", "varicella" },
            { "133", "Pneumococcal conjugate PCV 13" }, { "119", "rotavirus  monovalent" }, { "83", "Hep A  ped/adol  2 dose" } };
    private static final String[][] ADULT_VACCINES = { { "113", "Td (adult)  5 Lf tetanus toxoid  preservative free  adsorbed" },
            { "121", "zoster vaccine  live" }, { "208", "COVID-19  mRNA  LNP-S  PF  30 mcg/0.3 mL dose" }, { "52", "Hep A  adult" } };

    /** Allergens: code, system, name, type, category; and reactions: code, name. */
    private static final String[][] ALLERGENS = { { "419199007", "SNOMED-CT", "Allergy to substance (finding)", "allergy", "environment" },
            { "84489001", "SNOMED-CT", "Mold (organism)", "allergy", "environment" },
            { "264287008", "SNOMED-CT", "Animal dander (substance)", "allergy", "environment" },
            { "782576004", "SNOMED-CT", "Tree pollen (substance)", "allergy", "environment" },
            { "260147004", "SNOMED-CT", "House dust mite (organism)", "allergy", "environment" },
            { "256277009", "SNOMED-CT", "Grass pollen (substance)", "allergy", "environment" },
            { "412071004", "SNOMED-CT", "Wheat (substance)", "allergy", "food" }, { "735971005", "SNOMED-CT", "Fish (substance)", "allergy", "food" },
            { "1191", "RxNorm", "Aspirin", "allergy", "medication" }, { "111088007", "SNOMED-CT", "Latex (substance)", "allergy", "environment" },
            { "3718001", "SNOMED-CT", "Cow's milk (substance)", "allergy", "food" },
            { "288328004", "SNOMED-CT", "Bee venom (substance)", "allergy", "environment" },
            { "735029006", "SNOMED-CT", "Shellfish (substance)", "allergy", "food" },
            { "10831", "RxNorm", "Sulfamethoxazole / Trimethoprim", "allergy", "medication" },
            { "29046", "RxNorm", "Lisinopril", "intolerance", "medication" }, { "7984", "RxNorm", "Penicillin V", "allergy", "medication" },
            { "762952008", "SNOMED-CT", "Peanut (substance)", "allergy", "food" } };
    private static final String[][] REACTIONS = { { "878820003", "Rhinoconjunctivitis (disorder)" }, { "271807003", "Eruption of skin (disorder)" },
            { "39579001", "Anaphylaxis (disorder)" }, { "247472004", "Wheal (finding)" }, { "21626009", "Allergic skin rash" },
            { "267101005", "Nose running" }, { "267036007", "Dyspnea (finding)" }, { "21522001", "Abdominal pain (finding)" },
            { "62315008", "Diarrhea (finding)" }, { "418290006", "Itching (finding)" } };
    private static final String[] SEVERITIES = { "MILD", "MILD", "MODERATE", "MODERATE", "SEVERE" };

    /** An observation: category, LOINC code, name, units, and either a numeric range (low, high, decimals) or texts. */
    private record Test(String category, String code, String description, String units, double low, double high, int places,
            String[] texts) {
    }

    private static Test nm(String category, String code, String description, String units, double low, double high, int places) {
        return new Test(category, code, description, units, low, high, places, null);
    }

    private static Test tx(String category, String code, String description, String units, String... texts) {
        return new Test(category, code, description, units, 0, 0, 0, texts);
    }

    private static final String LAB = "laboratory";
    private static final String SURVEY = "survey";
    private static final Test[] METABOLIC = { nm(LAB, "2339-0", "Glucose [Mass/volume] in Blood", "mg/dL", 65, 110, 1),
            nm(LAB, "6299-2", "Urea nitrogen [Mass/volume] in Blood", "mg/dL", 7, 20, 1),
            nm(LAB, "38483-4", "Creatinine [Mass/volume] in Blood", "mg/dL", 0.6, 1.4, 1),
            nm(LAB, "49765-1", "Calcium [Mass/volume] in Blood", "mg/dL", 8.5, 10.2, 1),
            nm(LAB, "2947-0", "Sodium [Moles/volume] in Blood", "mmol/L", 136, 145, 1),
            nm(LAB, "6298-4", "Potassium [Moles/volume] in Blood", "mmol/L", 3.5, 5.1, 1),
            nm(LAB, "2069-3", "Chloride [Moles/volume] in Blood", "mmol/L", 98, 107, 1),
            nm(LAB, "20565-8", "Carbon dioxide  total [Moles/volume] in Blood", "mmol/L", 21, 30, 1) };
    private static final Test EGFR = nm(LAB, "33914-3",
            "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum or Plasma by Creatinine-based formula (MDRD)",
            "mL/min/{1.73_m2}", 55, 120, 1);
    private static final Test[] CBC = { nm(LAB, "6690-2", "Leukocytes [#/volume] in Blood by Automated count", "10*3/uL", 4, 11, 1),
            nm(LAB, "789-8", "Erythrocytes [#/volume] in Blood by Automated count", "10*6/uL", 4.2, 5.9, 1),
            nm(LAB, "718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL", 12, 17, 1),
            nm(LAB, "4544-3", "Hematocrit [Volume Fraction] of Blood by Automated count", "%", 36, 50, 1),
            nm(LAB, "787-2", "MCV [Entitic volume] by Automated count", "fL", 80, 100, 1),
            nm(LAB, "785-6", "MCH [Entitic mass] by Automated count", "pg", 27, 33, 1),
            nm(LAB, "786-4", "MCHC [Mass/volume] by Automated count", "g/dL", 32, 36, 1),
            nm(LAB, "777-3", "Platelets [#/volume] in Blood by Automated count", "10*3/uL", 150, 400, 1) };
    private static final Test[] LIPIDS = { nm(LAB, "2093-3", "Cholesterol [Mass/volume] in Serum or Plasma", "mg/dL", 150, 240, 1),
            nm(LAB, "2571-8", "Triglycerides", "mg/dL", 50, 200, 1), nm(LAB, "18262-6", "Low Density Lipoprotein Cholesterol", "mg/dL", 70, 160, 1),
            nm(LAB, "2085-9", "Cholesterol in HDL [Mass/volume] in Serum or Plasma", "mg/dL", 35, 75, 1) };
    private static final Test HBA1C = nm(LAB, "4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", "%", 4.5, 7.5, 1);
    private static final Test[] URINALYSIS = { nm(LAB, "5792-7", "Glucose [Mass/volume] in Urine by Test strip", "mg/dL", 0.5, 2.5, 1),
            tx(LAB, "2514-8", "Ketones [Presence] in Urine by Test strip", "{nominal}", "Urine ketone test = + (finding)",
                    "Urine ketone test = ++ (finding)", "Urine ketones not detected (finding)"),
            nm(LAB, "5811-5", "Specific gravity of Urine by Test strip", "{nominal}", 1.005, 1.030, 3),
            nm(LAB, "5803-2", "pH of Urine by Test strip", "pH", 5, 8, 1),
            tx(LAB, "5802-4", "Nitrite [Presence] in Urine by Test strip", "{nominal}", "Urine nitrite negative (finding)",
                    "Urine nitrite positive (finding)"),
            tx(LAB, "5794-3", "Hemoglobin [Presence] in Urine by Test strip", "{nominal}", "Urine blood test = negative (finding)",
                    "Urine blood test = + (finding)"),
            tx(LAB, "5799-2", "Leukocyte esterase [Presence] in Urine by Test strip", "{nominal}", "Urine leukocyte test negative (finding)",
                    "Urine leukocyte test = + (finding)"),
            tx(LAB, "5767-9", "Appearance of Urine", "{nominal}", "Cloudy urine (finding)", "Clear urine (finding)"),
            tx(LAB, "5778-6", "Color of Urine", "{nominal}", "Brown color (qualifier value)", "Yellow color (qualifier value)") };
    private static final Test SMOKING = tx("social-history", "72166-2", "Tobacco smoking status", "", "Never smoked tobacco (finding)",
            "Never smoked tobacco (finding)", "Never smoked tobacco (finding)", "Ex-smoker (finding)", "Current every day smoker (finding)");
    private static final Test[] PRAPARE = {
            tx(SURVEY, "93026-3", "Do you feel physically and emotionally safe where you currently live?", "", "Yes", "Yes", "No"),
            tx(SURVEY, "93027-1", "Are you a refugee?", "", "No"),
            tx(SURVEY, "93038-8", "Stress level", "", "Not at all", "A little bit", "Somewhat", "Quite a bit"),
            tx(SURVEY, "93029-7", "How often do you see or talk to people that you care about and feel close to (For example: talking to"
                    + " friends on the phone  visiting friends or family  going to church or club meetings)?", "", "5 or more times a week",
                    "3 to 5 times a week", "1 or 2 times a week"),
            tx(SURVEY, "93030-5", "Has lack of transportation kept you from medical appointments  meetings  work  or from getting things"
                    + " needed for daily living", "", "No", "No", "Yes  it has kept me from medical appointments or from getting my medications"),
            tx(SURVEY, "76437-3", "Primary insurance", "", "Private insurance", "Medicare", "Medicaid", "None/uninsured"),
            tx(SURVEY, "67875-5", "Employment status - current", "", "Full-time work", "Part-time or temporary work", "Unemployed",
                    "Otherwise unemployed but not seeking work (ex: student  retired  disabled  unpaid primary care giver)"),
            tx(SURVEY, "82589-3", "Highest level of education", "", "More than high school", "High school diploma or GED",
                    "Less than high school degree"),
            tx(SURVEY, "71802-3", "Housing status", "", "I have housing"),
            tx(SURVEY, "93033-9", "Are you worried about losing your housing?", "", "No", "No", "Yes"),
            nm(SURVEY, "63512-8", "How many people are living or staying at this address?", "{#}", 1, 7, 0),
            tx(SURVEY, "54899-0", "Preferred language", "", "English", "English", "English", "Spanish"),
            tx(SURVEY, "56051-6", "Do you consider yourself Hispanic/Latino?", "", "No", "No", "No", "Yes") };
    private static final Test PHQ2 = nm(SURVEY, "55758-7", "Patient Health Questionnaire 2 item (PHQ-2) total score [Reported]", "{score}", 0, 6, 0);
    private static final Test GAD7 = nm(SURVEY, "70274-6", "Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]", "{score}", 0,
            12, 0);
    private static final Test FALL_SCORE = nm(SURVEY, "59460-6", "Fall risk total [Morse Fall Scale]", "{#}", 0, 60, 0);
    /** Quality-of-life measures, which Synthea writes with no category. */
    private static final Test[] QUALITY = { nm("", "QALY", "QALY", "a", 1, 80, 1), nm("", "DALY", "DALY", "a", 0, 5, 1),
            nm("", "QOLS", "QOLS", "{score}", 0.5, 1, 1) };
    private static final Test CAUSE_OF_DEATH = tx("exam", "69453-9", "Cause of Death [US Standard Certificate of Death]", "", CAUSES_OF_DEATH);

    // ---------------------------------------------------------------- proportions (tuned to Synthea's export)

    private static final int MIN_ENCOUNTERS = 4;
    private static final int MORE_ENCOUNTERS = 23;
    private static final int DECEASED_OLD_PERCENT = 22;
    private static final int ALLERGIC_PERCENT = 19;
    private static final int REASON_PERCENT = 70;
    private static final int DENTAL_PERCENT = 20;
    private static final int FINDING_PERCENT = 85;
    private static final int FLU_PERCENT = 14;
    private static final int CHILD_VACCINE_PERCENT = 35;

    private final Random random;
    private final Table[] tables = new Table[TABLES.size()];
    private final String[] organizationIds = new String[ORGANIZATIONS];
    private final String[] providerIds = new String[ORGANIZATIONS * PROVIDERS_PER_ORGANIZATION];
    private final String[] payerIds = new String[PAYERS.length];
    private final StringBuilder text = new StringBuilder(64);
    private int patientCount;

    /** The rows of the patient being written. */
    private Person person;
    /** The DESCRIPTION and REASONDESCRIPTION of the row being written, once {@link #quirk} has had its say. */
    private String description;
    private String reasonDescription;

    /**
     * What a dump holds: patients, data rows per table (header rows not counted; a row with a line feed inside quotes
     * counts once), in the order of {@link #TABLES}, and bytes written.
     */
    public record Summary(int patients, Map<String, Long> rows, long bytes) {
        /** Data rows of every table together. */
        public long totalRows() {
            return rows.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private CsvGenerator(long seed) {
        this.random = new Random(seed);
        for (int i = 0; i < organizationIds.length; i++) {
            organizationIds[i] = uuid();
        }
        for (int i = 0; i < providerIds.length; i++) {
            providerIds[i] = uuid();
        }
        for (int i = 0; i < payerIds.length; i++) {
            payerIds[i] = uuid();
        }
    }

    /**
     * Writes a dump of {@code patients} patients into {@code folder} (created if missing): every file of {@link #TABLES},
     * {@code <table>.csv}, an existing one replaced, other files left alone.
     */
    public static Summary write(Path folder, int patients, long seed) throws IOException {
        if (patients < 0) {
            throw new IllegalArgumentException("patients must be at least 0");
        }
        return new CsvGenerator(seed).writeDump(folder, patients, Long.MAX_VALUE);
    }

    /**
     * Writes a dump into {@code folder} as {@link #write} does, adding patients until its files hold at least
     * {@code targetBytes} together: the dump of {@code write(folder, n, seed)} for the smallest {@code n} that reaches
     * the target, byte for byte. It passes the target by less than one patient's rows (a few tens of kB on average,
     * 2 MB at most).
     */
    public static Summary writeAbout(Path folder, long targetBytes, long seed) throws IOException {
        if (targetBytes < 0) {
            throw new IllegalArgumentException("targetBytes must be at least 0");
        }
        return new CsvGenerator(seed).writeDump(folder, Integer.MAX_VALUE, targetBytes);
    }

    private Summary writeDump(Path folder, int patients, long targetBytes) throws IOException {
        Files.createDirectories(folder);
        Throwable failure = null;
        try {
            for (int t = 0; t < tables.length; t++) {
                String name = TABLES.get(t);
                tables[t] = new Table(folder.resolve(name + ".csv"), HEADERS.get(name));
            }
            referenceData();
            while (patientCount < patients && bytes() < targetBytes) {
                patient();
            }
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            Closing.all(java.util.Arrays.stream(tables).map(table -> table == null ? null : table.out).toList(), failure);
        }
        Map<String, Long> rows = new LinkedHashMap<>();
        long bytes = 0;
        for (int t = 0; t < tables.length; t++) {
            rows.put(TABLES.get(t), tables[t].rows);
            bytes += Files.size(tables[t].file);
        }
        return new Summary(patientCount, Collections.unmodifiableMap(rows), bytes);
    }

    /** Bytes written so far (every character is ASCII: one byte each), buffered ones included. */
    private long bytes() {
        long sum = 0;
        for (Table table : tables) {
            sum += table.chars;
        }
        return sum;
    }

    // ---------------------------------------------------------------- one output file

    /** One table's file: its writer, the data rows and characters written, and the fields of the row being written. */
    private static final class Table {
        final Path file;
        final Writer out;
        final int columns;
        long rows;
        long chars;
        int fields;

        Table(Path file, List<String> header) throws IOException {
            this.file = file;
            this.out = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(file), StandardCharsets.UTF_8), 1 << 16);
            this.columns = header.size();
            for (String column : header) {
                f(column);
            }
            out.write('\n');
            chars++;
            fields = 0;
        }

        /** The next field: empty for null, quoted (its quotes doubled) when it holds a comma, a quote or a line break. */
        Table f(String value) throws IOException {
            if (fields++ > 0) {
                out.write(',');
                chars++;
            }
            if (value == null || value.isEmpty()) {
                return this;
            }
            if (needsQuotes(value)) {
                out.write('"');
                for (int i = 0; i < value.length(); i++) {
                    char c = value.charAt(i);
                    if (c == '"') {
                        out.write('"');
                        chars++;
                    }
                    out.write(c);
                }
                out.write('"');
                chars += value.length() + 2;
            } else {
                out.write(value);
                chars += value.length();
            }
            return this;
        }

        Table f(long value) throws IOException {
            return f(Long.toString(value));
        }

        void end() throws IOException {
            if (fields != columns) {
                throw new IllegalStateException(file.getFileName() + ": a row of " + fields + " fields, not " + columns);
            }
            out.write('\n');
            chars++;
            rows++;
            fields = 0;
        }

        private static boolean needsQuotes(String value) {
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == ',' || c == '"' || c == '\n' || c == '\r') {
                    return true;
                }
            }
            return false;
        }
    }

    // ---------------------------------------------------------------- reference data

    private void referenceData() throws IOException {
        Table organizations = tables[ORGANIZATION];
        String[][] towns = new String[ORGANIZATIONS][];
        String[] streets = new String[ORGANIZATIONS];
        String[] zips = new String[ORGANIZATIONS];
        String[][] places = new String[ORGANIZATIONS][];
        for (int i = 0; i < ORGANIZATIONS; i++) {
            String[] town = TOWNS[i % TOWNS.length];
            towns[i] = town;
            boolean upper = random.nextBoolean();
            String kind = ORGANIZATION_KINDS[random.nextInt(ORGANIZATION_KINDS.length)];
            String name = String.format(Locale.ROOT, kind, town[0]);
            String street = (1 + random.nextInt(999)) + " " + pick(FAMILY) + " " + (random.nextBoolean() ? "Street" : "Avenue");
            streets[i] = upper ? street.toUpperCase(Locale.ROOT) : street;
            zips[i] = zip(town);
            places[i] = new String[] { latitude(town), longitude(town) };
            organizations.f(organizationIds[i]).f(name).f(streets[i]).f(upper ? town[0].toUpperCase(Locale.ROOT) : town[0]).f("MA")
                    .f(zips[i]).f(places[i][0]).f(places[i][1]).f(phone()).f("0.0").f(1 + random.nextInt(400));
            organizations.end();
        }
        Table providers = tables[PROVIDER];
        for (int i = 0; i < providerIds.length; i++) {
            int o = i / PROVIDERS_PER_ORGANIZATION;
            boolean female = random.nextBoolean();
            providers.f(providerIds[i]).f(organizationIds[o]).f(given(female) + " " + family()).f(female ? "F" : "M")
                    .f(pick(SPECIALITIES)).f(streets[o]).f(towns[o][0].toUpperCase(Locale.ROOT)).f("MA").f(zips[o]).f(places[o][0])
                    .f(places[o][1]).f(1 + random.nextInt(400)).f(random.nextInt(50));
            providers.end();
        }
        Table payers = tables[PAYER];
        for (int i = 0; i < PAYERS.length; i++) {
            boolean none = i == NO_INSURANCE;
            payers.f(payerIds[i]).f(PAYERS[i][0]).f(PAYERS[i][1]).f("").f("").f("").f("").f("")
                    .f(none ? "0.00" : cents(random.nextInt(900_000_000))).f(cents(random.nextInt(600_000_000)))
                    .f(none ? "0.00" : cents(random.nextInt(300_000_000))).f(none ? 0 : random.nextInt(4000))
                    .f(none ? random.nextInt(3000) : 0).f(none ? 0 : random.nextInt(4000)).f(none ? random.nextInt(2000) : 0)
                    .f(none ? 0 : random.nextInt(7000)).f(none ? random.nextInt(5000) : 0).f(none ? 0 : random.nextInt(900))
                    .f(none ? random.nextInt(900) : 0).f(1 + random.nextInt(40)).f(decimal(0.4 + 0.6 * random.nextDouble(), 6))
                    .f(random.nextInt(9000));
            payers.end();
        }
    }

    // ---------------------------------------------------------------- the patient

    /** What the rows of one patient share: who, when, and the conditions that later visits follow up. */
    private static final class Person {
        String id;
        boolean female;
        String first;
        String last;
        long birthDay;
        long endDay;
        boolean deceased;
        int payer;
        int secondaryPayer = -1;
        int primaryProvider;
        int timeOfDay;
        double height;
        double weight;
        int systolic;
        int diastolic;
        final List<Chronic> chronics = new ArrayList<>();
        /** The encounter at which each of {@link #chronics} begins. */
        int[] onsets = new int[0];
        /** The prescriptions of each chronic condition: the index of the first of its medications, and how many. */
        int[] medication = new int[0];
        int[] drugs = new int[0];
        int ctStudies;
        boolean weightPlan;
        String smoking;
        int encounters;

        double ageAt(long day) {
            return (day - birthDay) / 365.25;
        }
    }

    private void patient() throws IOException {
        Person p = new Person();
        person = p;
        patientCount++;
        p.id = uuid();
        p.female = random.nextBoolean();
        int age = random.nextInt(95);
        p.birthDay = EXPORTED_DAY - age * 365L - 1 - random.nextInt(365);
        p.deceased = random.nextInt(100) < (age > 40 ? DECEASED_OLD_PERCENT : 3);
        long alive = EXPORTED_DAY - p.birthDay;
        p.endDay = p.deceased ? p.birthDay + Math.max(2, (long) (alive * (0.6 + 0.4 * random.nextDouble()))) : EXPORTED_DAY - 1;
        p.endDay = Math.min(p.endDay, EXPORTED_DAY - 1);
        double ageAtEnd = p.ageAt(p.endDay);
        p.first = given(p.female);
        p.last = family();
        p.timeOfDay = 7 * 3600 + random.nextInt(11 * 3600);
        p.primaryProvider = random.nextInt(providerIds.length);
        p.payer = ageAtEnd >= 65 ? (random.nextInt(5) == 0 ? DUAL_ELIGIBLE : MEDICARE)
                : ageAtEnd < 18 ? (random.nextInt(10) < 4 ? MEDICAID : FIRST_PRIVATE + random.nextInt(PRIVATE_PAYERS))
                        : random.nextInt(100) < 75 ? FIRST_PRIVATE + random.nextInt(PRIVATE_PAYERS)
                                : random.nextBoolean() ? MEDICAID : NO_INSURANCE;
        if (p.payer == MEDICARE && random.nextInt(10) == 0) {
            p.secondaryPayer = MEDICAID;
        }
        p.height = p.female ? 152 + random.nextInt(25) + random.nextDouble() : 162 + random.nextInt(28) + random.nextDouble();
        p.weight = (p.height - 100) * (0.8 + 0.6 * random.nextDouble());
        p.systolic = 105 + random.nextInt(40);
        p.diastolic = 65 + random.nextInt(30);
        p.smoking = SMOKING.texts[random.nextInt(SMOKING.texts.length)];
        writePatient(p, ageAtEnd);

        // The visits: sorted days within the last years of the patient's life, the last one the death certification.
        int n = MIN_ENCOUNTERS + random.nextInt(MORE_ENCOUNTERS);
        long spanDays = Math.min(p.endDay - p.birthDay, (3 + random.nextInt(25)) * 365L);
        long[] days = new long[n];
        for (int i = 0; i < n; i++) {
            days[i] = p.endDay - (long) (random.nextDouble() * spanDays);
        }
        Arrays.sort(days);
        if (p.deceased) {
            days[n - 1] = p.endDay;
        }
        p.encounters = n;

        // The chronic conditions, each beginning at one of the visits.
        for (Chronic c : CHRONICS) {
            if (ageAtEnd >= c.minAge && random.nextInt(100) < c.percent) {
                p.chronics.add(c);
            }
        }
        if (ageAtEnd >= LUNG_CANCER.minAge && random.nextInt(1000) < CT_PER_MILLE) {
            p.chronics.add(LUNG_CANCER);
            p.ctStudies = 3 + random.nextInt(7);
        }
        p.onsets = new int[p.chronics.size()];
        p.medication = new int[p.chronics.size()];
        p.drugs = new int[p.chronics.size()];
        for (int c = 0; c < p.onsets.length; c++) {
            // Lung cancer early enough in the records for its CT series to follow.
            p.onsets[c] = random.nextInt(p.chronics.get(c) == LUNG_CANCER ? (n + 1) / 2 : n);
            p.medication[c] = -1;
        }
        int allergies = random.nextInt(100) < ALLERGIC_PERCENT ? 1 + random.nextInt(9) : 0;
        int allergyVisit = random.nextInt(n);
        for (int i = 0; i < n; i++) {
            encounter(p, i, days[i], i == allergyVisit ? allergies : 0);
        }
        payerTransitions(p, days[n - 1]);
        person = null;
    }

    /** Patients written so far: what their identifiers are made unique from. */
    private long patientsWritten;

    private void writePatient(Person p, double ageAtEnd) throws IOException {
        boolean adult = ageAtEnd >= 18;
        boolean married = adult && random.nextInt(100) < 55;
        String marital = !adult ? "" : married ? "M" : pick(new String[] { "S", "S", "D", "W" });
        String[] town = pick(TOWNS);
        String[] birthTown = pick(TOWNS);
        String unit = switch (random.nextInt(6)) {
            case 0 -> " Unit " + (1 + random.nextInt(99));
            case 1 -> " Apt " + (1 + random.nextInt(99));
            case 2 -> " Suite " + (1 + random.nextInt(99));
            default -> "";
        };
        Table t = tables[PATIENT];
        // Identifiers are unique per patient (a bijection of the patient's number, the draws kept so the rest of the dump
        // stays as it was): random ones collide among tens of thousands of patients, and a shared SSN joins two people.
        long number = patientsWritten++;
        random.nextInt(100);
        random.nextInt(10_000);
        long scrambled = (number * 7_919L + 123_457L);
        String ssn = String.format(Locale.ROOT, "999-%02d-%04d", (scrambled % 1_000_000) / 10_000, scrambled % 10_000);
        boolean drives = ageAtEnd >= 16;
        if (drives) {
            random.nextInt(100_000);
        }
        boolean travels = adult && random.nextInt(10) < 7;
        if (travels) {
            random.nextInt(100_000_000);
        }
        t.f(p.id).f(day(p.birthDay)).f(p.deceased ? day(p.endDay) : "")
                .f(ssn)
                .f(drives ? String.format(Locale.ROOT, "S9%07d", scrambled % 10_000_000) : "")
                .f(travels ? String.format(Locale.ROOT, "X%08dX", scrambled % 100_000_000) : "")
                .f(!adult ? "" : !p.female ? "Mr." : married ? "Mrs." : "Ms.").f(p.first)
                .f(random.nextInt(10) < 6 ? given(p.female) : "").f(p.last)
                .f(adult && random.nextInt(100) == 0 ? pick(SUFFIXES) : "").f(married && p.female ? family() : "").f(marital)
                .f(pick(RACES)).f(random.nextInt(10) < 2 ? "hispanic" : "nonhispanic").f(p.female ? "F" : "M")
                .f(birthTown[0] + "  Massachusetts  US")
                .f((1 + random.nextInt(999)) + " " + pick(FAMILY) + " " + pick(STREET_KINDS) + unit).f(town[0]).f("Massachusetts")
                .f(town[1]).f(random.nextBoolean() ? town[2] : "").f(random.nextInt(4) == 0 ? "00000" : zip(town)).f(latitude(town))
                .f(longitude(town)).f(cents(100_000L + (long) (random.nextDouble() * 90_000_000L)))
                .f(cents((long) (random.nextDouble() * 70_000_000L))).f(15_000 + random.nextInt(250_000));
        t.end();
    }

    // ---------------------------------------------------------------- the visit and what it records

    private void encounter(Person p, int index, long day, int allergies) throws IOException {
        boolean last = index == p.encounters - 1;
        boolean deathCertification = p.deceased && last;
        double age = p.ageAt(day);
        boolean hospice = p.deceased && index == p.encounters - 2 && random.nextInt(3) == 0;
        // A hospice stay is recorded as a hospital stay is, under its own class.
        int klass = deathCertification ? WELLNESS : hospice ? INPATIENT : weighted(CLASSES.length, CLASS_WEIGHTS);
        boolean dental = klass == AMBULATORY && random.nextInt(100) < DENTAL_PERCENT;
        String[] code = deathCertification ? DEATH_CERTIFICATION
                : hospice ? HOSPICE
                        : klass == WELLNESS && age < 18 ? WELL_CHILD : CLASS_CODES[klass][random.nextInt(CLASS_CODES[klass].length)];
        String encounterClass = hospice ? "hospice" : CLASSES[klass];
        long start = day * DAY + (klass == WELLNESS ? p.timeOfDay : random.nextInt((int) DAY));
        long stop = start + switch (klass) {
            case INPATIENT -> DAY + random.nextInt((int) (4 * DAY));
            case EMERGENCY -> 3600 + random.nextInt(3 * 3600);
            case URGENT_CARE -> 1800 + random.nextInt(3600);
            default -> 900 + random.nextInt(2700);
        };
        if (hospice) {
            stop = start + DAY * (1 + random.nextInt(20));
        }
        stop = Math.max(start, Math.min(stop, limit(p)));
        // Conditions that begin at this visit, and the reason of a visit other than a check-up.
        Acute acute = null;
        Chronic followed = null;
        String[] reason = null;
        if (dental) {
            reason = chronicIndex(p, CHRONICS[8], index) >= 0 && random.nextBoolean()
                    ? new String[] { CHRONICS[8].code, CHRONICS[8].description } : DENTAL_REFERRAL;
        } else if (klass != WELLNESS && random.nextInt(100) < REASON_PERCENT) {
            int active = randomActiveChronic(p, index);
            if (active >= 0 && random.nextInt(3) > 0) {
                followed = p.chronics.get(active);
                reason = new String[] { followed.code, followed.description };
            } else {
                acute = ACUTES[random.nextInt(ACUTES.length)];
                reason = new String[] { acute.code, acute.description };
            }
        }
        String encounterId = uuid();
        int provider = klass == WELLNESS ? p.primaryProvider : random.nextInt(providerIds.length);
        long base = Math.round(Double.parseDouble(code[2]) * 100);
        long total = base + (klass == INPATIENT ? 200_000 + random.nextInt(2_000_000) : random.nextInt(120_000));
        long coverage = p.payer == NO_INSURANCE ? 0 : (long) (total * (0.2 + 0.7 * random.nextDouble()));
        quirk(code[1], reason == null ? null : reason[1]);
        Table e = tables[ENCOUNTER];
        e.f(encounterId).f(instant(start)).f(instant(stop)).f(p.id).f(organizationIds[provider / PROVIDERS_PER_ORGANIZATION])
                .f(providerIds[provider]).f(payerIds[p.payer]).f(encounterClass).f(code[0]).f(description).f(cents(base)).f(cents(total))
                .f(cents(coverage)).f(reason == null ? "" : reason[0]).f(reasonDescription);
        e.end();

        Visit v = visit.set(p, encounterId, start, stop, day);
        for (int c = 0; c < p.chronics.size(); c++) {
            if (p.onsets[c] == index) {
                onset(v, c);
            }
        }
        if (acute != null) {
            acute(v, acute, reason);
        }
        if (allergies > 0) {
            allergies(v, allergies);
        }
        if (deathCertification) {
            observation(v, CAUSE_OF_DEATH, null);
        } else if (klass == WELLNESS) {
            wellness(v, age, index);
        } else if (dental) {
            dental(v, reason);
        } else {
            if (hospice) {
                procedure(v, HOSPICE_CARE, reason);
            }
            problemVisit(v, klass, reason);
        }
        if (followed != null || klass == WELLNESS || klass == INPATIENT || !dental && random.nextInt(3) == 0) {
            renewals(v, index);
        }
        if (p.ctStudies > 0 && chronicIndex(p, LUNG_CANCER, index) >= 0 && !deathCertification) {
            p.ctStudies--;
            chestCt(v);
        }
    }

    /** The visit whose rows are being written (one, reused). */
    private final Visit visit = new Visit();

    private static final class Visit {
        Person person;
        String id;
        long start;
        long stop;
        long day;

        Visit set(Person person, String id, long start, long stop, long day) {
            this.person = person;
            this.id = id;
            this.start = start;
            this.stop = stop;
            this.day = day;
            return this;
        }
    }

    /** The last second of the patient's records: the end of the day of death, or the second before the export. */
    private static long limit(Person p) {
        return p.deceased ? (p.endDay + 1) * DAY - 1 : EXPORTED_DAY * DAY - 1;
    }

    /** The end (a second) of what lasts until {@code stop}: -1 (still going on) when that is after the export, the death if after it. */
    private static long stopSecond(Person p, long stop) {
        return stop <= limit(p) ? stop : p.deceased ? limit(p) : -1;
    }

    /** The same for a day. */
    private static long stopDay(Person p, long day) {
        return day < 0 || day <= p.endDay ? day : p.deceased ? p.endDay : -1;
    }

    /** The index in the patient's chronics of {@code chronic} when it has begun by visit {@code index}, or -1. */
    private static int chronicIndex(Person p, Chronic chronic, int index) {
        for (int c = 0; c < p.chronics.size(); c++) {
            if (p.chronics.get(c) == chronic && p.onsets[c] <= index) {
                return c;
            }
        }
        return -1;
    }

    private int randomActiveChronic(Person p, int index) {
        int count = 0;
        for (int onset : p.onsets) {
            if (onset <= index) {
                count++;
            }
        }
        if (count == 0) {
            return -1;
        }
        int k = random.nextInt(count);
        for (int c = 0; c < p.onsets.length; c++) {
            if (p.onsets[c] <= index && k-- == 0) {
                return c;
            }
        }
        return -1;
    }

    /** A chronic condition begins: its condition, care plan, device, first prescription. */
    private void onset(Visit v, int c) throws IOException {
        Chronic chronic = v.person.chronics.get(c);
        condition(v, chronic.code, chronic.description, v.day, -1);
        if (chronic.careplan != null) {
            careplan(v, chronic.careplan, chronic.code, chronic.description, -1);
        }
        if (chronic.device != null) {
            device(v, chronic.device);
        }
        if (chronic == CHRONICS[4]) {
            device(v, new String[] { "706180003", "Respiratory humidifier (physical object)" });
        }
        if (chronic.medications != null) {
            v.person.medication[c] = random.nextInt(chronic.medications.length);
            v.person.drugs[c] = Math.min(chronic.medications.length, 1 + random.nextInt(3));
            prescription(v, chronic, c);
        }
    }

    /** Chronic prescriptions renewed, and supplies for chronic conditions, at a check-up or a follow-up. */
    private void renewals(Visit v, int index) throws IOException {
        Person p = v.person;
        for (int c = 0; c < p.chronics.size(); c++) {
            if (p.onsets[c] >= index) {
                continue;
            }
            Chronic chronic = p.chronics.get(c);
            if (chronic.medications != null) {
                if (random.nextInt(10) == 0) {
                    p.medication[c] = random.nextInt(chronic.medications.length);
                }
                prescription(v, chronic, c);
            }
            if (chronic.supplies != null) {
                for (String[] supply : chronic.supplies) {
                    supply(v, supply);
                }
            }
        }
    }

    /** The prescriptions of a chronic condition: one or two of its medications, for a month to a year. */
    private void prescription(Visit v, Chronic chronic, int c) throws IOException {
        for (int i = 0; i < v.person.drugs[c]; i++) {
            String[] drug = chronic.medications[(v.person.medication[c] + i) % chronic.medications.length];
            boolean lastVisit = v.day >= v.person.endDay - 400;
            long stop = lastVisit && random.nextBoolean() ? -1 : stopSecond(v.person, v.start + DAY * (30 + random.nextInt(335)));
            medication(v, drug, stop, 1 + random.nextInt(12), chronic.code, chronic.description);
        }
    }

    private void acute(Visit v, Acute acute, String[] reason) throws IOException {
        condition(v, acute.code, acute.description, v.day, v.day + 1 + random.nextInt(acute.days));
        if (acute.medication != null && random.nextInt(10) < 7) {
            medication(v, acute.medication, stopSecond(v.person, v.start + DAY * (7 + random.nextInt(14))), 1, reason[0], reason[1]);
        }
        if (acute.careplan != null) {
            careplan(v, acute.careplan, reason[0], reason[1], v.day + 7 + random.nextInt(acute.days));
        }
        if (random.nextInt(3) == 0) {
            procedure(v, ACUTE_PROCEDURES[random.nextInt(ACUTE_PROCEDURES.length)], reason);
        }
    }

    private void allergies(Visit v, int count) throws IOException {
        int first = random.nextInt(ALLERGENS.length);
        for (int i = 0; i < count; i++) {
            String[] a = ALLERGENS[(first + i * 7) % ALLERGENS.length];
            String[] r1 = random.nextInt(10) < 5 ? pick(REACTIONS) : null;
            String[] r2 = r1 != null && random.nextInt(10) < 4 ? pick(REACTIONS) : null;
            quirk(a[2], null);
            Table t = tables[ALLERGY];
            t.f(day(v.day)).f(random.nextInt(10) == 0 ? day(Math.min(v.person.endDay, v.day + 365 + random.nextInt(3000))) : "")
                    .f(v.person.id).f(v.id).f(a[0]).f(a[1]).f(description).f(a[3]).f(a[4]).f(r1 == null ? "" : r1[0])
                    .f(r1 == null ? "" : r1[1]).f(r1 == null ? "" : pick(SEVERITIES)).f(r2 == null ? "" : r2[0]).f(r2 == null ? "" : r2[1])
                    .f(r2 == null ? "" : pick(SEVERITIES));
            t.end();
        }
    }

    /** A check-up: vital signs, laboratory panels, surveys, screenings, findings, vaccines. */
    private void wellness(Visit v, double age, int index) throws IOException {
        Person p = v.person;
        boolean child = age < 18;
        // Vital signs: children grow, adults keep their height and drift in weight.
        double height = child ? Math.min(p.height, 50 + age * 7.5) : p.height;
        double weight = child ? Math.max(3.2, Math.min(p.weight, 3.4 + age * 3.6)) * (0.95 + 0.1 * random.nextDouble())
                : p.weight * (0.93 + 0.14 * random.nextDouble());
        double bmi = weight / (height / 100 * height / 100);
        vital(v, "8302-2", "Body Height", height, "cm");
        vital(v, "29463-7", "Body Weight", weight, "kg");
        vital(v, "39156-5", "Body mass index (BMI) [Ratio]", bmi, "kg/m2");
        if (!child && bmi >= 30 && !p.weightPlan) {
            p.weightPlan = true;
            careplan(v, WEIGHT_PLAN, OBESITY[0], OBESITY[1], -1);
        }
        if (child && age >= 2) {
            vital(v, "59576-9", "Body mass index (BMI) [Percentile] Per age and sex", 5 + random.nextInt(90), "%");
        }
        vital(v, "8462-4", "Diastolic Blood Pressure", p.diastolic - 8 + random.nextInt(17), "mm[Hg]");
        vital(v, "8480-6", "Systolic Blood Pressure", p.systolic - 10 + random.nextInt(21), "mm[Hg]");
        vital(v, "8867-4", "Heart rate", 58 + random.nextInt(40), "/min");
        vital(v, "9279-1", "Respiratory rate", 12 + random.nextInt(6), "/min");
        vital(v, "72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported", random.nextInt(5), "{score}");
        if (age >= 12) {
            observation(v, SMOKING, p.smoking);
        }
        // Laboratory panels, now and then.
        if (!child || random.nextInt(4) == 0) {
            if (random.nextInt(10) < 5) {
                panel(v, METABOLIC);
                if (!child) {
                    observation(v, EGFR, null);
                }
            }
            if (random.nextInt(10) < 3) {
                panel(v, CBC);
            }
            if (!child && random.nextInt(10) < 3) {
                panel(v, LIPIDS);
            }
            if (!child && (chronicIndex(p, CHRONICS[1], index) >= 0 || random.nextInt(10) < 2)) {
                observation(v, HBA1C, null);
            }
            if (random.nextInt(10) < 2) {
                panel(v, URINALYSIS);
            }
        }
        // Surveys and the screenings that go with them.
        if (!child && random.nextInt(10) < 3) {
            panel(v, PRAPARE);
        }
        if (age >= 12 && random.nextInt(10) < 5) {
            observation(v, PHQ2, null);
        }
        if (!child && random.nextInt(10) < 2) {
            observation(v, GAD7, null);
        }
        if (random.nextInt(10) < 2) {
            panel(v, QUALITY);
        }
        int screenings = child ? 1 + random.nextInt(2) : 3 + random.nextInt(3);
        int first = random.nextInt(SCREENINGS.length);
        for (int i = 0; i < screenings; i++) {
            procedure(v, SCREENINGS[(first + i * 3) % SCREENINGS.length], null);
        }
        if (age >= 65 && random.nextBoolean()) {
            procedure(v, FALL_RISK, null);
            observation(v, FALL_SCORE, null);
        }
        // Findings of social determinants.
        if (!child && random.nextInt(100) < FINDING_PERCENT) {
            int findings = 1 + random.nextInt(4);
            for (int i = 0; i < findings; i++) {
                String[] f = pick(FINDINGS);
                long stop = switch (f[2]) {
                    case "day" -> v.day;
                    case "years" -> random.nextBoolean() ? Math.min(v.person.endDay, v.day + 365 + random.nextInt(1500)) : -1;
                    default -> -1;
                };
                condition(v, f[0], f[1], v.day, stop);
            }
        }
        // Vaccines: the yearly influenza vaccine, childhood vaccines, an adult one now and then.
        if (random.nextInt(100) < FLU_PERCENT) {
            immunization(v, VACCINES[0]);
        }
        if (child && random.nextInt(100) < CHILD_VACCINE_PERCENT) {
            immunization(v, VACCINES[1 + random.nextInt(VACCINES.length - 1)]);
        } else if (!child && random.nextInt(100) < 5) {
            immunization(v, pick(ADULT_VACCINES));
        }
    }

    private void dental(Visit v, String[] reason) throws IOException {
        int procedures = 3 + random.nextInt(4);
        int first = random.nextInt(DENTAL.length);
        procedure(v, DENTAL_REFERRAL_PROCEDURE, null);
        for (int i = 0; i < procedures; i++) {
            procedure(v, DENTAL[(first + i) % DENTAL.length], reason);
        }
        int supplies = 3 + random.nextInt(3);
        for (int i = 0; i < supplies; i++) {
            supply(v, DENTAL_SUPPLIES[(first + i) % DENTAL_SUPPLIES.length]);
        }
        device(v, DENTAL_XRAY_SYSTEM);
        if (random.nextInt(10) < 5) {
            procedure(v, BITEWING, reason);
            imaging(v, uuid(), v.start, "700016008", "Structure of region of internal part of mouth (body structure)", "DX",
                    "Digital Radiography", "1.2.840.10008.5.1.4.1.1.1.3", "Digital Intra-Oral X-Ray Image Storage - For Presentation",
                    BITEWING[0], 1);
        }
    }

    /** A visit for a problem: a few vital signs, a laboratory panel in an emergency, procedures in hospital. */
    private void problemVisit(Visit v, int klass, String[] reason) throws IOException {
        Person p = v.person;
        if (random.nextInt(10) < 4) {
            vital(v, "72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported", random.nextInt(8), "{score}");
            vital(v, "8867-4", "Heart rate", 60 + random.nextInt(50), "/min");
            vital(v, "8462-4", "Diastolic Blood Pressure", p.diastolic - 5 + random.nextInt(20), "mm[Hg]");
            vital(v, "8480-6", "Systolic Blood Pressure", p.systolic - 5 + random.nextInt(30), "mm[Hg]");
        }
        if ((klass == EMERGENCY || klass == INPATIENT || klass == URGENT_CARE) && random.nextInt(10) < 4) {
            panel(v, random.nextBoolean() ? CBC : METABOLIC);
            vital(v, "8310-5", "Body temperature", 36.4 + 2 * random.nextDouble(), "Cel");
        }
        if (klass == EMERGENCY && random.nextInt(10) < 3) {
            procedure(v, CHEST_XRAY, reason);
            imaging(v, uuid(), v.start + 600, "51185008", "Thoracic structure (body structure)", "CR", "Computed Radiography",
                    "1.2.840.10008.5.1.4.1.1.1.1", "Digital X-Ray Image Storage - for Presentation", CHEST_XRAY[0], 1 + random.nextInt(2));
        }
        if (klass == INPATIENT) {
            int procedures = 1 + random.nextInt(3);
            for (int i = 0; i < procedures; i++) {
                procedure(v, pick(INPATIENT_PROCEDURES), reason);
            }
            device(v, HOSPITAL_BED);
            for (String[] supply : INPATIENT_SUPPLIES) {
                supply(v, supply);
            }
        }
    }

    /** A chest CT study of a patient with lung cancer: one series of several hundred instances, one row each. */
    private void chestCt(Visit v) throws IOException {
        procedure(v, CHEST_CT, new String[] { LUNG_CANCER.code, LUNG_CANCER.description });
        imaging(v, uuid(), v.start + 900, "51185008", "Thoracic structure (body structure)", "CT", "Computed Tomography",
                "1.2.840.10008.5.1.4.1.1.2", "CT Image Storage", CHEST_CT[0], 300 + random.nextInt(201));
    }

    // ---------------------------------------------------------------- the rows

    private void condition(Visit v, String code, String name, long startDay, long stopDay) throws IOException {
        quirk(name, null);
        Table t = tables[CONDITION];
        long stop = stopDay(v.person, stopDay);
        t.f(day(startDay)).f(stop < 0 ? "" : day(stop)).f(v.person.id).f(v.id).f(SNOMED).f(code).f(description);
        t.end();
    }

    private void medication(Visit v, String[] drug, long stop, int dispenses, String reasonCode, String reason) throws IOException {
        long cost = Long.parseLong(drug[2]);
        long total = cost * dispenses;
        long covered = v.person.payer == NO_INSURANCE ? 0 : (long) (total * random.nextDouble());
        quirk(drug[1], reason);
        Table t = tables[MEDICATION];
        t.f(instant(v.start)).f(stop < 0 ? "" : instant(stop)).f(v.person.id).f(payerIds[v.person.payer]).f(v.id).f(drug[0])
                .f(description).f(cents(cost)).f(cents(covered)).f(dispenses).f(cents(total)).f(reasonCode).f(reasonDescription);
        t.end();
    }

    private void vital(Visit v, String code, String name, double value, String units) throws IOException {
        quirk(name, null);
        Table t = tables[OBSERVATION];
        t.f(instant(v.start)).f(v.person.id).f(v.id).f("vital-signs").f(code).f(description).f(decimal(value, 1)).f(units).f("numeric");
        t.end();
    }

    private void panel(Visit v, Test[] tests) throws IOException {
        for (Test test : tests) {
            observation(v, test, null);
        }
    }

    /** An observation of {@code test}: {@code value} if given, or one drawn from its range or its texts. */
    private void observation(Visit v, Test test, String value) throws IOException {
        boolean numeric = test.texts == null;
        String shown;
        if (value != null) {
            shown = value;
        } else if (!numeric) {
            shown = test.texts[random.nextInt(test.texts.length)];
        } else if (test.places == 0) {
            // Scores and counts: whole numbers, written as Synthea writes them, "7.0".
            shown = decimal(test.low + random.nextInt((int) (test.high - test.low) + 1), 1);
        } else {
            shown = decimal(test.low + (test.high - test.low) * random.nextDouble(), test.places);
        }
        quirk(test.description, null);
        Table t = tables[OBSERVATION];
        t.f(instant(v.start)).f(v.person.id).f(v.id).f(test.category).f(test.code).f(description).f(shown).f(test.units)
                .f(numeric ? "numeric" : "text");
        t.end();
    }

    private void procedure(Visit v, String[] procedure, String[] reason) throws IOException {
        long start = v.start + random.nextInt(600);
        long stop = Math.min(v.stop, start + 600 + random.nextInt(1800));
        quirk(procedure[1], reason == null ? null : reason[1]);
        Table t = tables[PROCEDURE];
        t.f(instant(start)).f(instant(Math.max(start, stop))).f(v.person.id).f(v.id).f(SNOMED).f(procedure[0]).f(description)
                .f(cents(Long.parseLong(procedure[2]))).f(reason == null ? "" : reason[0]).f(reasonDescription);
        t.end();
    }

    private void immunization(Visit v, String[] vaccine) throws IOException {
        quirk(vaccine[1], null);
        Table t = tables[IMMUNIZATION];
        t.f(instant(v.start)).f(v.person.id).f(v.id).f(vaccine[0]).f(description).f("136.00");
        t.end();
    }

    private void careplan(Visit v, String[] plan, String reasonCode, String reason, long stopDay) throws IOException {
        quirk(plan[1], reasonCode == null ? null : reason);
        Table t = tables[CAREPLAN];
        t.f(uuid()).f(day(v.day)).f(stopDay < 0 || stopDay > v.person.endDay ? "" : day(stopDay)).f(v.person.id).f(v.id).f(plan[0])
                .f(description).f(reasonCode).f(reasonDescription);
        t.end();
    }

    private void device(Visit v, String[] device) throws IOException {
        LocalDate made = LocalDate.ofEpochDay(v.day - 10 - random.nextInt(30));
        LocalDate expires = made.plusYears(10 + random.nextInt(30));
        String udi = String.format(Locale.ROOT, "(01)%014d(11)%02d%02d%02d(17)%02d%02d%02d(10)%d(21)%d",
                Math.floorMod(random.nextLong(), 100_000_000_000_000L), made.getYear() % 100, made.getMonthValue(), made.getDayOfMonth(),
                expires.getYear() % 100, expires.getMonthValue(), expires.getDayOfMonth(), 1000 + random.nextInt(Integer.MAX_VALUE - 1000),
                1000 + random.nextInt(Integer.MAX_VALUE - 1000));
        quirk(device[1], null);
        Table t = tables[DEVICE];
        t.f(instant(v.start)).f("").f(v.person.id).f(v.id).f(device[0]).f(description).f(udi);
        t.end();
    }

    private void supply(Visit v, String[] supply) throws IOException {
        quirk(supply[1], null);
        Table t = tables[SUPPLY];
        t.f(day(v.day)).f(v.person.id).f(v.id).f(supply[0]).f(description).f(supply[2]);
        t.end();
    }

    /** An imaging study of one series: one row per instance, as Synthea writes them. */
    private void imaging(Visit v, String studyId, long when, String bodySite, String bodySiteName, String modality, String modalityName,
            String sop, String sopName, String procedureCode, int instances) throws IOException {
        long millis = when * 1000;
        String series = "1.2.840.99999999.1." + (10_000_000 + random.nextInt(90_000_000)) + "." + millis;
        String date = instant(when);
        Table t = tables[IMAGING];
        for (int i = 0; i < instances; i++) {
            t.f(studyId).f(date).f(v.person.id).f(v.id).f(series).f(bodySite).f(bodySiteName).f(modality).f(modalityName)
                    .f("1.2.840.99999999.1.1." + (10_000_000 + random.nextInt(90_000_000)) + "." + millis).f(sop).f(sopName)
                    .f(procedureCode);
            t.end();
        }
    }

    /** The patient's coverage: one or two yearly periods, the last around the end of the records. */
    private void payerTransitions(Person p, long lastDay) throws IOException {
        int periods = random.nextInt(10) < 7 ? 1 : 2;
        long end = lastDay * DAY + p.timeOfDay + DAY * random.nextInt(300);
        double age = p.ageAt(lastDay);
        String ownership = age < 18 ? "Guardian" : random.nextInt(10) < 8 ? "Self" : "Spouse";
        String owner = ownership.equals("Self") ? p.first + " " + p.last : given(random.nextBoolean()) + " " + p.last;
        Table t = tables[PAYER_TRANSITION];
        for (int i = periods; i > 0; i--) {
            long periodEnd = end - (i - 1) * 365 * DAY;
            long periodStart = Math.max(p.birthDay * DAY, periodEnd - 365 * DAY + DAY * random.nextInt(8));
            t.f(p.id).f(uuid()).f(instant(periodStart)).f(instant(periodEnd)).f(payerIds[p.payer])
                    .f(p.secondaryPayer < 0 ? "" : payerIds[p.secondaryPayer]).f(ownership).f(owner);
            t.end();
        }
    }

    // ---------------------------------------------------------------- values

    /**
     * Sets {@link #description} and {@link #reasonDescription} for the next row: as given, except in one row in 200,
     * where one of them (the reason, half the time when there is one) gets a comma and a quoted remark, and in one row
     * in 2,000, a line feed and a second line besides.
     */
    private void quirk(String name, String reason) {
        description = name;
        reasonDescription = reason;
        int roll = random.nextInt(QUIRK_IN);
        if (roll >= QUIRKS) {
            return;
        }
        boolean onReason = reason != null && !reason.isEmpty() && random.nextBoolean();
        String quirky = (onReason ? reason : name) + ", \"" + QUIRK_REMARKS[roll] + "\"" + (roll == 0 ? "\nsecond line: reviewed" : "");
        if (onReason) {
            reasonDescription = quirky;
        } else {
            description = quirky;
        }
    }

    /** A UUID-shaped identifier from the generator's random source (not a version 4 UUID: Synthea's are not either). */
    private String uuid() {
        return new UUID(random.nextLong(), random.nextLong()).toString();
    }

    private String given(boolean female) {
        return pick(female ? GIVEN_F : GIVEN_M) + (1 + random.nextInt(999));
    }

    private String family() {
        return FAMILY[random.nextInt(FAMILY.length)] + (1 + random.nextInt(999));
    }

    private String phone() {
        return pick(AREA_CODES) + "-555-01" + String.format(Locale.ROOT, "%02d", random.nextInt(100));
    }

    private String zip(String[] town) {
        return town[3] + String.format(Locale.ROOT, "%02d", random.nextInt(100));
    }

    private String latitude(String[] town) {
        return decimal(Double.parseDouble(town[4]) + (random.nextDouble() - 0.5) * 0.1, 8);
    }

    private String longitude(String[] town) {
        return decimal(Double.parseDouble(town[5]) + (random.nextDouble() - 0.5) * 0.1, 8);
    }

    private <T> T pick(T[] values) {
        return values[random.nextInt(values.length)];
    }

    private int weighted(int count, int[] weights) {
        int total = 0;
        for (int i = 0; i < count; i++) {
            total += weights[i];
        }
        int roll = random.nextInt(total);
        for (int i = 0; i < count; i++) {
            roll -= weights[i];
            if (roll < 0) {
                return i;
            }
        }
        return count - 1;
    }

    /** {@code value} with {@code places} decimals, rounded half up, with no exponent and no locale. */
    private String decimal(double value, int places) {
        long scale = 1;
        for (int i = 0; i < places; i++) {
            scale *= 10;
        }
        long scaled = Math.round(Math.abs(value) * scale);
        text.setLength(0);
        if (value < 0 && scaled != 0) {
            text.append('-');
        }
        text.append(scaled / scale);
        if (places > 0) {
            text.append('.');
            String fraction = Long.toString(scaled % scale);
            for (int i = fraction.length(); i < places; i++) {
                text.append('0');
            }
            text.append(fraction);
        }
        return text.toString();
    }

    /** An amount of {@code cents} as Synthea writes money: two decimals. */
    private String cents(long cents) {
        text.setLength(0);
        text.append(cents / 100).append('.');
        long c = cents % 100;
        if (c < 10) {
            text.append('0');
        }
        return text.append(c).toString();
    }

    /** The day {@code epochDay} as {@code yyyy-MM-dd}. */
    private String day(long epochDay) {
        text.setLength(0);
        appendDay(epochDay);
        return text.toString();
    }

    /** The second {@code epochSecond} as {@code yyyy-MM-dd'T'HH:mm:ss'Z'}. */
    private String instant(long epochSecond) {
        text.setLength(0);
        appendDay(Math.floorDiv(epochSecond, DAY));
        int second = (int) Math.floorMod(epochSecond, DAY);
        text.append('T');
        two(second / 3600);
        text.append(':');
        two(second / 60 % 60);
        text.append(':');
        two(second % 60);
        return text.append('Z').toString();
    }

    private void appendDay(long epochDay) {
        LocalDate date = LocalDate.ofEpochDay(epochDay);
        text.append(date.getYear()).append('-');
        two(date.getMonthValue());
        text.append('-');
        two(date.getDayOfMonth());
    }

    private void two(int n) {
        if (n < 10) {
            text.append('0');
        }
        text.append(n);
    }

    private static Map<String, List<String>> headers(String... namesAndHeaders) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 0; i < namesAndHeaders.length; i += 2) {
            headers.put(namesAndHeaders[i], List.of(namesAndHeaders[i + 1].split(",")));
        }
        return Collections.unmodifiableMap(headers);
    }

    // ---------------------------------------------------------------- command line

    /**
     * Writes a dump of about {@code TARGET_MB} MB (10^6 bytes) into {@code FOLDER}:
     * {@code java -cp target/classes org.ehrarchive.bench.CsvGenerator FOLDER TARGET_MB SEED}. Prints the patients, rows per
     * table, bytes, the time it took and the peak heap use.
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: CsvGenerator FOLDER TARGET_MB SEED");
            System.exit(2);
        }
        Path folder = Path.of(args[0]);
        long target = Long.parseLong(args[1]) * 1_000_000L;
        long seed = Long.parseLong(args[2]);
        long start = System.nanoTime();
        Summary summary = writeAbout(folder, target, seed);
        double seconds = (System.nanoTime() - start) / 1e9;
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        System.out.printf(Locale.ROOT, "%s: %d patients, %d rows, %d bytes (%.1f MB) in %.1f s (%.1f MB/s), seed %d%n", folder,
                summary.patients(), summary.totalRows(), summary.bytes(), summary.bytes() / 1e6, seconds, summary.bytes() / 1e6 / seconds,
                seed);
        summary.rows().forEach((table, rows) -> System.out.printf(Locale.ROOT, "  %-18s %,14d%n", table, rows));
        System.out.printf(Locale.ROOT, "heap: max %.0f MB, peak use of the heap pools %.1f MB%n", Runtime.getRuntime().maxMemory() / 1e6,
                peak / 1e6);
    }
}
