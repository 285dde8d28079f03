package org.ehrarchive.ingest.ccda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.ehrarchive.ingest.ccda.CcdaFixtures.bytes;
import static org.ehrarchive.ingest.ccda.CcdaFixtures.importBytes;
import static org.ehrarchive.ingest.ccda.CcdaFixtures.importFixture;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import javax.xml.parsers.DocumentBuilderFactory;

import org.ehrarchive.ingest.ImportedRecord;
import org.ehrarchive.ingest.RecordTypes;
import org.ehrarchive.ingest.ImportedDocument;
import org.ehrarchive.ingest.ImportedEntry;
import org.ehrarchive.ingest.ImportedFragment;
import org.ehrarchive.ingest.ImportedSection;
import org.ehrarchive.ingest.IngestError;
import org.ehrarchive.ingest.QuarantineException;
import org.ehrarchive.ingest.SourceSniff;
import org.ehrarchive.record.EntryKind;
import org.ehrarchive.record.Identifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

class CcdaImporterTest {

    private static final String FULL_CCD = "full-ccd.xml";
    private static CcdaFixtures.Read ccd;

    @BeforeAll
    static void importFullCcd() throws QuarantineException {
        ccd = importFixture(FULL_CCD);
    }

    @Test
    void shouldReadPatientWithEveryIdentifierAndDemographic() {
        assertThat(ccd.patient().identifiers()).containsExactly(
                new Identifier("2.16.840.1.113883.19.5.99999.2", "MRN-4711", "Fixture General Hospital", null),
                new Identifier("2.16.840.1.113883.4.1", "999-00-4711", null, null));
        assertThat(ccd.patient().names()).hasSize(2);
        assertThat(ccd.patient().names().get(0).display()).isEqualTo("Testy Q Fixture");
        assertThat(ccd.patient().names().get(1).family()).containsExactly("Oldname");
        assertThat(ccd.patient().names().get(1).validTime().high().raw()).isEqualTo("2001");
        assertThat(ccd.patient().birthTime().iso()).isEqualTo("1975-05-12");
        assertThat(ccd.patient().birthTime().precision()).isEqualTo("DAY");
        assertThat(ccd.patient().sex().code()).isEqualTo("F");
        assertThat(ccd.patient().deceased()).isFalse();
        assertThat(ccd.patient().addresses().get(0).city()).isEqualTo("Testville");
        assertThat(ccd.patient().telecoms().get(0).value()).isEqualTo("tel:+1(555)555-0100");
        assertThat(ccd.patient().races()).extracting(c -> c.code()).containsExactly("2106-3", "2108-9");
        assertThat(ccd.patient().ethnicities()).extracting(c -> c.code()).containsExactly("2186-5");
        assertThat(ccd.patient().languages()).extracting(c -> c.code()).containsExactly("en");
        assertThat(ccd.patient().sourceFragment()).contains("recordTarget").contains("MRN-4711");
    }

    @Test
    void shouldReadDocumentHeader() {
        assertThat(ccd.document().documentId().value()).isEqualTo("DOC-0001");
        assertThat(ccd.document().setId().value()).isEqualTo("SET-0001");
        assertThat(ccd.document().versionNumber()).isEqualTo("2");
        assertThat(ccd.document().type().code()).isEqualTo("34133-9");
        assertThat(ccd.document().title()).isEqualTo("Fixture Continuity of Care Document");
        assertThat(ccd.document().effectiveTime().iso()).isEqualTo("2012-08-06T10:15:00-05:00");
        assertThat(ccd.document().effectiveTime().precision()).isEqualTo("SECOND");
        assertThat(ccd.document().effectiveTime().timeZone()).isEqualTo("-05:00");
        assertThat(ccd.document().authors()).singleElement().satisfies(author -> {
            assertThat(author.personName().display()).isEqualTo("Ada Author MD");
            assertThat(author.organizationName()).isEqualTo("Fixture General Hospital");
            assertThat(author.time().raw()).isEqualTo("20120806");
        });
        assertThat(ccd.document().custodian().organizationName()).isEqualTo("Fixture Health Records");
        assertThat(ccd.document().headerFragment()).contains("recordTarget").doesNotContain("structuredBody");
    }

    @Test
    void shouldMapTheHeaderEncounterAsAnEncounterWithoutSection() {
        ImportedEntry encounter = ccd.entries().stream().filter(e -> e.sectionOrdinal() == null).findFirst().orElseThrow();
        assertThat(encounter.kind()).isEqualTo(EntryKind.ENCOUNTER);
        assertThat(encounter.code().code()).isEqualTo("AMB");
        assertThat(encounter.effective().low().iso()).isEqualTo("2012-08-06T09:00:00-05:00");
    }

    @Test
    void shouldMapProblemToItsConditionCodeWithNarrativeOriginalText() {
        ImportedEntry problem = only(EntryKind.PROBLEM);
        assertThat(problem.code().code()).isEqualTo("44054006");
        assertThat(problem.code().codeSystem()).isEqualTo("2.16.840.1.113883.6.96");
        assertThat(problem.code().codeSystemName()).isEqualTo("SNOMED CT");
        assertThat(problem.code().originalText()).isEqualTo("Type 2 diabetes mellitus");
        assertThat(problem.code().translations()).singleElement().satisfies(t -> assertThat(t.code()).isEqualTo("E11.9"));
        assertThat(problem.text()).isEqualTo("Type 2 diabetes mellitus");
        assertThat(problem.effective().low().precision()).isEqualTo("MONTH");
        assertThat(problem.details()).containsKey("concern");
        Map<?, ?> concern = (Map<?, ?>) problem.details().get("concern");
        assertThat(concern.get("status")).isEqualTo("active");
        // The priority preference qualifies the concern; it is not a second problem.
        assertThat(concern.get("qualifiers").toString()).contains("394849002").contains("High priority");
    }

    @Test
    void shouldMapMedicationToItsDrugWithDoseRouteAndSchedule() {
        ImportedEntry medication = only(EntryKind.MEDICATION);
        assertThat(medication.code().code()).isEqualTo("861007");
        assertThat(medication.code().codeSystem()).isEqualTo("2.16.840.1.113883.6.88");
        assertThat(medication.status()).isEqualTo("active");
        assertThat(medication.effective().low().iso()).isEqualTo("2011-03-01");
        assertThat(medication.details().get("route").toString()).contains("C38288");
        assertThat(medication.details().get("schedule").toString()).contains("every 12 h").contains("institution specified");
        assertThat(medication.text()).contains("Metformin 500 mg");
    }

    @Test
    void shouldMapAllergyToItsSubstanceKeepingReactionAndSeverity() {
        ImportedEntry allergy = only(EntryKind.ALLERGY);
        assertThat(allergy.code().code()).isEqualTo("7980");
        assertThat(allergy.code().displayName()).isEqualTo("Penicillin G");
        assertThat(allergy.details().get("allergyType").toString()).contains("416098002");
        String related = allergy.details().get("related").toString();
        assertThat(related).contains("247472004").contains("Hives").contains("6736007").contains("Moderate").contains("MFST");
    }

    @Test
    void shouldMapEachResultOfAPanelWithRangesAndInterpretation() {
        List<ImportedEntry> results = all(EntryKind.RESULT);
        assertThat(results).hasSize(2);
        ImportedEntry wbc = results.get(0);
        assertThat(wbc.code().code()).isEqualTo("6690-2");
        assertThat(wbc.values()).singleElement().satisfies(v -> {
            assertThat(v.type()).isEqualTo("PQ");
            assertThat(v.quantity().value()).isEqualTo("12.25");
            assertThat(v.quantity().unit()).isEqualTo("10*3/uL");
        });
        assertThat(wbc.interpretations()).singleElement().satisfies(i -> assertThat(i.code()).isEqualTo("H"));
        assertThat(wbc.referenceRanges()).singleElement().satisfies(r -> {
            assertThat(r.value().low().value()).isEqualTo("4.3");
            assertThat(r.value().high().value()).isEqualTo("10.8");
        });
        assertThat(wbc.details().get("panel").toString()).contains("57021-8");
        // Quantities are kept as written: the trailing zero survives.
        assertThat(results.get(1).values().get(0).quantity().value()).isEqualTo("13.20");
    }

    @Test
    void shouldMapVitalsImmunizationProcedureSocialPlanAndEncounter() {
        assertThat(all(EntryKind.VITAL_SIGN)).extracting(e -> e.values().get(0).quantity().value()).containsExactly("142", "88");
        ImportedEntry immunization = only(EntryKind.IMMUNIZATION);
        assertThat(immunization.code().code()).isEqualTo("141");
        assertThat(immunization.negated()).as("refused immunization keeps its negation").isTrue();
        assertThat(immunization.details()).containsEntry("lotNumber", "LOT-1");
        ImportedEntry procedure = only(EntryKind.PROCEDURE);
        assertThat(procedure.code().code()).isEqualTo("73761001");
        assertThat(procedure.effective().value().precision()).isEqualTo("YEAR");
        assertThat(procedure.details().get("targetSite").toString()).contains("71854001");
        assertThat(only(EntryKind.SOCIAL_HISTORY).values().get(0).coded().code()).isEqualTo("8517006");
        ImportedEntry plan = only(EntryKind.PLAN_OF_CARE);
        assertThat(plan.mood()).isEqualTo("RQO");
        assertThat(plan.code().code()).isEqualTo("4548-4");
        ImportedEntry visit = ccd.entries().stream()
                .filter(e -> e.kind() == EntryKind.ENCOUNTER && e.sectionOrdinal() != null).findFirst().orElseThrow();
        assertThat(visit.code().code()).isEqualTo("99213");
        assertThat(visit.details().get("participants").toString()).contains("Fixture Urgent Care");
    }

    @Test
    void shouldKeepNarrativesAndAccountForEveryEntryPerSection() {
        assertThat(ccd.sections()).hasSize(12);
        for (CcdaFixtures.Section section : ccd.sections()) {
            assertThat(section.found()).as(section.title()).isEqualTo(section.archived() + section.quarantined());
            assertThat(section.narrative()).as(section.title()).isNotBlank();
        }
        CcdaFixtures.Section hpi = section("History of Present Illness");
        assertThat(hpi.kind()).isEqualTo(CcdaCatalog.NARRATIVE);
        assertThat(hpi.narrative()).contains("increased thirst");
        int entryElements = ccd.sections().stream().mapToInt(CcdaFixtures.Section::found).sum();
        assertThat(entryElements).isEqualTo(12);
        assertThat(ccd.ofType(RecordTypes.ENTRY)).as("one record per <entry>").hasSize(12);
    }

    @Test
    void shouldKeepEntriesOfAnUnrecognisedSectionAsRawFragments() {
        CcdaFixtures.Section vendor = section("Vendor Extras");
        assertThat(vendor.kind()).isNull();
        assertThat(vendor.found()).isEqualTo(2);
        assertThat(vendor.archived()).isEqualTo(2);
        assertThat(vendor.keptRaw()).isEqualTo(2);
        List<ImportedFragment> raw = ccd.fragments().stream().filter(f -> f.sectionOrdinal() == vendor.ordinal()).toList();
        assertThat(raw).hasSize(2).allSatisfy(f -> assertThat(f.status()).isEqualTo(ImportedFragment.Status.KEPT));
        assertThat(raw.get(0).content()).contains("Widget score");
        assertThat(raw.get(0).reason()).contains("section not recognised");
        assertThat(raw.get(1).reason()).contains("no clinical statement");
    }

    @Test
    void everyLocatorSelectsTheElementItCameFromInTheOriginal() throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        Document original = factory.newDocumentBuilder().parse(new ByteArrayInputStream(bytes(FULL_CCD)));
        for (ImportedEntry entry : ccd.entries()) {
            Element element = XmlLocator.resolve(original, entry.locator());
            assertThat(element).as(entry.locator()).isNotNull();
        }
        for (ImportedRecord record : ccd.ofType(RecordTypes.ENTRY)) {
            assertThat(XmlLocator.resolve(original, record.locator()).getLocalName()).as(record.locator()).isEqualTo("entry");
        }
        ImportedEntry wbc = all(EntryKind.RESULT).get(0);
        Element wbcElement = XmlLocator.resolve(original, wbc.locator());
        assertThat(((Element) wbcElement.getElementsByTagNameNS("urn:hl7-org:v3", "code").item(0)).getAttribute("code")).isEqualTo("6690-2");
        for (CcdaFixtures.Section section : ccd.sections()) {
            assertThat(XmlLocator.resolve(original, section.locator()).getLocalName()).isEqualTo("section");
        }
        assertThat(XmlLocator.resolve(original, ccd.patient().locator()).getLocalName()).isEqualTo("patientRole");
    }

    @Test
    void shouldReadUndeclaredXsiAndSdtcPrefixesLenientlyWithAWarning() throws QuarantineException {
        CcdaFixtures.Read result = importBytes("undeclared-prefixes.xml", bytes("undeclared-prefixes.xml"));
        assertThat(result.warnings()).anySatisfy(w -> assertThat(w).contains("'xsi'"));
        assertThat(result.warnings()).anySatisfy(w -> assertThat(w).contains("'sdtc'"));
        CcdaFixtures.Read document = result;
        assertThat(document.patient().deceased()).isFalse();
        assertThat(document.patient().races()).as("an sdtc:raceCode is read once").singleElement()
                .satisfies(race -> assertThat(race.code()).isEqualTo("2108-9"));
        ImportedEntry weight = document.entries().get(0);
        assertThat(weight.kind()).isEqualTo(EntryKind.VITAL_SIGN);
        assertThat(weight.values().get(0).type()).isEqualTo("PQ");
        assertThat(weight.values().get(0).quantity().value()).isEqualTo("70.5");
    }

    @Test
    void shouldExtractTheEmbeddedFileOfAnUnstructuredDocument() throws QuarantineException {
        CcdaFixtures.Read document = importFixture("unstructured-embedded.xml");
        assertThat(document.sections()).isEmpty();
        assertThat(document.attachments()).singleElement().satisfies(a -> {
            assertThat(a.mediaType()).isEqualTo("application/pdf");
            assertThat(document.unit().blobs.get(a.sha256())).isEqualTo(bytes("embedded.pdf"));
            assertThat(a.sizeBytes()).isEqualTo(bytes("embedded.pdf").length);
        });
    }

    @Test
    void shouldQuarantineAFragmentThatIsNotADocument() {
        assertThat(new CcdaImporter().accepts(new SourceSniff("section-fragment.xml", bytes("section-fragment.xml")))).isTrue();
        assertThatThrownBy(() -> importBytes("section-fragment.xml", bytes("section-fragment.xml")))
                .isInstanceOfSatisfying(QuarantineException.class, e -> {
                    assertThat(e.error()).isEqualTo(IngestError.NOT_A_CLINICAL_DOCUMENT);
                    assertThat(e.reason()).startsWith("ING-103").contains("<section>");
                });
    }

    @Test
    void shouldQuarantineTruncatedXmlWithTheLineOfTheProblem() {
        assertThatThrownBy(() -> importBytes("truncated.xml", bytes("truncated.xml")))
                .isInstanceOfSatisfying(QuarantineException.class, e -> {
                    assertThat(e.error()).isEqualTo(IngestError.XML_NOT_WELL_FORMED);
                    assertThat(e.reason()).contains("line 1");
                });
    }

    @Test
    void shouldReadAUtf16ExportWithItsByteOrderMark() throws QuarantineException {
        String utf8 = new String(bytes(FULL_CCD), java.nio.charset.StandardCharsets.UTF_8)
                .replace("encoding=\"UTF-8\"", "encoding=\"UTF-16\"");
        byte[] utf16 = ("\uFEFF" + utf8).getBytes(java.nio.charset.StandardCharsets.UTF_16LE);
        assertThat(new CcdaImporter().accepts(new SourceSniff("windows-export.xml", java.util.Arrays.copyOf(utf16, 4096)))).isTrue();
        CcdaFixtures.Read document = importBytes("windows-export.xml", utf16);
        assertThat(document.patient().names().get(0).display()).isEqualTo("Testy Q Fixture");
        assertThat(document.entries()).hasSameSizeAs(ccd.entries());
    }

    @Test
    void shouldRepairUndeclaredPrefixesInAUtf16Export() throws QuarantineException {
        byte[] utf16 = ("\uFEFF" + new String(bytes("undeclared-prefixes.xml"), java.nio.charset.StandardCharsets.UTF_8))
                .getBytes(java.nio.charset.StandardCharsets.UTF_16BE);
        CcdaFixtures.Read result = importBytes("windows-export.xml", utf16);
        assertThat(result.warnings()).isNotEmpty();
        assertThat(result.entries().get(0).values().get(0).quantity().value()).isEqualTo("70.5");
    }

    @Test
    void shouldNotAcceptFilesOfOtherFormats() {
        CcdaImporter importer = new CcdaImporter();
        assertThat(importer.accepts(new SourceSniff("a.pdf", "%PDF-1.4".getBytes()))).isFalse();
        assertThat(importer.accepts(new SourceSniff("a.json", "{\"resourceType\":\"Bundle\"}".getBytes()))).isFalse();
        assertThat(importer.accepts(new SourceSniff("a.hl7", "MSH|^~\\&|".getBytes()))).isFalse();
    }

    /** A minimal document with a patient and one problems section holding {@code entries} (raw markup). */
    private static String documentWith(String entries) {
        return "<ClinicalDocument xmlns=\"urn:hl7-org:v3\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
                + "<id root=\"1.2.3\" extension=\"hostile\"/><recordTarget><patientRole><id root=\"1.2.3.4\" extension=\"H-1\"/>"
                + "</patientRole></recordTarget><component><structuredBody><component><section>"
                + "<code code=\"11450-4\" codeSystem=\"2.16.840.1.113883.6.1\"/><title>Problems</title><text>problems</text>"
                + entries + "</section></component></structuredBody></component></ClinicalDocument>";
    }

    private static final String PROBLEM_ENTRY = "<entry><observation classCode=\"OBS\" moodCode=\"EVN\">"
            + "<templateId root=\"2.16.840.1.113883.10.20.22.4.4\"/><code code=\"55607006\" codeSystem=\"2.16.840.1.113883.6.96\"/>"
            + "<value xsi:type=\"CD\" code=\"38341003\" codeSystem=\"2.16.840.1.113883.6.96\" displayName=\"Hypertension\"/>"
            + "</observation></entry>";

    @Test
    void nestingDeeperThanAnyRealDocumentIsRefusedAsAParserLimitBeforeAnythingIsRead() {
        String deep = "<entryRelationship><observation>".repeat(300) + "</observation></entryRelationship>".repeat(300);
        assertQuarantined(documentWith("<entry><observation>" + deep + "</observation></entry>"), IngestError.XML_LIMIT_EXCEEDED);
    }

    @Test
    void aHugeAttributeValueIsRefusedAsAParserLimit() {
        assertQuarantined(documentWith("<entry><observation classCode=\"" + "A".repeat(2_000_000) + "\"/></entry>"),
                IngestError.XML_LIMIT_EXCEEDED);
    }

    @Test
    void thousandsOfAttributesOnOneElementAreRefusedAsAParserLimit() {
        StringBuilder attributes = new StringBuilder();
        for (int i = 0; i < 2_000; i++) {
            attributes.append(" a").append(i).append("=\"x\"");
        }
        assertQuarantined(documentWith("<entry><observation" + attributes + "/></entry>"), IngestError.XML_LIMIT_EXCEEDED);
    }

    @Test
    void anEntryTooLargeToMapIsQuarantinedWhileItsNeighboursAreMapped() throws QuarantineException {
        String huge = "<entry><observation classCode=\"OBS\" moodCode=\"EVN\"><templateId root=\"2.16.840.1.113883.10.20.22.4.4\"/><text>"
                + "x".repeat(XmlCursor.MAX_RECORD_CHARACTERS + 1) + "</text></observation></entry>";
        CcdaFixtures.Read read = importBytes("huge-entry.xml", documentWith(PROBLEM_ENTRY + huge + PROBLEM_ENTRY).getBytes(StandardCharsets.UTF_8));
        assertThat(read.ofType(RecordTypes.ENTRY)).hasSize(3);
        assertThat(read.entries()).as("the two neighbours").hasSize(2);
        assertThat(read.fragments()).singleElement().satisfies(f -> {
            assertThat(f.status()).isEqualTo(ImportedFragment.Status.QUARANTINED);
            assertThat(f.reason()).startsWith("ING-203");
            assertThat(f.locator()).endsWith("/section/entry[2]");
        });
        assertThat(read.sections()).singleElement().satisfies(section -> {
            assertThat(section.found()).isEqualTo(3);
            assertThat(section.quarantined()).isEqualTo(1);
        });
    }

    @Test
    void aFailureToMapOneEntryQuarantinesThatEntryOnlyWithItsMarkup() throws QuarantineException {
        CcdaImporter failingOnResults = new CcdaImporter((mapper, ordinal, kind, entry, statement) -> {
            if (kind == EntryKind.RESULT) {
                throw new IllegalStateException("a mapping defect");
            }
            return mapper.map(ordinal, kind, entry, statement);
        });
        CcdaFixtures.Read read = CcdaFixtures.importUnit(failingOnResults, new org.ehrarchive.support.InMemoryUnit(FULL_CCD, bytes(FULL_CCD)));
        List<ImportedFragment> quarantined = read.fragments().stream().filter(f -> f.status() == ImportedFragment.Status.QUARANTINED).toList();
        assertThat(quarantined).singleElement().satisfies(f -> {
            assertThat(f.reason()).isEqualTo(IngestError.ENTRY_UNREADABLE.message("IllegalStateException"));
            assertThat(f.content()).startsWith("<entry").contains("6690-2"); // the result panel, as it was
        });
        assertThat(read.entries()).as("every other entry still mapped").hasSize(ccd.entries().size() - 2);
        CcdaFixtures.Section results = read.sections().stream().filter(s -> "RESULT".equals(s.kind())).findFirst().orElseThrow();
        assertThat(results.quarantined()).isEqualTo(1);
        assertThat(results.found()).isEqualTo(results.archived() + results.quarantined());
    }

    @Test
    void aCompressedBodyThatWouldInflateBeyondTheLimitIsQuarantinedAndTheDocumentArchived() throws Exception {
        java.io.ByteArrayOutputStream compressed = new java.io.ByteArrayOutputStream();
        try (java.util.zip.DeflaterOutputStream deflate = new java.util.zip.DeflaterOutputStream(compressed)) {
            deflate.write(new byte[20_000_000]); // twenty megabytes of zeros: a few kilobytes compressed
        }
        String body = "<text mediaType=\"application/pdf\" representation=\"B64\" compression=\"DF\">"
                + java.util.Base64.getMimeEncoder().encodeToString(compressed.toByteArray()) + "</text>";
        String document = "<ClinicalDocument xmlns=\"urn:hl7-org:v3\"><id root=\"1.2.3\" extension=\"bomb\"/><recordTarget><patientRole>"
                + "<id root=\"1.2.3.4\" extension=\"H-2\"/></patientRole></recordTarget><component><nonXMLBody>" + body
                + "</nonXMLBody></component></ClinicalDocument>";
        CcdaFixtures.Read read = CcdaFixtures.importUnit(new CcdaImporter(),
                new org.ehrarchive.support.InMemoryUnit("bomb.xml", document.getBytes(StandardCharsets.UTF_8), java.util.Map.of(), 1_000_000));
        assertThat(read.documentRecord()).isNotNull();
        assertThat(read.ofType(RecordTypes.ATTACHMENT)).singleElement().satisfies(attachment -> {
            assertThat(attachment.content()).isInstanceOfSatisfying(org.ehrarchive.ingest.RecordContent.RawContent.class, raw -> {
                assertThat(raw.status()).isEqualTo(ImportedFragment.Status.QUARANTINED);
                assertThat(raw.reason()).startsWith("ING-202").contains("once decompressed");
            });
        });
        assertThat(read.unit().blobs).as("nothing of it kept beyond the limit").isEmpty();
    }

    @Test
    void aNarrativeOfAHundredThousandElementsIsKeptAsTextWithoutATree() throws QuarantineException {
        String narrative = "<paragraph>" + "<content>n</content>".repeat(100_000) + "</paragraph>";
        CcdaFixtures.Read read = importBytes("wide-narrative.xml",
                documentWith(PROBLEM_ENTRY).replace("<text>problems</text>", "<text>" + narrative + "</text>").getBytes(StandardCharsets.UTF_8));
        assertThat(read.sections()).singleElement().satisfies(section -> {
            assertThat(section.narrative()).startsWith("<text xmlns=\"urn:hl7-org:v3\"><paragraph><content>n</content>")
                    .endsWith("</paragraph></text>");
            assertThat(section.narrative().split("<content>", -1)).hasSize(100_001);
        });
        assertThat(read.entries()).hasSize(1);
    }

    private static void assertQuarantined(String xml, IngestError error) {
        assertThatThrownBy(() -> importBytes("hostile.xml", xml.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(QuarantineException.class, e -> assertThat(e.error()).as(e.reason()).isEqualTo(error));
    }

    private static ImportedEntry only(EntryKind kind) {
        List<ImportedEntry> found = all(kind);
        assertThat(found).as(kind.name()).hasSize(1);
        return found.get(0);
    }

    private static List<ImportedEntry> all(EntryKind kind) {
        return ccd.entries().stream().filter(e -> e.kind() == kind).toList();
    }

    private static CcdaFixtures.Section section(String title) {
        return ccd.sections().stream().filter(s -> title.equals(s.title())).findFirst().orElseThrow();
    }
}
