package org.ehrarchive.ingest.table;

import java.nio.charset.Charset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.ehrarchive.record.EntryKind;

/**
 * A declarative description of one vendor's table dump (docs/formats/table-dumps.md, ADR 0020): its tables, how each
 * is recognised and read, its keys and joins, and how its columns map onto the normalized record. Read from YAML by
 * {@link MappingProfiles}; every column it names is checked against the files' headers before a row is read.
 */
public record MappingProfile(String name, String description, String source, Dialect defaults, List<Table> tables) {

    /** The tables in the order they are read: reference tables, then patients, then every table after what it joins. */
    public MappingProfile {
        tables = List.copyOf(tables);
    }

    public Optional<Table> table(String name) {
        return tables.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** The table that holds the patients (a valid profile has exactly one). */
    public Optional<Table> patientsTable() {
        return tables.stream().filter(t -> t.role() == Role.PATIENTS).findFirst();
    }

    /** The table whose {@code files} globs match this file name, if any (the first in reading order). */
    public Optional<Table> tableOf(String fileName) {
        return tables.stream().filter(t -> t.matches(fileName)).findFirst();
    }

    /** How a table's text is read: delimiter, quoting, header, encoding, null markers and date formats. */
    public record Dialect(char delimiter, Character quote, Character escape, boolean header, List<String> columns, Charset encoding,
            Set<String> nulls, List<DateFormat> dateFormats, boolean trim) {
    }

    /** A date or date-time pattern and the precision its values have ({@code DAY}, {@code SECOND}...). */
    public record DateFormat(String pattern, DateTimeFormatter formatter, String precision, boolean hasOffset) {
    }

    /** What a table's rows are. */
    public enum Role {
        /** One row per patient: identifiers and demographics. */
        PATIENTS,
        /** One normalized entry per row, filed under the patient the row joins. */
        ENTRY,
        /** Rows other rows point at (organizations, providers): kept as they are, lending their names to joins. */
        REFERENCE,
        /** Rows kept as they are, under the patient the row joins when it joins one. */
        RAW
    }

    /**
     * One table: its files (globs on the file name), dialect, key columns, joins and role. {@code columnsUsed} are
     * every column the mapping reads, each with the profile line that names it (the validator's unknown-column check);
     * {@code line} is where the table is declared.
     */
    public record Table(String name, int line, List<String> files, Dialect dialect, List<String> key, List<Join> joins, Role role,
            PatientMapping patients, EntryMapping entry, String referenceName, Map<String, Integer> columnsUsed) {

        public boolean matches(String fileName) {
            for (String glob : files) {
                if (Globs.matches(glob, fileName)) {
                    return true;
                }
            }
            return false;
        }

        /** The join that decides the row's patient (to the patients table), if the table has one. */
        public Optional<Join> patientJoin(MappingProfile profile) {
            String patients = profile.patientsTable().map(Table::name).orElse(null);
            return joins.stream().filter(j -> j.table().equals(patients)).findFirst();
        }

        public Optional<Join> join(String column) {
            return joins.stream().filter(j -> j.column().equals(column)).findFirst();
        }
    }

    /** {@code column -> table.targetColumn}; {@code as} names the detail that shows what the join found. */
    public record Join(String column, String table, String targetColumn, String as, int line) {
    }

    /** How a patient row maps onto identifiers and demographics. */
    public record PatientMapping(List<IdentifierColumn> identifiers, List<NameMapping> names, String birthDate, String deathDate,
            CodedField sex, CodedField maritalStatus, CodedField race, CodedField ethnicity, AddressMapping address, List<String> phones,
            List<String> emails) {
    }

    /** A column that holds an identifier, with the system (OID or URI) it belongs to and its type (MR, SS, DL...). */
    public record IdentifierColumn(String column, String system, String type) {
    }

    /** A name from its parts' columns, or from one column that holds it whole ({@code text}). */
    public record NameMapping(String use, String prefix, List<String> given, String family, String suffix, String text) {
    }

    public record AddressMapping(List<String> lines, String city, String state, String postalCode, String county, String country) {
    }

    /**
     * A code read from a column: its system is fixed, or read from {@code systemColumn} (translated through {@code systems}
     * when the file names systems its own way); {@code labels} give display names for codes the file does not describe.
     */
    public record CodedField(String column, String system, String systemColumn, Map<String, String> systems, String displayColumn,
            Map<String, String> labels) {
    }

    /** A piece of text: a column's value, a constant, or the name a join found. */
    public sealed interface TextField {
        record Column(String name) implements TextField {
        }

        record Constant(String value) implements TextField {
        }

        /** The name the row's join on {@code column} found in its reference table (else the column's value). */
        record JoinName(String column) implements TextField {
        }
    }

    /** A detail of an entry: text, a code, a nested group of details, or a list of groups (empty ones dropped). */
    public sealed interface Detail {
        record Text(TextField field) implements Detail {
        }

        record Code(CodedField field) implements Detail {
        }

        record Group(Map<String, Detail> members) implements Detail {
        }

        record Each(List<Detail> items) implements Detail {
        }
    }

    /** The entry kind: fixed, or chosen by a column's value. */
    public record KindRule(EntryKind fixed, String column, Map<String, EntryKind> values, EntryKind otherwise) {
    }

    /** The entry status: fixed, a column (translated through {@code values}), or decided by whether a column is empty. */
    public sealed interface StatusRule {
        record Constant(String value) implements StatusRule {
        }

        record FromColumn(String column, Map<String, String> values) implements StatusRule {
        }

        record IfEmpty(String column, String then, String otherwise) implements StatusRule {
        }
    }

    /** The observed value: numeric (with its unit) when {@code typeColumn} says so or, without one, when it parses as a number. */
    public record ValueMapping(String column, String unitColumn, String typeColumn, Set<String> numeric) {
    }

    public record RangeMapping(String low, String high, String unit, String text) {
    }

    /** How a row maps onto a normalized entry. */
    public record EntryMapping(KindRule kind, CodedField code, TextField display, String date, String start, String end, StatusRule status,
            ValueMapping value, RangeMapping range, CodedField interpretation, Map<String, Detail> details) {
    }
}
