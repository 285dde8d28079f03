package org.ehrarchive.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import javax.xml.parsers.DocumentBuilderFactory;

import jakarta.inject.Inject;

import org.ehrarchive.ingest.IngestReport.Counts;
import org.ehrarchive.ingest.IngestReport.FileReport;
import org.ehrarchive.record.ClinicalDocument;
import org.ehrarchive.record.ClinicalEntry;
import org.ehrarchive.record.RawFragment;
import org.ehrarchive.record.SourceRecord;
import org.ehrarchive.support.ArchiveTestDatabase;
import org.ehrarchive.support.Fixtures;
import org.ehrarchive.support.Ingesting;
import org.ehrarchive.support.Requirements;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Conformance over real-world C-CDA documents nobody here wrote ({@code ../shared/corpus}: HL7's examples and
 * Synthea's patients) and over the project's own fixtures, counted independently: this test parses every original
 * itself (the JDK's DOM parser, not the archive's streaming reader), follows every locator with its own code,
 * counts the {@code <entry>} elements
 * of every section, and compares entry by entry and fragment by fragment with what the database holds, not with what
 * the importer says it did.
 */
@QuarkusTest
@Tag("storage")
@WithTestResource(ArchiveTestDatabase.class)
class CcdaCorpusConformanceTest {

    private static final String CDA = "urn:hl7-org:v3";
    /** HL7 stubs that show entry placement only: no header, no patient. They are quarantined, their entries counted. */
    private static final List<String> STUBS_WITHOUT_PATIENT = List.of(
            "Health_Concerns_Link_to_Problems_Section_with_linkHTML_C-CDA2.1.xml",
            "Planned_Encounter_-_Reason_for_Referral_C-CDAR2.1.xml");
    private static final List<String> FIXTURES = List.of("full-ccd.xml", "undeclared-prefixes.xml", "unstructured-embedded.xml",
            "unstructured-reference.xml", "referenced-note.txt", "section-fragment.xml", "truncated.xml", "embedded.pdf");

    @Inject
    IngestService ingest;

    @Test
    void everyHl7ExampleIsAccountedForEntryByEntryInTheDatabase() throws Exception {
        Path examples = Fixtures.sharedCorpus().resolve("ccda-examples");
        Requirements.corpus("ccda-examples");
        IngestReport report = Ingesting.report(ingest, examples);
        assertEveryFileAccountedFor(report, examples);
        for (String stub : STUBS_WITHOUT_PATIENT) {
            FileReport file = report.files().stream().filter(f -> f.path().endsWith(stub)).findFirst().orElseThrow();
            assertThat(file.reason()).startsWith("ING-104");
            assertThat(file.found()).isPositive().isEqualTo(file.quarantined());
        }
    }

    @Test
    void everySyntheaPatientIsAccountedForEntryByEntryInTheDatabase() throws Exception {
        Path synthea = Fixtures.sharedCorpus().resolve("synthea-dev/ccda");
        Requirements.corpus("synthea-dev/ccda");
        IngestReport report = Ingesting.report(ingest, synthea);
        assertEveryFileAccountedFor(report, synthea);
        assertThat(report.totals().archivedFiles()).isEqualTo(report.totals().files());
        assertThat(report.totals().quarantined()).isZero();
        assertThat(report.totals().records().get(RecordTypes.ENTRY).found()).isGreaterThan(1000);
        // Synthea's sections are all recognised: nothing of them is kept raw for want of a place.
        assertThat(report.files()).allSatisfy(f -> assertThat(f.sections()).allSatisfy(s -> assertThat(s.kind()).as(f.path() + " " + s.title()).isNotNull()));
    }

    @Test
    void everyFixtureIsAccountedForEntryByEntryInTheDatabase(@TempDir Path folder) throws Exception {
        for (String fixture : FIXTURES) {
            Fixtures.copy("ccda", fixture, folder);
        }
        IngestReport report = Ingesting.report(ingest, folder);
        assertEveryFileAccountedFor(report, folder);
        assertThat(report.files()).hasSize(FIXTURES.size());
    }

    private static void assertEveryFileAccountedFor(IngestReport report, Path folder) throws Exception {
        long filesOnDisk;
        try (Stream<Path> walk = Files.walk(folder)) {
            filesOnDisk = walk.filter(Files::isRegularFile).count();
        }
        assertThat(report.files()).hasSize((int) filesOnDisk);
        assertAccounted("totals", report.totals().records(), new Counts(report.totals().found(), report.totals().archived(),
                report.totals().quarantined(), report.totals().keptRaw(), report.totals().duplicates()));
        for (FileReport file : report.files()) {
            assertAccounted(file.path(), file.records(), file.counts());
            Document original = parse(folder.resolve(file.path()));
            boolean document = original != null && "ClinicalDocument".equals(original.getDocumentElement().getLocalName());
            boolean hasPatient = document && !childrenNamed(firstOrDocument(original, "recordTarget"), CDA, "patientRole").isEmpty();
            if (!document) {
                assertThat(file.status()).as(file.path()).isEqualTo("quarantined");
                assertThat(file.reason()).as(file.path()).matches("ING-\\d{3}: .*");
                assertThat(file.found()).as(file.path()).isZero();
            } else if (!hasPatient) {
                assertThat(file.status()).as(file.path()).isEqualTo("quarantined");
                assertThat(file.reason()).as(file.path()).startsWith("ING-104");
                assertThat(file.records().get(RecordTypes.ENTRY).quarantined()).as(file.path())
                        .isEqualTo(entries(original));
            } else {
                assertThat(file.status()).as(file.path() + ": " + file.reason()).isIn("archived", "duplicate");
                assertThat(file.quarantined()).as(file.path()).isZero();
                assertSectionsCountedIndependently(file, original);
                if (file.status().equals("archived")) {
                    assertDatabaseHoldsEveryRecord(file, original);
                }
            }
        }
    }

    /** Every record type, and the sum over them, satisfies found = archived + quarantined + duplicates. */
    private static void assertAccounted(String what, Map<String, Counts> records, Counts sum) {
        Counts total = Counts.NONE;
        for (Map.Entry<String, Counts> type : records.entrySet()) {
            Counts c = type.getValue();
            assertThat(c.found()).as(what + " " + type.getKey()).isEqualTo(c.archived() + c.quarantined() + c.duplicates());
            assertThat(c.keptRaw()).as(what + " " + type.getKey()).isLessThanOrEqualTo(c.archived());
            total = total.plus(c);
        }
        assertThat(total).as(what + ": the file-level counts are the sums over record types").isEqualTo(sum);
    }

    /** The report's section lines, against this test's own count of each section's {@code <entry>} elements. */
    private static void assertSectionsCountedIndependently(FileReport file, Document original) throws Exception {
        List<Element> sections = cdaElements(original, "section");
        assertThat(file.sections()).as(file.path()).hasSize(sections.size());
        int entries = 0;
        for (int i = 0; i < sections.size(); i++) {
            Element section = sections.get(i);
            IngestReport.SectionReport line = file.sections().get(i);
            assertThat(resolve(original, line.locator())).as(file.path() + " " + line.locator()).isSameAs(section);
            int expected = children(section, "entry");
            assertThat(line.found()).as(file.path() + " " + line.title()).isEqualTo(expected);
            assertThat(line.found()).as(file.path() + " " + line.title()).isEqualTo(line.archived() + line.quarantined() + line.duplicates());
            entries += expected;
        }
        assertThat(file.records().getOrDefault(RecordTypes.ENTRY, Counts.NONE).found()).as(file.path()).isEqualTo(entries);
        assertThat(file.records().get(RecordTypes.DOCUMENT).found()).isEqualTo(1);
        assertThat(file.records().getOrDefault(RecordTypes.HEADER_ENCOUNTER, Counts.NONE).found())
                .isEqualTo(count(original, "ClinicalDocument", "componentOf", "encompassingEncounter"));
        assertThat(file.records().getOrDefault(RecordTypes.ATTACHMENT, Counts.NONE).found())
                .isEqualTo(count(original, "ClinicalDocument", "component", "nonXMLBody"));
    }

    /**
     * Entry by entry: every stored entry record is one {@code <entry>} of the original, none twice; with no duplicates
     * every {@code <entry>} has its record. Fragment by fragment: a raw record's fragment, read back from the database,
     * is the element it names. Every normalized entry's locator lies inside its record's element.
     */
    private static void assertDatabaseHoldsEveryRecord(FileReport file, Document original) throws Exception {
        QuarkusTransaction.requiringNew().run(() -> {
            try {
                List<SourceRecord> records = SourceRecord.list("sourceSha256 = ?1 and recordType = ?2", file.sha256(), RecordTypes.ENTRY);
                Set<Node> seen = new HashSet<>();
                for (SourceRecord record : records) {
                    Node entry = resolve(original, record.locator);
                    assertThat(entry).as(file.path() + " " + record.locator).isNotNull();
                    assertThat(entry.getLocalName()).isEqualTo("entry");
                    assertThat(seen.add(entry)).as("one record per <entry>: " + record.locator).isTrue();
                    if (record.status == SourceRecord.Status.ARCHIVED) {
                        List<ClinicalEntry> normalized = ClinicalEntry.list("sourceRecordId", record.id);
                        assertThat(normalized).as(record.locator).isNotEmpty();
                        // No foreign key holds an entry's patient and document (V7): they must be its record's.
                        ClinicalDocument document = ClinicalDocument.find("sourceRecordId", record.parentId).singleResult();
                        for (ClinicalEntry row : normalized) {
                            assertThat(row.patientId).as(row.locator).isEqualTo(record.patientId).isEqualTo(document.patientId);
                            assertThat(row.documentId).as(row.locator).isEqualTo(document.id);
                            Node mapped = resolve(original, row.locator);
                            assertThat(mapped).as(row.locator).isNotNull();
                            assertThat(isInside(mapped, entry)).as(row.locator + " inside " + record.locator).isTrue();
                        }
                    } else {
                        RawFragment fragment = RawFragment.find("sourceRecordId", record.id).firstResult();
                        assertThat(fragment).as("the raw fragment of " + record.locator).isNotNull();
                        assertThat(fragment.status).isEqualTo(record.status == SourceRecord.Status.KEPT_RAW ? "KEPT" : "QUARANTINED");
                        assertSameElement(fragment.content, (Element) entry, record.locator);
                    }
                }
                int entries = entries(original);
                IngestReport.Counts counted = file.records().getOrDefault(RecordTypes.ENTRY, Counts.NONE);
                assertThat(records.size() + counted.duplicates()).as(file.path() + ": stored + duplicates").isEqualTo(entries);
                assertThat(records).as(file.path()).hasSize(counted.archived() + counted.quarantined());
                List<SourceRecord> documents = SourceRecord.list("sourceSha256 = ?1 and recordType = ?2", file.sha256(), RecordTypes.DOCUMENT);
                assertThat(documents).singleElement().satisfies(d -> assertThat(d.locator).isEqualTo("/ClinicalDocument"));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    /** A fragment from the database is the original element: the same name and the same text, element for element. */
    private static void assertSameElement(String fragment, Element expected, String locator) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Element read = factory.newDocumentBuilder().parse(new java.io.ByteArrayInputStream(fragment.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .getDocumentElement();
        assertThat(read.getLocalName()).as(locator).isEqualTo(expected.getLocalName());
        assertThat(read.getNamespaceURI()).as(locator).isEqualTo(expected.getNamespaceURI());
        assertThat(read.getTextContent()).as(locator).isEqualTo(expected.getTextContent());
        assertThat(read.getElementsByTagNameNS("*", "*").getLength()).as(locator)
                .isEqualTo(expected.getElementsByTagNameNS("*", "*").getLength());
    }

    /** The first recordTarget of the document (or the document element when there is none, which has no patientRole). */
    private static Node firstOrDocument(Document document, String name) {
        List<Element> found = childrenNamed(document.getDocumentElement(), CDA, name);
        return found.isEmpty() ? document.getDocumentElement() : found.get(0);
    }

    private static boolean isInside(Node node, Node ancestor) {
        for (Node n = node; n != null; n = n.getParentNode()) {
            if (n == ancestor) {
                return true;
            }
        }
        return false;
    }

    /** Parses an original with the JDK's own parser; null when it is not XML (a PDF, a text file). */
    private static Document parse(Path file) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            byte[] bytes = Files.readAllBytes(file);
            try {
                return factory.newDocumentBuilder().parse(new java.io.ByteArrayInputStream(bytes));
            } catch (org.xml.sax.SAXParseException unboundPrefix) {
                // HL7's examples use xsi: and sdtc: undeclared; declare them as the archive does, to read them here too.
                String text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8).replaceFirst("<ClinicalDocument",
                        "<ClinicalDocument xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:sdtc=\"urn:hl7-org:sdtc\"");
                return factory.newDocumentBuilder().parse(new java.io.ByteArrayInputStream(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            }
        } catch (Exception notXml) {
            return null;
        }
    }

    /**
     * Follows an archive locator in the DOM, this test's own way: step by step, an unprefixed name a CDA element (in
     * the CDA namespace, or in none: some HL7 stubs declare none, and the archive reads them as CDA), {@code [n]} the
     * n-th child of that name; a step without {@code [n]} must be the only child of its name.
     */
    private static Node resolve(Document document, String locator) {
        Node current = document;
        for (String step : locator.substring(1).split("/")) {
            java.util.regex.Matcher m = STEP.matcher(step);
            assertThat(m.matches()).as(locator).isTrue();
            String namespace = m.group(1) == null ? CDA : "sdtc".equals(m.group(1)) ? "urn:hl7-org:sdtc" : null;
            List<Element> named = childrenNamed(current, namespace, m.group(2));
            if (m.group(3) == null) {
                assertThat(named).as("no [n]: the only " + m.group(2) + " in " + locator).hasSize(1);
                current = named.get(0);
            } else {
                int position = Integer.parseInt(m.group(3));
                assertThat(named.size()).as("[n] where siblings share a name: " + locator).isGreaterThan(1).isGreaterThanOrEqualTo(position);
                current = named.get(position - 1);
            }
        }
        return current;
    }

    private static final java.util.regex.Pattern STEP = java.util.regex.Pattern.compile("(?:([\\w.-]+):)?([\\w.-]+)(?:\\[(\\d+)\\])?");

    private static List<Element> childrenNamed(Node parent, String namespace, String localName) {
        List<Element> named = new java.util.ArrayList<>();
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element e && localName.equals(e.getLocalName()) && (java.util.Objects.equals(namespace, e.getNamespaceURI())
                    || (CDA.equals(namespace) && e.getNamespaceURI() == null))) {
                named.add(e);
            }
        }
        return named;
    }

    /** CDA elements (in the CDA namespace, or in none) with this name, in document order. */
    private static List<Element> cdaElements(Node context, String localName) {
        List<Element> found = new java.util.ArrayList<>();
        NodeList all = context instanceof Document d ? d.getElementsByTagNameNS("*", localName)
                : ((Element) context).getElementsByTagNameNS("*", localName);
        for (int i = 0; i < all.getLength(); i++) {
            Element e = (Element) all.item(i);
            if (e.getNamespaceURI() == null || CDA.equals(e.getNamespaceURI())) {
                found.add(e);
            }
        }
        return found;
    }

    /** How many CDA children of this name an element has. */
    private static int children(Element parent, String localName) {
        return childrenNamed(parent, CDA, localName).size();
    }

    /** The elements of a path of CDA child names from the document element ({@code ClinicalDocument/recordTarget...}). */
    private static int count(Document document, String... path) {
        List<Node> current = List.of(document);
        for (String name : path) {
            List<Node> next = new java.util.ArrayList<>();
            for (Node node : current) {
                next.addAll(childrenNamed(node, CDA, name));
            }
            current = next;
        }
        return current.size();
    }

    /** Every {@code <entry>} of every section of the document. */
    private static int entries(Document document) {
        return cdaElements(document, "section").stream().mapToInt(s -> children(s, "entry")).sum();
    }

}
