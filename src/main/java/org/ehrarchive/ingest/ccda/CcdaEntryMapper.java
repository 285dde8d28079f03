package org.ehrarchive.ingest.ccda;

import static org.ehrarchive.ingest.ccda.CdaReader.attr;
import static org.ehrarchive.ingest.ccda.CdaReader.child;
import static org.ehrarchive.ingest.ccda.CdaReader.children;
import static org.ehrarchive.ingest.ccda.CdaReader.path;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.ehrarchive.ingest.ImportedEntry;
import org.ehrarchive.record.Coded;
import org.ehrarchive.record.EntryKind;
import org.ehrarchive.record.ObservedValue;
import org.ehrarchive.record.Party;
import org.ehrarchive.record.ReferenceRange;

/**
 * Maps one C-CDA {@code <entry>} to normalized entries. CDA clinical statements share one shape (code, status,
 * time, values, participants, relationships), so one reader serves every kind; the kind decides only what the
 * entry is <em>about</em> (the drug of a medication, the substance of an allergy, the condition of a problem).
 * <ul>
 *   <li>An organizer (result panel, vital signs, family history) yields one entry per component; the panel goes
 *       into {@code details.panel}.</li>
 *   <li>A concern act (problem, allergy, health concern) yields one entry per observation it is about; the
 *       concern's status and dates go into {@code details.concern}.</li>
 *   <li>Anything else yields one entry.</li>
 * </ul>
 * Nested relationships (reactions, severity, indications, instructions...) are kept in {@code details.related}, and
 * the whole entry stays in the original at its locator.
 */
final class CcdaEntryMapper {

    private static final Set<String> STATEMENTS = Set.of("act", "observation", "substanceAdministration", "supply",
            "procedure", "encounter", "organizer", "observationMedia", "regionOfInterest");
    private static final int MAX_RELATIONSHIP_DEPTH = 4;

    private final CdaReader reader;

    CcdaEntryMapper(CdaReader reader) {
        this.reader = reader;
    }

    /** The clinical statement an {@code <entry>} carries, or null when it carries none. */
    static XmlElement statementOf(XmlElement entry) {
        for (XmlElement child : children(entry)) {
            if (STATEMENTS.contains(child.localName())) {
                return child;
            }
        }
        return null;
    }

    /** Maps an entry whose statement is of a known kind. */
    List<ImportedEntry> map(Integer sectionOrdinal, EntryKind kind, XmlElement entry, XmlElement statement) {
        List<ImportedEntry> mapped = new ArrayList<>();
        String name = statement.localName();
        if (name.equals("organizer")) {
            Map<String, Object> panel = summary(statement);
            for (XmlElement component : children(statement, "component")) {
                XmlElement inner = firstStatement(component);
                if (inner != null) {
                    mapped.add(record(sectionOrdinal, kind, inner, Map.of("panel", panel),
                            statement));
                }
            }
            if (mapped.isEmpty()) {
                mapped.add(record(sectionOrdinal, kind, statement, Map.of(), statement));
            }
        } else if (name.equals("act") && CcdaCatalog.isConcernAct(CdaReader.templateIds(statement))) {
            Map<String, Object> concern = summary(statement);
            List<Map<String, Object>> qualifiers = new ArrayList<>();
            List<XmlElement> subjects = new ArrayList<>();
            for (XmlElement relationship : children(statement, "entryRelationship")) {
                XmlElement inner = firstStatement(relationship);
                if (inner == null || !inner.localName().equals("observation")) {
                    continue;
                }
                if (CcdaCatalog.isQualifierObservation(CdaReader.templateIds(inner))) {
                    qualifiers.add(summary(inner)); // severity, priority, status: about the concern, not a concern itself
                } else {
                    subjects.add(inner);
                }
            }
            putIfPresent(concern, "qualifiers", nonEmpty(qualifiers));
            for (XmlElement inner : subjects) {
                mapped.add(record(sectionOrdinal, kind, inner, Map.of("concern", concern), statement));
            }
            if (mapped.isEmpty()) {
                mapped.add(record(sectionOrdinal, kind, statement, Map.of(), statement));
            }
        } else {
            mapped.add(record(sectionOrdinal, kind, statement, Map.of(), statement));
        }
        return mapped;
    }

    private ImportedEntry record(Integer sectionOrdinal, EntryKind kind, XmlElement statement, Map<String, Object> context,
            XmlElement top) {
        Map<String, Object> details = new LinkedHashMap<>(context);
        details.put("statement", statement.localName());
        putIfPresent(details, "templateIds", nonEmpty(CdaReader.templateIds(statement)));
        putIfPresent(details, "ids", nonEmpty(CdaReader.identifiers(statement)));
        putIfPresent(details, "classCode", attr(statement, "classCode"));

        Coded statementCode = reader.coded(child(statement, "code"));
        List<ObservedValue> values = new ArrayList<>();
        for (XmlElement value : children(statement, "value")) {
            values.add(reader.observedValue(value));
        }
        Coded about = statementCode;
        switch (kind) {
            case MEDICATION, IMMUNIZATION, MEDICAL_EQUIPMENT -> about = productCode(statement, statementCode, details);
            case PLAN_OF_CARE -> {
                if (statement.localName().equals("substanceAdministration") || statement.localName().equals("supply")) {
                    about = productCode(statement, statementCode, details);
                }
            }
            case ALLERGY -> {
                Coded substance = reader.coded(path(participant(statement, "CSM"), "participantRole", "playingEntity", "code"));
                if (substance != null) {
                    about = substance;
                    putIfPresent(details, "allergyType", values.isEmpty() ? null : values.get(0).coded());
                    putIfPresent(details, "observationCode", statementCode);
                }
            }
            case PROBLEM, HEALTH_CONCERN, FAMILY_HISTORY -> {
                if (!values.isEmpty() && values.get(0).coded() != null && !values.get(0).coded().isEmpty()) {
                    about = values.get(0).coded();
                    putIfPresent(details, "observationCode", statementCode);
                }
            }
            default -> {
            }
        }
        if (kind == EntryKind.FAMILY_HISTORY) {
            XmlElement subject = path(top, "subject", "relatedSubject");
            if (subject != null) {
                putIfPresent(details, "relatedSubject", reader.coded(child(subject, "code")));
            }
        }

        List<XmlElement> times = children(statement, "effectiveTime");
        if (times.size() > 1) {
            // Further effectiveTimes are a schedule (PIVL/EIVL, kept as text) or another period (kept as a TimePeriod).
            List<Object> schedule = new ArrayList<>();
            for (XmlElement time : times.subList(1, times.size())) {
                Object read = CdaReader.period(time);
                if (read != null) {
                    schedule.add(((org.ehrarchive.record.TimePeriod) read).text() != null ? ((org.ehrarchive.record.TimePeriod) read).text() : read);
                }
            }
            putIfPresent(details, "schedule", nonEmpty(schedule));
        }
        putIfPresent(details, "dose", CdaReader.quantity(child(statement, "doseQuantity")));
        putIfPresent(details, "rate", CdaReader.quantity(child(statement, "rateQuantity")));
        putIfPresent(details, "maxDose", CdaReader.ratioText(child(statement, "maxDoseQuantity")));
        putIfPresent(details, "route", reader.coded(child(statement, "routeCode")));
        putIfPresent(details, "approachSite", reader.coded(child(statement, "approachSiteCode")));
        putIfPresent(details, "targetSite", reader.coded(child(statement, "targetSiteCode")));
        putIfPresent(details, "method", reader.coded(child(statement, "methodCode")));
        putIfPresent(details, "priority", reader.coded(child(statement, "priorityCode")));
        putIfPresent(details, "administrationUnit", reader.coded(child(statement, "administrationUnitCode")));
        putIfPresent(details, "quantity", CdaReader.quantity(child(statement, "quantity")));
        putIfPresent(details, "repeatNumber", attr(child(statement, "repeatNumber"), "value"));
        putIfPresent(details, "dischargeDisposition", reader.coded(path(statement, "dischargeDispositionCode")));
        putIfPresent(details, "performers", nonEmpty(parties(statement, "performer", "assignedEntity")));
        putIfPresent(details, "authors", nonEmpty(parties(statement, "author", "assignedAuthor")));
        putIfPresent(details, "participants", nonEmpty(participants(statement)));
        putIfPresent(details, "related", nonEmpty(related(statement, 1)));

        List<Coded> interpretations = new ArrayList<>();
        for (XmlElement interpretation : children(statement, "interpretationCode")) {
            interpretations.add(reader.coded(interpretation));
        }
        List<ReferenceRange> ranges = new ArrayList<>();
        for (XmlElement range : children(statement, "referenceRange")) {
            ReferenceRange read = reader.referenceRange(range);
            if (read != null) {
                ranges.add(read);
            }
        }
        return new ImportedEntry(sectionOrdinal, kind, about, attr(child(statement, "statusCode"), "code"),
                "true".equals(attr(statement, "negationInd")), attr(statement, "moodCode"),
                times.isEmpty() ? null : CdaReader.period(times.get(0)), values, interpretations, ranges, details,
                reader.statementText(child(statement, "text")), statement.locator());
    }

    /** The drug, vaccine or device of a substance administration or supply; the statement code goes to details. */
    private Coded productCode(XmlElement statement, Coded statementCode, Map<String, Object> details) {
        XmlElement product = child(statement, "consumable");
        if (product == null) {
            product = child(statement, "product");
        }
        if (product == null && statement.localName().equals("supply")) {
            product = child(statement, "participant");
        }
        XmlElement manufactured = child(product, "manufacturedProduct");
        XmlElement material = manufactured == null ? path(product, "participantRole", "playingDevice") : child(manufactured, "manufacturedMaterial");
        Coded code = reader.coded(child(material, "code"));
        if (code == null) {
            return statementCode;
        }
        putIfPresent(details, "statementCode", statementCode);
        putIfPresent(details, "productName", CdaReader.text(child(material, "name")));
        putIfPresent(details, "lotNumber", CdaReader.text(child(material, "lotNumberText")));
        putIfPresent(details, "manufacturer", CdaReader.text(path(manufactured, "manufacturerOrganization", "name")));
        return code;
    }

    private static XmlElement participant(XmlElement statement, String typeCode) {
        for (XmlElement participant : children(statement, "participant")) {
            if (typeCode.equals(attr(participant, "typeCode"))) {
                return participant;
            }
        }
        return null;
    }

    private List<Party> parties(XmlElement statement, String participation, String assignedName) {
        List<Party> parties = new ArrayList<>();
        for (XmlElement element : children(statement, participation)) {
            Party party = reader.party(participation, element, child(element, assignedName));
            if (party != null) {
                parties.add(party);
            }
        }
        return parties;
    }

    /** Participants such as the service location of an encounter or the substance of an allergy. */
    private List<Map<String, Object>> participants(XmlElement statement) {
        List<Map<String, Object>> participants = new ArrayList<>();
        for (XmlElement participant : children(statement, "participant")) {
            Map<String, Object> read = new LinkedHashMap<>();
            read.put("typeCode", attr(participant, "typeCode"));
            XmlElement role = child(participant, "participantRole");
            putIfPresent(read, "code", reader.coded(child(role, "code")));
            XmlElement entity = child(role, "playingEntity");
            putIfPresent(read, "entityCode", reader.coded(child(entity, "code")));
            putIfPresent(read, "name", CdaReader.text(child(entity, "name")));
            putIfPresent(read, "addresses", nonEmpty(CdaReader.addresses(role)));
            participants.add(read);
        }
        return participants;
    }

    /** entryRelationship and component statements, recursively to a bounded depth, in a compact form. */
    private List<Map<String, Object>> related(XmlElement statement, int depth) {
        List<Map<String, Object>> related = new ArrayList<>();
        for (XmlElement relationship : children(statement)) {
            String name = relationship.localName();
            if (!name.equals("entryRelationship") && !(name.equals("component") && !statement.localName().equals("organizer"))) {
                continue;
            }
            XmlElement inner = firstStatement(relationship);
            if (inner == null) {
                continue;
            }
            Map<String, Object> read = summary(inner);
            read.put("typeCode", attr(relationship, "typeCode"));
            putIfPresent(read, "inversionInd", attr(relationship, "inversionInd"));
            if (inner.localName().equals("substanceAdministration") || inner.localName().equals("supply")) {
                XmlElement product = child(inner, "consumable") != null ? child(inner, "consumable") : child(inner, "product");
                putIfPresent(read, "product", reader.coded(path(product, "manufacturedProduct", "manufacturedMaterial", "code")));
            }
            if (depth < MAX_RELATIONSHIP_DEPTH) {
                putIfPresent(read, "related", nonEmpty(related(inner, depth + 1)));
            }
            related.add(read);
        }
        return related;
    }

    /** The common fields of a statement, for context (panel, concern) and relationships. */
    private Map<String, Object> summary(XmlElement statement) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("statement", statement.localName());
        putIfPresent(summary, "templateIds", nonEmpty(CdaReader.templateIds(statement)));
        putIfPresent(summary, "moodCode", attr(statement, "moodCode"));
        putIfPresent(summary, "negated", "true".equals(attr(statement, "negationInd")) ? Boolean.TRUE : null);
        putIfPresent(summary, "code", reader.coded(child(statement, "code")));
        putIfPresent(summary, "status", attr(child(statement, "statusCode"), "code"));
        putIfPresent(summary, "effective", CdaReader.period(child(statement, "effectiveTime")));
        List<ObservedValue> values = new ArrayList<>();
        for (XmlElement value : children(statement, "value")) {
            values.add(reader.observedValue(value));
        }
        putIfPresent(summary, "values", nonEmpty(values));
        putIfPresent(summary, "text", reader.statementText(child(statement, "text")));
        putIfPresent(summary, "locator", statement.locator());
        return summary;
    }

    private static XmlElement firstStatement(XmlElement container) {
        for (XmlElement child : children(container)) {
            if (STATEMENTS.contains(child.localName())) {
                return child;
            }
        }
        return null;
    }

    private static <T> List<T> nonEmpty(List<T> list) {
        return list == null || list.isEmpty() ? null : list;
    }

    /** Adds a value unless it is absent or says nothing (an empty element such as {@code <targetSiteCode/>}). */
    private static void putIfPresent(Map<String, Object> map, String key, Object value) {
        if (value != null && !(value instanceof Coded coded && coded.isEmpty())) {
            map.put(key, value);
        }
    }
}
