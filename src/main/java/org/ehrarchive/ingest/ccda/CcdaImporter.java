package org.ehrarchive.ingest.ccda;

import static org.ehrarchive.ingest.ccda.CdaReader.attr;
import static org.ehrarchive.ingest.ccda.CdaReader.child;
import static org.ehrarchive.ingest.ccda.CdaReader.children;
import static org.ehrarchive.ingest.ccda.CdaReader.path;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

import jakarta.enterprise.context.ApplicationScoped;

import org.ehrarchive.ingest.ImportedDocument;
import org.ehrarchive.ingest.ImportedEntry;
import org.ehrarchive.ingest.ImportedFragment;
import org.ehrarchive.ingest.ImportedPatient;
import org.ehrarchive.ingest.ImportedRecord;
import org.ehrarchive.ingest.ImportedSection;
import org.ehrarchive.ingest.Importer;
import org.ehrarchive.ingest.IngestError;
import org.ehrarchive.ingest.QuarantineException;
import org.ehrarchive.ingest.RecordContent;
import org.ehrarchive.ingest.RecordSink;
import org.ehrarchive.ingest.RecordTypes;
import org.ehrarchive.ingest.SourceSniff;
import org.ehrarchive.ingest.SourceUnit;
import org.ehrarchive.record.Coded;
import org.ehrarchive.record.EntryKind;
import org.ehrarchive.record.Identifier;
import org.ehrarchive.record.Party;
import org.ehrarchive.record.SortKeys;

/**
 * Importer for HL7 C-CDA documents (R1.1 and R2.1, any document type, structured or unstructured body), read as a
 * stream (ADR 0009): memory is bounded by the largest single entry, not by the document. See
 * {@code docs/formats/ccda.md} for what is mapped where and what is kept raw.
 * <p>
 * A first pass ({@link HardenedXml#shape}) refuses hostile or broken XML before any record is handed over; the
 * second pass hands over, in document order: the document (header and patient), its header encounter, then each
 * {@code <entry>} of each section as one record, each section after its entries, and the {@code nonXMLBody} file.
 * Every {@code <entry>} ends as mapped entries, a kept raw record, or a quarantined raw record. What an entry nests
 * belongs to that entry.
 */
@ApplicationScoped
public class CcdaImporter implements Importer {

    static final String FORMAT = "ccda";

    /** The step that maps one statement; tests replace it to prove that a failure stays with its entry. */
    interface EntryMapping {
        List<ImportedEntry> map(CcdaEntryMapper mapper, Integer sectionOrdinal, EntryKind kind, XmlElement entry, XmlElement statement);
    }

    private final EntryMapping mapping;

    public CcdaImporter() {
        this(CcdaEntryMapper::map);
    }

    CcdaImporter(EntryMapping mapping) {
        this.mapping = mapping;
    }

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
    public void read(SourceUnit unit, RecordSink sink) throws QuarantineException {
        SourceUnit.File file = unit.files().get(0);
        HardenedXml.Source source = () -> unit.open(file);
        HardenedXml.Shape shape = HardenedXml.shape(source);
        if (!"ClinicalDocument".equals(shape.rootName())) {
            throw new QuarantineException(IngestError.NOT_A_CLINICAL_DOCUMENT, "root element is <" + shape.rootName() + ">");
        }
        try {
            XMLStreamReader reader = HardenedXml.open(source, shape);
            try {
                new DocumentReading(new XmlCursor(reader, shape), new CdaReader(shape.textById()), unit, file, shape.warnings(), sink).read();
            } finally {
                reader.close();
            }
        } catch (XMLStreamException e) {
            throw HardenedXml.refusal(e);
        } catch (IOException e) {
            throw new QuarantineException(IngestError.READ_FAILED, e.getClass().getSimpleName());
        }
    }

    /** The state of reading one document: ordinals, the document record, and what the sections have seen so far. */
    private final class DocumentReading {
        private final XmlCursor cursor;
        private final SourceUnit unit;
        private final SourceUnit.File file;
        private final List<String> warnings;
        private final RecordSink sink;
        private final CdaReader reader;
        private final CcdaEntryMapper mapper;
        /** Statement keys already used in this document: one document states one fact once (see statementKey). */
        private final Set<String> keysInDocument = new HashSet<>();
        private XmlElement header;
        private boolean headerDone;
        private ImportedRecord document;
        private String entryOrderKey;
        private int nextOrdinal = 1;
        // What a document without a patient holds, to account for it in the quarantine.
        private boolean noPatient;
        private final Map<String, Integer> found = new LinkedHashMap<>();
        private final List<QuarantineException.FoundSection> foundSections = new ArrayList<>();

        DocumentReading(XmlCursor cursor, CdaReader reader, SourceUnit unit, SourceUnit.File file, List<String> warnings, RecordSink sink) {
            this.cursor = cursor;
            this.reader = reader;
            this.mapper = new CcdaEntryMapper(reader);
            this.unit = unit;
            this.file = file;
            this.warnings = warnings;
            this.sink = sink;
        }

        void read() throws XMLStreamException, QuarantineException, IOException {
            while (cursor.next() != XMLStreamConstants.START_ELEMENT) {
                // prolog: declaration, comments, processing instructions (a DOCTYPE was refused by the first pass)
            }
            header = cursor.startTree("");
            String rootLocator = header.locator();
            while (true) {
                int event = cursor.next();
                if (event == XMLStreamConstants.START_ELEMENT) {
                    if (cursor.isCda("component")) {
                        finishHeader();
                        readBody(rootLocator);
                    } else if (!headerDone) {
                        cursor.treeUnder(header);
                        if (cursor.lastTreeOversized()) {
                            sink.warning("a header element is larger than the archive maps: the header fragment holds only its start,"
                                    + " and the original holds it whole");
                        }
                    } else {
                        readLateHeaderPart(rootLocator);
                    }
                } else if (event == XMLStreamConstants.END_ELEMENT) {
                    finishHeader();
                    break;
                } else if (!headerDone && cursor.isText(event)) {
                    header.addText(cursor.text());
                } else if (!headerDone && event == XMLStreamConstants.COMMENT) {
                    header.addComment(cursor.text());
                }
            }
            if (noPatient) {
                throw new QuarantineException(IngestError.NO_PATIENT, null, found, foundSections);
            }
        }

        /** The header is every child of the document before its body: the document record, then its encounter. */
        private void finishHeader() {
            if (headerDone) {
                return;
            }
            headerDone = true;
            List<XmlElement> recordTargets = children(header, "recordTarget");
            XmlElement patientRole = recordTargets.isEmpty() ? null : child(recordTargets.get(0), "patientRole");
            XmlElement encounter = path(header, "componentOf", "encompassingEncounter");
            if (patientRole == null) {
                noPatient = true;
                count(RecordTypes.DOCUMENT);
                if (encounter != null) {
                    count(RecordTypes.HEADER_ENCOUNTER);
                }
                return;
            }
            List<ImportedFragment> kept = new ArrayList<>();
            for (XmlElement extra : recordTargets.subList(1, recordTargets.size())) {
                kept.add(new ImportedFragment(null, extra.locator(), ImportedFragment.Status.KEPT,
                        "additional recordTarget: the archive files a document under its first patient", HardenedXml.serialize(extra)));
            }
            ImportedPatient patient = patient(recordTargets.get(0), patientRole);
            List<Party> authors = new ArrayList<>();
            for (XmlElement author : children(header, "author")) {
                Party party = reader.party("author", author, child(author, "assignedAuthor"));
                if (party != null) {
                    authors.add(party);
                }
            }
            XmlElement custodianElement = path(header, "custodian", "assignedCustodian", "representedCustodianOrganization");
            Identifier id = CdaReader.identifier(child(header, "id"));
            Identifier setId = CdaReader.identifier(child(header, "setId"));
            String versionNumber = attr(child(header, "versionNumber"), "value");
            ImportedDocument read = new ImportedDocument(header.locator(), id, setId, versionNumber,
                    reader.coded(child(header, "code")), CdaReader.text(child(header, "title")),
                    CdaReader.time(child(header, "effectiveTime")), reader.coded(child(header, "confidentialityCode")),
                    attr(child(header, "languageCode"), "code"), CdaReader.templateIds(header), authors,
                    reader.party("custodian", child(header, "custodian"), custodianElement), HardenedXml.serialize(header));
            entryOrderKey = SortKeys.of(read.effectiveTime());
            // A document is the file it came in: its content is the file's content, so the same document in another file
            // is a new version of it (by its set id, else its id), never a silently dropped duplicate.
            document = new ImportedRecord(RecordTypes.DOCUMENT, documentKey(id, setId), file.sha256(), read.locator(),
                    documentOrderKey(versionNumber, entryOrderKey), null,
                    new RecordContent.DocumentContent(read, patient, kept, warnings));
            sink.record(document);
            if (encounter != null) {
                readHeaderEncounter(encounter);
            }
        }

        /** The encounter the document belongs to (componentOf/encompassingEncounter) is a normalized encounter. */
        private void readHeaderEncounter(XmlElement encounter) {
            String hash = CanonicalForm.sha256(encounter, reader::narrativeText);
            RecordContent content;
            try {
                content = new RecordContent.EntriesContent(null, mapping.map(mapper, null, EntryKind.ENCOUNTER, null, encounter));
            } catch (RuntimeException | StackOverflowError e) {
                content = new RecordContent.RawContent(null, ImportedFragment.Status.QUARANTINED,
                        IngestError.ENTRY_UNREADABLE.message(e.getClass().getSimpleName()), HardenedXml.serialize(encounter));
            }
            sink.record(new ImportedRecord(RecordTypes.HEADER_ENCOUNTER, statementKey(encounter), hash, encounter.locator(),
                    entryOrderKey, document, content));
        }

        /** Header content after the body, where the schema puts none: kept raw, so that nothing is dropped. */
        private void readLateHeaderPart(String rootLocator) throws XMLStreamException {
            XmlElement part = cursor.tree(rootLocator);
            if (noPatient) {
                count(RecordTypes.DOCUMENT_PART);
                return;
            }
            String content = cursor.lastTreeOversized() ? "" : HardenedXml.serialize(part);
            sink.record(new ImportedRecord(RecordTypes.DOCUMENT_PART, null, CanonicalForm.sha256(file.sha256() + part.locator()),
                    part.locator(), entryOrderKey, document, new RecordContent.RawContent(null, ImportedFragment.Status.KEPT,
                            "header element after the document body", content)));
        }

        /** The body {@code component}: a structuredBody's sections, or a nonXMLBody's file. */
        private void readBody(String rootLocator) throws XMLStreamException, IOException {
            String bodyLocator = rootLocator + "/" + cursor.step();
            while (cursor.nextChild() == XMLStreamConstants.START_ELEMENT) {
                if (cursor.isCda("structuredBody")) {
                    String structuredLocator = bodyLocator + "/" + cursor.step();
                    while (cursor.nextChild() == XMLStreamConstants.START_ELEMENT) {
                        if (cursor.isCda("component")) {
                            readComponent(structuredLocator + "/" + cursor.step(), null);
                        } else {
                            cursor.skip();
                        }
                    }
                } else if (cursor.isCda("nonXMLBody")) {
                    readNonXmlBody(bodyLocator + "/" + cursor.step());
                } else {
                    cursor.skip();
                }
            }
        }

        /** A {@code component} of a body or a section: the section it holds. */
        private void readComponent(String componentLocator, Integer parentOrdinal) throws XMLStreamException {
            while (cursor.nextChild() == XMLStreamConstants.START_ELEMENT) {
                if (cursor.isCda("section")) {
                    readSection(componentLocator, parentOrdinal);
                } else {
                    cursor.skip();
                }
            }
        }

        /** What a section says about itself, read from the children before its first entry or nested section. */
        private final class SectionHead {
            final int ordinal = nextOrdinal++;
            final Integer parentOrdinal;
            final XmlElement element;
            /** The narrative ({@code <text>}) as markup, written as it is read: it can be megabytes. */
            String narrative;
            Coded code;
            List<String> templateIds;
            Optional<String> kind;
            int entries;

            SectionHead(XmlElement element, Integer parentOrdinal) {
                this.element = element;
                this.parentOrdinal = parentOrdinal;
            }

            void recognise() {
                if (kind == null) {
                    code = reader.coded(child(element, "code"));
                    templateIds = CdaReader.templateIds(element);
                    kind = CcdaCatalog.sectionKind(code == null ? null : code.code(), code == null ? null : code.codeSystem(), templateIds);
                }
            }

            ImportedSection section() {
                return new ImportedSection(ordinal, parentOrdinal, element.locator(), code, templateIds,
                        CdaReader.text(child(element, "title")), kind.orElse(null), narrative);
            }
        }

        private void readSection(String componentLocator, Integer parentOrdinal) throws XMLStreamException {
            SectionHead head = new SectionHead(cursor.startTree(componentLocator), parentOrdinal);
            String sectionLocator = head.element.locator();
            while (cursor.nextChild() == XMLStreamConstants.START_ELEMENT) {
                if (cursor.isCda("entry")) {
                    head.recognise();
                    head.entries++;
                    readEntry(sectionLocator, head);
                } else if (cursor.isCda("component")) {
                    head.recognise();
                    readComponent(sectionLocator + "/" + cursor.step(), head.ordinal);
                } else if (cursor.isCda("text") && head.narrative == null) {
                    StringBuilder narrative = new StringBuilder(1024);
                    if (cursor.serialize(narrative, MAX_NARRATIVE_CHARACTERS)) {
                        head.narrative = narrative.toString();
                    } else {
                        sink.warning("a section narrative is larger than the archive keeps (" + MAX_NARRATIVE_CHARACTERS
                                + " characters): it is not shown, and the original holds it at " + sectionLocator);
                    }
                } else {
                    cursor.treeUnder(head.element);
                    if (cursor.lastTreeOversized()) {
                        sink.warning("a part of a section's head is larger than the archive maps: the original holds it at " + sectionLocator);
                    }
                }
            }
            head.recognise();
            ImportedSection section = head.section();
            if (noPatient) {
                foundSections.add(new QuarantineException.FoundSection(section, head.entries));
            } else {
                sink.section(document, section);
            }
        }

        private void readEntry(String sectionLocator, SectionHead section) throws XMLStreamException {
            if (noPatient) {
                cursor.skip();
                count(RecordTypes.ENTRY);
                return;
            }
            XmlElement entry = cursor.tree(sectionLocator);
            String locator = entry.locator();
            if (cursor.lastTreeOversized()) {
                sink.record(new ImportedRecord(RecordTypes.ENTRY, null, CanonicalForm.sha256(file.sha256() + locator), locator,
                        entryOrderKey, document, new RecordContent.RawContent(section.ordinal, ImportedFragment.Status.QUARANTINED,
                                IngestError.RECORD_TOO_LARGE.message("over " + XmlCursor.MAX_RECORD_CHARACTERS + " characters"), "")));
                return;
            }
            String hash = CanonicalForm.sha256(entry, reader::narrativeText);
            XmlElement statement = CcdaEntryMapper.statementOf(entry);
            RecordContent content;
            String key = null;
            if (statement == null) {
                content = kept(section, "entry carries no clinical statement", entry);
            } else {
                Optional<EntryKind> kind = CcdaCatalog.entryKind(CdaReader.templateIds(statement))
                        .or(() -> section.kind.filter(k -> !k.equals(CcdaCatalog.NARRATIVE)).map(EntryKind::valueOf));
                if (kind.isEmpty()) {
                    content = kept(section, section.kind.isEmpty() ? "section not recognised (no known LOINC code or templateId)"
                            : "entry template not recognised in a narrative section", entry);
                } else {
                    key = statementKey(statement);
                    try {
                        List<ImportedEntry> entries = mapping.map(mapper, section.ordinal, kind.get(), entry, statement);
                        content = new RecordContent.EntriesContent(section.ordinal, entries);
                    } catch (RuntimeException | StackOverflowError e) {
                        content = new RecordContent.RawContent(section.ordinal, ImportedFragment.Status.QUARANTINED,
                                IngestError.ENTRY_UNREADABLE.message(e.getClass().getSimpleName()), HardenedXml.serialize(entry));
                    }
                }
            }
            sink.record(new ImportedRecord(RecordTypes.ENTRY, key, hash, locator, entryOrderKey, document, content));
        }

        private static RecordContent kept(SectionHead section, String reason, XmlElement entry) {
            return new RecordContent.RawContent(section.ordinal, ImportedFragment.Status.KEPT, reason, HardenedXml.serialize(entry));
        }

        /**
         * The identity of the fact a statement records: its first usable id ({@code root} and {@code extension}).
         * A key the document already used for another statement is no identity in this source (some systems give every
         * entry the same id): the repeated statement is then keyed by its content instead, so that it can never hide
         * the first one as a "newer version".
         */
        private String statementKey(XmlElement statement) {
            for (Identifier id : CdaReader.identifiers(statement)) {
                if (id != null && id.isUsable()) {
                    String key = id.system() == null ? id.value() : id.system() + "^" + id.value();
                    return keysInDocument.add(key) ? key : null;
                }
            }
            return null;
        }

        /** A nonXMLBody: its file, embedded (base64, maybe compressed) or plain text, or a reference to a file. */
        private void readNonXmlBody(String nonXmlLocator) throws XMLStreamException, IOException {
            boolean sawText = false;
            while (cursor.nextChild() == XMLStreamConstants.START_ELEMENT) {
                if (cursor.isCda("text") && !sawText) {
                    sawText = true;
                    readAttachment(nonXmlLocator);
                } else {
                    cursor.skip();
                }
            }
            if (!sawText) {
                if (noPatient) {
                    count(RecordTypes.ATTACHMENT);
                } else {
                    attachment(header.locator(), new RecordContent.AttachmentContent(null, null, null, null), null);
                }
            }
        }

        /** A section's narrative is kept up to this size, as one text. */
        private static final int MAX_NARRATIVE_CHARACTERS = 64_000_000;

        /** Raw markup of a quarantined attachment is kept up to this size; beyond, the original keeps it. */
        private static final int MAX_KEPT_ATTACHMENT_CHARACTERS = 1 << 20;

        private void readAttachment(String nonXmlLocator) throws XMLStreamException, IOException {
            if (noPatient) {
                cursor.skip();
                count(RecordTypes.ATTACHMENT);
                return;
            }
            XmlElement text = cursor.startTree(nonXmlLocator);
            String locator = text.locator();
            String mediaType = attr(text, "mediaType") == null ? "text/plain" : attr(text, "mediaType");
            EmbeddedFile body = new EmbeddedFile(unit, "B64".equals(attr(text, "representation")), unit.maxEmbeddedBytes());
            long keptCharacters = 0;
            String reference = null;
            try {
                while (true) {
                    int event = cursor.next();
                    if (event == XMLStreamConstants.START_ELEMENT) {
                        XmlElement inner = cursor.treeUnder(text);
                        if (reference == null && "reference".equals(inner.localName())) {
                            reference = attr(inner, "value");
                        }
                        body.append(inner.textContent());
                    } else if (event == XMLStreamConstants.END_ELEMENT) {
                        break;
                    } else if (cursor.isText(event)) {
                        String chars = cursor.text();
                        body.append(chars);
                        keptCharacters += chars.length();
                        if (keptCharacters <= MAX_KEPT_ATTACHMENT_CHARACTERS) {
                            text.addText(chars);
                        }
                    }
                }
                if (reference != null && !body.sawText()) {
                    body.discard();
                    Optional<SourceUnit.StoredBlob> referenced = unit.storeReferenced(file, reference);
                    attachment(locator, new RecordContent.AttachmentContent(mediaType, referenced.map(SourceUnit.StoredBlob::sha256).orElse(null),
                            referenced.map(SourceUnit.StoredBlob::sizeBytes).orElse(null), reference), referenced.orElse(null));
                    return;
                }
                SourceUnit.StoredBlob stored = body.store(attr(text, "compression"));
                attachment(locator, new RecordContent.AttachmentContent(mediaType, stored.sha256(), stored.sizeBytes(), null), stored);
            } catch (EmbeddedFile.Unreadable e) {
                // The document is still archived; the undecodable body is kept as it was (when small enough), with the reason.
                String raw = keptCharacters <= MAX_KEPT_ATTACHMENT_CHARACTERS ? HardenedXml.serialize(text) : "";
                sink.record(new ImportedRecord(RecordTypes.ATTACHMENT, null, CanonicalForm.sha256(file.sha256() + locator), locator,
                        entryOrderKey, document, new RecordContent.RawContent(null, ImportedFragment.Status.QUARANTINED,
                                IngestError.ATTACHMENT_UNREADABLE.message(e.getMessage()), raw)));
            } catch (IOException | RuntimeException e) {
                body.discard();
                throw e;
            }
        }

        /** An attachment belongs to its document: the same file in another document is another attachment. */
        private void attachment(String locator, RecordContent.AttachmentContent content, SourceUnit.StoredBlob stored) {
            String hash = CanonicalForm.sha256(file.sha256() + locator + (stored == null ? "" : stored.sha256()));
            sink.record(new ImportedRecord(RecordTypes.ATTACHMENT, null, hash, locator, entryOrderKey, document, content));
        }

        private void count(String type) {
            found.merge(type, 1, Integer::sum);
        }

        private ImportedPatient patient(XmlElement recordTarget, XmlElement patientRole) {
            XmlElement person = child(patientRole, "patient");
            XmlElement deceasedInd = sdtc(person, "deceasedInd");
            List<Coded> races = new ArrayList<>();
            addIfPresent(races, reader.coded(cdaChild(person, "raceCode")));
            for (XmlElement race : sdtcChildren(person, "raceCode")) {
                addIfPresent(races, reader.coded(race));
            }
            List<Coded> ethnicities = new ArrayList<>();
            addIfPresent(ethnicities, reader.coded(cdaChild(person, "ethnicGroupCode")));
            for (XmlElement ethnicity : sdtcChildren(person, "ethnicGroupCode")) {
                addIfPresent(ethnicities, reader.coded(ethnicity));
            }
            List<Coded> languages = new ArrayList<>();
            for (XmlElement language : children(person, "languageCommunication")) {
                addIfPresent(languages, reader.coded(child(language, "languageCode")));
            }
            return new ImportedPatient(patientRole.locator(), CdaReader.identifiers(patientRole),
                    CdaReader.names(person), CdaReader.time(child(person, "birthTime")),
                    reader.coded(child(person, "administrativeGenderCode")), CdaReader.addresses(patientRole),
                    CdaReader.telecoms(patientRole),
                    deceasedInd == null ? null : "true".equals(attr(deceasedInd, "value")),
                    CdaReader.time(sdtc(person, "deceasedTime")), reader.coded(child(person, "maritalStatusCode")),
                    races, ethnicities, languages, HardenedXml.serialize(recordTarget));
        }

        /** A child in the CDA namespace only: {@code sdtc:raceCode} must not be read as {@code raceCode}. */
        private static XmlElement cdaChild(XmlElement parent, String localName) {
            for (XmlElement child : children(parent, localName)) {
                if (!HardenedXml.SDTC_NS.equals(child.namespace())) {
                    return child;
                }
            }
            return null;
        }

        private static XmlElement sdtc(XmlElement parent, String localName) {
            List<XmlElement> found = sdtcChildren(parent, localName);
            return found.isEmpty() ? null : found.get(0);
        }

        private static List<XmlElement> sdtcChildren(XmlElement parent, String localName) {
            List<XmlElement> found = new ArrayList<>();
            for (XmlElement child : children(parent, localName)) {
                if (HardenedXml.SDTC_NS.equals(child.namespace())) {
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

    /** A document's key: its set id (the versions of one document share it), else its id; null when it has neither. */
    static String documentKey(Identifier id, Identifier setId) {
        if (setId != null && setId.isUsable()) {
            return "set:" + (setId.system() == null ? "" : setId.system()) + "^" + setId.value();
        }
        if (id != null && id.isUsable()) {
            return "id:" + (id.system() == null ? "" : id.system()) + "^" + id.value();
        }
        return null;
    }

    /** Versions of a document are ordered by version number, then by the time the document gives itself. */
    static String documentOrderKey(String versionNumber, String effectiveSort) {
        String version = versionNumber == null || !versionNumber.strip().matches("\\d{1,18}") ? ""
                : String.format("%018d", Long.parseLong(versionNumber.strip()));
        return version + "|" + (effectiveSort == null ? "" : effectiveSort);
    }
}
