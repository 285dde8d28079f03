package org.ehrarchive.provenance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import javax.xml.parsers.DocumentBuilderFactory;

import org.ehrarchive.bench.CcdaGenerator;
import org.ehrarchive.blob.BlobStore;
import org.ehrarchive.ingest.ImportedRecord;
import org.ehrarchive.ingest.ImportedSection;
import org.ehrarchive.ingest.Importer;
import org.ehrarchive.ingest.QuarantineException;
import org.ehrarchive.ingest.RecordContent;
import org.ehrarchive.ingest.RecordSink;
import org.ehrarchive.ingest.SourceUnit;
import org.ehrarchive.ingest.ccda.CcdaImporter;
import org.ehrarchive.ingest.fhir.FhirImporter;
import org.ehrarchive.ingest.table.MappingProfiles;
import org.ehrarchive.ingest.table.TableDumpImporter;
import org.ehrarchive.ingest.hl7v2.Hl7v2Importer;
import org.ehrarchive.provenance.SourceExcerpts.Excerpt;
import org.ehrarchive.support.Fixtures;
import org.ehrarchive.support.InMemoryUnit;
import org.ehrarchive.support.Requirements;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xml.sax.InputSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Excerpts of originals by the locators the importers write: on the project's fixtures (each folder's README.md says what
 * they hold) for every locator form, and on the shared corpus for every locator the importers write there.
 */
class SourceExcerptsTest {

    private static final String FULL_CCD = "full-ccd.xml";
    private static final String UNDECLARED_PREFIXES = "undeclared-prefixes.xml";
    private static final String RESULTS = "oru-r01-values.hl7";
    private static final String BATCH = "batch-envelope.hl7";
    private static final String OBSERVATIONS = "export/Observation.ndjson";
    private static final String TRANSACTION = "bundle-transaction.json";
    private static final String XML_BUNDLE = "bundle-collection.xml";

    private static final String RESULTS_ORGANIZER = "/ClinicalDocument/component/structuredBody/component[4]/section/entry/organizer";
    private static final ObjectMapper JSON = new ObjectMapper();

    // ---- C-CDA --------------------------------------------------------------------------------------------------

    @Test
    void anObservationDeepInADocumentIsThatElementAloneAndStandsOnItsOwn() throws Exception {
        Excerpt excerpt = excerpt("ccda", FULL_CCD, RESULTS_ORGANIZER + "/component[2]/observation").orElseThrow();

        assertThat(excerpt.syntax()).isEqualTo("xml");
        assertThat(excerpt.truncated()).isFalse();
        assertThat(excerpt.text()).startsWith("<observation").endsWith("</observation>")
                .contains("value=\"13.20\"").doesNotContain("12.25").doesNotContain("<organizer");
        // xsi:type is declared on the document's root only: the fragment declares it again, and the CDA namespace
        assertThat(wellFormed(excerpt.text()).getDocumentElement().getNamespaceURI()).isEqualTo("urn:hl7-org:v3");
    }

    @Test
    void theDocumentItselfIsItsHeaderWithoutItsBody() throws Exception {
        Excerpt excerpt = excerpt("ccda", FULL_CCD, "/ClinicalDocument").orElseThrow();

        assertThat(excerpt.text()).contains("Fixture Continuity of Care Document", "MRN-4711", "ENC-77")
                .contains("<!-- body: see the sections -->").endsWith("</ClinicalDocument>")
                .doesNotContain("structuredBody").doesNotContain("Diabetes mellitus type 2");
        assertThat(excerpt.note()).contains("header");
        wellFormed(excerpt.text());
    }

    @Test
    void aFileWithUndeclaredPrefixesIsReadAsTheImporterReadsItAndItsFragmentsDeclareThem() throws Exception {
        Excerpt race = excerpt("ccda", UNDECLARED_PREFIXES, "/ClinicalDocument/recordTarget/patientRole/patient/sdtc:raceCode").orElseThrow();
        Excerpt weight = excerpt("ccda", UNDECLARED_PREFIXES,
                "/ClinicalDocument/component/structuredBody/component/section/entry/observation").orElseThrow();

        assertThat(race.text()).contains("2108-9").contains("xmlns:sdtc=\"urn:hl7-org:sdtc\"").doesNotContain("deceasedInd");
        assertThat(weight.text()).contains("value=\"70.5\"").contains("xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"");
        wellFormed(race.text());
        wellFormed(weight.text());
    }

    @Test
    void aCcdaLocatorThatNamesNoElementGivesNothing() throws Exception {
        assertThat(excerpt("ccda", FULL_CCD, RESULTS_ORGANIZER + "/component[3]/observation")).isEmpty();
        assertThat(excerpt("ccda", FULL_CCD, "/ClinicalDocument/component/structuredBody/component[99]/section")).isEmpty();
        assertThat(excerpt("ccda", FULL_CCD, "/Bundle/entry[1]")).isEmpty();
        assertThat(excerpt("ccda", FULL_CCD, "not a locator")).isEmpty();
    }

    // ---- HL7 v2 -------------------------------------------------------------------------------------------------

    @Test
    void aMessageIsItsSegmentsOneALineAndNoOtherMessage() throws Exception {
        Excerpt excerpt = excerpt("hl7v2", BATCH, "/message[2]").orElseThrow();

        assertThat(excerpt.syntax()).isEqualTo("hl7v2");
        assertThat(excerpt.text().split("\n")).hasSize(4).allSatisfy(line -> assertThat(line).doesNotContain("\r"));
        assertThat(excerpt.text()).startsWith("MSH|").contains("100502^^^GOODHEALTH^MR").doesNotContain("100501").doesNotContain("100503")
                .doesNotContain("BHS").doesNotContain("BTS");
    }

    @Test
    void aSegmentIsItsWholeMessageWithTheSegmentNamedInTheNote() throws Exception {
        Excerpt excerpt = excerpt("hl7v2", RESULTS, "/message[1]/OBX[2]").orElseThrow();

        assertThat(excerpt.note()).isEqualTo("OBX[2] (line 8)");
        assertThat(excerpt.text().split("\n")[7]).startsWith("OBX|2|NM|2823-3^Potassium").contains("|5.6|");
        assertThat(excerpt("hl7v2", RESULTS, "/message[1]/OBX[2]/OBX-5").orElseThrow().note()).isEqualTo("OBX-5 of OBX[2] (line 8)");
        // the second order's OBX are counted on: the 10th OBX of the message is its second order's first
        assertThat(excerpt.text().split("\n")[lineOf(excerpt("hl7v2", RESULTS, "/message[1]/OBX[10]").orElseThrow()) - 1]).contains("6690-2");
    }

    @Test
    void aMessageTheImporterCouldNotReadIsShownAsTheBytesItIs() throws Exception {
        byte[] file = ("not a message\r" + "MSH|^~\\&|A|B|C|D|20240101||ADT^A01|M1|P|2.5.1\rPID|1||42^^^X^MR\r").getBytes(StandardCharsets.US_ASCII);
        List<String> locators = recordLocators(new Hl7v2Importer(), new InMemoryUnit("stray.hl7", file));
        assertThat(locators).contains("/message[1]@0", "/message[2]");

        Excerpt stray = excerpt("hl7v2", file, "/message[1]@0").orElseThrow();

        assertThat(stray.syntax()).isEqualTo("text");
        assertThat(stray.text()).isEqualTo("not a message\n");
        assertThat(stray.note()).contains("bytes 0 to 14");
        assertThat(excerpt("hl7v2", file, "/message[2]").orElseThrow().text()).startsWith("MSH|").doesNotContain("not a message");
        assertThat(excerpt("hl7v2", file, "/message[1]@3")).as("another offset names nothing").isEmpty();
    }

    @Test
    void aMessageOrSegmentThatIsNotThereGivesNothing() throws Exception {
        assertThat(excerpt("hl7v2", BATCH, "/message[4]")).isEmpty();
        assertThat(excerpt("hl7v2", RESULTS, "/message[1]/OBX[12]")).isEmpty();
        assertThat(excerpt("hl7v2", RESULTS, "/message[1]/ZZZ[1]")).isEmpty();
        assertThat(excerpt("hl7v2", RESULTS, "/ClinicalDocument")).isEmpty();
    }

    // ---- FHIR ---------------------------------------------------------------------------------------------------

    @Test
    void anNdjsonLineIsThatResourcePrettyPrintedWithItsNumbersAsWritten() throws Exception {
        Excerpt excerpt = excerpt("fhir", OBSERVATIONS, "/line[1]").orElseThrow();

        assertThat(excerpt.syntax()).isEqualTo("json");
        assertThat(excerpt.text()).contains("\"id\" : \"obs1\"").contains("105.50").doesNotContain("obs2").contains("\n");
        assertThat(JSON.readTree(excerpt.text())).isEqualTo(JSON.readTree(lines(OBSERVATIONS).get(0)));
        assertThat(excerpt("fhir", OBSERVATIONS, "/line[5]").orElseThrow().text()).contains("\"obs5\"").doesNotContain("\"obs4\"");
    }

    @Test
    void aGzipCompressedExportReadsAsTheSameLines() throws Exception {
        byte[] compressed = gzip(bytes("fhir", "export/Patient.ndjson"));

        Excerpt second = excerpt("fhir", compressed, "/line[3]").orElseThrow();

        assertThat(second.text()).contains("\"id\" : \"pat2\"", "O'Neil").doesNotContain("pat1");
        assertThat(excerpt("fhir", compressed, "/line[2]")).as("the blank line holds nothing").isEmpty();
        assertThat(excerpt("fhir", compressed, "/line[4]")).isEmpty();
    }

    @Test
    void aJsonBundleEntryIsThatResourceAlone() throws Exception {
        JsonNode patient = JSON.readTree(excerpt("fhir", TRANSACTION, "/entry/2/resource").orElseThrow().text());
        JsonNode delete = JSON.readTree(excerpt("fhir", TRANSACTION, "/entry/5").orElseThrow().text());

        assertThat(patient.path("resourceType").asText()).isEqualTo("Patient");
        assertThat(patient.toString()).contains("Howell").doesNotContain("Immunization").doesNotContain("fullUrl");
        assertThat(delete.path("request").path("method").asText()).isEqualTo("DELETE");
        assertThat(delete.has("resource")).isFalse();
    }

    @Test
    void anXmlBundleEntryIsThatResourceElement() throws Exception {
        Excerpt excerpt = excerpt("fhir", XML_BUNDLE, "/Bundle/entry[2]/resource").orElseThrow();

        assertThat(excerpt.syntax()).isEqualTo("xml");
        assertThat(excerpt.text()).startsWith("<Patient").contains("Marks").doesNotContain("71.5").doesNotContain("<resource");
        assertThat(wellFormed(excerpt.text()).getDocumentElement().getNamespaceURI()).isEqualTo("http://hl7.org/fhir");
        assertThat(excerpt("fhir", XML_BUNDLE, "/Bundle/entry[1]").orElseThrow().text()).startsWith("<entry").contains("x-obs-1");
    }

    @Test
    void aSingleResourceIsTheWholeDocumentInJsonAndInXml() throws Exception {
        byte[] json = "\uFEFF{\n  \"resourceType\": \"Patient\",\n  \"id\": \"solo\"\n}\n".getBytes(StandardCharsets.UTF_8);
        byte[] xml = "<?xml version=\"1.0\"?>\n<Patient xmlns=\"http://hl7.org/fhir\"><id value=\"solo\"/></Patient>".getBytes(StandardCharsets.UTF_8);

        assertThat(JSON.readTree(excerpt("fhir", json, "/").orElseThrow().text()).path("id").asText()).isEqualTo("solo");
        assertThat(excerpt("fhir", xml, "/").orElseThrow().text()).isEqualTo("<Patient xmlns=\"http://hl7.org/fhir\"><id value=\"solo\"/></Patient>");
    }

    @Test
    void aLineTheImporterCouldNotReadAsJsonIsShownAsItIs() throws Exception {
        Excerpt excerpt = excerpt("fhir", OBSERVATIONS, "/line[4]").orElseThrow();

        assertThat(excerpt.syntax()).isEqualTo("text");
        assertThat(excerpt.text()).isEqualTo(lines(OBSERVATIONS).get(3));
        assertThat(excerpt.note()).contains("not readable as JSON");
    }

    @Test
    void theRestOfABundleTheImporterCouldNotReadIsShownFromWhereItBreaks() throws Exception {
        String text = new String(bytes("fhir", TRANSACTION), StandardCharsets.UTF_8);
        byte[] broken = text.substring(0, text.indexOf("\"AllergyIntolerance\"") + 30).getBytes(StandardCharsets.UTF_8);
        List<String> locators = recordLocators(new FhirImporter(), new InMemoryUnit("broken.json", broken));
        assertThat(locators).contains("/entry/3");

        Excerpt excerpt = excerpt("fhir", broken, "/entry/3").orElseThrow();

        assertThat(excerpt.syntax()).isEqualTo("text");
        assertThat(excerpt.text()).startsWith("{").contains("\"AllergyIntolerance\"").doesNotContain("Howell");
        assertThat(excerpt("fhir", broken, "/entry/4/resource")).as("past the break: nothing the importer read").isEmpty();
    }

    @Test
    void aFhirLocatorThatNamesNothingGivesNothing() throws Exception {
        assertThat(excerpt("fhir", OBSERVATIONS, "/line[99]")).isEmpty();
        assertThat(excerpt("fhir", OBSERVATIONS, "/line[1]/entry/0/resource")).isEmpty();
        assertThat(excerpt("fhir", TRANSACTION, "/entry/6/resource")).isEmpty();
        assertThat(excerpt("fhir", TRANSACTION, "/entry/5/resource")).isEmpty();
        assertThat(excerpt("fhir", XML_BUNDLE, "/Bundle/entry[3]/resource")).isEmpty();
        assertThat(excerpt("fhir", XML_BUNDLE, "/Patient")).isEmpty();
    }

    @Test
    void anAttachmentIsTheElementTheResourceCarriesItInInJsonAndInXml() throws Exception {
        Excerpt json = excerpt("fhir", "export/DocumentReference.ndjson", "/line[1]/content/0/attachment").orElseThrow();
        byte[] xml = ("<DocumentReference xmlns=\"http://hl7.org/fhir\"><status value=\"current\"/>"
                + "<content><attachment><url value=\"http://x/1\"/></attachment></content>"
                + "<content><attachment><url value=\"http://x/2\"/></attachment></content></DocumentReference>").getBytes(StandardCharsets.UTF_8);

        assertThat(JSON.readTree(json.text()).has("contentType")).isTrue();
        assertThat(excerpt("fhir", xml, "/content/1/attachment").orElseThrow().text()).startsWith("<attachment").contains("http://x/2")
                .doesNotContain("http://x/1");
    }

    // ---- bounds ---------------------------------------------------------------------------------------------------

    @Test
    void aFragmentLargerThanAnExcerptIsCutAndMarkedTruncated() throws Exception {
        String big = "A".repeat(SourceExcerpts.MAX_CHARACTERS * 2);
        byte[] line = ("{\"resourceType\":\"Binary\",\"id\":\"b\",\"data\":\"" + big + "\"}\n").getBytes(StandardCharsets.US_ASCII);
        byte[] xml = ("<Binary xmlns=\"http://hl7.org/fhir\"><data value=\"x\"/><!-- " + big + " --></Binary>").getBytes(StandardCharsets.US_ASCII);

        Excerpt json = excerpt("fhir", line, "/line[1]").orElseThrow();
        Excerpt element = excerpt("fhir", xml, "/").orElseThrow();

        assertThat(json.truncated()).isTrue();
        assertThat(json.text()).hasSize(SourceExcerpts.MAX_CHARACTERS).contains("\"id\" : \"b\"");
        assertThat(element.truncated()).isTrue();
        assertThat(element.text()).hasSize(SourceExcerpts.MAX_CHARACTERS).startsWith("<Binary");
        assertThat(excerpt("fhir", OBSERVATIONS, "/line[1]").orElseThrow().truncated()).isFalse();
    }

    @Test
    void anEntryNearTheStartOfALargeDocumentIsReadWithoutReadingTheRest(@TempDir Path folder) throws Exception {
        Path document = folder.resolve("large.xml");
        new CcdaGenerator(7, 20_000).writeDocument(document, 1);
        AtomicLong read = new AtomicLong();
        SourceExcerpts.Original counted = () -> new FilterInputStream(Files.newInputStream(document)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                read.addAndGet(Math.max(n, 0));
                return n;
            }
        };

        Optional<Excerpt> entry = SourceExcerpts.excerpt(counted, "ccda",
                "/ClinicalDocument/component/structuredBody/component[1]/section/entry[2]");

        assertThat(entry).isPresent();
        assertThat(Files.size(document)).isGreaterThan(10L << 20);
        // the header and the first section's narrative come before it: about 1 MB of 60
        assertThat(read.get()).as("bytes read of a %d-byte file", Files.size(document)).isLessThan(Files.size(document) / 20);
    }

    // ---- the bean -------------------------------------------------------------------------------------------------

    @Test
    void anOriginalIsReadFromTheBlobStoreAndOneItDoesNotHoldGivesNothing(@TempDir Path folder) throws Exception {
        BlobStore blobs = new BlobStore(folder);
        String sha256 = blobs.put(bytes("hl7v2", BATCH));
        SourceExcerpts excerpts = new SourceExcerpts(blobs);

        assertThat(excerpts.excerpt(sha256, "hl7v2", "/message[3]").orElseThrow().text()).contains("100503");
        assertThat(excerpts.excerpt("0".repeat(64), "hl7v2", "/message[1]")).isEmpty();
    }

    // ---- every locator the importers write ----------------------------------------------------------------------

    @Test
    void everyLocatorTheCcdaImporterWritesForTheFixturesNamesAFragment() throws Exception {
        for (String name : List.of(FULL_CCD, UNDECLARED_PREFIXES, "utf8-bom-crlf.xml", "unstructured-embedded.xml", "unstructured-reference.xml",
                "hostile-markup.xml")) {
            assertThat(assertEveryLocatorNamesAFragment(new CcdaImporter(), "ccda", Map.of(name, bytes("ccda", name)), 0)).as(name).isPositive();
        }
    }

    @Test
    void everyLocatorTheHl7v2ImporterWritesForTheFixturesNamesAFragment() throws Exception {
        int checked = 0;
        for (Path file : files(fixture("hl7v2"), ".hl7")) {
            checked += assertEveryLocatorNamesAFragment(new Hl7v2Importer(), "hl7v2", one(file), 0);
        }
        assertThat(checked).isGreaterThan(100);
    }

    @Test
    void everyLocatorTheFhirImporterWritesForTheFixturesNamesAFragment() throws Exception {
        Map<String, byte[]> export = export(fixture("fhir/export"), false);
        // 21 resources, and the 3 attachments of its document references
        assertThat(assertEveryLocatorNamesAFragment(new FhirImporter(), "fhir", export, 0)).isEqualTo(24);
        assertThat(assertEveryLocatorNamesAFragment(new FhirImporter(), "fhir", Map.of("Patient.ndjson.gz", gzip(export.get("Patient.ndjson"))), 0))
                .isEqualTo(2);
        for (String name : List.of(TRANSACTION, XML_BUNDLE)) {
            assertThat(assertEveryLocatorNamesAFragment(new FhirImporter(), "fhir", Map.of(name, bytes("fhir", name)), 0)).as(name).isPositive();
        }
    }

    // ---- table dumps -----------------------------------------------------------------------------------------------

    @Test
    void aTableRowIsItsOwnLinesEvenWhenAQuotedFieldHoldsLineBreaksAndNeverAnotherRow() throws Exception {
        byte[] table = ("\uFEFFId,NOTE,WHEN\r\n1,plain,2020-01-01\r\n2,\"two\r\nlines, \"\"quoted\"\"\",2020-01-02\r\n3,after,2020-01-03\r\n")
                .getBytes(StandardCharsets.UTF_8);
        Excerpt second = SourceExcerpts.excerpt(() -> new ByteArrayInputStream(table), "csv", "/line[3]").orElseThrow();
        assertThat(second.text()).isEqualTo("2,\"two\r\nlines, \"\"quoted\"\"\",2020-01-02");
        assertThat(second.syntax()).isEqualTo("text");
        assertThat(SourceExcerpts.excerpt(() -> new ByteArrayInputStream(table), "csv", "/line[5]").orElseThrow().text())
                .isEqualTo("3,after,2020-01-03");
        assertThat(SourceExcerpts.excerpt(() -> new ByteArrayInputStream(table), "csv", "/line[9]")).isEmpty();
        byte[] latin = "Id,NAME\n1,Jos\u00e9\n".getBytes(java.nio.charset.Charset.forName("windows-1252"));
        assertThat(SourceExcerpts.excerpt(() -> new ByteArrayInputStream(latin), "csv", "/line[2]").orElseThrow().text())
                .as("bytes that are not UTF-8 read as windows-1252").isEqualTo("1,Jos\u00e9");
    }

    @Test
    void everyLocatorTheTableDumpImporterWritesForTheSyntheaDumpNamesItsRow() throws Exception {
        Path dump = Requirements.corpus("synthea-dev/csv");
        Map<String, byte[]> tables = new LinkedHashMap<>();
        TableDumpImporter importer = new TableDumpImporter(MappingProfiles.shipped("synthea-csv").orElseThrow());
        List<Path> files = files(dump, ".csv");
        for (Path file : importer.units(dump, files).get(0)) {
            tables.put(file.getFileName().toString(), Files.readAllBytes(file));
        }
        assertThat(assertEveryLocatorNamesAFragment(importer, "csv", tables, 40)).isGreaterThan(16 * 10);
    }

    /** The corpus is larger: every locator of its smaller folders, a sample of each file's in the larger ones. */
    @Test
    void everyLocatorTheImportersWriteForTheSharedCorpusNamesAFragment() throws Exception {
        int ccda = 0;
        for (String folder : List.of("ccda-examples/documents", "ccda-examples/unstructured")) {
            for (Path file : files(Requirements.corpus(folder), ".xml", ".XML")) {
                ccda += assertEveryLocatorNamesAFragment(new CcdaImporter(), "ccda", one(file), 0);
            }
        }
        for (Path file : files(Requirements.corpus("synthea-dev/ccda"), ".xml").subList(0, 5)) {
            ccda += assertEveryLocatorNamesAFragment(new CcdaImporter(), "ccda", one(file), 40);
        }
        int hl7v2 = 0;
        for (Path file : files(Requirements.corpus("hl7v2"), ".hl7", ".txt")) {
            hl7v2 += assertEveryLocatorNamesAFragment(new Hl7v2Importer(), "hl7v2", one(file), 0);
        }
        int fhir = 0;
        for (Path file : files(Requirements.corpus("fhir-examples"), ".json", ".xml")) {
            fhir += assertEveryLocatorNamesAFragment(new FhirImporter(), "fhir", one(file), 0);
        }
        for (Path file : files(Requirements.corpus("synthea-dev/fhir-bundles"), ".json")) {
            fhir += assertEveryLocatorNamesAFragment(new FhirImporter(), "fhir", one(file), 40);
        }
        fhir += assertEveryLocatorNamesAFragment(new FhirImporter(), "fhir", export(Requirements.corpus("synthea-dev/fhir"), true), 40);

        assertThat(List.of(ccda, hl7v2, fhir)).as("locators checked: C-CDA, HL7 v2, FHIR").allSatisfy(n -> assertThat(n).isGreaterThan(100));
    }

    /**
     * Reads the files with the importer, as ingest does (one unit), and checks that every locator it wrote (of records, and
     * of the documents, patients, entries and sections they hold) names a non-empty excerpt of its file; with {@code sample}
     * above 0, only that many of each file's, spread over the file, its last one included. Returns how many it checked
     * (none for a file the importer quarantined whole).
     */
    private static int assertEveryLocatorNamesAFragment(Importer importer, String format, Map<String, byte[]> files, int sample) throws Exception {
        InMemoryUnit unit = new InMemoryUnit(files);
        Map<SourceUnit.File, Set<String>> locators = locators(importer, unit);
        int count = 0;
        for (Map.Entry<SourceUnit.File, Set<String>> each : locators.entrySet()) {
            SourceUnit.File file = each.getKey();
            Set<String> all = each.getValue();
            List<String> checked = new ArrayList<>(all);
            if (sample > 0 && checked.size() > sample) {
                List<String> spread = new ArrayList<>();
                for (int i = 0; i < sample; i++) {
                    spread.add(checked.get((int) ((long) i * (checked.size() - 1) / (sample - 1))));
                }
                checked = spread;
            }
            for (String locator : checked) {
                Optional<Excerpt> excerpt;
                try {
                    excerpt = SourceExcerpts.excerpt(() -> unit.open(file), format, locator);
                } catch (IOException e) {
                    throw new UncheckedIOException(file.path() + " " + locator, e);
                }
                assertThat(excerpt).as("%s %s", file.path(), locator).isPresent();
                assertThat(excerpt.get().text()).as("%s %s", file.path(), locator).isNotBlank();
                count++;
            }
        }
        return count;
    }

    /** Every locator the importer writes for a unit, by file, in the order written. */
    private static Map<SourceUnit.File, Set<String>> locators(Importer importer, InMemoryUnit unit) throws QuarantineException {
        Map<SourceUnit.File, Set<String>> locators = new LinkedHashMap<>();
        RecordSink sink = new RecordSink() {
            @Override
            public void record(ImportedRecord record) {
                record(unit.files().get(0), record);
            }

            @Override
            public void record(SourceUnit.File from, ImportedRecord record) {
                Set<String> of = locators.computeIfAbsent(from, f -> new LinkedHashSet<>());
                of.add(record.locator());
                if (record.content() instanceof RecordContent.DocumentContent document) {
                    of.add(document.document().locator());
                    of.add(document.patient().locator());
                    document.keptFragments().forEach(kept -> of.add(kept.locator()));
                } else if (record.content() instanceof RecordContent.EntriesContent entries) {
                    entries.entries().forEach(entry -> of.add(entry.locator()));
                }
            }

            @Override
            public void section(ImportedRecord document, ImportedSection section) {
                locators.computeIfAbsent(unit.files().get(0), f -> new LinkedHashSet<>()).add(section.locator());
            }

            @Override
            public void warning(String warning) {
            }

            @Override
            public void quarantine(SourceUnit.File file, QuarantineException reason) {
            }
        };
        try {
            importer.read(unit, sink);
        } catch (QuarantineException e) {
            // a file quarantined whole: what it handed over before, if anything, is checked all the same
        }
        locators.values().forEach(set -> set.remove(null));
        return locators;
    }

    private static List<String> recordLocators(Importer importer, InMemoryUnit unit) throws QuarantineException {
        return locators(importer, unit).values().stream().flatMap(Set::stream).toList();
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private static Optional<Excerpt> excerpt(String format, String fixture, String locator) throws IOException {
        return excerpt(format, bytes(format, fixture), locator);
    }

    private static Optional<Excerpt> excerpt(String format, byte[] original, String locator) throws IOException {
        return SourceExcerpts.excerpt(() -> new ByteArrayInputStream(original), format, locator);
    }

    private static byte[] bytes(String format, String fixture) {
        return Fixtures.bytes(format, fixture);
    }

    private static List<String> lines(String fixture) {
        return List.of(new String(bytes("fhir", fixture), StandardCharsets.UTF_8).split("\n"));
    }

    private static int lineOf(Excerpt excerpt) {
        return Integer.parseInt(excerpt.note().replaceAll(".*\\(line (\\d+)\\).*", "$1"));
    }

    private static org.w3c.dom.Document wellFormed(String xml) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        return factory.newDocumentBuilder().parse(new InputSource(new java.io.StringReader(xml)));
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        }
        return out.toByteArray();
    }

    /** A bulk export's NDJSON files as ingest reads a folder: one unit, in the order the importer chooses; gzip-compressed if asked. */
    private static Map<String, byte[]> export(Path folder, boolean compressed) throws IOException {
        Map<String, byte[]> export = new LinkedHashMap<>();
        for (Path file : new FhirImporter().units(folder, files(folder, ".ndjson")).get(0)) {
            byte[] bytes = Files.readAllBytes(file);
            export.put(file.getFileName() + (compressed ? ".gz" : ""), compressed ? gzip(bytes) : bytes);
        }
        return export;
    }

    /** A unit of one file, as ingest reads a file alone. */
    private static Map<String, byte[]> one(Path file) throws IOException {
        return Map.of(file.getFileName().toString(), Files.readAllBytes(file));
    }

    private static Path fixture(String folder) throws Exception {
        return Path.of(SourceExcerptsTest.class.getResource("/fixtures/" + folder).toURI());
    }

    private static List<Path> files(Path folder, String... endings) throws IOException {
        try (Stream<Path> listed = Files.list(folder)) {
            return listed.filter(p -> Stream.of(endings).anyMatch(e -> p.getFileName().toString().endsWith(e))).sorted().toList();
        }
    }
}
