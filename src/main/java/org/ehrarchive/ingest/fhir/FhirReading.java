package org.ehrarchive.ingest.fhir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;

import org.ehrarchive.ingest.ContentHash;
import org.ehrarchive.ingest.ImportedEntry;
import org.ehrarchive.ingest.ImportedFragment;
import org.ehrarchive.ingest.ImportedPatient;
import org.ehrarchive.ingest.ImportedRecord;
import org.ehrarchive.ingest.IngestError;
import org.ehrarchive.ingest.QuarantineException;
import org.ehrarchive.ingest.RecordContent;
import org.ehrarchive.ingest.RecordSink;
import org.ehrarchive.ingest.SourceUnit;
import org.ehrarchive.ingest.ccda.HardenedXml;
import org.hl7.fhir.r4.model.Attachment;
import org.hl7.fhir.r4.model.Binary;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import ca.uhn.fhir.context.BaseRuntimeChildDefinition;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.ErrorHandlerAdapter;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.json.BaseJsonLikeValue;

/**
 * The reading of one FHIR unit (docs/formats/fhir.md): its files in the order {@link FhirImporter#units} chose, each
 * resource handed to the sink as one record. NDJSON is read line by line and a JSON bundle entry by entry, so that
 * memory is bounded by the largest resource, not by the file; a bundle is read twice, its patients and reference data
 * first, so that its other entries find them whatever the order of the entries.
 */
final class FhirReading {

    /** The record type of what could not be read as a resource at all (its type unknown). */
    static final String UNREADABLE = org.ehrarchive.ingest.RecordTypes.UNREADABLE_MESSAGE;
    /** The record type of a bundle entry that carries no resource (a transaction's DELETE, a search outcome link). */
    static final String BUNDLE_ENTRY = "bundle-entry";
    /** The part type of an attachment a resource carries (inline data or a URL): a document of its own. */
    static final String ATTACHMENT_PART = "embedded-document";

    /** Elements that say where a resource's patient is, in the order FHIR's patient compartment uses them. */
    private static final List<String> PATIENT_ELEMENTS = List.of("subject", "patient", "beneficiary");

    /**
     * Every resource's JSON is read by this mapper first, within its limits (nesting, string length), decimals exact as
     * written (as HAPI reads them); HAPI then builds its model from the same tree, which it does not read again.
     */
    private static final ObjectMapper JSON = JsonMapper.builder(FhirImporter.jsonFactory())
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true))
            .build();

    /** Which entries of a bundle a pass hands over. */
    private enum Pass {
        /** Patients and reference data, which the others refer to. */
        FIRST,
        /** Everything else. */
        SECOND
    }

    private final SourceUnit unit;
    private final RecordSink sink;
    private final References references = new References();
    private final ResourceMapper mapper = new ResourceMapper(references);
    private final Issues issues = new Issues();
    private final ca.uhn.fhir.parser.JsonParser json;
    private final IParser xml;
    /** The JSON of the resource being handed over (null for XML), where its attachments' data is read from. */
    private JsonNode tree;
    /** How a file was read, counted per kind of remark (never patient data), said once per file. */
    private final Map<String, Integer> remarks = new LinkedHashMap<>();

    FhirReading(SourceUnit unit, RecordSink sink) {
        this.unit = unit;
        this.sink = sink;
        this.json = (ca.uhn.fhir.parser.JsonParser) FhirImporter.context().newJsonParser().setParserErrorHandler(issues)
                .setOverrideResourceIdWithBundleEntryFullUrl(false);
        this.xml = FhirImporter.context().newXmlParser().setParserErrorHandler(issues).setOverrideResourceIdWithBundleEntryFullUrl(false);
    }

    void read() throws QuarantineException {
        List<SourceUnit.File> files = unit.files();
        for (SourceUnit.File file : files) {
            try {
                readFile(file);
            } catch (QuarantineException e) {
                if (files.size() == 1) {
                    throw e;
                }
                sink.quarantine(file, e);
            }
            sayRemarks(file);
        }
    }

    private void readFile(SourceUnit.File file) throws QuarantineException {
        FhirImporter.Head head;
        try (InputStream in = open(file)) {
            head = FhirImporter.kindOf(file.path(), in.readNBytes(org.ehrarchive.ingest.SourceSniff.HEAD_BYTES));
        } catch (IOException e) {
            throw new QuarantineException(IngestError.READ_FAILED, e.getClass().getSimpleName());
        }
        if (head == null) {
            throw new QuarantineException(IngestError.FHIR_UNREADABLE, "no resourceType near the start of the file");
        }
        switch (head.kind()) {
            case NDJSON -> readNdjson(file);
            case JSON -> readJsonDocument(file);
            case XML -> readXml(file);
            default -> throw new IllegalStateException();
        }
    }

    /** The file's bytes, inflated when it is gzip-compressed. */
    private InputStream open(SourceUnit.File file) throws IOException {
        return FhirImporter.content(unit.open(file));
    }

    // ---- NDJSON ------------------------------------------------------------------------------------------------

    private void readNdjson(SourceUnit.File file) throws QuarantineException {
        int resources = 0;
        try (InputStream in = open(file)) {
            LineReader lines = new LineReader(in, FhirImporter.MAX_RESOURCE_BYTES);
            for (LineReader.Line line = lines.next(); line != null; line = lines.next()) {
                String locator = "/line[" + line.number() + "]";
                if (line.tooLarge()) {
                    resources++;
                    String hash = ContentHash.sha256(file.sha256() + "\u0001" + locator);
                    sink.record(file, new ImportedRecord(line.type() == null ? UNREADABLE : line.type(), null, hash, locator, null, null,
                            quarantined(IngestError.RECORD_TOO_LARGE.message("more than " + FhirImporter.MAX_RESOURCE_BYTES + " bytes on one line"), "")));
                    continue;
                }
                if (blank(line.bytes(), line.length())) {
                    remark("blank lines between resources, skipped");
                    continue;
                }
                resources++;
                ResourceText text = ResourceText.of(line.bytes(), line.length());
                JsonNode tree;
                try {
                    // straight from the bytes: the text is decoded only for what keeps it (raw content, a patient)
                    tree = JSON.readTree(text.bytes());
                } catch (JsonProcessingException e) {
                    sink.record(file, new ImportedRecord(typeOf(text.get()), null, ContentHash.sha256(text.get()), locator, null, null,
                            quarantined(IngestError.RESOURCE_UNREADABLE.message(jsonProblem(e)), text.get())));
                    continue;
                }
                if (!(tree instanceof ObjectNode object)) {
                    sink.record(file, new ImportedRecord(UNREADABLE, null, ContentHash.sha256(text.get()), locator, null, null,
                            quarantined(IngestError.RESOURCE_UNREADABLE.message("the line is JSON but not an object"), text.get())));
                } else if ("Bundle".equals(object.path("resourceType").asText(null)) && object.path("entry").isArray()
                        && !object.path("entry").isEmpty()) {
                    bundleOnLine(file, object, locator);
                } else {
                    resource(file, object, text, locator, null);
                }
            }
        } catch (IOException e) {
            throw new QuarantineException(IngestError.READ_FAILED, e.getClass().getSimpleName());
        }
        if (resources == 0) {
            throw new QuarantineException(IngestError.FHIR_UNREADABLE, "the NDJSON file holds no resource");
        }
    }

    /** A bundle on one NDJSON line: its entries are the records, read patients first like a bundle file's. */
    private void bundleOnLine(SourceUnit.File file, ObjectNode bundle, String locator) {
        JsonNode entries = bundle.path("entry");
        for (Pass pass : Pass.values()) {
            for (int i = 0; i < entries.size(); i++) {
                entry(file, entries.get(i), locator + "/entry/" + i, pass);
            }
        }
    }

    private static boolean blank(byte[] bytes, int length) {
        for (int i = 0; i < length; i++) {
            byte b = bytes[i];
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    // ---- JSON documents: a bundle or one resource -----------------------------------------------------------------

    private void readJsonDocument(SourceUnit.File file) throws QuarantineException {
        Document first = jsonDocument(file, Pass.FIRST);
        if (first.moreAfter) {
            // Several JSON objects one after the other: NDJSON whatever the file's name says.
            remark("a .json file holding one resource per line, read as NDJSON");
            readNdjson(file);
            return;
        }
        if (first.bundle) {
            jsonDocument(file, Pass.SECOND);
        }
    }

    /** What a pass over a JSON document found. */
    private static final class Document {
        boolean bundle;
        boolean moreAfter;
    }

    private Document jsonDocument(SourceUnit.File file, Pass pass) throws QuarantineException {
        Document found = new Document();
        int entries = 0;
        try (InputStream in = open(file); JsonParser parser = JSON.createParser(in)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new QuarantineException(IngestError.FHIR_UNREADABLE, "the file does not start with a JSON object");
            }
            String type = null;
            ObjectNode rest = JSON.createObjectNode();
            try {
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String field = parser.currentName();
                    JsonToken value = parser.nextToken();
                    if (field.equals("resourceType") && value == JsonToken.VALUE_STRING) {
                        type = parser.getText();
                        rest.put(field, type);
                    } else if (field.equals("entry") && value == JsonToken.START_ARRAY && "Bundle".equals(type)) {
                        found.bundle = true;
                        while (parser.nextToken() != JsonToken.END_ARRAY) {
                            JsonNode entry = parser.readValueAsTree();
                            entry(file, entry, "/entry/" + entries, pass);
                            entries++;
                        }
                    } else {
                        rest.set(field, parser.readValueAsTree());
                    }
                }
                found.moreAfter = parser.nextToken() != null;
            } catch (JsonProcessingException e) {
                if (!found.bundle && type == null) {
                    throw new QuarantineException(IngestError.FHIR_UNREADABLE, jsonProblem(e));
                }
                if (pass == Pass.SECOND || !found.bundle) {
                    // What follows the break cannot be read; it is one quarantined record, and stays in the original.
                    String locator = found.bundle ? "/entry/" + entries : "/";
                    sink.record(file, new ImportedRecord(found.bundle ? UNREADABLE : type, null,
                            ContentHash.sha256(file.sha256() + "\u0001" + locator), locator, null, null,
                            quarantined(IngestError.RESOURCE_UNREADABLE.message(jsonProblem(e) + (found.bundle ? "; the rest of the bundle from this entry on" : "")), "")));
                }
                return found;
            }
            if (found.moreAfter) {
                return found;
            }
            if (!found.bundle && pass == Pass.FIRST) {
                if ("Bundle".equals(type) && rest.path("entry").isArray()) {
                    // resourceType came after the entries: they were read whole; hand them over from memory.
                    found.bundle = false;
                    JsonNode held = rest.path("entry");
                    for (Pass each : Pass.values()) {
                        for (int i = 0; i < held.size(); i++) {
                            entry(file, held.get(i), "/entry/" + i, each);
                        }
                    }
                } else if ("Bundle".equals(type)) {
                    throw new QuarantineException(IngestError.FHIR_UNREADABLE, "the bundle holds no entry");
                } else {
                    resource(file, rest, ResourceText.of(rest), "/", null);
                }
            }
        } catch (IOException e) {
            throw new QuarantineException(IngestError.READ_FAILED, e.getClass().getSimpleName());
        }
        return found;
    }

    /** One bundle entry, if this pass hands it over: patients and reference data in the first, the rest in the second. */
    private void entry(SourceUnit.File file, JsonNode entry, String locator, Pass pass) {
        JsonNode resource = entry.path("resource");
        String type = resource.path("resourceType").asText(null);
        boolean first = type != null && (type.equals("Patient") || FhirImporter.REFERENCE_TYPES.contains(type));
        if ((pass == Pass.FIRST) != first) {
            return;
        }
        String fullUrl = entry.path("fullUrl").asText(null);
        if (!resource.isObject()) {
            String text = entry.toString();
            String request = entry.path("request").path("method").asText(null);
            sink.record(file, new ImportedRecord(BUNDLE_ENTRY, fullUrl, ContentHash.sha256(text), locator, null,
                    null, new RecordContent.RawContent(null, ImportedFragment.Status.KEPT,
                            "a bundle entry that carries no resource" + (request == null ? "" : " (request " + request + ")"), text)));
            return;
        }
        resource(file, (ObjectNode) resource, ResourceText.of(resource), locator + "/resource", fullUrl);
    }

    // ---- XML ---------------------------------------------------------------------------------------------------

    private void readXml(SourceUnit.File file) throws QuarantineException {
        if (file.sizeBytes() > FhirImporter.MAX_XML_BYTES) {
            throw new QuarantineException(IngestError.RECORD_TOO_LARGE, "a FHIR XML file over " + FhirImporter.MAX_XML_BYTES
                    + " bytes is not read whole; export it as NDJSON");
        }
        // The hardened rules first (no DTD, no entities, parser limits): HAPI then reads bytes already found safe.
        HardenedXml.shape(() -> open(file));
        Resource parsed;
        issues.clear();
        try (InputStream in = open(file)) {
            parsed = (Resource) xml.parseResource(in);
        } catch (DataFormatException | ClassCastException e) {
            throw new QuarantineException(IngestError.FHIR_UNREADABLE, hapiProblem(e));
        } catch (IOException e) {
            throw new QuarantineException(IngestError.READ_FAILED, e.getClass().getSimpleName());
        }
        if (parsed instanceof Bundle bundle && bundle.hasEntry()) {
            for (Pass pass : Pass.values()) {
                for (int i = 0; i < bundle.getEntry().size(); i++) {
                    Bundle.BundleEntryComponent entry = bundle.getEntry().get(i);
                    String locator = "/Bundle/entry[" + (i + 1) + "]";
                    Resource resource = entry.getResource();
                    String type = resource == null ? null : resource.fhirType();
                    boolean first = type != null && (type.equals("Patient") || FhirImporter.REFERENCE_TYPES.contains(type));
                    if ((pass == Pass.FIRST) != first) {
                        continue;
                    }
                    if (resource == null) {
                        String text = xml.encodeToString(entry);
                        sink.record(file, new ImportedRecord(BUNDLE_ENTRY, entry.getFullUrl(), ContentHash.sha256(text), locator, null, null,
                                new RecordContent.RawContent(null, ImportedFragment.Status.KEPT, "a bundle entry that carries no resource", text)));
                    } else {
                        parsed(file, resource, ResourceText.of(xml.encodeResourceToString(resource)), hashOf(resource), locator + "/resource", entry.getFullUrl(),
                                List.of());
                    }
                }
            }
        } else {
            parsed(file, parsed, ResourceText.of(xml.encodeResourceToString(parsed)), hashOf(parsed), "/", null, issues.drain());
        }
    }

    /** The content hash of a resource read from XML: over its JSON form, so that it equals the same resource's in JSON. */
    private String hashOf(Resource resource) {
        try {
            return CanonicalJson.sha256(JSON.readTree(json.encodeResourceToString(resource)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("HAPI wrote JSON that does not read back", e);
        }
    }

    // ---- one resource ------------------------------------------------------------------------------------------

    /** Builds HAPI's model of one resource from its JSON tree, and hands it over. */
    private void resource(SourceUnit.File file, ObjectNode tree, ResourceText text, String locator, String fullUrl) {
        String hash = CanonicalJson.sha256(tree);
        issues.clear();
        Resource parsed;
        try {
            ca.uhn.fhir.parser.json.jackson.JacksonStructure structure = new ca.uhn.fhir.parser.json.jackson.JacksonStructure();
            structure.setNativeObject(tree);
            parsed = (Resource) json.parseResource(structure);
        } catch (DataFormatException | ClassCastException | IllegalArgumentException | IllegalStateException e) {
            sink.record(file, new ImportedRecord(tree.path("resourceType").asText(UNREADABLE), null, hash, locator, null, null,
                    quarantined(IngestError.RESOURCE_UNREADABLE.message(hapiProblem(e)), text.get())));
            return;
        }
        this.tree = tree;
        try {
            parsed(file, parsed, text, hash, locator, fullUrl, issues.drain());
        } finally {
            this.tree = null;
        }
    }

    private void parsed(SourceUnit.File file, Resource resource, ResourceText text, String hash, String locator, String fullUrl,
            List<String> problems) {
        for (String problem : problems) {
            remark(problem);
        }
        String type = resource.fhirType();
        String id = resource.getIdElement().getIdPart();
        String key = id != null ? type + "/" + id : fullUrl;
        String orderKey = orderKey(resource);
        if (resource instanceof Patient patient) {
            patient(file, patient, text, locator, fullUrl, key, hash, orderKey, problems);
            return;
        }
        if (FhirImporter.REFERENCE_TYPES.contains(type)) {
            mapper.remember(resource, fullUrl);
            sink.record(file, new ImportedRecord(type, key, hash, locator, orderKey, null,
                    new RecordContent.RawContent(null, ImportedFragment.Status.KEPT, "reference data: kept as its resource", text.get())));
            return;
        }
        PatientOf owner = patientOf(resource);
        if (owner.problem != null) {
            sink.record(file, new ImportedRecord(type, key, hash, locator, orderKey, null, quarantined(owner.problem, text.get())));
            return;
        }
        if (owner.record == null) {
            String why = owner.why;
            String data = resource instanceof Binary binary ? dataText("/data", binary.getDataElement()) : null;
            if (data != null) {
                // Its bytes are a document all the same: kept in the blob store, named in the reason.
                try {
                    SourceUnit.StoredBlob stored = store(base64(data));
                    why = why + "; its " + stored.sizeBytes() + " bytes are in the blob store as sha256 " + stored.sha256();
                } catch (IOException | IllegalArgumentException e) {
                    why = why + "; its data could not be kept (" + attachmentProblem(e) + "), it stays in the original";
                }
            }
            sink.record(file, new ImportedRecord(type, key, hash, locator, orderKey, null,
                    new RecordContent.RawContent(null, ImportedFragment.Status.KEPT, why, text.get())));
            return;
        }
        if (resource instanceof Binary binary) {
            binary(file, binary, text, locator, key, hash, orderKey, owner.record);
            return;
        }
        ImportedEntry entry = mapper.entry(resource, locator);
        if (entry == null) {
            sink.record(file, new ImportedRecord(type, key, hash, locator, orderKey, owner.record,
                    new RecordContent.RawContent(null, ImportedFragment.Status.KEPT, "FHIR " + type + ": kept as its resource", text.get())));
            return;
        }
        if (!problems.isEmpty()) {
            // What HAPI could not place is not in the entry; the resource's text is, beside it.
            Map<String, Object> details = new LinkedHashMap<>(entry.details());
            details.put("readingProblems", problems);
            details.put("source", text.get());
            entry = new ImportedEntry(entry.sectionOrdinal(), entry.kind(), entry.code(), entry.status(), entry.negated(), entry.mood(),
                    entry.effective(), entry.values(), entry.interpretations(), entry.referenceRanges(), details, entry.text(), entry.locator());
        }
        sink.record(file, new ImportedRecord(type, key, hash, locator, orderKey, owner.record,
                new RecordContent.EntriesContent(null, List.of(entry))));
        List<Attachment> attachments = resource instanceof DocumentReference document
                ? document.getContent().stream().map(DocumentReference.DocumentReferenceContentComponent::getAttachment).toList()
                : resource instanceof DiagnosticReport report ? report.getPresentedForm() : List.of();
        for (int i = 0; i < attachments.size(); i++) {
            attachment(file, attachments.get(i), locator, (resource instanceof DocumentReference ? "/content/" + i + "/attachment"
                    : "/presentedForm/" + i), key, owner.record);
        }
    }

    private void patient(SourceUnit.File file, Patient patient, ResourceText text, String locator, String fullUrl, String key, String hash,
            String orderKey, List<String> problems) {
        ImportedPatient imported = mapper.patient(patient, locator);
        List<String> warnings = new ArrayList<>(problems);
        if (imported.identifiers().stream().noneMatch(org.ehrarchive.record.Identifier::isUsable)) {
            warnings.add("a Patient resource with no identifier: it is filed as a patient of its own");
        }
        ImportedRecord record = new ImportedRecord("Patient", key, hash, locator, orderKey, null,
                new RecordContent.DocumentContent(mapper.document(patient, locator, text.get()), imported, List.of(), warnings));
        references.patient(patient.getIdElement().getIdPart(), fullUrl, imported.identifiers(), record);
        sink.record(file, record);
    }

    /** Where a resource's patient is: its record, or why it has none (kept as reference data), or why it is quarantined. */
    private record PatientOf(ImportedRecord record, String why, String problem) {
    }

    private PatientOf patientOf(Resource resource) {
        List<Reference> candidates = new ArrayList<>();
        boolean hasElement = false;
        if (resource instanceof Provenance provenance) {
            hasElement = true;
            candidates.addAll(provenance.getTarget());
        } else if (resource instanceof Binary binary) {
            hasElement = true;
            if (binary.hasSecurityContext()) {
                candidates.add(binary.getSecurityContext());
            }
        } else if (resource instanceof org.hl7.fhir.r4.model.Appointment appointment) {
            hasElement = true;
            appointment.getParticipant().forEach(p -> candidates.add(p.getActor()));
        } else {
            var definition = FhirImporter.context().getResourceDefinition(resource);
            for (String name : PATIENT_ELEMENTS) {
                BaseRuntimeChildDefinition child = definition.getChildByName(name);
                if (child == null) {
                    continue;
                }
                hasElement = true;
                for (var value : child.getAccessor().getValues(resource)) {
                    if (value instanceof Reference reference) {
                        candidates.add(reference);
                    }
                }
                break;
            }
        }
        for (Reference candidate : candidates) {
            ImportedRecord found = resolve(candidate);
            if (found != null) {
                return new PatientOf(found, null, null);
            }
        }
        boolean namesPatient = false;
        String other = null;
        for (Reference candidate : candidates) {
            String type = candidate.hasReference() ? References.typeOf(candidate.getReference())
                    : candidate.hasType() ? candidate.getType() : null;
            if (type == null || type.equals("Patient")) {
                namesPatient |= candidate.hasReference() || candidate.hasIdentifier() || candidate.hasDisplay();
            } else if (other == null) {
                other = type;
            }
        }
        if (resource instanceof Provenance || resource instanceof Binary || resource instanceof org.hl7.fhir.r4.model.Appointment) {
            namesPatient &= candidates.stream().anyMatch(c -> "Patient".equals(References.typeOf(c.getReference())));
        }
        if (namesPatient) {
            return new PatientOf(null, null, IngestError.PATIENT_NOT_FOUND.message(null));
        }
        if (other != null) {
            return new PatientOf(null, "about a " + other + ", not a patient: kept as its resource", null);
        }
        if (hasElement && ResourceMapper.maps(resource)) {
            return new PatientOf(null, null, IngestError.PATIENT_NOT_FOUND.message("it names no patient at all"));
        }
        return new PatientOf(null, "names no patient: kept as its resource, with the reference data", null);
    }

    private ImportedRecord resolve(Reference reference) {
        if (reference == null || reference.isEmpty()) {
            return null;
        }
        if (reference.hasReference()) {
            ImportedRecord found = references.patient(reference.getReference());
            if (found != null) {
                return found;
            }
        }
        if (reference.hasIdentifier() && reference.getIdentifier().hasValue()) {
            return references.patientByIdentifier(reference.getIdentifier().getSystem(), reference.getIdentifier().getValue());
        }
        return null;
    }

    // ---- attachments ---------------------------------------------------------------------------------------------

    private void binary(SourceUnit.File file, Binary binary, ResourceText text, String locator, String key, String hash, String orderKey,
            ImportedRecord patient) {
        String data = dataText("/data", binary.getDataElement());
        if (data == null) {
            sink.record(file, new ImportedRecord("Binary", key, hash, locator, orderKey, patient,
                    new RecordContent.RawContent(null, ImportedFragment.Status.KEPT, "a Binary without data: kept as its resource", text.get())));
            return;
        }
        try {
            SourceUnit.StoredBlob stored = store(base64(data));
            sink.record(file, new ImportedRecord("Binary", key, hash, locator, orderKey, patient,
                    new RecordContent.AttachmentContent(binary.getContentType(), stored.sha256(), stored.sizeBytes(), null)));
        } catch (IOException | IllegalArgumentException e) {
            sink.record(file, new ImportedRecord("Binary", key, hash, locator, orderKey, patient,
                    quarantined(IngestError.ATTACHMENT_UNREADABLE.message(attachmentProblem(e)), text.get())));
        }
    }

    private void attachment(SourceUnit.File file, Attachment attachment, String resourceLocator, String within, String resourceKey,
            ImportedRecord patient) {
        String key = resourceKey == null ? null : resourceKey + within;
        String locator = resourceLocator + within;
        String data = dataText(within + "/data", attachment.getDataElement());
        if (data != null) {
            try {
                SourceUnit.StoredBlob stored = store(base64(data));
                sink.record(file, new ImportedRecord(ATTACHMENT_PART, key, ContentHash.sha256("data\u0001" + stored.sha256()), locator, null,
                        patient, new RecordContent.AttachmentContent(attachment.getContentType(), stored.sha256(), stored.sizeBytes(),
                                attachment.getUrl())));
            } catch (IOException | IllegalArgumentException e) {
                sink.record(file, new ImportedRecord(ATTACHMENT_PART, key, ContentHash.sha256(locator + "\u0001" + file.sha256()), locator, null,
                        patient, quarantined(IngestError.ATTACHMENT_UNREADABLE.message(attachmentProblem(e)), "")));
            }
        } else if (attachment.hasUrl()) {
            sink.record(file, new ImportedRecord(ATTACHMENT_PART, key, ContentHash.sha256("url\u0001" + attachment.getUrl()), locator, null,
                    patient, new RecordContent.AttachmentContent(attachment.getContentType(), null, null, attachment.getUrl())));
        } else if (attachment.hasContentType() || attachment.hasTitle()) {
            remark("attachments with neither data nor a URL (only described)");
        }
    }

    /**
     * The bytes of base64 data, decoded strictly from the text the source gave: HAPI's decoder skips what is not
     * base64, which would store garbage as a document.
     */
    static byte[] base64(String text) {
        return java.util.Base64.getDecoder().decode(text.replaceAll("\\s+", ""));
    }

    /**
     * The base64 text of a resource's data element as the source wrote it: from the JSON tree (HAPI drops data it
     * cannot decode, so its model cannot tell bad data from none), else from HAPI's model (XML).
     */
    private String dataText(String pointer, org.hl7.fhir.r4.model.Base64BinaryType element) {
        if (tree != null) {
            JsonNode given = tree.at(pointer);
            return given.isTextual() ? given.textValue() : null;
        }
        return element.getValueAsString();
    }

    private static String attachmentProblem(Exception e) {
        if (e instanceof SourceUnit.BlobTooLargeException) {
            return e.getMessage();
        }
        return e instanceof IllegalArgumentException ? "its base64 data does not decode" : "its data could not be stored";
    }

    private SourceUnit.StoredBlob store(byte[] data) throws IOException {
        SourceUnit.BlobOutput blob = unit.newBlob(unit.maxEmbeddedBytes());
        try {
            blob.write(data);
            SourceUnit.StoredBlob stored = blob.store();
            blob = null;
            return stored;
        } finally {
            if (blob != null) {
                blob.discard();
            }
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    /**
     * Versions sort by {@code meta.lastUpdated} (as a UTC instant, the fraction to nine digits, so that the text sorts
     * as the time does), then by {@code meta.versionId} (numbers in number order).
     */
    static String orderKey(Resource resource) {
        String updated = resource.getMeta().hasLastUpdated() ? instantKey(resource.getMeta().getLastUpdatedElement().getValueAsString()) : null;
        String version = resource.getMeta().getVersionId();
        if (updated == null && version == null) {
            return null;
        }
        String versionKey = version == null ? "" : version.length() <= 18 && version.chars().allMatch(c -> c >= '0' && c <= '9')
                ? "0".repeat(18 - version.length()) + version : version;
        return (updated == null ? "" : updated) + "|" + versionKey;
    }

    private static String instantKey(String instant) {
        if (instant == null) {
            return null;
        }
        try {
            java.time.Instant at = java.time.OffsetDateTime.parse(instant).toInstant();
            String seconds = java.time.format.DateTimeFormatter.ISO_LOCAL_DATE_TIME
                    .format(java.time.LocalDateTime.ofEpochSecond(at.getEpochSecond(), 0, java.time.ZoneOffset.UTC));
            String nanos = Integer.toString(at.getNano());
            return seconds.substring(0, 19) + "." + "0".repeat(9 - nanos.length()) + nanos + "Z";
        } catch (java.time.format.DateTimeParseException e) {
            return instant; // an instant FHIR does not allow: kept as given, it still sorts with its own kind
        }
    }

    private static RecordContent.RawContent quarantined(String reason, String text) {
        return new RecordContent.RawContent(null, ImportedFragment.Status.QUARANTINED, reason, text);
    }

    /** The resource type a text names (for the count of what could not be parsed), or {@link #UNREADABLE}. */
    static String typeOf(String text) {
        Matcher type = FhirImporter.RESOURCE_TYPE.matcher(text.length() > 4096 ? text.substring(0, 4096) : text);
        return type.find() ? type.group(1) : UNREADABLE;
    }

    /** A JSON parser's complaint, with where it is and without the text it quotes (which may be patient data). */
    private static String jsonProblem(JsonProcessingException e) {
        String message = e.getOriginalMessage() == null ? "malformed JSON" : e.getOriginalMessage();
        String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
        return "malformed JSON" + where + ": " + withoutQuotes(message);
    }

    private static String hapiProblem(RuntimeException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return "HAPI FHIR: " + withoutQuotes(message);
    }

    /** A parser message without the values it quotes; element and type names stay (they are bare words or in brackets). */
    static String withoutQuotes(String message) {
        String bare = message.replaceAll("\"[^\"]{0,2000}\"", "\"…\"").replaceAll("'[^']{0,2000}'", "'…'").replaceAll("[\\r\\n]+", " ");
        return bare.length() > 300 ? bare.substring(0, 300) + "…" : bare;
    }

    private void remark(String remark) {
        remarks.merge(remark, 1, Integer::sum);
    }

    private void sayRemarks(SourceUnit.File file) {
        remarks.forEach((remark, times) -> sink.warning(file, remark + (times > 1 ? " (" + times + " times)" : "")));
        remarks.clear();
    }

    /**
     * What HAPI met but could not place (an element R4 does not define, a value of the wrong form), per resource: its
     * element names only, never the values, which may be patient data. HAPI's own handler would log them.
     */
    private static final class Issues extends ErrorHandlerAdapter {
        private final List<String> found = new ArrayList<>();

        void clear() {
            found.clear();
        }

        List<String> drain() {
            List<String> drained = List.copyOf(found);
            found.clear();
            return drained;
        }

        private static String at(IParseLocation location) {
            return location == null || location.getParentElementName() == null ? "" : " in " + location.getParentElementName();
        }

        @Override
        public void unknownElement(IParseLocation location, String name) {
            found.add("an element FHIR R4 does not define (" + name + at(location) + "), kept in the original");
        }

        @Override
        public void unknownAttribute(IParseLocation location, String name) {
            found.add("an attribute FHIR R4 does not define (" + name + at(location) + "), kept in the original");
        }

        @Override
        public void invalidValue(IParseLocation location, String value, String error) {
            found.add("a value of the wrong form" + at(location) + ", kept in the original");
        }

        @Override
        public void incorrectJsonType(IParseLocation location, String name, BaseJsonLikeValue.ValueType expected,
                BaseJsonLikeValue.ScalarType expectedScalar, BaseJsonLikeValue.ValueType actual, BaseJsonLikeValue.ScalarType actualScalar) {
            found.add("a JSON value of the wrong type (" + name + at(location) + "), kept in the original");
        }

        @Override
        public void unexpectedRepeatingElement(IParseLocation location, String name) {
            found.add("a repeated element that may occur once (" + name + at(location) + "), kept in the original");
        }
    }

    /**
     * Lines of a stream, as bytes, each at most {@code limit} bytes: a longer line is skipped to its end (its start is
     * kept to name its resource type), so that memory stays bounded whatever the file holds. A UTF-8 byte order mark
     * at the start and a carriage return before each line feed are dropped.
     */
    static final class LineReader {
        record Line(long number, byte[] bytes, int length, boolean tooLarge, String type) {
        }

        private final InputStream in;
        private final int limit;
        private final byte[] chunk = new byte[1 << 16];
        private int position;
        private int filled;
        private byte[] line = new byte[8192];
        private long number;
        private boolean ended;

        LineReader(InputStream in, int limit) {
            this.in = in;
            this.limit = limit;
        }

        Line next() throws IOException {
            if (ended) {
                return null;
            }
            int length = 0;
            boolean tooLarge = false;
            String type = null;
            boolean sawEnd = false;
            while (!sawEnd) {
                if (position == filled) {
                    filled = in.read(chunk);
                    position = 0;
                    if (filled <= 0) {
                        filled = 0;
                        ended = true;
                        break;
                    }
                }
                int newline = -1;
                for (int i = position; i < filled; i++) {
                    if (chunk[i] == '\n') {
                        newline = i;
                        break;
                    }
                }
                int end = newline < 0 ? filled : newline;
                int take = end - position;
                if (!tooLarge && length + (long) take > limit) {
                    tooLarge = true;
                    int head = Math.min(take, Math.max(0, 4096 - length));
                    String start = new String(line, 0, Math.min(length, 4096), StandardCharsets.UTF_8)
                            + new String(chunk, position, head, StandardCharsets.UTF_8);
                    type = typeOf(start);
                }
                if (!tooLarge) {
                    if (length + take > line.length) {
                        line = java.util.Arrays.copyOf(line, (int) Math.min((long) limit, Math.max(line.length * 2L, length + (long) take)));
                    }
                    System.arraycopy(chunk, position, line, length, take);
                    length += take;
                }
                position = newline < 0 ? filled : newline + 1;
                sawEnd = newline >= 0;
            }
            if (ended && length == 0 && !tooLarge) {
                return null;
            }
            number++;
            int start = 0;
            if (number == 1 && length >= 3 && (line[0] & 0xFF) == 0xEF && (line[1] & 0xFF) == 0xBB && (line[2] & 0xFF) == 0xBF) {
                start = 3;
            }
            if (length > start && line[length - 1] == '\r') {
                length--;
            }
            if (start > 0) {
                System.arraycopy(line, start, line, 0, length - start);
                length -= start;
            }
            return new Line(number, line, tooLarge ? 0 : length, tooLarge, type == null || type.equals(UNREADABLE) ? null : type);
        }
    }

    /** A resource's text as the source gave it, decoded only when something keeps it (most mapped resources never need it). */
    static final class ResourceText {
        private byte[] bytes;
        private JsonNode tree;
        private String text;

        static ResourceText of(byte[] line, int length) {
            ResourceText text = new ResourceText();
            text.bytes = java.util.Arrays.copyOf(line, length);
            return text;
        }

        static ResourceText of(JsonNode tree) {
            ResourceText text = new ResourceText();
            text.tree = tree;
            return text;
        }

        static ResourceText of(String given) {
            ResourceText text = new ResourceText();
            text.text = given;
            return text;
        }

        byte[] bytes() {
            return bytes != null ? bytes : get().getBytes(StandardCharsets.UTF_8);
        }

        String get() {
            if (text == null) {
                text = bytes != null ? new String(bytes, StandardCharsets.UTF_8) : tree.toString();
            }
            return text;
        }
    }
}
