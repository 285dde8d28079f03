package org.ehrarchive.ingest.hl7v2;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.ehrarchive.ingest.ContentHash;
import org.ehrarchive.ingest.ImportedDocument;
import org.ehrarchive.ingest.ImportedEntry;
import org.ehrarchive.ingest.ImportedFragment;
import org.ehrarchive.ingest.ImportedPatient;
import org.ehrarchive.ingest.ImportedSection;
import org.ehrarchive.ingest.IngestError;
import org.ehrarchive.ingest.RecordContent;
import org.ehrarchive.ingest.RecordTypes;
import org.ehrarchive.ingest.SourceUnit;
import org.ehrarchive.record.Coded;
import org.ehrarchive.record.ContactPoint;
import org.ehrarchive.record.EntryKind;
import org.ehrarchive.record.Identifier;
import org.ehrarchive.record.ObservedValue;
import org.ehrarchive.record.Party;
import org.ehrarchive.record.PersonName;
import org.ehrarchive.record.PostalAddress;
import org.ehrarchive.record.Quantity;
import org.ehrarchive.record.ReferenceRange;
import org.ehrarchive.record.SortKeys;
import org.ehrarchive.record.TimePeriod;
import org.ehrarchive.record.TimeValue;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.GenericMessage;
import ca.uhn.hl7v2.model.GenericSegment;
import ca.uhn.hl7v2.parser.EncodingCharacters;
import ca.uhn.hl7v2.parser.GenericModelClassFactory;
import ca.uhn.hl7v2.parser.PipeParser;

/**
 * Maps one HL7 v2 message into the normalized record (docs/formats/hl7v2.md). The message is the unit: one record of
 * its message type, holding the header (MSH, EVN) and the patient (PID) as a document of the patient; its facts are
 * parts of their own, each with a key that lets a later message version it (a visit by its visit number, a result by
 * its order and observation, an appointment by its id...). Every segment is accounted for: mapped into a part,
 * folded into one (PV2 into its visit, NTE into its result, RXR into its medication), or kept raw.
 * <p>
 * Segments are parsed one by one by HAPI into its generic structure, in the order the message sends them: HAPI's typed
 * structures place segments into groups by each version's definition, which reorders or drops what a real system sent
 * out of place, while the archive must keep every segment where it was.
 */
final class MessageMapper {

    /** Every entry and raw segment of a message names its one section, the message's content. */
    static final int SECTION = 1;

    /** A message mapped: its record (keyed by its content), and its parts in message order. */
    record Mapped(String type, String contentHash, String orderKey, ImportedDocument document, ImportedPatient patient,
            ImportedSection section, List<Part> parts, List<String> warnings) {
    }

    /** A part: a fact of its own, with the text its content hash is taken over. */
    record Part(String type, String key, String contentHash, String locator, RecordContent content) {
    }

    /** The message cannot be split into segments and fields at all. */
    static final class Unmappable extends Exception {
        Unmappable(String reason) {
            super(reason);
        }
    }

    private final PipeParser parser;
    private final GenericMessage holder;
    private final SourceUnit unit;

    MessageMapper(SourceUnit unit) {
        GenericModelClassFactory factory = new GenericModelClassFactory();
        this.parser = new PipeParser(factory);
        this.parser.getParserConfiguration().setValidating(false);
        this.holder = new GenericMessage.V25(factory);
        this.unit = unit;
    }

    Mapped map(MessageReader.Message message) throws Unmappable {
        return new Mapping(message).run();
    }

    /** The mapping of one message. */
    private final class Mapping {
        private final MessageReader.Message message;
        private final String locator;
        private final List<String> warnings;
        private final List<Part> parts = new ArrayList<>();
        private final List<String> narrative = new ArrayList<>();
        private V2Segment msh;
        private V2Segment pid;
        private String messageCode;
        private String trigger;
        private String orderKey;
        private TimeValue messageTime;

        // context while walking the segments
        private V2Segment orc;
        private V2Segment obr;
        private List<String> obrNotes = new ArrayList<>();
        private int obxUnderObr;
        private V2Segment txa;
        private final List<String> documentText = new ArrayList<>();
        private final List<V2Segment> documentSegments = new ArrayList<>();
        /** The part being built, which following NTE, PV2, RXR or scheduling segments add to. */
        private Building open;
        /** The segments folded into the current OBR (its NTEs), for an order without results. */
        private final List<V2Segment> obrSegments = new ArrayList<>();
        /** Whether the current ORC was the context of an order, a result or a medication (else it is kept raw). */
        private boolean orcUsed;
        /** The PV1 of a message that is not about the visit itself (not ADT). */
        private V2Segment visitContext;
        /** The appointment (SCH) of the message, open until its end: its resources follow the PID and PV1. */
        private Building appointment;
        /** An MDM message's document: its type's words and its number (TXA-2, TXA-12). */
        private String documentTitle;
        private Identifier documentNumber;

        Mapping(MessageReader.Message message) {
            this.message = message;
            this.locator = "/message[" + (message.index() + 1) + "]";
            this.warnings = new ArrayList<>(message.warnings());
        }

        Mapped run() throws Unmappable {
            List<V2Segment> segments = parse();
            msh = segments.get(0);
            messageCode = msh.get(9, 0, 1, 1);
            trigger = msh.get(9, 0, 2, 1);
            messageTime = msh.time(7);
            orderKey = SortKeys.of(messageTime);
            String type = RecordTypes.messageType(messageCode, trigger);
            for (V2Segment segment : segments.subList(1, segments.size())) {
                visit(segment);
            }
            closeOpen();
            closeOrder();
            closeOrc();
            closeDocument();
            if (appointment != null) {
                appointment.finish();
            }
            String text = message.text();
            // A message is identified by its content (MSH-10 is not unique across real systems); an MDM message's
            // document versions through its note part, keyed by the document number (TXA-12).
            boolean documentMessage = "MDM".equals(messageCode) && documentNumber != null;
            ImportedPatient patient = pid == null ? null : patient();
            ImportedDocument document = document(documentMessage);
            ImportedSection section = new ImportedSection(SECTION, null, locator, null, List.of(), document.title(), "message",
                    narrative.isEmpty() ? null : String.join("", narrative));
            return new Mapped(type, ContentHash.sha256(text), orderKey, document, patient, section, parts, warnings);
        }

        // ---- parsing ---------------------------------------------------------------------------------------------

        private List<V2Segment> parse() throws Unmappable {
            List<String> texts = message.segments();
            String first = texts.get(0);
            if (first.length() < 8) {
                throw new Unmappable("the MSH segment is too short to name its delimiters");
            }
            char fieldSeparator = first.charAt(3);
            int end = first.indexOf(fieldSeparator, 4);
            String encoding = end < 0 ? first.substring(4) : first.substring(4, end);
            EncodingCharacters characters = encodingCharacters(fieldSeparator, encoding);
            List<V2Segment> segments = new ArrayList<>(texts.size());
            Map<String, Integer> occurrences = new LinkedHashMap<>();
            for (int i = 0; i < texts.size(); i++) {
                String text = texts.get(i);
                String name = text.length() >= 3 ? text.substring(0, 3) : text;
                int occurrence = occurrences.merge(name, 1, Integer::sum);
                GenericSegment segment = new GenericSegment(holder, name);
                try {
                    parser.parse(segment, text, characters);
                } catch (HL7Exception | RuntimeException e) {
                    if (i == 0) {
                        throw new Unmappable("HAPI could not parse the MSH segment: " + reason(e));
                    }
                    String where = locator + "/" + name + "[" + occurrence + "]";
                    parts.add(new Part("segment", null, ContentHash.sha256(message.text() + "\u0001" + i), where,
                            new RecordContent.RawContent(SECTION, ImportedFragment.Status.QUARANTINED,
                                    IngestError.ENTRY_UNREADABLE.message("HAPI could not parse the segment: " + reason(e)), text)));
                    continue;
                }
                segments.add(new V2Segment(segment, text, i + 1, occurrence));
            }
            return segments;
        }

        private EncodingCharacters encodingCharacters(char fieldSeparator, String encoding) throws Unmappable {
            if (encoding.length() < 2 || encoding.length() > 5) {
                throw new Unmappable("MSH-2 must hold the four encoding characters; it holds " + encoding.length());
            }
            String defaults = "^~\\&";
            StringBuilder distinct = new StringBuilder();
            encoding.chars().distinct().forEach(c -> distinct.append((char) c));
            if (distinct.length() < encoding.length()) {
                if (distinct.length() < 4) {
                    throw new Unmappable("the delimiters in MSH-2 are not four distinct characters");
                }
                // some exports double the escape character (MSH|^~\\&|, written by a tool that escaped it once more)
                warnings.add("MSH-2 repeats a delimiter; read as " + distinct);
            }
            StringBuilder four = new StringBuilder(distinct.length() >= 4 ? distinct.substring(0, 4) : distinct);
            for (int i = four.length(); i < 4; i++) {
                four.append(defaults.charAt(i)); // versions before 2.3 sometimes send only three
            }
            String chars = fieldSeparator + four.toString();
            for (int i = 0; i < chars.length(); i++) {
                char c = chars.charAt(i);
                if (Character.isLetterOrDigit(c) || Character.isWhitespace(c) || chars.indexOf(c) != i) {
                    throw new Unmappable("the delimiters in MSH-1 and MSH-2 are not five distinct punctuation characters");
                }
            }
            return new EncodingCharacters(fieldSeparator, four.toString());
        }

        // ---- walking the segments --------------------------------------------------------------------------------

        private void visit(V2Segment segment) {
            String name = segment.name();
            switch (name) {
                case "EVN" -> header(segment);
                case "PID" -> {
                    if (pid == null) {
                        pid = segment;
                    } else {
                        raw(segment, "a second PID segment in one message; the first names the patient");
                    }
                }
                case "PV1" -> {
                    closeOpen();
                    if ("ADT".equals(messageCode)) {
                        open = new Building("visit", segment, EntryKind.ENCOUNTER);
                    } else {
                        // Elsewhere the visit is context: an ORU's or an MDM's PV1 names the visit the result belongs to
                        // and is often a skeleton; made a version of the visit, it would replace what the ADT said.
                        visitContext = segment;
                    }
                }
                case "PV2" -> {
                    if (visitContext == null) {
                        fold(segment, "visit");
                    }
                }
                case "ORC" -> {
                    closeOpen();
                    closeOrder();
                    closeOrc();
                    orc = segment;
                }
                case "OBR" -> {
                    closeOpen();
                    closeOrder();
                    obr = segment;
                }
                case "OBX" -> {
                    closeOpen();
                    if (txa != null && isText(segment)) {
                        documentText.add(textOf(segment, 5));
                        documentSegments.add(segment);
                    } else {
                        observation(segment);
                    }
                }
                case "NTE" -> note(segment);
                case "TXA" -> {
                    closeOpen();
                    closeDocument();
                    txa = segment;
                }
                case "SCH" -> {
                    closeOpen();
                    if (appointment != null) {
                        appointment.finish();
                    }
                    // open until the message ends: its resources (AIS, AIL, AIP) follow the PID and PV1
                    appointment = new Building("appointment", segment, EntryKind.ENCOUNTER);
                }
                case "RGS", "AIS", "AIG", "AIL", "AIP" -> {
                    if (appointment != null) {
                        appointment.folded.add(segment);
                    } else {
                        raw(segment, null);
                    }
                }
                case "RXA" -> {
                    closeOpen();
                    boolean vaccine = "VXU".equals(messageCode) || "CVX".equalsIgnoreCase(segment.get(5, 3));
                    open = new Building(vaccine ? "immunization" : "medication", segment, vaccine ? EntryKind.IMMUNIZATION : EntryKind.MEDICATION);
                }
                case "RXE", "RXO", "RXD", "RXG" -> {
                    closeOpen();
                    open = new Building("medication", segment, EntryKind.MEDICATION);
                }
                case "RXR", "RXC", "TQ1" -> {
                    if (!foldInto(segment, "medication", "immunization")) {
                        if (segment.name().equals("TQ1") && appointment != null) {
                            appointment.folded.add(segment);
                        } else {
                            raw(segment, null);
                        }
                    }
                }
                case "DG1" -> single("diagnosis", segment, EntryKind.PROBLEM);
                case "PRB" -> single("problem", segment, EntryKind.PROBLEM);
                case "PR1" -> single("procedure", segment, EntryKind.PROCEDURE);
                case "AL1" -> single("allergy", segment, EntryKind.ALLERGY);
                case "FT1" -> single("charge", segment, EntryKind.CHARGE);
                default -> {
                    closeOpen();
                    raw(segment, name.equals("MRG") ? "a patient merge (MRG: the prior identifiers); both patients' records are kept"
                            + " as they are" : null);
                }
            }
        }

        private void header(V2Segment evn) {
            // EVN belongs to the header: the message's text keeps it; its recorded time stands in for a missing MSH-7.
            if (messageTime == null) {
                messageTime = evn.time(2);
                orderKey = SortKeys.of(messageTime);
            }
        }

        private void single(String type, V2Segment segment, EntryKind kind) {
            closeOpen();
            open = new Building(type, segment, kind);
        }

        private void fold(V2Segment segment, String type) {
            if (!foldInto(segment, type)) {
                raw(segment, null);
            }
        }

        private boolean foldInto(V2Segment segment, String... types) {
            if (open != null && List.of(types).contains(open.type)) {
                open.folded.add(segment);
                return true;
            }
            return false;
        }

        /** NTE: a comment on the result, order or entry before it. */
        private void note(V2Segment nte) {
            String text = textOf(nte, 3);
            if (open != null) {
                open.folded.add(nte);
                if (text != null) {
                    open.notes.add(text);
                }
            } else if (obr != null) {
                obrNotes.add(text == null ? "" : text);
                obrSegments.add(nte);
            } else {
                raw(nte, null);
            }
        }

        private void observation(V2Segment obx) {
            String valueType = obx.get(2);
            if ("ED".equals(valueType) || "RP".equals(valueType)) {
                attachment(obx, valueType);
            }
            obxUnderObr++;
            orcUsed |= orc != null;
            open = new Building("result", obx, EntryKind.RESULT);
            open.order = obr;
            open.orderNotes = List.copyOf(obrNotes);
        }

        private void closeOpen() {
            if (open != null) {
                Building done = open;
                open = null;
                done.finish();
            }
        }

        /** An order with no result under it (ORM, OML): an order part of its own. */
        private void closeOrder() {
            if (obr != null && obxUnderObr == 0) {
                Building order = new Building("order", obr, EntryKind.PLAN_OF_CARE);
                order.folded.addAll(obrSegments);
                order.notes.addAll(obrNotes);
                order.finish();
            }
            obr = null;
            obxUnderObr = 0;
            obrNotes = new ArrayList<>();
            obrSegments.clear();
        }

        /** The common order segment is the context of the order, results or medication after it; alone, it is kept raw. */
        private void closeOrc() {
            if (orc != null && !orcUsed) {
                raw(orc, null); // a cancellation or a status change that names no service
            }
            orc = null;
            orcUsed = false;
        }


        /** MDM: the document's text from its OBX lines. */
        private void closeDocument() {
            if (txa == null) {
                return;
            }
            V2Segment document = txa;
            String type = document.get(2);
            Coded code = new Coded(type, null, "HL7 0270", V2Tables.documentType(type), null, null, List.of(), List.of());
            Map<String, Object> details = new LinkedHashMap<>();
            put(details, "documentNumber", document.entityIdentifier(12, 0));
            put(details, "parentDocument", document.entityIdentifier(13, 0));
            put(details, "completionStatus", document.get(17));
            put(details, "confidentiality", document.get(18));
            put(details, "availability", document.get(19));
            put(details, "originator", document.person(9, 0, "originator"));
            put(details, "transcriptionist", document.person(11, 0, "transcriptionist"));
            put(details, "authenticator", document.person(22, 0, "authenticator"));
            put(details, "fileName", document.get(16));
            String text = String.join("\n", documentText.stream().filter(t -> t != null).toList());
            TimeValue activity = document.time(4) != null ? document.time(4) : document.time(6);
            ImportedEntry entry = new ImportedEntry(SECTION, EntryKind.NOTE, code, document.get(17), false, "EVN",
                    activity == null ? null : new TimePeriod(activity, null, null, null), List.of(), List.of(), List.of(), details,
                    text.isEmpty() ? null : text, document.locator(locator));
            StringBuilder content = new StringBuilder(document.text);
            documentSegments.forEach(s -> content.append('\r').append(s.text));
            documentNumber = document.entityIdentifier(12, 0);
            documentTitle = code.label() == null ? "Document" : code.label();
            String key = documentNumber == null ? null : "document:" + identifierKey(documentNumber);
            parts.add(new Part("note", key, ContentHash.sha256(content.toString()), document.locator(locator),
                    new RecordContent.EntriesContent(SECTION, List.of(entry))));
            for (String line : text.split("\n")) {
                paragraph(line);
            }
            txa = null;
            documentText.clear();
            documentSegments.clear();
        }

        private void raw(V2Segment segment, String reason) {
            if (reason == null) {
                reason = segment.name().startsWith("Z") ? "a local (Z) segment, kept as sent"
                        : "the normalized record has no place for " + segment.name() + " segments here; kept as sent";
            }
            parts.add(new Part("segment", null, ContentHash.sha256(message.text() + "\u0001" + segment.position), segment.locator(locator),
                    new RecordContent.RawContent(SECTION, ImportedFragment.Status.KEPT, reason, segment.text)));
        }

        // ---- parts -------------------------------------------------------------------------------------------------

        /** A part being built from its main segment and the segments that follow and belong to it. */
        private final class Building {
            final String type;
            final V2Segment segment;
            final EntryKind kind;
            final List<V2Segment> folded = new ArrayList<>();
            final List<String> notes = new ArrayList<>();
            V2Segment order;
            List<String> orderNotes = List.of();

            Building(String type, V2Segment segment, EntryKind kind) {
                this.type = type;
                this.segment = segment;
                this.kind = kind;
            }

            void finish() {
                Map<String, Object> details = new LinkedHashMap<>();
                if (visitContext != null && !type.equals("visit")) {
                    put(details, "visitNumber", visitContext.identifier(19, 0));
                }
                ImportedEntry entry = switch (type) {
                    case "visit" -> visit(details);
                    case "result" -> result(details);
                    case "order" -> order(details);
                    case "medication", "immunization" -> medication(details);
                    case "appointment" -> appointment(details);
                    case "diagnosis" -> diagnosis(details);
                    case "problem" -> problem(details);
                    case "procedure" -> procedure(details);
                    case "allergy" -> allergy(details);
                    case "charge" -> charge(details);
                    default -> throw new IllegalStateException(type);
                };
                StringBuilder content = new StringBuilder();
                if (order != null) {
                    content.append(order.get(4)).append('\u0001'); // a result is about its order's service
                }
                content.append(segment.text);
                folded.forEach(s -> content.append('\r').append(s.text));
                parts.add(new Part(type, key(), ContentHash.sha256(content.toString()), segment.locator(locator),
                        new RecordContent.EntriesContent(SECTION, List.of(entry))));
                paragraph(describe(entry));
            }

            /** What identifies the fact across messages, so that a later message is a new version of it; null: its content. */
            private String key() {
                return switch (type) {
                    case "visit" -> prefixed("visit:", segment.identifier(19, 0));
                    case "result" -> {
                        Identifier orderNumber = orderNumber(order);
                        String observation = segment.get(3) == null ? segment.get(3, 2) : segment.get(3);
                        yield orderNumber == null || observation == null ? null
                                : "result:" + identifierKey(orderNumber) + "|" + observation + "|" + nullToEmpty(segment.get(4));
                    }
                    case "order" -> prefixed("order:", orderNumber(segment));
                    case "medication", "immunization" -> {
                        Identifier orderNumber = orderNumber(null);
                        yield orderNumber == null ? null : type + ":" + identifierKey(orderNumber) + "|" + segment.name();
                    }
                    case "appointment" -> prefixed("appointment:", segment.entityIdentifier(2, 0) != null ? segment.entityIdentifier(2, 0)
                            : segment.entityIdentifier(1, 0));
                    case "diagnosis" -> prefixed("diagnosis:", segment.entityIdentifier(20, 0));
                    case "procedure" -> prefixed("procedure:", segment.entityIdentifier(19, 0));
                    case "problem" -> prefixed("problem:", segment.entityIdentifier(4, 0));
                    case "charge" -> segment.get(2) == null ? null : "charge:" + segment.get(2) + "|" + nullToEmpty(segment.get(3));
                    default -> null;
                };
            }

            private ImportedEntry visit(Map<String, Object> details) {
                String patientClass = segment.get(2);
                Coded code = patientClass == null ? null
                        : new Coded(patientClass, null, "HL7 0004", V2Tables.patientClass(patientClass), null, null, List.of(), List.of());
                TimeValue admit = segment.time(44);
                TimeValue discharge = segment.time(45);
                put(details, "visitNumber", segment.identifier(19, 0));
                put(details, "location", location(segment, 3));
                put(details, "priorLocation", location(segment, 6));
                put(details, "admissionType", segment.get(4));
                put(details, "attending", segment.person(7, 0, "attending"));
                put(details, "referring", segment.person(8, 0, "referring"));
                put(details, "consulting", segment.person(9, 0, "consulting"));
                put(details, "hospitalService", segment.get(10));
                put(details, "admitSource", segment.get(14));
                put(details, "admitting", segment.person(17, 0, "admitting"));
                put(details, "dischargeDisposition", segment.get(36));
                put(details, "event", trigger);
                for (V2Segment pv2 : folded) {
                    if (pv2.name().equals("PV2")) {
                        put(details, "admitReason", pv2.coded(3));
                        put(details, "expectedDischarge", pv2.time(9));
                    }
                }
                String status = discharge != null || "A03".equals(trigger) ? "completed" : "A11".equals(trigger) ? "cancelled" : "active";
                return entry(code, status, "EVN", period(admit, discharge), List.of(), List.of(), List.of(), details,
                        code == null ? "Visit" : code.label() + " visit");
            }

            private ImportedEntry result(Map<String, Object> details) {
                String valueType = segment.get(2);
                List<ObservedValue> values = values(segment, valueType);
                List<Coded> interpretations = new ArrayList<>();
                for (int r = 0; r < segment.repetitions(8); r++) {
                    String flag = segment.get(8, r, 1, 1);
                    if (flag != null) {
                        interpretations.add(new Coded(flag, null, "HL7 0078", null, null, null, List.of(), List.of()));
                    }
                }
                List<ReferenceRange> ranges = new ArrayList<>();
                String range = segment.get(7);
                if (range != null) {
                    ranges.add(new ReferenceRange(rangeValue(range, segment.get(6)), null, range));
                }
                if (order != null) {
                    put(details, "panel", order.coded(4));
                    put(details, "placerOrder", order.entityIdentifier(2, 0));
                    put(details, "fillerOrder", order.entityIdentifier(3, 0));
                    put(details, "specimen", order.coded(15));
                    put(details, "orderingProvider", order.person(16, 0, "ordering"));
                    put(details, "orderStatus", order.get(25));
                }
                put(details, "valueType", valueType);
                put(details, "subId", segment.get(4));
                put(details, "method", segment.coded(17));
                put(details, "observer", segment.person(16, 0, "responsible observer"));
                put(details, "performingOrganization", segment.get(23, 0, 1, 1));
                put(details, "performer", segment.person(25, 0, "performer"));
                if (!orderNotes.isEmpty()) {
                    details.put("orderNotes", orderNotes);
                }
                TimeValue observed = segment.time(14);
                if (observed == null && order != null) {
                    observed = order.time(7);
                }
                String status = V2Tables.resultStatus(segment.get(11));
                return entry(segment.coded(3), status, "EVN", observed == null ? null : new TimePeriod(observed, null, null, null), values,
                        interpretations, ranges, details, notes.isEmpty() ? null : String.join("\n", notes));
            }

            private ImportedEntry order(Map<String, Object> details) {
                put(details, "placerOrder", segment.entityIdentifier(2, 0));
                put(details, "fillerOrder", segment.entityIdentifier(3, 0));
                put(details, "orderingProvider", segment.person(16, 0, "ordering"));
                put(details, "priority", segment.get(5));
                put(details, "reason", segment.coded(31));
                if (orc != null) {
                    put(details, "orderControl", orc.get(1));
                    orcUsed = true;
                }
                TimeValue when = segment.time(7) != null ? segment.time(7) : segment.time(6);
                String status = orc == null ? segment.get(25) : orc.get(5);
                return entry(segment.coded(4), status, "RQO", when == null ? null : new TimePeriod(when, null, null, null), List.of(), List.of(),
                        List.of(), details, notes.isEmpty() ? null : String.join("\n", notes));
            }

            private ImportedEntry medication(Map<String, Object> details) {
                if (orc != null) {
                    orcUsed = true;
                    put(details, "orderControl", orc.get(1));
                    put(details, "placerOrder", orc.entityIdentifier(2, 0));
                    put(details, "fillerOrder", orc.entityIdentifier(3, 0));
                    put(details, "orderingProvider", orc.person(12, 0, "ordering"));
                }
                for (V2Segment part : folded) {
                    if (part.name().equals("RXR")) {
                        put(details, "route", part.coded(1));
                        put(details, "site", part.coded(2));
                    } else if (part.name().equals("TQ1")) {
                        put(details, "start", part.time(7));
                        put(details, "end", part.time(8));
                    }
                }
                String name = segment.name();
                if (name.equals("RXA")) {
                    TimeValue start = segment.time(3);
                    TimeValue end = segment.time(4);
                    put(details, "dose", quantity(segment.get(6), segment.get(7), null));
                    put(details, "lotNumber", segment.get(15));
                    put(details, "expiration", segment.time(16));
                    put(details, "manufacturer", segment.coded(17));
                    put(details, "refusalReason", segment.coded(18));
                    put(details, "administeringProvider", segment.person(10, 0, "administering"));
                    put(details, "completionStatus", segment.get(20));
                    put(details, "actionCode", segment.get(21));
                    boolean refused = "RE".equals(segment.get(20)) || segment.get(18) != null;
                    return new ImportedEntry(SECTION, kind, segment.coded(5), completion(segment.get(20)), refused, "EVN",
                            period(start, end != null && !end.equals(start) ? end : null), List.of(), List.of(), List.of(), details,
                            notes.isEmpty() ? null : String.join("\n", notes), segment.locator(locator));
                }
                // RXE give code 2, RXO requested give code 1, RXD dispense/give code 2
                int codeField = name.equals("RXO") ? 1 : 2;
                if (name.equals("RXE")) {
                    put(details, "dose", quantity(segment.get(3), segment.get(5), null));
                    put(details, "doseForm", segment.coded(6));
                    put(details, "quantity", quantity(segment.get(10), segment.get(11), null));
                    put(details, "refills", segment.get(12));
                    put(details, "prescriptionNumber", segment.get(15));
                    put(details, "timing", segment.whole(1, 0));
                } else if (name.equals("RXO")) {
                    put(details, "dose", quantity(segment.get(2), segment.get(4), null));
                    put(details, "doseForm", segment.coded(5));
                } else if (name.equals("RXD")) {
                    put(details, "dispensed", segment.time(3));
                    put(details, "quantity", quantity(segment.get(4), segment.get(5), null));
                }
                String status = orc == null ? null : orc.get(5);
                return new ImportedEntry(SECTION, kind, segment.coded(codeField), status, false, name.equals("RXD") ? "EVN" : "INT", null,
                        List.of(), List.of(), List.of(), details, notes.isEmpty() ? null : String.join("\n", notes), segment.locator(locator));
            }

            private ImportedEntry appointment(Map<String, Object> details) {
                put(details, "placerAppointment", segment.entityIdentifier(1, 0));
                put(details, "fillerAppointment", segment.entityIdentifier(2, 0));
                put(details, "eventReason", segment.coded(6));
                put(details, "appointmentType", segment.coded(8));
                put(details, "duration", quantity(segment.get(9), segment.get(10), null));
                put(details, "event", trigger);
                // SCH-11 (TQ): quantity^interval^duration^start^end
                String startText = segment.get(11, 0, 4, 1);
                String endText = segment.get(11, 0, 5, 1);
                TimeValue start = startText == null ? null : org.ehrarchive.record.Hl7Time.parse(startText, null);
                TimeValue end = endText == null ? null : org.ehrarchive.record.Hl7Time.parse(endText, null);
                List<Party> resources = new ArrayList<>();
                for (V2Segment part : folded) {
                    switch (part.name()) {
                        case "AIS" -> {
                            put(details, "service", part.coded(3));
                            if (start == null) {
                                start = part.time(4);
                            }
                        }
                        case "AIL" -> {
                            put(details, "location", location(part, 3));
                            if (start == null) {
                                start = part.time(6);
                            }
                        }
                        case "AIP" -> {
                            Party person = part.person(3, 0, part.get(4) == null ? "resource" : part.get(4));
                            if (person != null) {
                                resources.add(person);
                            }
                            if (start == null) {
                                start = part.time(6);
                            }
                        }
                        case "AIG" -> put(details, "resource", part.coded(3));
                        case "TQ1" -> {
                            if (start == null) {
                                start = part.time(7);
                            }
                        }
                        default -> {
                        }
                    }
                }
                if (!resources.isEmpty()) {
                    details.put("providers", resources);
                }
                String status = segment.get(25);
                if (status == null && "S15".equals(trigger)) {
                    status = "Cancelled";
                }
                Coded code = segment.coded(7) != null ? segment.coded(7) : segment.coded(8);
                return new ImportedEntry(SECTION, EntryKind.ENCOUNTER, code, status, false, "APT", period(start, end), List.of(), List.of(),
                        List.of(), details, code == null ? "Appointment" : null, segment.locator(locator));
            }

            private ImportedEntry diagnosis(Map<String, Object> details) {
                put(details, "role", "diagnosis");
                put(details, "diagnosisType", segment.get(6));
                put(details, "priority", segment.get(15));
                put(details, "clinician", segment.person(16, 0, "diagnosing clinician"));
                put(details, "identifier", segment.entityIdentifier(20, 0));
                Coded code = codedWithDescription(segment, 3, 4);
                TimeValue when = segment.time(5);
                return entry(code, null, "EVN", when == null ? null : new TimePeriod(when, null, null, null), List.of(), List.of(), List.of(),
                        details, null);
            }

            private ImportedEntry problem(Map<String, Object> details) {
                put(details, "actionCode", segment.get(1));
                put(details, "problemInstance", segment.entityIdentifier(4, 0));
                put(details, "lifeCycleStatus", segment.coded(14));
                TimeValue onset = segment.time(16);
                Coded status = segment.coded(14);
                return entry(segment.coded(3), status == null ? null : status.label(), "EVN",
                        onset == null ? null : new TimePeriod(null, onset, null, null), List.of(), List.of(), List.of(), details, null);
            }

            private ImportedEntry procedure(Map<String, Object> details) {
                put(details, "functionalType", segment.get(6));
                put(details, "minutes", segment.get(7));
                put(details, "anesthesiologist", segment.person(8, 0, "anesthesiologist"));
                put(details, "surgeon", segment.person(11, 0, "surgeon"));
                put(details, "identifier", segment.entityIdentifier(19, 0));
                TimeValue when = segment.time(5);
                return entry(codedWithDescription(segment, 3, 4), "completed", "EVN", when == null ? null : new TimePeriod(when, null, null, null),
                        List.of(), List.of(), List.of(), details, null);
            }

            private ImportedEntry allergy(Map<String, Object> details) {
                put(details, "allergenType", segment.coded(2));
                put(details, "severity", segment.coded(4));
                List<String> reactions = new ArrayList<>();
                for (int r = 0; r < segment.repetitions(5); r++) {
                    String reaction = segment.get(5, r, 1, 1);
                    if (reaction != null) {
                        reactions.add(reaction);
                    }
                }
                if (!reactions.isEmpty()) {
                    details.put("reactions", reactions);
                }
                TimeValue identified = segment.time(6);
                return entry(segment.coded(3), "active", "EVN", identified == null ? null : new TimePeriod(null, identified, null, null),
                        List.of(), List.of(), List.of(), details, null);
            }

            private ImportedEntry charge(Map<String, Object> details) {
                put(details, "transactionId", segment.get(2));
                put(details, "batchId", segment.get(3));
                put(details, "transactionType", segment.get(6));
                put(details, "quantity", segment.get(10));
                put(details, "department", segment.coded(13));
                put(details, "performedBy", segment.person(20, 0, "performed by"));
                put(details, "orderedBy", segment.person(21, 0, "ordered by"));
                put(details, "procedureCode", segment.coded(25));
                List<Coded> diagnoses = new ArrayList<>();
                for (int r = 0; r < segment.repetitions(19); r++) {
                    Coded diagnosis = segment.coded(19, r);
                    if (diagnosis != null) {
                        diagnoses.add(diagnosis);
                    }
                }
                if (!diagnoses.isEmpty()) {
                    details.put("diagnoses", diagnoses);
                }
                List<ObservedValue> values = new ArrayList<>();
                String amount = segment.get(11, 0, 1, 1);
                if (amount != null) {
                    values.add(new ObservedValue("MO", new Quantity(amount, segment.get(11, 0, 1, 2), null), null, null, null, null, null));
                }
                TimeValue when = segment.time(4);
                Coded code = segment.coded(7);
                return entry(code, segment.get(6), "EVN", when == null ? null : new TimePeriod(when, null, null, null), values, List.of(),
                        List.of(), details, code == null ? segment.get(8) : null);
            }

            private ImportedEntry entry(Coded code, String status, String mood, TimePeriod effective, List<ObservedValue> values,
                    List<Coded> interpretations, List<ReferenceRange> ranges, Map<String, Object> details, String text) {
                return new ImportedEntry(SECTION, kind, code, status, false, mood, effective, values, interpretations, ranges, details, text,
                        segment.locator(locator));
            }
        }

        /** The order a result or a medication belongs to: the filler's number, else the placer's (OBR-3/2, else ORC-3/2). */
        private Identifier orderNumber(V2Segment obrSegment) {
            if (obrSegment != null) {
                Identifier filler = obrSegment.entityIdentifier(3, 0);
                if (filler != null) {
                    return filler;
                }
                Identifier placer = obrSegment.entityIdentifier(2, 0);
                if (placer != null) {
                    return placer;
                }
            }
            if (orc != null) {
                return orc.entityIdentifier(3, 0) != null ? orc.entityIdentifier(3, 0) : orc.entityIdentifier(2, 0);
            }
            return null;
        }

        /** An embedded document (ED) goes into the blob store; a reference pointer (RP) is kept as a reference. */
        private void attachment(V2Segment obx, String valueType) {
            String where = obx.locator(locator) + "/OBX-5";
            if (valueType.equals("RP")) {
                String pointer = obx.get(5, 0, 1, 1);
                String application = obx.get(5, 0, 2, 1);
                String reference = pointer == null ? null : application == null ? pointer : pointer + "^" + application;
                parts.add(new Part("embedded-document", null, ContentHash.sha256("RP\u0001" + obx.text), where,
                        new RecordContent.AttachmentContent(mediaType(obx.get(5, 0, 3, 1), obx.get(5, 0, 4, 1)), null, null, reference)));
                return;
            }
            String encoding = obx.get(5, 0, 4, 1);
            String data = obx.get(5, 0, 5, 1);
            if (data == null) {
                warnings.add("an embedded document (OBX-5, ED) carries no data");
                return;
            }
            String mediaType = mediaType(obx.get(5, 0, 2, 1), obx.get(5, 0, 3, 1));
            SourceUnit.BlobOutput blob = null;
            try {
                byte[] bytes = decode(encoding, data);
                blob = unit.newBlob(unit.maxEmbeddedBytes());
                blob.write(bytes);
                SourceUnit.StoredBlob stored = blob.store();
                blob = null;
                parts.add(new Part("embedded-document", null, ContentHash.sha256("ED\u0001" + stored.sha256()), where,
                        new RecordContent.AttachmentContent(mediaType, stored.sha256(), stored.sizeBytes(), null)));
            } catch (IOException | IllegalArgumentException e) {
                if (blob != null) {
                    blob.discard();
                }
                parts.add(new Part("embedded-document", null, ContentHash.sha256("ED\u0001" + obx.text), where,
                        new RecordContent.RawContent(SECTION, ImportedFragment.Status.QUARANTINED,
                                IngestError.ATTACHMENT_UNREADABLE.message(e instanceof SourceUnit.BlobTooLargeException ? e.getMessage()
                                        : "its " + (encoding == null ? "data" : encoding) + " encoding could not be decoded"),
                                obx.text)));
            }
        }

        private void paragraph(String text) {
            if (text != null && !text.isBlank()) {
                narrative.add("<paragraph>" + escape(text) + "</paragraph>");
            }
        }

        // ---- the message's own record ------------------------------------------------------------------------------

        private ImportedDocument document(boolean documentMessage) {
            String description = V2Tables.describe(messageCode, trigger);
            String type = RecordTypes.messageType(messageCode, trigger);
            Coded code = new Coded(type, null, "HL7 v2 message type", description, null, null, List.of(), List.of());
            String title = description + " (" + type + ")";
            Identifier setId = null;
            String version = msh.get(12);
            if (documentMessage) {
                title = documentTitle + " (" + type + ")";
                setId = documentNumber;
            }
            List<Party> authors = new ArrayList<>();
            String application = msh.get(3, 0, 1, 1);
            String facility = msh.get(4, 0, 1, 1);
            if (application != null) {
                authors.add(new Party("sending application", List.of(), null, application, null, messageTime, List.of(), List.of()));
            }
            Party custodian = facility == null ? null : new Party("sending facility", List.of(), null, facility, null, null, List.of(), List.of());
            Identifier id = msh.get(10) == null ? null : new Identifier(msh.get(3, 0, 2, 1) != null ? msh.get(3, 0, 2, 1) : application,
                    msh.get(10), application, null);
            return new ImportedDocument(locator, id, setId, version, code, title, messageTime, null, msh.get(19), List.of(), authors, custodian,
                    message.text());
        }

        private ImportedPatient patient() {
            String at = pid.locator(locator);
            List<Identifier> identifiers = new ArrayList<>();
            for (int field : new int[] { 3, 2, 4 }) { // PID-2 and PID-4 carry identifiers in versions before 2.5
                for (int r = 0; r < pid.repetitions(field); r++) {
                    Identifier identifier = pid.identifier(field, r);
                    if (identifier != null && !identifiers.contains(identifier)) {
                        identifiers.add(identifier);
                    }
                }
            }
            List<PersonName> names = new ArrayList<>();
            for (int r = 0; r < pid.repetitions(5); r++) {
                PersonName name = pid.personName(5, r);
                if (name != null) {
                    names.add(name);
                }
            }
            List<PostalAddress> addresses = new ArrayList<>();
            for (int r = 0; r < pid.repetitions(11); r++) {
                PostalAddress address = pid.address(11, r);
                if (address != null) {
                    addresses.add(address);
                }
            }
            List<ContactPoint> telecoms = new ArrayList<>();
            for (int field : new int[] { 13, 14 }) {
                for (int r = 0; r < pid.repetitions(field); r++) {
                    ContactPoint telecom = pid.telecom(field, r);
                    if (telecom != null) {
                        telecoms.add(field == 14 && telecom.use() == null ? new ContactPoint(telecom.value(), "WPN", null) : telecom);
                    }
                }
            }
            String sex = pid.get(8);
            Coded sexCode = sex == null ? null : new Coded(sex, null, "HL7 0001", V2Tables.sex(sex), null, null, List.of(), List.of());
            String deathIndicator = pid.get(30);
            TimeValue death = pid.time(29);
            Boolean deceased = "Y".equals(deathIndicator) || death != null ? Boolean.TRUE : "N".equals(deathIndicator) ? Boolean.FALSE : null;
            return new ImportedPatient(at, identifiers, names, pid.time(7), sexCode, addresses, telecoms, deceased, death, pid.coded(16),
                    repeated(pid, 10), repeated(pid, 22), pid.coded(15) == null ? List.of() : List.of(pid.coded(15)), pid.text);
        }

        private List<Coded> repeated(V2Segment segment, int field) {
            List<Coded> codes = new ArrayList<>();
            for (int r = 0; r < segment.repetitions(field); r++) {
                Coded code = segment.coded(field, r);
                if (code != null) {
                    codes.add(code);
                }
            }
            return codes;
        }
    }

    // ---- values ----------------------------------------------------------------------------------------------------

    /** OBX-5 by its value type (OBX-2); every repetition. */
    private static List<ObservedValue> values(V2Segment obx, String valueType) {
        List<ObservedValue> values = new ArrayList<>();
        String unit = obx.get(6, 0, 1, 1) != null ? obx.get(6, 0, 1, 1) : obx.get(6, 0, 2, 1);
        for (int r = 0; r < obx.repetitions(5); r++) {
            ObservedValue value = switch (valueType == null ? "" : valueType) {
                case "NM" -> {
                    String number = obx.get(5, r, 1, 1);
                    yield number == null ? null : new ObservedValue("PQ", new Quantity(number, unit, null), null, null, null, null, null);
                }
                case "SN" -> structuredNumeric(obx, r, unit);
                case "CE", "CWE", "CNE", "CF" -> {
                    Coded coded = obx.coded(5, r);
                    yield coded == null ? null : new ObservedValue("CD", null, null, null, coded, null, null);
                }
                case "DT", "TS", "DTM", "TM" -> {
                    String time = obx.get(5, r, 1, 1);
                    yield time == null ? null : new ObservedValue("TS", null, null, null, null, time, null);
                }
                case "ED", "RP" -> null; // the embedded document part holds it
                case "ST", "TX", "FT", "" -> {
                    String text = obx.get(5, r, 1, 1);
                    yield text == null ? null : new ObservedValue("ST", null, null, null, null, text, null);
                }
                default -> {
                    String text = obx.whole(5, r);
                    yield text == null ? null : new ObservedValue(valueType, null, null, null, null, text, null);
                }
            };
            if (value != null) {
                values.add(value);
            }
        }
        if (("TX".equals(valueType) || "FT".equals(valueType)) && values.size() > 1) {
            // text sent as repetitions is one text, a line each
            String joined = String.join("\n", values.stream().map(ObservedValue::text).toList());
            return List.of(new ObservedValue("ST", null, null, null, null, joined, null));
        }
        return values;
    }

    /** SN: comparator^number^separator^number: {@code >^10}, {@code ^10^-^20} (a range), {@code ^1^:^2} (a ratio). */
    private static ObservedValue structuredNumeric(V2Segment obx, int r, String unit) {
        String comparator = obx.get(5, r, 1, 1);
        String first = obx.get(5, r, 2, 1);
        String separator = obx.get(5, r, 3, 1);
        String second = obx.get(5, r, 4, 1);
        if (first == null && second == null) {
            return null;
        }
        if ("-".equals(separator) && first != null && second != null) {
            return new ObservedValue("IVL_PQ", null, new Quantity(first, unit, null), new Quantity(second, unit, null), null, null, null);
        }
        if (separator != null && second != null) {
            return new ObservedValue("RTO", null, null, null, null, first + separator + second, null);
        }
        return new ObservedValue("PQ", new Quantity(first, unit, comparator), null, null, null, null, null);
    }

    private static final java.util.regex.Pattern RANGE_BETWEEN = java.util.regex.Pattern.compile("\\s*(-?[\\d.]+)\\s*[-\u2013]\\s*(-?[\\d.]+)\\s*");
    private static final java.util.regex.Pattern RANGE_BOUND = java.util.regex.Pattern.compile("\\s*([<>]=?)\\s*(-?[\\d.]+)\\s*");

    /** A reference range such as {@code 70-99}, {@code <5} or {@code >=40} as low/high; other text stays text only. */
    private static ObservedValue rangeValue(String range, String unit) {
        java.util.regex.Matcher between = RANGE_BETWEEN.matcher(range);
        if (between.matches()) {
            return new ObservedValue("IVL_PQ", null, new Quantity(between.group(1), unit, null), new Quantity(between.group(2), unit, null),
                    null, null, null);
        }
        java.util.regex.Matcher bound = RANGE_BOUND.matcher(range);
        if (bound.matches()) {
            Quantity limit = new Quantity(bound.group(2), unit, bound.group(1));
            return bound.group(1).startsWith("<") ? new ObservedValue("IVL_PQ", null, null, limit, null, null, null)
                    : new ObservedValue("IVL_PQ", null, limit, null, null, null, null);
        }
        return null;
    }

    private static Quantity quantity(String value, String unit, String comparator) {
        return value == null ? null : new Quantity(value, unit, comparator);
    }

    /** A coded field with, in older versions, its description in the next field (DG1-3/4, PR1-3/4). */
    private static Coded codedWithDescription(V2Segment segment, int field, int descriptionField) {
        Coded code = segment.coded(field);
        String description = segment.get(descriptionField);
        if (code == null) {
            return description == null ? null : new Coded(null, null, null, description, null, null, List.of(), List.of());
        }
        if (code.displayName() == null && description != null) {
            return new Coded(code.code(), code.codeSystem(), code.codeSystemName(), description, code.originalText(), null, code.translations(),
                    List.of());
        }
        return code;
    }

    /** A PL location: point of care, room, bed, facility, as one line. */
    private static String location(V2Segment segment, int field) {
        List<String> parts = new ArrayList<>();
        for (int component : new int[] { 4, 1, 2, 3 }) {
            String value = segment.get(field, 0, component, 1);
            if (value != null) {
                parts.add(value);
            }
        }
        return parts.isEmpty() ? null : String.join(" ", parts);
    }

    private static TimePeriod period(TimeValue low, TimeValue high) {
        return low == null && high == null ? null : new TimePeriod(null, low, high, null);
    }

    private static String completion(String code) {
        return code == null ? null : switch (code) {
            case "CP" -> "completed";
            case "RE" -> "refused";
            case "NA" -> "not administered";
            case "PA" -> "partially administered";
            default -> code;
        };
    }

    private static boolean isText(V2Segment obx) {
        String type = obx.get(2);
        return type == null || type.equals("TX") || type.equals("FT") || type.equals("ST");
    }

    /** A text field's repetitions, a line each. */
    private static String textOf(V2Segment segment, int field) {
        List<String> lines = new ArrayList<>();
        for (int r = 0; r < segment.repetitions(field); r++) {
            String line = segment.get(field, r, 1, 1);
            lines.add(line == null ? "" : line);
        }
        String text = String.join("\n", lines).strip();
        return text.isEmpty() ? null : text;
    }

    private static String mediaType(String type, String subtype) {
        String sub = subtype == null ? null : subtype.toLowerCase(Locale.ROOT);
        if (sub != null && sub.contains("/")) {
            return sub;
        }
        String main = type == null ? null : type.toLowerCase(Locale.ROOT);
        if (sub == null) {
            return main == null ? "application/octet-stream" : main.contains("/") ? main : "application/" + main;
        }
        return switch (sub) {
            case "pdf" -> "application/pdf";
            case "rtf" -> "application/rtf";
            case "xml" -> "application/xml";
            case "html" -> "text/html";
            case "plain", "text", "txt" -> "text/plain";
            case "jpeg", "jpg" -> "image/jpeg";
            case "png" -> "image/png";
            case "tiff", "tif" -> "image/tiff";
            case "gif" -> "image/gif";
            default -> (main == null || main.equals("ap") ? "application" : main.equals("im") ? "image" : main.equals("tx") ? "text" : main)
                    + "/" + sub;
        };
    }

    private static byte[] decode(String encoding, String data) {
        String kind = encoding == null ? "A" : encoding.toUpperCase(Locale.ROOT);
        return switch (kind) {
            case "BASE64" -> java.util.Base64.getMimeDecoder().decode(data);
            case "HEX" -> java.util.HexFormat.of().parseHex(data.replaceAll("\\s", ""));
            default -> data.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        };
    }

    private static String describe(ImportedEntry entry) {
        StringBuilder line = new StringBuilder();
        if (entry.code() != null && entry.code().label() != null) {
            line.append(entry.code().label());
        }
        for (ObservedValue value : entry.values()) {
            line.append(line.length() == 0 ? "" : ": ");
            if (value.quantity() != null) {
                line.append(nullToEmpty(value.quantity().comparator())).append(value.quantity().value())
                        .append(value.quantity().unit() == null ? "" : " " + value.quantity().unit());
            } else if (value.coded() != null) {
                line.append(value.coded().label());
            } else if (value.text() != null) {
                line.append(value.text());
            }
        }
        if (entry.text() != null) {
            line.append(line.length() == 0 ? "" : " ").append(entry.text());
        }
        return line.toString();
    }

    private static void put(Map<String, Object> details, String name, Object value) {
        if (value != null) {
            details.put(name, value);
        }
    }

    private static String prefixed(String prefix, Identifier identifier) {
        return identifier == null ? null : prefix + identifierKey(identifier);
    }

    private static String identifierKey(Identifier identifier) {
        return nullToEmpty(identifier.system()) + "^" + identifier.value();
    }

    private static String nullToEmpty(String text) {
        return text == null ? "" : text;
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    static String reason(Exception e) {
        // HAPI's messages can quote the segment they failed on: keep only the part before any quoted content.
        String text = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int quote = text.indexOf(':');
        if (quote > 0 && quote < text.length() - 1) {
            text = text.substring(0, quote);
        }
        return text.length() > 200 ? text.substring(0, 200) : text;
    }
}
