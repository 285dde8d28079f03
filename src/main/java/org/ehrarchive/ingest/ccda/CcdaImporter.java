package org.ehrarchive.ingest.ccda;

import static org.ehrarchive.ingest.ccda.CdaReader.attr;
import static org.ehrarchive.ingest.ccda.CdaReader.child;
import static org.ehrarchive.ingest.ccda.CdaReader.children;
import static org.ehrarchive.ingest.ccda.CdaReader.path;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

import jakarta.enterprise.context.ApplicationScoped;

import org.ehrarchive.ingest.ImportResult;
import org.ehrarchive.ingest.ImportedAttachment;
import org.ehrarchive.ingest.ImportedDocument;
import org.ehrarchive.ingest.ImportedEntry;
import org.ehrarchive.ingest.ImportedFragment;
import org.ehrarchive.ingest.ImportedPatient;
import org.ehrarchive.ingest.ImportedSection;
import org.ehrarchive.ingest.Importer;
import org.ehrarchive.ingest.IngestError;
import org.ehrarchive.ingest.QuarantineException;
import org.ehrarchive.ingest.SourceInput;
import org.ehrarchive.ingest.SourceSniff;
import org.ehrarchive.record.Coded;
import org.ehrarchive.record.EntryKind;
import org.ehrarchive.record.Party;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Importer for HL7 C-CDA documents (R1.1 and R2.1, any document type, structured or unstructured body).
 * See {@code docs/formats/ccda.md} for what is mapped where and what is kept raw.
 * <p>
 * Reconciliation: every {@code <entry>} of every section is counted as found, and ends as mapped entries,
 * a kept raw fragment (section or entry not recognised, or no clinical statement in it), or a quarantined
 * raw fragment (mapping failed). What an entry nests belongs to that entry.
 */
@ApplicationScoped
public class CcdaImporter implements Importer {

    static final String FORMAT = "ccda";

    @Override
    public String format() {
        return FORMAT;
    }

    @Override
    public boolean accepts(SourceSniff sniff) {
        String head = sniff.headText();
        // Any HL7 v3 XML: a fragment (a lone <section>) is then quarantined with a reason that says what it is.
        return head.startsWith("<") && (head.contains("ClinicalDocument") || head.contains("urn:hl7-org:v3")
                || head.contains("<templateId"));
    }

    @Override
    public ImportResult read(SourceInput input) throws QuarantineException {
        HardenedXml.Parsed parsed = HardenedXml.parse(input.bytes());
        Document document = parsed.document();
        Element root = document.getDocumentElement();
        if (!"ClinicalDocument".equals(root.getLocalName())) {
            throw new QuarantineException(IngestError.NOT_A_CLINICAL_DOCUMENT, "root element is <" + root.getLocalName() + ">");
        }
        return new ImportResult(FORMAT, List.of(new DocumentReading(document, root).read()),
                List.copyOf(parsed.warnings()));
    }

    /** The state of reading one document: ordinals, counts and what has been collected so far. */
    private static final class DocumentReading {
        private final Element root;
        private final CdaReader reader;
        private final CcdaEntryMapper mapper;
        private final List<ImportedSection> sections = new ArrayList<>();
        private final List<ImportedEntry> entries = new ArrayList<>();
        private final List<ImportedFragment> fragments = new ArrayList<>();
        private final List<ImportedAttachment> attachments = new ArrayList<>();
        private int nextOrdinal = 1;

        DocumentReading(Document document, Element root) {
            this.root = root;
            this.reader = new CdaReader(document);
            this.mapper = new CcdaEntryMapper(reader);
        }

        ImportedDocument read() throws QuarantineException {
            List<Element> recordTargets = children(root, "recordTarget");
            Element patientRole = recordTargets.isEmpty() ? null : child(recordTargets.get(0), "patientRole");
            if (patientRole == null) {
                readBody(); // to account for the entries the quarantined file holds
                throw new QuarantineException(IngestError.NO_PATIENT, null, sections.stream()
                        .map(s -> new ImportedSection(s.ordinal(), s.parentOrdinal(), s.locator(), s.code(), s.templateIds(),
                                s.title(), s.kind(), null, s.found(), 0, s.found(), 0))
                        .toList());
            }
            for (Element extra : recordTargets.subList(1, recordTargets.size())) {
                fragments.add(new ImportedFragment(null, XmlLocator.of(extra), ImportedFragment.Status.KEPT,
                        "additional recordTarget: the archive files a document under its first patient", HardenedXml.serialize(extra)));
            }
            ImportedPatient patient = patient(recordTargets.get(0), patientRole);
            readHeaderEncounter();
            readBody();

            List<Party> authors = new ArrayList<>();
            for (Element author : children(root, "author")) {
                Party party = reader.party("author", author, child(author, "assignedAuthor"));
                if (party != null) {
                    authors.add(party);
                }
            }
            Element custodianElement = path(root, "custodian", "assignedCustodian", "representedCustodianOrganization");
            Party custodian = reader.party("custodian", child(root, "custodian"), custodianElement);
            return new ImportedDocument(XmlLocator.of(root), CdaReader.identifier(child(root, "id")),
                    CdaReader.identifier(child(root, "setId")), attr(child(root, "versionNumber"), "value"),
                    reader.coded(child(root, "code")), CdaReader.text(child(root, "title")),
                    CdaReader.time(child(root, "effectiveTime")), reader.coded(child(root, "confidentialityCode")),
                    attr(child(root, "languageCode"), "code"), CdaReader.templateIds(root), authors, custodian,
                    headerFragment(), patient, sections, entries, fragments, attachments);
        }

        private ImportedPatient patient(Element recordTarget, Element patientRole) {
            Element person = child(patientRole, "patient");
            Element deceasedInd = sdtc(person, "deceasedInd");
            List<Coded> races = new ArrayList<>();
            addIfPresent(races, reader.coded(cdaChild(person, "raceCode")));
            for (Element race : sdtcChildren(person, "raceCode")) {
                addIfPresent(races, reader.coded(race));
            }
            List<Coded> ethnicities = new ArrayList<>();
            addIfPresent(ethnicities, reader.coded(cdaChild(person, "ethnicGroupCode")));
            for (Element ethnicity : sdtcChildren(person, "ethnicGroupCode")) {
                addIfPresent(ethnicities, reader.coded(ethnicity));
            }
            List<Coded> languages = new ArrayList<>();
            for (Element language : children(person, "languageCommunication")) {
                addIfPresent(languages, reader.coded(child(language, "languageCode")));
            }
            return new ImportedPatient(XmlLocator.of(patientRole), CdaReader.identifiers(patientRole),
                    CdaReader.names(person), CdaReader.time(child(person, "birthTime")),
                    reader.coded(child(person, "administrativeGenderCode")), CdaReader.addresses(patientRole),
                    CdaReader.telecoms(patientRole),
                    deceasedInd == null ? null : "true".equals(attr(deceasedInd, "value")),
                    CdaReader.time(sdtc(person, "deceasedTime")), reader.coded(child(person, "maritalStatusCode")),
                    races, ethnicities, languages, HardenedXml.serialize(recordTarget));
        }

        /** The encounter the document belongs to (componentOf/encompassingEncounter) is a normalized encounter. */
        private void readHeaderEncounter() {
            Element encounter = path(root, "componentOf", "encompassingEncounter");
            if (encounter != null) {
                String fragment = HardenedXml.serialize(encounter);
                try {
                    entries.addAll(mapper.map(null, EntryKind.ENCOUNTER, null, encounter, fragment));
                } catch (RuntimeException e) {
                    fragments.add(new ImportedFragment(null, XmlLocator.of(encounter), ImportedFragment.Status.QUARANTINED,
                            IngestError.ENTRY_UNREADABLE.message(e.getClass().getSimpleName()), fragment));
                }
            }
        }

        private void readBody() {
            Element body = child(root, "component");
            Element structured = child(body, "structuredBody");
            if (structured != null) {
                for (Element component : children(structured, "component")) {
                    Element section = child(component, "section");
                    if (section != null) {
                        readSection(section, null);
                    }
                }
            }
            Element nonXml = child(body, "nonXMLBody");
            if (nonXml != null) {
                attachments.add(attachment(child(nonXml, "text")));
            }
        }

        private void readSection(Element section, Integer parentOrdinal) {
            int ordinal = nextOrdinal++;
            Coded code = reader.coded(child(section, "code"));
            List<String> templateIds = CdaReader.templateIds(section);
            Optional<String> sectionKind = CcdaCatalog.sectionKind(code == null ? null : code.code(),
                    code == null ? null : code.codeSystem(), templateIds);
            Element text = child(section, "text");
            int found = 0;
            int archived = 0;
            int quarantined = 0;
            int keptRaw = 0;
            for (Element entry : children(section, "entry")) {
                found++;
                EntryOutcome outcome = readEntry(ordinal, sectionKind, entry);
                switch (outcome) {
                    case MAPPED -> archived++;
                    case KEPT_RAW -> {
                        archived++;
                        keptRaw++;
                    }
                    case QUARANTINED -> quarantined++;
                }
            }
            sections.add(new ImportedSection(ordinal, parentOrdinal, XmlLocator.of(section), code, templateIds,
                    CdaReader.text(child(section, "title")), sectionKind.orElse(null),
                    text == null ? null : HardenedXml.serialize(text), found, archived, quarantined, keptRaw));
            for (Element component : children(section, "component")) {
                Element nested = child(component, "section");
                if (nested != null) {
                    readSection(nested, ordinal);
                }
            }
        }

        private enum EntryOutcome { MAPPED, KEPT_RAW, QUARANTINED }

        private EntryOutcome readEntry(int sectionOrdinal, Optional<String> sectionKind, Element entry) {
            String fragment = HardenedXml.serialize(entry);
            String locator = XmlLocator.of(entry);
            Element statement = CcdaEntryMapper.statementOf(entry);
            if (statement == null) {
                fragments.add(new ImportedFragment(sectionOrdinal, locator, ImportedFragment.Status.KEPT,
                        "entry carries no clinical statement", fragment));
                return EntryOutcome.KEPT_RAW;
            }
            Optional<EntryKind> kind = CcdaCatalog.entryKind(CdaReader.templateIds(statement))
                    .or(() -> sectionKind.filter(k -> !k.equals(CcdaCatalog.NARRATIVE)).map(EntryKind::valueOf));
            if (kind.isEmpty()) {
                fragments.add(new ImportedFragment(sectionOrdinal, locator, ImportedFragment.Status.KEPT,
                        sectionKind.isEmpty() ? "section not recognised (no known LOINC code or templateId)"
                                : "entry template not recognised in a narrative section", fragment));
                return EntryOutcome.KEPT_RAW;
            }
            try {
                entries.addAll(mapper.map(sectionOrdinal, kind.get(), entry, statement, fragment));
                return EntryOutcome.MAPPED;
            } catch (RuntimeException e) {
                fragments.add(new ImportedFragment(sectionOrdinal, locator, ImportedFragment.Status.QUARANTINED,
                        IngestError.ENTRY_UNREADABLE.message(e.getClass().getSimpleName()), fragment));
                return EntryOutcome.QUARANTINED;
            }
        }

        /** A nonXMLBody's file: embedded (base64, maybe compressed) or plain text, or a reference to a file. */
        private ImportedAttachment attachment(Element text) {
            String locator = text == null ? XmlLocator.of(root) : XmlLocator.of(text);
            if (text == null) {
                return new ImportedAttachment(locator, null, null, null);
            }
            String mediaType = attr(text, "mediaType") == null ? "text/plain" : attr(text, "mediaType");
            Element reference = child(text, "reference");
            if (reference != null && CdaReader.text(text) == null) {
                return new ImportedAttachment(locator, mediaType, null, attr(reference, "value"));
            }
            String content = text.getTextContent();
            if ("B64".equals(attr(text, "representation"))) {
                byte[] decoded;
                try {
                    decoded = Base64.getMimeDecoder().decode(content.replaceAll("\\s+", ""));
                } catch (IllegalArgumentException e) {
                    // The document is still archived; the undecodable body is kept as it was, with the reason.
                    fragments.add(new ImportedFragment(null, locator, ImportedFragment.Status.QUARANTINED,
                            IngestError.ATTACHMENT_UNREADABLE.message("not valid base64"), HardenedXml.serialize(text)));
                    return new ImportedAttachment(locator, mediaType, null, null);
                }
                return new ImportedAttachment(locator, mediaType, decompress(decoded, attr(text, "compression")), null);
            }
            return new ImportedAttachment(locator, mediaType, content.strip().getBytes(StandardCharsets.UTF_8), null);
        }

        private static byte[] decompress(byte[] bytes, String compression) {
            if (compression == null) {
                return bytes;
            }
            try (InputStream in = switch (compression) {
                case "DF" -> new InflaterInputStream(new java.io.ByteArrayInputStream(bytes));
                case "GZ" -> new GZIPInputStream(new java.io.ByteArrayInputStream(bytes));
                default -> null;
            }) {
                if (in == null) {
                    return bytes; // unknown compression: keep the decoded bytes as they are
                }
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                in.transferTo(out);
                return out.toByteArray();
            } catch (IOException e) {
                return bytes;
            }
        }

        /** The header as markup: the document element with everything but its body. */
        private String headerFragment() {
            Element copy = (Element) root.cloneNode(false);
            for (Node node = root.getFirstChild(); node != null; node = node.getNextSibling()) {
                if (!(node instanceof Element element && "component".equals(element.getLocalName()))) {
                    copy.appendChild(node.cloneNode(true));
                }
            }
            return HardenedXml.serialize(copy);
        }

        /** A child in the CDA namespace only: {@code sdtc:raceCode} must not be read as {@code raceCode}. */
        private static Element cdaChild(Element parent, String localName) {
            for (Element child : children(parent, localName)) {
                if (!HardenedXml.SDTC_NS.equals(child.getNamespaceURI())) {
                    return child;
                }
            }
            return null;
        }

        private static Element sdtc(Element parent, String localName) {
            List<Element> found = sdtcChildren(parent, localName);
            return found.isEmpty() ? null : found.get(0);
        }

        private static List<Element> sdtcChildren(Element parent, String localName) {
            List<Element> found = new ArrayList<>();
            for (Element child : children(parent, localName)) {
                if (HardenedXml.SDTC_NS.equals(child.getNamespaceURI())) {
                    found.add(child);
                }
            }
            return found;
        }

        private static <T> void addIfPresent(List<T> list, T value) {
            if (value != null) {
                list.add(value);
            }
        }
    }
}
