package org.ehrarchive.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The generated C-CDA documents (issue 15): values a clinician recognises, flagged consistently with their ranges,
 * patients whose visits describe the same person over the years, the counts {@code shape()} promises, and the same
 * files for the same seed.
 */
class CcdaGeneratorTest {

    private static final int ENTRIES = 4;
    private static final int VISITS = 5;

    /**
     * Per LOINC: unit, the adult reference range the documents must carry, and physiological bounds no plausible
     * result leaves. Written out here rather than read from the generator, so a wrong table there fails here.
     */
    private record Expected(String unit, String low, String high, double min, double max) {
    }

    private static final Map<String, Expected> EXPECTED = Map.of(
            "718-7", new Expected("g/dL", "12.0", "17.5", 7, 20),
            "2345-7", new Expected("mg/dL", "70", "99", 40, 450),
            "2160-0", new Expected("mg/dL", "0.6", "1.3", 0.3, 5),
            "6690-2", new Expected("10*3/uL", "4.0", "11.0", 1.5, 30),
            "4548-4", new Expected("%", "4.0", "5.6", 4, 14),
            "2823-3", new Expected("mmol/L", "3.5", "5.1", 2.5, 6.5),
            "2951-2", new Expected("mmol/L", "136", "145", 120, 160),
            "27353-2", new Expected("mg/dL", "68", "114", 68, 355));

    @Test
    void everyResultIsPlausibleAndFlaggedAsItsValueStandsToItsRange() throws Exception {
        CcdaGenerator generator = new CcdaGenerator(2026, ENTRIES);
        int results = 0;
        int high = 0;
        int low = 0;
        Set<String> analytes = new HashSet<>();
        for (int patient = 0; patient < 60; patient++) {
            for (int visit = 0; visit < VISITS; visit++) {
                for (Element result : results(parse(generator.visitDocument(patient, visit)))) {
                    String loinc = child(result, "code").getAttribute("code");
                    Expected expected = EXPECTED.get(loinc);
                    assertThat(expected).as("a known analyte: " + loinc).isNotNull();
                    analytes.add(loinc);
                    Element value = child(result, "value");
                    BigDecimal number = new BigDecimal(value.getAttribute("value"));
                    assertThat(value.getAttribute("unit")).as(loinc).isEqualTo(expected.unit());
                    assertThat(number.doubleValue()).as(loinc + " within physiological bounds")
                            .isBetween(expected.min(), expected.max());
                    Element range = (Element) result.getElementsByTagNameNS("urn:hl7-org:v3", "observationRange").item(0);
                    Element rangeLow = child(child(range, "value"), "low");
                    Element rangeHigh = child(child(range, "value"), "high");
                    assertThat(rangeLow.getAttribute("value")).as(loinc + " range low").isEqualTo(expected.low());
                    assertThat(rangeHigh.getAttribute("value")).as(loinc + " range high").isEqualTo(expected.high());
                    assertThat(rangeLow.getAttribute("unit")).isEqualTo(expected.unit());
                    String flag = number.compareTo(new BigDecimal(expected.low())) < 0 ? "L"
                            : number.compareTo(new BigDecimal(expected.high())) > 0 ? "H" : "N";
                    Element interpretation = child(result, "interpretationCode");
                    assertThat(interpretation.getAttribute("code")).as(loinc + " " + number + " flagged").isEqualTo(flag);
                    assertThat(interpretation.getAttribute("codeSystem")).isEqualTo("2.16.840.1.113883.5.83");
                    results++;
                    high += flag.equals("H") ? 1 : 0;
                    low += flag.equals("L") ? 1 : 0;
                }
            }
        }
        assertThat(analytes).as("every analyte occurs").isEqualTo(EXPECTED.keySet());
        double abnormal = (high + low) / (double) results;
        assertThat(abnormal).as("mostly normal, some abnormal (%d H, %d L of %d)", high, low, results).isBetween(0.05, 0.30);
        assertThat(low).as("low values occur too").isPositive();
    }

    @Test
    void theNarrativeStatesEachValueAndItsFlag() throws Exception {
        Document document = parse(new CcdaGenerator(2026, ENTRIES).document(3));
        XPath xpath = XPathFactory.newInstance().newXPath();
        String narrative = xpath.evaluate("//*[local-name()='section'][*[local-name()='code']/@code='30954-2']/*[local-name()='text']",
                document);
        for (Element result : results(document)) {
            String value = child(result, "value").getAttribute("value");
            String flag = child(result, "interpretationCode").getAttribute("code");
            String name = child(result, "code").getAttribute("displayName");
            assertThat(narrative).contains(name + " " + value + " " + child(result, "value").getAttribute("unit") + " (" + flag + ",");
        }
        assertThat(narrative).containsIgnoringCase("metabolic panel");
    }

    @Test
    void everyDocumentHasTheShapeItPromisesAndIdsOfItsOwn() throws Exception {
        for (int entries : new int[] { 1, 4, 7, 25 }) {
            CcdaGenerator generator = new CcdaGenerator(5, entries);
            CcdaGenerator.Shape shape = generator.shape();
            List<String> documents = new ArrayList<>(List.of(generator.document(0), generator.document(9)));
            for (int visit = 0; visit < 3; visit++) {
                documents.add(generator.visitDocument(2, visit));
            }
            for (String xml : documents) {
                Document document = parse(xml);
                int entryElements = document.getElementsByTagNameNS("urn:hl7-org:v3", "entry").getLength();
                int encounters = document.getElementsByTagNameNS("urn:hl7-org:v3", "encompassingEncounter").getLength();
                int problems = count(document, "act");
                int medications = count(document, "substanceAdministration");
                int panels = count(document, "organizer");
                int results = results(document).size();
                assertThat(entryElements).as(entries + " entries per section").isEqualTo(shape.entryElementsPerDocument());
                assertThat(problems).isEqualTo(entries);
                assertThat(medications).isEqualTo(entries);
                assertThat(panels).isEqualTo(entries);
                assertThat(results).isEqualTo(2 * entries);
                assertThat(encounters + problems + medications + results).isEqualTo(shape.normalizedEntriesPerDocument());
                assertThat(1 + encounters + entryElements).isEqualTo(shape.recordsPerDocument());
                List<String> ids = entryIds(document);
                assertThat(ids).as("no entry shares an id with another").doesNotHaveDuplicates()
                        .hasSize(encounters + entryElements + results);
            }
        }
    }

    @Test
    void theSameSeedGivesTheSameFilesAndADocumentDoesNotDependOnWhatWasWrittenBefore(@TempDir Path temp) throws IOException {
        new CcdaGenerator(42, ENTRIES).writeDocuments(temp.resolve("a"), 6);
        new CcdaGenerator(42, ENTRIES).writeDocuments(temp.resolve("b"), 6);
        new CcdaGenerator(42, ENTRIES).writePatientHistories(temp.resolve("ha"), 4, 3);
        new CcdaGenerator(42, ENTRIES).writePatientHistories(temp.resolve("hb"), 4, 3);
        new CcdaGenerator(43, ENTRIES).writeDocuments(temp.resolve("c"), 6);

        assertThat(contents(temp.resolve("a"))).hasSize(6).isEqualTo(contents(temp.resolve("b")))
                .isNotEqualTo(contents(temp.resolve("c")));
        assertThat(contents(temp.resolve("ha"))).hasSize(12).isEqualTo(contents(temp.resolve("hb")));
        CcdaGenerator alone = new CcdaGenerator(42, ENTRIES);
        assertThat(alone.document(5)).isEqualTo(Files.readString(temp.resolve("a/doc-000005.xml")));
        assertThat(alone.visitDocument(3, 2)).isEqualTo(Files.readString(temp.resolve("ha/history-000003-visit-03.xml")));
    }

    @Test
    void aPatientsVisitsAreTheSamePersonAtDistinctEncountersOverTheYearsInTimeOrder(@TempDir Path temp) throws Exception {
        new CcdaGenerator(2026, ENTRIES).writePatientHistories(temp, 8, VISITS);
        XPath xpath = XPathFactory.newInstance().newXPath();
        Set<String> documentIds = new HashSet<>();
        Set<String> encounterIds = new HashSet<>();
        Set<String> entryIds = new HashSet<>();
        for (int patient = 0; patient < 8; patient++) {
            Set<String> people = new HashSet<>();
            Set<String> loincsEveryVisit = null;
            LocalDate previous = null;
            for (int visit = 1; visit <= VISITS; visit++) {
                Document document = parse(Files.readString(temp.resolve(String.format("history-%06d-visit-%02d.xml", patient, visit))));
                people.add(xpath.evaluate("string(//*[local-name()='patientRole']/*[local-name()='id']/@root)", document) + "|"
                        + xpath.evaluate("string(//*[local-name()='patientRole']/*[local-name()='id']/@extension)", document) + "|"
                        + xpath.evaluate("string(//*[local-name()='given'])", document) + "|"
                        + xpath.evaluate("string(//*[local-name()='family'])", document) + "|"
                        + xpath.evaluate("string(//*[local-name()='administrativeGenderCode']/@code)", document) + "|"
                        + xpath.evaluate("string(//*[local-name()='birthTime']/@value)", document));
                assertThat(documentIds.add(xpath.evaluate("string(/*/*[local-name()='id']/@extension)", document)))
                        .as("a document id of its own").isTrue();
                String encounter = xpath.evaluate("string(//*[local-name()='encompassingEncounter']/*[local-name()='id']/@extension)", document);
                assertThat(encounterIds.add(encounter)).as("an encounter of its own: " + encounter).isTrue();
                for (String id : entryIds(document)) {
                    assertThat(entryIds.add(id)).as("an entry id used by no other visit: " + id).isTrue();
                }
                LocalDate date = LocalDate.parse(
                        xpath.evaluate("string(//*[local-name()='encompassingEncounter']//*[local-name()='low']/@value)", document),
                        DateTimeFormatter.BASIC_ISO_DATE);
                assertThat(xpath.evaluate("string(/*/*[local-name()='effectiveTime']/@value)", document))
                        .startsWith(date.format(DateTimeFormatter.BASIC_ISO_DATE));
                if (previous != null) {
                    assertThat(ChronoUnit.DAYS.between(previous, date)).as("months after the visit before").isBetween(180L, 550L);
                }
                previous = date;
                Set<String> loincs = new HashSet<>();
                for (Element result : results(document)) {
                    loincs.add(child(result, "code").getAttribute("code"));
                    assertThat(child(result, "effectiveTime").getAttribute("value")).as("drawn on the visit's day")
                            .isEqualTo(date.format(DateTimeFormatter.BASIC_ISO_DATE));
                }
                if (loincsEveryVisit == null) {
                    loincsEveryVisit = loincs;
                } else {
                    loincsEveryVisit.retainAll(loincs);
                }
            }
            assertThat(people).as("patient " + patient + ": the same identifier, name, sex and birth date in every visit").hasSize(1);
            assertThat(people.iterator().next()).startsWith("2.16.840.1.113883.19.5.99999.2|GEN-" + patient + "|");
            assertThat(loincsEveryVisit).as("tests repeated at every visit, so they make a trend").contains("718-7", "4548-4", "2345-7");
        }
    }

    @Test
    void aRaisedHbA1cBelongsToADiabeticPatientWhoseValuesMoveOverTheVisits() throws Exception {
        CcdaGenerator generator = new CcdaGenerator(2026, ENTRIES);
        int diabetics = 0;
        for (int patient = 0; patient < 40; patient++) {
            List<BigDecimal> hba1c = new ArrayList<>();
            boolean listed = false;
            for (int visit = 0; visit < VISITS; visit++) {
                String xml = generator.visitDocument(patient, visit);
                listed = xml.contains("code=\"44054006\"") && xml.contains("Metformin");
                for (Element result : results(parse(xml))) {
                    if (child(result, "code").getAttribute("code").equals("4548-4")) {
                        hba1c.add(new BigDecimal(child(result, "value").getAttribute("value")));
                    }
                }
            }
            assertThat(hba1c).hasSize(VISITS);
            boolean diabetic = hba1c.stream().allMatch(v -> v.compareTo(new BigDecimal("6.4")) >= 0);
            boolean nonDiabetic = hba1c.stream().allMatch(v -> v.compareTo(new BigDecimal("6.4")) < 0);
            assertThat(diabetic || nonDiabetic).as("patient " + patient + " HbA1c " + hba1c + " is one or the other").isTrue();
            assertThat(listed).as("patient " + patient + " HbA1c " + hba1c + ": diabetes and metformin listed exactly when raised")
                    .isEqualTo(diabetic);
            if (diabetic) {
                diabetics++;
                assertThat(hba1c.stream().distinct().count()).as("a trend, not a constant: " + hba1c).isGreaterThan(1);
            }
        }
        assertThat(diabetics).as("some diabetic patients, not all").isBetween(4, 25);
    }

    // ---- reading the XML ----------------------------------------------------------------------------------------

    private static Document parse(String xml) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    /** The result observations: those inside a result organizer. */
    private static List<Element> results(Document document) {
        List<Element> results = new ArrayList<>();
        NodeList organizers = document.getElementsByTagNameNS("urn:hl7-org:v3", "organizer");
        for (int i = 0; i < organizers.getLength(); i++) {
            NodeList observations = ((Element) organizers.item(i)).getElementsByTagNameNS("urn:hl7-org:v3", "observation");
            for (int j = 0; j < observations.getLength(); j++) {
                results.add((Element) observations.item(j));
            }
        }
        return results;
    }

    private static int count(Document document, String name) {
        return document.getElementsByTagNameNS("urn:hl7-org:v3", name).getLength();
    }

    /** root|extension of every id under the entry id root: the header encounter, entries and results. */
    private static List<String> entryIds(Document document) {
        List<String> ids = new ArrayList<>();
        NodeList all = document.getElementsByTagNameNS("urn:hl7-org:v3", "id");
        for (int i = 0; i < all.getLength(); i++) {
            Element id = (Element) all.item(i);
            if (id.getAttribute("root").equals("2.16.840.1.113883.19.5.99999.3")) {
                ids.add(id.getAttribute("root") + "|" + id.getAttribute("extension"));
            }
        }
        return ids;
    }

    private static Element child(Element parent, String name) {
        for (var node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element && name.equals(element.getLocalName())) {
                return element;
            }
        }
        throw new AssertionError("no " + name + " in " + parent.getLocalName());
    }

    private static List<String> contents(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.sorted().map(file -> {
                try {
                    return file.getFileName() + "\n" + Files.readString(file);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }
    }
}
