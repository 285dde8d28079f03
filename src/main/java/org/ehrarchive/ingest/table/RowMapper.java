package org.ehrarchive.ingest.table;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.ehrarchive.ingest.ImportedDocument;
import org.ehrarchive.ingest.ImportedEntry;
import org.ehrarchive.ingest.ImportedPatient;
import org.ehrarchive.ingest.table.MappingProfile.CodedField;
import org.ehrarchive.ingest.table.MappingProfile.Detail;
import org.ehrarchive.ingest.table.MappingProfile.EntryMapping;
import org.ehrarchive.ingest.table.MappingProfile.IdentifierColumn;
import org.ehrarchive.ingest.table.MappingProfile.Join;
import org.ehrarchive.ingest.table.MappingProfile.NameMapping;
import org.ehrarchive.ingest.table.MappingProfile.PatientMapping;
import org.ehrarchive.ingest.table.MappingProfile.StatusRule;
import org.ehrarchive.ingest.table.MappingProfile.Table;
import org.ehrarchive.ingest.table.MappingProfile.TextField;
import org.ehrarchive.record.Coded;
import org.ehrarchive.record.ContactPoint;
import org.ehrarchive.record.EntryKind;
import org.ehrarchive.record.Identifier;
import org.ehrarchive.record.ObservedValue;
import org.ehrarchive.record.PersonName;
import org.ehrarchive.record.PostalAddress;
import org.ehrarchive.record.Quantity;
import org.ehrarchive.record.ReferenceRange;
import org.ehrarchive.record.TimePeriod;
import org.ehrarchive.record.TimeValue;

/**
 * A row's values onto the normalized record, as its table's mapping says. Columns the mapping does not read stay with
 * the entry (its {@code columns} detail), so nothing a vendor exported is dropped.
 */
final class RowMapper {

    /** The system under which a table row's key is the patient document's id. */
    static final String ROW_SYSTEM = "urn:ehr-archive:table-row";

    /** A row the mapping cannot read (a date in no known format); {@code kind} names the problem for counting. */
    static final class UnmappableException extends Exception {
        private final String kind;

        UnmappableException(String kind, String message) {
            super(message, null, false, false);
            this.kind = kind;
        }

        String kind() {
            return kind;
        }
    }

    /** A patient row read: the patient document's header, the patient, and what the reading should say. */
    record PatientRow(ImportedDocument document, ImportedPatient patient, List<String> warnings) {
    }

    private static final Map<String, String> IDENTIFIER_TYPES = Map.of("MR", "Medical record number", "SS", "Social Security number", "DL",
            "Driver's license number", "PPN", "Passport number", "PI", "Patient internal identifier", "PT", "Patient external identifier");

    private final MappingProfile profile;
    /** Per table, the columns its mapping and joins read (the rest go into the entry's {@code columns} detail). */
    private final Map<String, Set<String>> columnsRead = new java.util.HashMap<>();

    RowMapper(MappingProfile profile) {
        this.profile = profile;
    }

    PatientRow patient(Table table, Map<String, String> values, String locator, String rowJson) {
        PatientMapping m = table.patients();
        List<String> warnings = new ArrayList<>();
        List<Identifier> identifiers = new ArrayList<>();
        for (IdentifierColumn column : m.identifiers()) {
            String value = values.get(column.column());
            if (value != null && !value.isBlank()) {
                String type = column.type() == null ? null : IDENTIFIER_TYPES.getOrDefault(column.type(), column.type());
                identifiers.add(new Identifier(column.system(), value.strip(), type, null));
            }
        }
        if (identifiers.isEmpty()) {
            warnings.add("a patient row with no identifier: it is filed as a patient of its own");
        }
        List<PersonName> names = new ArrayList<>();
        for (NameMapping name : m.names()) {
            List<String> given = new ArrayList<>();
            name.given().forEach(column -> addIfPresent(given, values.get(column)));
            List<String> family = new ArrayList<>();
            addIfPresent(family, value(values, name.family()));
            String whole = value(values, name.text());
            if (given.isEmpty() && family.isEmpty()) {
                if (whole != null) {
                    names.add(new PersonName(name.use(), List.of(), List.of(), List.of(), List.of(), whole.strip(), null, null));
                }
                continue;
            }
            List<String> prefixes = new ArrayList<>();
            addIfPresent(prefixes, value(values, name.prefix()));
            List<String> suffixes = new ArrayList<>();
            addIfPresent(suffixes, value(values, name.suffix()));
            // A name that adds nothing to one before it is no name of its own: Synthea's maiden name {given: FIRST, family: MAIDEN}
            // of a patient whose MAIDEN is empty would otherwise be a "maiden name" of the first name alone.
            if (family.isEmpty() && prefixes.isEmpty() && suffixes.isEmpty() && names.stream().anyMatch(n -> n.given().containsAll(given))) {
                continue;
            }
            names.add(new PersonName(name.use(), prefixes, given, family, suffixes, whole, null, null));
        }
        TimeValue birth = demographicDate(values, m.birthDate(), table, "birth date", warnings);
        TimeValue death = demographicDate(values, m.deathDate(), table, "death date", warnings);
        List<PostalAddress> addresses = new ArrayList<>();
        if (m.address() != null) {
            List<String> lines = new ArrayList<>();
            m.address().lines().forEach(column -> addIfPresent(lines, values.get(column)));
            PostalAddress address = new PostalAddress(null, lines, value(values, m.address().city()), value(values, m.address().state()),
                    value(values, m.address().postalCode()), value(values, m.address().country()), value(values, m.address().county()), null, null, null);
            if (!lines.isEmpty() || address.city() != null || address.postalCode() != null || address.state() != null) {
                addresses.add(address);
            }
        }
        List<ContactPoint> telecoms = new ArrayList<>();
        m.phones().forEach(column -> {
            String phone = values.get(column);
            if (phone != null) {
                telecoms.add(new ContactPoint("tel:" + phone.strip(), null, null));
            }
        });
        m.emails().forEach(column -> {
            String email = values.get(column);
            if (email != null) {
                telecoms.add(new ContactPoint("mailto:" + email.strip(), null, null));
            }
        });
        ImportedPatient patient = new ImportedPatient(locator, identifiers, names, birth, coded(m.sex(), values), addresses, telecoms,
                death != null ? Boolean.TRUE : null, death, coded(m.maritalStatus(), values), codedList(m.race(), values),
                codedList(m.ethnicity(), values), List.of(), rowJson);
        String key = table.key().isEmpty() || table.key().stream().anyMatch(column -> values.get(column) == null) ? null
                : String.join("|", table.key().stream().map(values::get).toList());
        ImportedDocument document = new ImportedDocument(locator, key == null ? null : new Identifier(ROW_SYSTEM, table.name() + "/" + key, null, null),
                null, null, new Coded(table.name(), "urn:ehr-archive:table", "table", "Table dump row", null, null, List.of(), List.of()),
                "Table dump: " + table.name() + " row (profile " + profile.name() + ")", null, null, null, List.of(), List.of(), null, rowJson);
        return new PatientRow(document, patient, warnings);
    }

    private TimeValue demographicDate(Map<String, String> values, String column, Table table, String what, List<String> warnings) {
        String raw = value(values, column);
        if (raw == null) {
            return null;
        }
        TimeValue time = TableValues.time(raw.strip(), table.dialect().dateFormats());
        if (time == null) {
            warnings.add("a patient's " + what + " (column " + column + ") matches none of the profile's date formats: kept as written");
            return new TimeValue(raw, null, null, null, null);
        }
        return time;
    }

    /** The row as an entry; {@code joined} holds, by join column, the name (reference tables) or key the join found. */
    ImportedEntry entry(Table table, Map<String, String> values, Map<String, String> joined, String locator) throws UnmappableException {
        EntryMapping m = table.entry();
        EntryKind kind = kind(m, values);
        Coded code = coded(m.code(), values);
        String display = text(m.display(), values, joined);
        if (code != null && display != null && code.displayName() == null) {
            code = new Coded(code.code(), code.codeSystem(), code.codeSystemName(), display, code.originalText(), null, List.of(), List.of());
        } else if (code == null && display != null) {
            code = new Coded(null, null, null, null, display, null, List.of(), List.of());
        }
        TimePeriod effective;
        if (m.date() != null) {
            TimeValue point = date(table, values, m.date());
            effective = point == null ? null : new TimePeriod(point, null, null, null);
        } else {
            TimeValue low = date(table, values, m.start());
            TimeValue high = date(table, values, m.end());
            effective = low == null && high == null ? null : new TimePeriod(null, low, high, null);
        }
        List<ObservedValue> observed = new ArrayList<>();
        if (m.value() != null) {
            String value = values.get(m.value().column());
            if (value != null) {
                String unit = value(values, m.value().unitColumn());
                String type = value(values, m.value().typeColumn());
                boolean numeric = m.value().typeColumn() == null || m.value().numeric().isEmpty() ? TableValues.isNumber(value.strip())
                        : m.value().numeric().contains(type) && TableValues.isNumber(value.strip());
                observed.add(numeric ? new ObservedValue("PQ", new Quantity(value.strip(), unit, null), null, null, null, null, null)
                        : new ObservedValue("ST", null, null, null, null, unit == null ? value : value + " " + unit, null));
            }
        }
        List<ReferenceRange> ranges = new ArrayList<>();
        if (m.range() != null) {
            String unit = value(values, m.range().unit());
            String low = value(values, m.range().low());
            String high = value(values, m.range().high());
            String text = value(values, m.range().text());
            if (low != null || high != null || text != null) {
                ranges.add(new ReferenceRange(new ObservedValue("IVL_PQ", null, low == null ? null : new Quantity(low, unit, null),
                        high == null ? null : new Quantity(high, unit, null), null, null, null), null, text));
            }
        }
        List<Coded> interpretations = new ArrayList<>();
        Coded interpretation = coded(m.interpretation(), values);
        if (interpretation != null) {
            interpretations.add(interpretation);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        for (Map.Entry<String, Detail> detail : m.details().entrySet()) {
            Object value = detail(detail.getValue(), values, joined);
            if (value != null) {
                details.put(detail.getKey(), value);
            }
        }
        for (Join join : table.joins()) {
            String found = joined.get(join.column());
            if (found != null && !details.containsKey(join.as()) && profile.table(join.table()).map(t -> t.role() != MappingProfile.Role.PATIENTS).orElse(false)) {
                details.put(join.as(), found);
            }
        }
        Map<String, String> unmapped = new LinkedHashMap<>();
        Set<String> read = columnsRead.computeIfAbsent(table.name(), t -> {
            // A join's own value stays in "columns" (the detail shows what it found, a name, or nothing when broken); only
            // the patients join, which the chart is the chart of, is left out.
            Set<String> columns = new HashSet<>(table.columnsUsed().keySet());
            table.joins().forEach(j -> columns.remove(j.column()));
            table.patientJoin(profile).ifPresent(j -> columns.add(j.column()));
            return columns;
        });
        values.forEach((column, value) -> {
            if (value != null && !read.contains(column)) {
                unmapped.put(column, value);
            }
        });
        if (!unmapped.isEmpty()) {
            details.put("columns", unmapped);
        }
        details.put("table", table.name());
        return new ImportedEntry(null, kind, code, status(m.status(), values), false, "EVN", effective, observed, interpretations, ranges, details, null,
                locator);
    }

    private EntryKind kind(EntryMapping m, Map<String, String> values) throws UnmappableException {
        if (m.kind().fixed() != null) {
            return m.kind().fixed();
        }
        String value = values.get(m.kind().column());
        EntryKind kind = value == null ? null : m.kind().values().get(value);
        if (kind != null) {
            return kind;
        }
        if (m.kind().otherwise() != null) {
            return m.kind().otherwise();
        }
        throw new UnmappableException("kind", "column " + m.kind().column() + " holds a value the profile's kind rule does not list (and it has no otherwise:)");
    }

    private static TimeValue date(Table table, Map<String, String> values, String column) throws UnmappableException {
        String raw = value(values, column);
        if (raw == null) {
            return null;
        }
        TimeValue time = TableValues.time(raw.strip(), table.dialect().dateFormats());
        if (time == null) {
            throw new UnmappableException("date", "column " + column + " matches none of the date formats "
                    + String.join(", ", table.dialect().dateFormats().stream().map(MappingProfile.DateFormat::pattern).toList()));
        }
        return time;
    }

    private static String status(StatusRule rule, Map<String, String> values) {
        if (rule == null) {
            return null;
        }
        if (rule instanceof StatusRule.Constant constant) {
            return constant.value();
        }
        if (rule instanceof StatusRule.IfEmpty ifEmpty) {
            return value(values, ifEmpty.column()) == null ? ifEmpty.then() : ifEmpty.otherwise();
        }
        StatusRule.FromColumn column = (StatusRule.FromColumn) rule;
        String value = value(values, column.column());
        return value == null ? null : column.values().getOrDefault(value, value);
    }

    private static Object detail(Detail detail, Map<String, String> values, Map<String, String> joined) {
        if (detail instanceof Detail.Text text) {
            return text(text.field(), values, joined);
        }
        if (detail instanceof Detail.Code code) {
            return coded(code.field(), values);
        }
        if (detail instanceof Detail.Group group) {
            Map<String, Object> members = new LinkedHashMap<>();
            group.members().forEach((name, member) -> {
                Object value = detail(member, values, joined);
                if (value != null) {
                    members.put(name, value);
                }
            });
            return members.isEmpty() ? null : members;
        }
        List<Object> items = new ArrayList<>();
        for (Detail item : ((Detail.Each) detail).items()) {
            Object value = detail(item, values, joined);
            if (value != null) {
                items.add(value);
            }
        }
        return items.isEmpty() ? null : items;
    }

    private static String text(TextField field, Map<String, String> values, Map<String, String> joined) {
        if (field == null) {
            return null;
        }
        if (field instanceof TextField.Constant constant) {
            return constant.value();
        }
        if (field instanceof TextField.JoinName join) {
            return joined.getOrDefault(join.column(), value(values, join.column()));
        }
        return value(values, ((TextField.Column) field).name());
    }

    private static Coded coded(CodedField field, Map<String, String> values) {
        if (field == null) {
            return null;
        }
        String code = value(values, field.column());
        String display = value(values, field.displayColumn());
        if (code == null && display == null) {
            return null;
        }
        String system = field.system();
        if (field.systemColumn() != null) {
            String named = value(values, field.systemColumn());
            if (named != null) {
                system = field.systems().getOrDefault(named, named);
            }
        }
        if (display == null && code != null) {
            display = field.labels().get(code);
        }
        return new Coded(code == null ? null : code.strip(), system, null, display, null, null, List.of(), List.of());
    }

    private static List<Coded> codedList(CodedField field, Map<String, String> values) {
        Coded coded = coded(field, values);
        return coded == null ? List.of() : List.of(coded);
    }

    private static String value(Map<String, String> values, String column) {
        if (column == null) {
            return null;
        }
        String value = values.get(column);
        return value == null || value.isBlank() ? null : value;
    }

    private static void addIfPresent(List<String> list, String value) {
        if (value != null && !value.isBlank()) {
            list.add(value.strip());
        }
    }
}
