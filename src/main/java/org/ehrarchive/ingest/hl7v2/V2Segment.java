package org.ehrarchive.ingest.hl7v2;

import java.util.ArrayList;
import java.util.List;

import org.ehrarchive.record.Coded;
import org.ehrarchive.record.ContactPoint;
import org.ehrarchive.record.Hl7Time;
import org.ehrarchive.record.Identifier;
import org.ehrarchive.record.Party;
import org.ehrarchive.record.PersonName;
import org.ehrarchive.record.PostalAddress;
import org.ehrarchive.record.TimeValue;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.GenericSegment;
import ca.uhn.hl7v2.model.Type;
import ca.uhn.hl7v2.util.Terser;

/**
 * One segment of a message as HAPI parsed it (generic structure: every field, component and repetition as sent,
 * escapes decoded), with its place in the message, and readers for the HL7 v2 data types the mapping needs (CX, XPN,
 * XAD, XTN, XCN, CE/CWE, TS/DTM). Field numbers are the standard's (PID-3 is {@code get(3)}); a field that is absent
 * reads as null, never as an error.
 */
final class V2Segment {

    private final GenericSegment segment;
    /** The segment's text as sent (decoded, without its terminator). */
    final String text;
    /** Its position among all segments of the message, from 1. */
    final int position;
    /** Its position among the segments of its name, from 1 ({@code OBX[2]} is the second OBX). */
    final int occurrence;

    V2Segment(GenericSegment segment, String text, int position, int occurrence) {
        this.segment = segment;
        this.text = text;
        this.position = position;
        this.occurrence = occurrence;
    }

    String name() {
        return segment.getName();
    }

    /** Where the segment is in the original: {@code /message[3]/OBX[2]}. */
    String locator(String message) {
        return message + "/" + name() + "[" + occurrence + "]";
    }

    /** How many repetitions the field holds. */
    int repetitions(int field) {
        if (field > segment.numFields()) {
            return 0;
        }
        try {
            return segment.getField(field).length;
        } catch (HL7Exception e) {
            return 0;
        }
    }

    /** The field's first component of its first repetition. */
    String get(int field) {
        return get(field, 0, 1, 1);
    }

    /** The field's given component of its first repetition. */
    String get(int field, int component) {
        return get(field, 0, component, 1);
    }

    /** One value: repetition from 0, component and subcomponent from 1; null when absent or empty. */
    String get(int field, int repetition, int component, int subcomponent) {
        if (field > segment.numFields()) {
            return null;
        }
        try {
            // the field's repetitions fetched once (Terser.get would fetch them again); never past the last one, which
            // HAPI would add to the segment
            Type[] repetitions = segment.getField(field);
            if (repetition >= repetitions.length) {
                return null;
            }
            String value = Terser.getPrimitive(repetitions[repetition], component, subcomponent).getValue();
            return value == null || value.isBlank() ? null : formatted(value.strip());
        } catch (HL7Exception e) {
            return null;
        }
    }

    /** Formatted text (FT, TX) line breaks ({@code \.br\}) as line breaks; other formatting commands as spaces. */
    private static String formatted(String value) {
        if (value.indexOf('\\') < 0) {
            return value;
        }
        return FORMATTING.matcher(value.replace("\\.br\\", "\n")).replaceAll(" ");
    }

    private static final java.util.regex.Pattern FORMATTING = java.util.regex.Pattern.compile("\\\\\\.(sp|in|ti|ce|fi|nf|sk)[^\\\\]*\\\\");

    /** The field's first repetition, every component, as one line of text (for a value of an unknown type). */
    String whole(int field, int repetition) {
        List<String> parts = new ArrayList<>();
        for (int component = 1; component <= 20; component++) {
            String value = get(field, repetition, component, 1);
            if (value != null) {
                parts.add(value);
            }
        }
        return parts.isEmpty() ? null : String.join(" ", parts);
    }

    // ---- data types ------------------------------------------------------------------------------------------------

    /** A TS/DTM/DT field (its first component: the time). */
    TimeValue time(int field) {
        String raw = get(field, 0, 1, 1);
        return raw == null ? null : Hl7Time.parse(raw, null);
    }

    /** A CE/CWE/CNE (or a bare ID/IS code) field's repetition: code, text, system; the alternate code as a translation. */
    Coded coded(int field, int repetition) {
        String code = get(field, repetition, 1, 1);
        String text = get(field, repetition, 2, 1);
        String system = get(field, repetition, 3, 1);
        if (code == null && text == null) {
            return null;
        }
        List<Coded> translations = new ArrayList<>();
        String alternate = get(field, repetition, 4, 1);
        if (alternate != null) {
            translations.add(new Coded(alternate, null, get(field, repetition, 6, 1), get(field, repetition, 5, 1), null, null, List.of(),
                    List.of()));
        }
        String original = get(field, repetition, 9, 1);
        return new Coded(code, null, system, text, original, null, translations, List.of());
    }

    Coded coded(int field) {
        return coded(field, 0);
    }

    /**
     * A CX identifier: ID, and as its system the assigning authority's universal id (CX-4.2, an OID when CX-4.3 says
     * ISO, which is how C-CDA names the same authority), else its namespace; the authority's name and the identifier type
     * (MR, SS...) as the authority label.
     */
    Identifier identifier(int field, int repetition) {
        String value = get(field, repetition, 1, 1);
        if (value == null) {
            return null;
        }
        String namespace = get(field, repetition, 4, 1);
        String universal = get(field, repetition, 4, 2);
        String type = get(field, repetition, 5, 1);
        String system = universal != null ? universal : namespace;
        String authority = namespace == null ? type : type == null ? namespace : namespace + " " + type;
        return new Identifier(system, value, authority, null);
    }

    /** An EI entity identifier (order numbers, document numbers): ID^namespace^universal ID. */
    Identifier entityIdentifier(int field, int repetition) {
        String value = get(field, repetition, 1, 1);
        if (value == null) {
            return null;
        }
        String namespace = get(field, repetition, 2, 1);
        String universal = get(field, repetition, 3, 1);
        return new Identifier(universal != null ? universal : namespace, value, namespace, null);
    }

    /** An XPN name: family^given^middle^suffix^prefix^degree^type. */
    PersonName personName(int field, int repetition) {
        return name(field, repetition, 1);
    }

    /** An XCN person (ID^family^given^middle^suffix^prefix^degree...) as a party with the given role. */
    Party person(int field, int repetition, String role) {
        String id = get(field, repetition, 1, 1);
        PersonName name = name(field, repetition, 2);
        if (id == null && name == null) {
            return null;
        }
        List<Identifier> ids = id == null ? List.of() : List.of(new Identifier(get(field, repetition, 9, 1), id, get(field, repetition, 9, 1), null));
        return new Party(role, ids, name, null, null, null, List.of(), List.of());
    }

    private PersonName name(int field, int repetition, int first) {
        String family = get(field, repetition, first, 1);
        String given = get(field, repetition, first + 1, 1);
        String middle = get(field, repetition, first + 2, 1);
        String suffix = get(field, repetition, first + 3, 1);
        String prefix = get(field, repetition, first + 4, 1);
        if (family == null && given == null) {
            return null;
        }
        List<String> givens = new ArrayList<>();
        if (given != null) {
            givens.add(given);
        }
        if (middle != null) {
            givens.add(middle);
        }
        String type = first == 1 ? get(field, repetition, 7, 1) : get(field, repetition, first + 7, 1);
        return new PersonName(type, prefix == null ? List.of() : List.of(prefix), givens, family == null ? List.of() : List.of(family),
                suffix == null ? List.of() : List.of(suffix), null, null, null);
    }

    /** An XAD address: street^other^city^state^zip^country^type^other geographic^county. */
    PostalAddress address(int field, int repetition) {
        List<String> lines = new ArrayList<>();
        String street = get(field, repetition, 1, 1);
        String other = get(field, repetition, 2, 1);
        if (street != null) {
            lines.add(street);
        }
        if (other != null) {
            lines.add(other);
        }
        String city = get(field, repetition, 3, 1);
        String state = get(field, repetition, 4, 1);
        String zip = get(field, repetition, 5, 1);
        String country = get(field, repetition, 6, 1);
        if (lines.isEmpty() && city == null && state == null && zip == null && country == null) {
            return null;
        }
        return new PostalAddress(get(field, repetition, 7, 1), lines, city, state, zip, country, get(field, repetition, 9, 1), null, null,
                null);
    }

    /** An XTN telecom: the number as sent (XTN-1), else built from its parts, else the e-mail address; XTN-2 as its use. */
    ContactPoint telecom(int field, int repetition) {
        String value = get(field, repetition, 1, 1);
        if (value == null) {
            String email = get(field, repetition, 4, 1);
            String area = get(field, repetition, 6, 1);
            String local = get(field, repetition, 7, 1);
            value = email != null ? "mailto:" + email : local == null ? null : (area == null ? "" : "(" + area + ") ") + local;
        }
        return value == null ? null : new ContactPoint(value, get(field, repetition, 2, 1), null);
    }
}
