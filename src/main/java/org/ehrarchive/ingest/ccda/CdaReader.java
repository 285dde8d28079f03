package org.ehrarchive.ingest.ccda;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.ehrarchive.record.Coded;
import org.ehrarchive.record.ContactPoint;
import org.ehrarchive.record.Hl7Time;
import org.ehrarchive.record.Identifier;
import org.ehrarchive.record.ObservedValue;
import org.ehrarchive.record.Party;
import org.ehrarchive.record.PersonName;
import org.ehrarchive.record.PostalAddress;
import org.ehrarchive.record.Quantity;
import org.ehrarchive.record.ReferenceRange;
import org.ehrarchive.record.TimePeriod;
import org.ehrarchive.record.TimeValue;

/**
 * Reads HL7 v3 data types (CD, TS, IVL_TS, PQ, II, PN, AD, TEL...) of one CDA document into the normalized
 * value types, keeping what the source gave: codes with their systems and original text, times with their
 * precision and zone, quantities as text with their unit.
 * <p>
 * Original text given as a {@code <reference value="#id"/>} into the section narrative is resolved to that
 * narrative text, which is what a reader of the source document saw.
 */
final class CdaReader {


    /** Text by the {@code ID} of its element, in the whole document (references point into narratives). */
    private final Map<String, String> textById;

    CdaReader(Map<String, String> textById) {
        this.textById = textById;
    }

    // ---- navigation -------------------------------------------------------------------------------------

    /** First child element with this local name, or null. */
    static XmlElement child(XmlElement parent, String localName) {
        if (parent == null) {
            return null;
        }
        for (Object node : parent.nodes()) {
            if (node instanceof XmlElement element && localName.equals(element.localName())) {
                return element;
            }
        }
        return null;
    }

    /** Child elements with this local name, in document order. */
    static List<XmlElement> children(XmlElement parent, String localName) {
        List<XmlElement> found = new ArrayList<>();
        if (parent == null) {
            return found;
        }
        for (Object node : parent.nodes()) {
            if (node instanceof XmlElement element && localName.equals(element.localName())) {
                found.add(element);
            }
        }
        return found;
    }

    /** All child elements. */
    static List<XmlElement> children(XmlElement parent) {
        return parent == null ? new ArrayList<>() : parent.elements();
    }

    /** Follows a path of child names ({@code "consumable", "manufacturedProduct", ...}); null when any step is missing. */
    static XmlElement path(XmlElement from, String... names) {
        XmlElement current = from;
        for (String name : names) {
            current = child(current, name);
            if (current == null) {
                return null;
            }
        }
        return current;
    }

    /** An attribute's value (no namespace), or null when absent or empty. */
    static String attr(XmlElement element, String name) {
        if (element == null) {
            return null;
        }
        String value = element.attribute(name);
        return value == null || value.isEmpty() ? null : value;
    }

    /** The {@code xsi:type} of an element, without its prefix (PQ, CD, IVL_TS...). */
    static String xsiType(XmlElement element) {
        String type = element.attribute(HardenedXml.XSI_NS, "type");
        if (type == null || type.isEmpty()) {
            return null;
        }
        int colon = type.indexOf(':');
        return colon < 0 ? type : type.substring(colon + 1);
    }

    static List<String> templateIds(XmlElement element) {
        List<String> ids = new ArrayList<>();
        for (XmlElement templateId : children(element, "templateId")) {
            String root = attr(templateId, "root");
            if (root != null) {
                String extension = attr(templateId, "extension");
                ids.add(extension == null ? root : root + ":" + extension);
            }
        }
        return ids;
    }

    /** Text content with runs of white space folded, or null when there is none. */
    static String text(XmlElement element) {
        if (element == null) {
            return null;
        }
        String folded = fold(element.textContent());
        return folded.isEmpty() ? null : folded;
    }

    /** Folds every run of white space into one space and trims the ends (as {@code \\s+} to {@code " "}, then trim). */
    static String fold(String text) {
        int length = text.length();
        boolean clean = length > 0 && !isSpace(text.charAt(0)) && !isSpace(text.charAt(length - 1));
        for (int i = 0; clean && i < length; i++) {
            char c = text.charAt(i);
            // the last character is no space, so i + 1 is in range whenever c is one
            if (isSpace(c) && (c != ' ' || isSpace(text.charAt(i + 1)))) {
                clean = false;
            }
        }
        if (clean) {
            return text;
        }
        StringBuilder out = new StringBuilder(length);
        boolean pendingSpace = false;
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (isSpace(c)) {
                pendingSpace = true;
            } else {
                if (pendingSpace && out.length() > 0) {
                    out.append(' ');
                }
                pendingSpace = false;
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\u000B';
    }

    // ---- data types -------------------------------------------------------------------------------------

    /** CD / CE / CV / CS and their translations and qualifiers; null when the element is absent. */
    Coded coded(XmlElement element) {
        if (element == null) {
            return null;
        }
        List<Coded> translations = new ArrayList<>();
        for (XmlElement translation : children(element, "translation")) {
            translations.add(coded(translation));
        }
        List<Coded> qualifiers = new ArrayList<>();
        for (XmlElement qualifier : children(element, "qualifier")) {
            Coded name = coded(child(qualifier, "name"));
            Coded value = coded(child(qualifier, "value"));
            qualifiers.add(new Coded(value == null ? null : value.code(), value == null ? null : value.codeSystem(),
                    value == null ? null : value.codeSystemName(), value == null ? null : value.displayName(),
                    name == null ? null : name.label(), null, List.of(), List.of()));
        }
        String originalText = originalText(child(element, "originalText"));
        return new Coded(attr(element, "code"), attr(element, "codeSystem"), attr(element, "codeSystemName"),
                attr(element, "displayName"), originalText, attr(element, "nullFlavor"), translations, qualifiers);
    }

    /** Original text, either inline or by reference into the narrative. */
    String originalText(XmlElement originalText) {
        if (originalText == null) {
            return null;
        }
        String inline = text(originalText);
        XmlElement reference = child(originalText, "reference");
        String referenced = referencedText(reference);
        if (referenced != null && (inline == null || inline.isBlank())) {
            return referenced;
        }
        return inline;
    }

    /** The text of the narrative element with this {@code ID}, or null. */
    String narrativeText(String id) {
        return textById.get(id);
    }

    /** The narrative text a {@code <reference value="#id"/>} points at. */
    String referencedText(XmlElement reference) {
        String target = attr(reference, "value");
        if (target == null || !target.startsWith("#")) {
            return null;
        }
        return textById.get(target.substring(1));
    }

    /** An entry's {@code <text>}: inline text, else the narrative it references. */
    String statementText(XmlElement textElement) {
        if (textElement == null) {
            return null;
        }
        XmlElement reference = child(textElement, "reference");
        String referenced = referencedText(reference);
        String inline = text(textElement);
        return referenced != null && (inline == null || inline.isBlank()) ? referenced : inline;
    }

    /** TS: a point in time with its precision and zone. */
    static TimeValue time(XmlElement element) {
        if (element == null) {
            return null;
        }
        String raw = attr(element, "value");
        String nullFlavor = attr(element, "nullFlavor");
        if (raw == null) {
            return nullFlavor == null ? null : new TimeValue(null, null, null, null, nullFlavor);
        }
        return Hl7Time.parse(raw.trim(), nullFlavor);
    }

    /** An RTO such as maxDoseQuantity as text: {@code 4 {tbl} / 1 d}. */
    static String ratioText(XmlElement ratio) {
        if (ratio == null) {
            return null;
        }
        Quantity numerator = quantity(child(ratio, "numerator"));
        Quantity denominator = quantity(child(ratio, "denominator"));
        if (numerator == null && denominator == null) {
            return text(ratio);
        }
        return quantityText(numerator) + " / " + quantityText(denominator);
    }

    private static String quantityText(Quantity quantity) {
        if (quantity == null) {
            return "?";
        }
        return quantity.unit() == null ? String.valueOf(quantity.value()) : quantity.value() + " " + quantity.unit();
    }

    /** IVL_TS / TS / PIVL_TS: a point, an interval, or (for periods the model does not parse) text. */
    static TimePeriod period(XmlElement element) {
        if (element == null) {
            return null;
        }
        String type = xsiType(element);
        if (type != null && (type.startsWith("PIVL") || type.startsWith("EIVL") || type.equals("SXPR_TS"))) {
            return new TimePeriod(null, null, null, describePeriodic(element));
        }
        TimeValue value = attr(element, "value") != null || (attr(element, "nullFlavor") != null && !element.hasChildNodes())
                ? time(element) : null;
        TimeValue low = time(child(element, "low"));
        TimeValue high = time(child(element, "high"));
        TimeValue center = time(child(element, "center"));
        if (value == null && center != null) {
            value = center;
        }
        if (value == null && low == null && high == null) {
            return null;
        }
        return new TimePeriod(value, low, high, null);
    }

    /** A frequency such as {@code every 6 h (institution specified)} from PIVL_TS / EIVL_TS. */
    static String describePeriodic(XmlElement element) {
        String type = xsiType(element);
        StringBuilder text = new StringBuilder(type == null ? "periodic" : type);
        XmlElement period = child(element, "period");
        if (period != null) {
            text.append(" every ").append(attr(period, "value")).append(' ').append(attr(period, "unit"));
        }
        XmlElement event = child(element, "event");
        if (event != null) {
            text.append(" event ").append(attr(event, "code"));
        }
        XmlElement phase = child(element, "phase");
        if (phase != null) {
            text.append(" phase ").append(java.util.Objects.toString(attr(phase, "value"), ""));
        }
        if ("true".equals(attr(element, "institutionSpecified"))) {
            text.append(" (institution specified)");
        }
        if (attr(element, "operator") != null) {
            text.append(" operator ").append(attr(element, "operator"));
        }
        return text.toString();
    }

    /** PQ (value + unit as given). */
    static Quantity quantity(XmlElement element) {
        if (element == null) {
            return null;
        }
        String value = attr(element, "value");
        String unit = attr(element, "unit");
        if (value == null && unit == null) {
            return null;
        }
        return new Quantity(value, unit, null);
    }

    /** Any {@code <value>} of an observation, by its xsi:type. */
    ObservedValue observedValue(XmlElement element) {
        if (element == null) {
            return null;
        }
        String type = xsiType(element);
        String nullFlavor = attr(element, "nullFlavor");
        if (type == null) {
            type = attr(element, "code") != null || attr(element, "codeSystem") != null ? "CD" : "ANY";
        }
        switch (type) {
            case "PQ", "INT", "REAL", "MO" -> {
                return new ObservedValue(type, new Quantity(attr(element, "value"), attr(element, "unit") != null
                        ? attr(element, "unit") : attr(element, "currency"), null), null, null, null, null, nullFlavor);
            }
            case "IVL_PQ", "IVL_INT", "IVL_REAL", "URG_PQ" -> {
                Quantity low = quantity(child(element, "low"));
                Quantity high = quantity(child(element, "high"));
                boolean lowOpen = "false".equals(attr(child(element, "low"), "inclusive"));
                boolean highOpen = "false".equals(attr(child(element, "high"), "inclusive"));
                if (low != null && lowOpen) {
                    low = new Quantity(low.value(), low.unit(), ">");
                }
                if (high != null && highOpen) {
                    high = new Quantity(high.value(), high.unit(), "<");
                }
                return new ObservedValue(type, null, low, high, null, text(element), nullFlavor);
            }
            case "CD", "CE", "CV", "CO", "CS" -> {
                return new ObservedValue(type, null, null, null, coded(element), null, nullFlavor);
            }
            case "BL" -> {
                return new ObservedValue(type, null, null, null, null, attr(element, "value"), nullFlavor);
            }
            case "TS", "IVL_TS" -> {
                TimePeriod period = period(element);
                TimeValue point = period == null ? null : period.sortKey();
                return new ObservedValue(type, null, null, null, null, point == null ? null : point.raw(), nullFlavor);
            }
            case "RTO", "RTO_PQ_PQ", "RTO_INT_INT" -> {
                // A ratio keeps numerator and denominator in low and high (see ObservedValue), and reads as text.
                return new ObservedValue(type, null, quantity(child(element, "numerator")), quantity(child(element, "denominator")),
                        null, ratioText(element), nullFlavor);
            }
            default -> {
                // ST, ED, ANY and others: the text is the value; a reference resolves to the narrative.
                String text = text(element);
                XmlElement reference = child(element, "reference");
                if ((text == null || text.isBlank()) && reference != null) {
                    text = referencedText(reference);
                }
                return new ObservedValue(type, null, null, null, null, text, nullFlavor);
            }
        }
    }

    ReferenceRange referenceRange(XmlElement referenceRange) {
        XmlElement range = child(referenceRange, "observationRange");
        if (range == null) {
            return null;
        }
        return new ReferenceRange(observedValue(child(range, "value")), coded(child(range, "interpretationCode")),
                statementText(child(range, "text")));
    }

    /** II. */
    static Identifier identifier(XmlElement id) {
        if (id == null) {
            return null;
        }
        String root = attr(id, "root");
        String extension = attr(id, "extension");
        return new Identifier(root, extension != null ? extension : root, attr(id, "assigningAuthorityName"),
                attr(id, "nullFlavor"));
    }

    static List<Identifier> identifiers(XmlElement parent) {
        List<Identifier> ids = new ArrayList<>();
        for (XmlElement id : children(parent, "id")) {
            ids.add(identifier(id));
        }
        return ids;
    }

    /** PN. */
    static PersonName name(XmlElement name) {
        if (name == null) {
            return null;
        }
        List<String> prefixes = new ArrayList<>();
        List<String> given = new ArrayList<>();
        List<String> family = new ArrayList<>();
        List<String> suffixes = new ArrayList<>();
        for (XmlElement part : children(name)) {
            String value = text(part);
            if (value == null) {
                continue;
            }
            switch (part.localName()) {
                case "prefix" -> prefixes.add(value);
                case "given" -> given.add(value);
                case "family" -> family.add(value);
                case "suffix" -> suffixes.add(value);
                default -> {
                    // validTime is read below; other parts have no place but stay in the source fragment
                }
            }
        }
        String text = null;
        if (prefixes.isEmpty() && given.isEmpty() && family.isEmpty() && suffixes.isEmpty()) {
            text = text(name);
        }
        return new PersonName(attr(name, "use"), prefixes, given, family, suffixes, text,
                period(child(name, "validTime")), attr(name, "nullFlavor"));
    }

    static List<PersonName> names(XmlElement parent) {
        List<PersonName> names = new ArrayList<>();
        for (XmlElement name : children(parent, "name")) {
            names.add(name(name));
        }
        return names;
    }

    /** AD. */
    static PostalAddress address(XmlElement addr) {
        List<String> lines = new ArrayList<>();
        for (XmlElement line : children(addr, "streetAddressLine")) {
            String value = text(line);
            if (value != null) {
                lines.add(value);
            }
        }
        String text = children(addr).isEmpty() ? text(addr) : null;
        return new PostalAddress(attr(addr, "use"), lines, text(child(addr, "city")), text(child(addr, "state")),
                text(child(addr, "postalCode")), text(child(addr, "country")), text(child(addr, "county")), text,
                period(child(addr, "useablePeriod")), attr(addr, "nullFlavor"));
    }

    static List<PostalAddress> addresses(XmlElement parent) {
        List<PostalAddress> addresses = new ArrayList<>();
        for (XmlElement addr : children(parent, "addr")) {
            addresses.add(address(addr));
        }
        return addresses;
    }

    static List<ContactPoint> telecoms(XmlElement parent) {
        List<ContactPoint> telecoms = new ArrayList<>();
        for (XmlElement telecom : children(parent, "telecom")) {
            telecoms.add(new ContactPoint(attr(telecom, "value"), attr(telecom, "use"), attr(telecom, "nullFlavor")));
        }
        return telecoms;
    }

    /**
     * A participant such as {@code author/assignedAuthor}, {@code performer/assignedEntity},
     * {@code custodian/assignedCustodian/representedCustodianOrganization}.
     */
    Party party(String role, XmlElement participation, XmlElement assigned) {
        if (assigned == null) {
            return null;
        }
        XmlElement person = firstOf(assigned, "assignedPerson", "associatedPerson", "informationRecipient", "relatedPerson");
        XmlElement organization = firstOf(assigned, "representedOrganization", "representedCustodianOrganization",
                "scopingOrganization", "serviceProviderOrganization", "receivedOrganization");
        String organizationName = organization == null ? null : text(child(organization, "name"));
        if (organizationName == null && "representedCustodianOrganization".equals(assigned.localName())) {
            organizationName = text(child(assigned, "name"));
        }
        XmlElement device = child(assigned, "assignedAuthoringDevice");
        if (organizationName == null && device != null) {
            organizationName = text(child(device, "softwareName"));
        }
        return new Party(role, identifiers(assigned), person == null ? null : name(child(person, "name")), organizationName,
                coded(child(assigned, "code")), time(child(participation, "time")), addresses(assigned), telecoms(assigned));
    }

    private static XmlElement firstOf(XmlElement parent, String... names) {
        for (String name : names) {
            XmlElement found = child(parent, name);
            if (found != null) {
                return found;
            }
        }
        return null;
    }
}
