package org.ehrarchive.ingest.table;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.ehrarchive.ingest.table.MappingProfile.AddressMapping;
import org.ehrarchive.ingest.table.MappingProfile.CodedField;
import org.ehrarchive.ingest.table.MappingProfile.DateFormat;
import org.ehrarchive.ingest.table.MappingProfile.Detail;
import org.ehrarchive.ingest.table.MappingProfile.Dialect;
import org.ehrarchive.ingest.table.MappingProfile.EntryMapping;
import org.ehrarchive.ingest.table.MappingProfile.IdentifierColumn;
import org.ehrarchive.ingest.table.MappingProfile.Join;
import org.ehrarchive.ingest.table.MappingProfile.KindRule;
import org.ehrarchive.ingest.table.MappingProfile.NameMapping;
import org.ehrarchive.ingest.table.MappingProfile.PatientMapping;
import org.ehrarchive.ingest.table.MappingProfile.RangeMapping;
import org.ehrarchive.ingest.table.MappingProfile.Role;
import org.ehrarchive.ingest.table.MappingProfile.StatusRule;
import org.ehrarchive.ingest.table.MappingProfile.Table;
import org.ehrarchive.ingest.table.MappingProfile.TextField;
import org.ehrarchive.ingest.table.MappingProfile.ValueMapping;
import org.ehrarchive.record.EntryKind;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads mapping profiles (docs/formats/table-dumps.md): a shipped one by name ({@code archive-schemas/mappings/NAME.yaml},
 * on the class path as {@code mappings/NAME.yaml}) or a file. Every problem is reported with its line, all of them at
 * once, so that an admin mends a profile in one pass; a profile with problems is never used.
 */
public final class MappingProfiles {

    /** The profiles shipped with the archive, by name. */
    public static final List<String> SHIPPED = List.of("synthea-csv");

    /** A problem in a profile or in the dump it describes: where (file and line, 0 when it has none) and what. */
    public record Problem(String file, int line, String message) {
        @Override
        public String toString() {
            return line > 0 ? file + ":" + line + ": " + message : file + ": " + message;
        }
    }

    /**
     * A profile read: the profile when it has no problem, else the problems; {@code asRead} is what could be read of it
     * even so (null when the YAML itself is broken), so that {@code profile validate} can still check the dump's headers.
     */
    public record Loaded(Optional<MappingProfile> profile, List<Problem> problems, MappingProfile asRead) {
        public MappingProfile orElseThrow() {
            return profile.orElseThrow(() -> new InvalidProfileException(problems));
        }
    }

    /** A profile that cannot be used, with every problem it has. */
    public static final class InvalidProfileException extends IllegalArgumentException {
        private final List<Problem> problems;

        public InvalidProfileException(List<Problem> problems) {
            super(problems.size() == 1 ? problems.get(0).toString() : problems.size() + " problems, the first: " + problems.get(0));
            this.problems = List.copyOf(problems);
        }

        public List<Problem> problems() {
            return problems;
        }
    }

    /** A shipped profile's name, or a path to a profile file: {@code ingest --profile NAME|FILE}. */
    public static Loaded named(String nameOrFile) {
        if (SHIPPED.contains(nameOrFile)) {
            return shipped(nameOrFile);
        }
        Path file = Path.of(nameOrFile);
        if (!Files.isRegularFile(file)) {
            return new Loaded(Optional.empty(), List.of(new Problem(nameOrFile, 0,
                    "no such profile: neither a shipped profile (" + String.join(", ", SHIPPED) + ") nor a file")), null);
        }
        return file(file);
    }

    public static Loaded shipped(String name) {
        try (InputStream in = MappingProfiles.class.getResourceAsStream("/mappings/" + name + ".yaml")) {
            if (in == null) {
                throw new IllegalStateException("shipped profile missing from the jar: " + name);
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), name + ".yaml");
        } catch (IOException e) {
            throw new IllegalStateException("shipped profile unreadable: " + name, e);
        }
    }

    public static Loaded file(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        } catch (IOException e) {
            return new Loaded(Optional.empty(), List.of(new Problem(file.toString(), 0, "cannot be read (" + e.getClass().getSimpleName() + ")")), null);
        } catch (RuntimeException e) {
            return new Loaded(Optional.empty(), List.of(new Problem(file.toString(), 0, "is not UTF-8 text")), null);
        }
    }

    /** Reads a profile from its YAML text; {@code source} names it in problems. */
    public static Loaded parse(String yaml, String source) {
        Parser parser = new Parser(source);
        MappingProfile profile = parser.profile(yaml);
        return parser.problems.isEmpty() && profile != null ? new Loaded(Optional.of(profile), List.of(), profile)
                : new Loaded(Optional.empty(), List.copyOf(parser.problems), profile);
    }

    private static final Set<String> TOP = Set.of("profile", "description", "defaults", "tables");
    private static final Set<String> DIALECT = Set.of("delimiter", "quote", "escape", "header", "columns", "encoding", "nulls", "date-formats", "trim");
    private static final Set<String> TABLE;
    private static final Set<String> ROLES = Set.of("patients", "entry", "reference", "raw");
    private static final Set<String> PATIENT = Set.of("identifiers", "names", "birth-date", "death-date", "sex", "marital-status", "race",
            "ethnicity", "address", "phones", "emails");
    private static final Set<String> ENTRY = Set.of("kind", "code", "display", "date", "start", "end", "status", "value", "range",
            "interpretation", "details");
    private static final Set<String> CODED = Set.of("column", "system", "system-column", "systems", "display", "labels");

    static {
        Set<String> table = new HashSet<>(DIALECT);
        table.addAll(Set.of("files", "key", "joins"));
        table.addAll(ROLES);
        TABLE = Set.copyOf(table);
    }

    /** One pass over one profile's YAML tree, collecting every problem. */
    private static final class Parser {
        private final String source;
        private final List<Problem> problems = new ArrayList<>();
        /** The columns the table being read names, with the line of each (first mention). */
        private Map<String, Integer> columns;

        Parser(String source) {
            this.source = source;
        }

        void problem(Node at, String message) {
            problems.add(new Problem(source, at == null ? 0 : at.getStartMark().getLine() + 1, message));
        }

        MappingProfile profile(String yaml) {
            Node root;
            try (Reader reader = new StringReader(yaml)) {
                LoaderOptions options = new LoaderOptions();
                options.setMaxAliasesForCollections(10);
                options.setAllowRecursiveKeys(false);
                root = new Yaml(new SafeConstructor(options)).compose(reader);
            } catch (MarkedYAMLException e) {
                problems.add(new Problem(source, e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1,
                        "not valid YAML: " + e.getProblem()));
                return null;
            } catch (YAMLException | IOException e) {
                problems.add(new Problem(source, 0, "not valid YAML"));
                return null;
            }
            if (!(root instanceof MappingNode top)) {
                problems.add(new Problem(source, 1, "a profile is a mapping with profile, defaults and tables"));
                return null;
            }
            Map<String, Node> members = members(top, TOP, "the profile");
            String name = requiredScalar(members, "profile", top);
            if (name != null && !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
                problem(members.get("profile"), "profile names are letters, digits, '.', '_' and '-'");
            }
            String description = scalar(members.get("description"));
            Dialect defaults = dialect(members.get("defaults"), new Dialect(',', '"', null, true, List.of(), StandardCharsets.UTF_8, Set.of(""),
                    dateFormats(List.of("yyyy-MM-dd'T'HH:mm:ssX", "yyyy-MM-dd")), false), true);
            Node tablesNode = members.get("tables");
            if (!(tablesNode instanceof MappingNode tablesMap) || tablesMap.getValue().isEmpty()) {
                problem(tablesNode == null ? top : tablesNode, "the profile declares no tables (tables: name -> table)");
                return null;
            }
            List<Table> tables = new ArrayList<>();
            for (NodeTuple tuple : tablesMap.getValue()) {
                String tableName = scalar(tuple.getKeyNode());
                if (tableName == null || !tableName.matches("[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}")) {
                    problem(tuple.getKeyNode(), "table names are letters, digits, '_', '.' and '-'");
                    continue;
                }
                if (tables.stream().anyMatch(t -> t.name().equals(tableName))) {
                    problem(tuple.getKeyNode(), "table " + tableName + " is declared twice");
                    continue;
                }
                Table table = table(tableName, tuple.getKeyNode(), tuple.getValueNode(), defaults);
                if (table != null) {
                    tables.add(table);
                }
            }
            checkTables(tables, tablesMap);
            return name == null ? null : new MappingProfile(name, description, source, defaults, readingOrder(tables, tablesMap));
        }

        private void checkTables(List<Table> tables, Node at) {
            long patientTables = tables.stream().filter(t -> t.role() == Role.PATIENTS).count();
            if (patientTables != 1) {
                problem(at, patientTables == 0 ? "no table holds the patients (give one table a patients: mapping)"
                        : "only one table may hold the patients; " + patientTables + " do");
            }
            Map<String, Table> byName = new HashMap<>();
            tables.forEach(t -> byName.put(t.name(), t));
            for (Table table : tables) {
                for (Join join : table.joins()) {
                    Table target = byName.get(join.table());
                    if (target == null) {
                        problems.add(new Problem(source, join.line(), "table " + table.name() + " joins " + join.column() + " to table "
                                + join.table() + ", which the profile does not declare"));
                    } else if (target == table) {
                        problems.add(new Problem(source, join.line(), "table " + table.name() + " joins itself"));
                    } else if (!target.dialect().header() && !target.dialect().columns().isEmpty() // no columns at all is said on the table
                            && !target.dialect().columns().contains(join.targetColumn())) {
                        problems.add(new Problem(source, join.line(), "table " + join.table() + " declares no column " + join.targetColumn()));
                    }
                }
                boolean joinsPatients = tables.stream().anyMatch(t -> t.role() == Role.PATIENTS)
                        && table.joins().stream().anyMatch(j -> byName.containsKey(j.table()) && byName.get(j.table()).role() == Role.PATIENTS);
                boolean joinsUndeclared = table.joins().stream().anyMatch(j -> !byName.containsKey(j.table()));
                List<Join> toPatients = table.joins().stream().filter(j -> byName.containsKey(j.table()) && byName.get(j.table()).role() == Role.PATIENTS)
                        .toList();
                if (toPatients.size() > 1) {
                    problems.add(new Problem(source, toPatients.get(1).line(), "table " + table.name() + " joins the patients table twice ("
                            + String.join(", ", toPatients.stream().map(Join::column).toList()) + "): one join decides a row's patient"));
                }
                if (table.role() == Role.ENTRY && !joinsPatients && !joinsUndeclared) {
                    problems.add(new Problem(source, table.line(), "table " + table.name()
                            + " maps entries but joins no column to the patients table: its rows would have no patient"));
                }
            }
        }

        /** Every table after the tables it joins (reference tables and patients first), else in declaration order. */
        private List<Table> readingOrder(List<Table> tables, Node at) {
            List<Table> ordered = new ArrayList<>();
            Set<String> placed = new HashSet<>();
            Deque<Table> pending = new ArrayDeque<>(tables.stream().sorted(java.util.Comparator.comparingInt(t -> switch (t.role()) {
                case REFERENCE -> 0;
                case PATIENTS -> 1;
                default -> 2;
            })).toList());
            Set<String> declared = new HashSet<>(tables.stream().map(Table::name).toList());
            int stuck = 0;
            while (!pending.isEmpty()) {
                Table next = pending.poll();
                boolean ready = next.joins().stream().allMatch(j -> placed.contains(j.table()) || !declared.contains(j.table()));
                if (ready) {
                    ordered.add(next);
                    placed.add(next.name());
                    stuck = 0;
                } else {
                    pending.add(next);
                    if (++stuck > pending.size()) {
                        problem(at, "the joins of tables " + String.join(", ", pending.stream().map(Table::name).toList())
                                + " form a cycle: a table cannot be read after itself");
                        ordered.addAll(pending);
                        break;
                    }
                }
            }
            return ordered;
        }

        private Table table(String name, Node keyNode, Node node, Dialect defaults) {
            if (!(node instanceof MappingNode map)) {
                problem(node, "table " + name + " must be a mapping (files, key, joins and a role)");
                return null;
            }
            columns = new LinkedHashMap<>();
            Map<String, Node> members = members(map, TABLE, "table " + name);
            List<String> files = strings(members.get("files"));
            if (files.isEmpty()) {
                problem(members.getOrDefault("files", node), "table " + name + " names no files (files: [name.csv])");
            }
            Dialect dialect = dialect(map, defaults, false);
            List<String> key = columnList(members.get("key"));
            List<Join> joins = joins(name, members.get("joins"));
            List<String> roles = ROLES.stream().filter(members::containsKey).sorted().toList();
            if (roles.size() != 1) {
                problem(keyNode, "table " + name + " needs exactly one of patients:, entry:, reference: or raw:"
                        + (roles.isEmpty() ? "" : " (it has " + String.join(", ", roles) + ")"));
                return null;
            }
            Role role;
            PatientMapping patients = null;
            EntryMapping entry = null;
            String referenceName = null;
            switch (roles.get(0)) {
                case "patients" -> {
                    role = Role.PATIENTS;
                    patients = patients(members.get("patients"));
                    if (key.isEmpty() && patients != null && !patients.identifiers().isEmpty()) {
                        key = List.of(patients.identifiers().get(0).column());
                    }
                }
                case "entry" -> {
                    role = Role.ENTRY;
                    entry = entry(members.get("entry"));
                }
                case "reference" -> {
                    role = Role.REFERENCE;
                    Map<String, Node> reference = members(members.get("reference"), Set.of("name"), "reference");
                    referenceName = column(reference.get("name"));
                    if (referenceName == null) {
                        problem(members.get("reference"), "a reference table names the column that holds its name (reference: {name: NAME})");
                    }
                }
                default -> {
                    role = Role.RAW;
                    if (!"true".equals(scalar(members.get("raw")))) {
                        problem(members.get("raw"), "raw: takes true");
                    }
                }
            }
            if (!dialect.header() && dialect.columns().isEmpty()) {
                problem(keyNode, "table " + name + " has no header row (header: false) and declares no columns: columns: [A, B, C]");
            } else if (!dialect.header()) {
                for (Map.Entry<String, Integer> used : columns.entrySet()) {
                    if (!dialect.columns().contains(used.getKey())) {
                        problems.add(new Problem(source, used.getValue(), "table " + name + " has no header and declares no column " + used.getKey()));
                    }
                }
            }
            return new Table(name, keyNode.getStartMark().getLine() + 1, files, dialect, key, joins, role, patients, entry, referenceName,
                    Map.copyOf(columns));
        }

        private List<Join> joins(String table, Node node) {
            List<Join> joins = new ArrayList<>();
            if (node == null) {
                return joins;
            }
            if (!(node instanceof MappingNode map)) {
                problem(node, "joins: is a mapping COLUMN: table.column");
                return joins;
            }
            for (NodeTuple tuple : map.getValue()) {
                String column = column(tuple.getKeyNode());
                Node value = tuple.getValueNode();
                String to;
                String as = null;
                if (value instanceof MappingNode object) {
                    Map<String, Node> members = members(object, Set.of("to", "as"), "a join");
                    to = scalar(members.get("to"));
                    as = scalar(members.get("as"));
                } else {
                    to = scalar(value);
                }
                int dot = to == null ? -1 : to.lastIndexOf('.');
                if (column == null || dot <= 0 || dot == to.length() - 1) {
                    problem(value, "a join is COLUMN: table.column (in table " + table + ")");
                    continue;
                }
                joins.add(new Join(column, to.substring(0, dot), to.substring(dot + 1),
                        as != null ? as : column.toLowerCase(Locale.ROOT), tuple.getKeyNode().getStartMark().getLine() + 1));
            }
            return joins;
        }

        private PatientMapping patients(Node node) {
            Map<String, Node> m = members(node, PATIENT, "patients");
            List<IdentifierColumn> identifiers = new ArrayList<>();
            List<Node> identifierItems = items(m.get("identifiers"));
            for (Node item : identifierItems) {
                Map<String, Node> id = members(item, Set.of("column", "system", "type"), "an identifier");
                String column = column(id.get("column"));
                String system = scalar(id.get("system"));
                if (column == null || system == null || system.isBlank()) {
                    problem(item, "an identifier names its column and its system (an OID or a URI): {column: C, system: S}");
                    continue;
                }
                if (system.startsWith("TODO")) {
                    problem(id.get("system"), "identifier column " + column + " still has the draft's placeholder system: name its OID or URI");
                    continue;
                }
                identifiers.add(new IdentifierColumn(column, system, scalar(id.get("type"))));
            }
            if (identifierItems.isEmpty()) { // an identifier given but wrong is said at its item, once
                problem(node, "the patients table maps no identifier column: patients could not be told apart or found again");
            }
            List<NameMapping> names = new ArrayList<>();
            for (Node item : items(m.get("names"))) {
                Map<String, Node> name = members(item, Set.of("use", "prefix", "given", "family", "suffix", "text"), "a name");
                names.add(new NameMapping(scalar(name.get("use")), column(name.get("prefix")), columnList(name.get("given")), column(name.get("family")),
                        column(name.get("suffix")), column(name.get("text"))));
            }
            AddressMapping address = null;
            if (m.get("address") != null) {
                Map<String, Node> a = members(m.get("address"), Set.of("line", "city", "state", "postal-code", "county", "country"), "the address");
                address = new AddressMapping(columnList(a.get("line")), column(a.get("city")), column(a.get("state")), column(a.get("postal-code")),
                        column(a.get("county")), column(a.get("country")));
            }
            return new PatientMapping(identifiers, names, column(m.get("birth-date")), column(m.get("death-date")), coded(m.get("sex")),
                    coded(m.get("marital-status")), coded(m.get("race")), coded(m.get("ethnicity")), address, columnList(m.get("phones")),
                    columnList(m.get("emails")));
        }

        private EntryMapping entry(Node node) {
            Map<String, Node> m = members(node, ENTRY, "entry");
            KindRule kind = kind(m.get("kind"), node);
            String date = column(m.get("date"));
            String start = column(m.get("start"));
            String end = column(m.get("end"));
            if (date != null && (start != null || end != null)) {
                problem(m.get("date"), "an entry has a date (a point in time) or start and end, not both");
            }
            ValueMapping value = null;
            if (m.get("value") != null) {
                Node v = m.get("value");
                if (v instanceof ScalarNode) {
                    value = new ValueMapping(column(v), null, null, Set.of());
                } else {
                    Map<String, Node> vm = members(v, Set.of("column", "unit", "type-column", "numeric"), "the value");
                    value = new ValueMapping(column(vm.get("column")), column(vm.get("unit")), column(vm.get("type-column")),
                            new LinkedHashSet<>(strings(vm.get("numeric"))));
                    if (value.column() == null) {
                        problem(v, "the value names its column: {column: VALUE, unit: UNITS}");
                    }
                }
            }
            RangeMapping range = null;
            if (m.get("range") != null) {
                Map<String, Node> r = members(m.get("range"), Set.of("low", "high", "unit", "text"), "the range");
                range = new RangeMapping(column(r.get("low")), column(r.get("high")), column(r.get("unit")), column(r.get("text")));
            }
            Map<String, Detail> details = new LinkedHashMap<>();
            if (m.get("details") != null) {
                Detail read = detail(m.get("details"), 0);
                if (read instanceof Detail.Group group) {
                    details.putAll(group.members());
                } else {
                    problem(m.get("details"), "details: is a mapping of names to columns");
                }
            }
            return new EntryMapping(kind, coded(m.get("code")), text(m.get("display")), date, start, end, status(m.get("status")), value, range,
                    coded(m.get("interpretation")), details);
        }

        private KindRule kind(Node node, Node entry) {
            if (node == null) {
                problem(entry, "an entry names its kind (kind: RESULT, or kind: {column: C, values: {...}, otherwise: RESULT})");
                return new KindRule(EntryKind.NOTE, null, Map.of(), null);
            }
            if (node instanceof ScalarNode) {
                return new KindRule(kindOf(node), null, Map.of(), null);
            }
            Map<String, Node> m = members(node, Set.of("column", "values", "otherwise"), "the kind");
            Map<String, EntryKind> values = new LinkedHashMap<>();
            if (m.get("values") instanceof MappingNode valueMap) {
                for (NodeTuple tuple : valueMap.getValue()) {
                    values.put(scalar(tuple.getKeyNode()), kindOf(tuple.getValueNode()));
                }
            } else if (m.get("values") != null) {
                problem(m.get("values"), "values: maps a column's values to kinds ({laboratory: RESULT, vital-signs: VITAL_SIGN})");
            }
            String column = column(m.get("column"));
            if (column == null) {
                problem(node, "a kind chosen by a column names it: {column: C, values: {...}, otherwise: KIND}");
            }
            return new KindRule(null, column, values, m.get("otherwise") == null ? null : kindOf(m.get("otherwise")));
        }

        private EntryKind kindOf(Node node) {
            String name = scalar(node);
            try {
                return EntryKind.valueOf(name);
            } catch (IllegalArgumentException | NullPointerException e) {
                problem(node, "unknown entry kind " + name + " (one of " + String.join(", ", java.util.Arrays.stream(EntryKind.values())
                        .map(Enum::name).toList()) + ")");
                return EntryKind.NOTE;
            }
        }

        private StatusRule status(Node node) {
            if (node == null) {
                return null;
            }
            if (node instanceof ScalarNode) {
                return new StatusRule.FromColumn(column(node), Map.of());
            }
            Map<String, Node> m = members(node, Set.of("constant", "column", "values", "if-empty", "then", "otherwise"), "the status");
            if (m.containsKey("constant")) {
                return new StatusRule.Constant(scalar(m.get("constant")));
            }
            if (m.containsKey("if-empty")) {
                return new StatusRule.IfEmpty(column(m.get("if-empty")), scalar(m.get("then")), scalar(m.get("otherwise")));
            }
            String column = column(m.get("column"));
            if (column == null) {
                problem(node, "a status is a column, {constant: x}, {column: C, values: {...}} or {if-empty: C, then: x, otherwise: y}");
            }
            return new StatusRule.FromColumn(column, stringMap(m.get("values")));
        }

        private CodedField coded(Node node) {
            if (node == null) {
                return null;
            }
            if (node instanceof ScalarNode) {
                return new CodedField(column(node), null, null, Map.of(), null, Map.of());
            }
            Map<String, Node> m = members(node, CODED, "a code");
            String column = column(m.get("column"));
            if (column == null) {
                problem(node, "a code names its column: {column: CODE, system: S}");
            }
            return new CodedField(column, scalar(m.get("system")), column(m.get("system-column")), stringMap(m.get("systems")),
                    column(m.get("display")), stringMap(m.get("labels")));
        }

        private TextField text(Node node) {
            if (node == null) {
                return null;
            }
            if (node instanceof ScalarNode) {
                return new TextField.Column(column(node));
            }
            Map<String, Node> m = members(node, Set.of("column", "constant", "join"), "a text");
            if (m.containsKey("constant")) {
                return new TextField.Constant(scalar(m.get("constant")));
            }
            if (m.containsKey("join")) {
                return new TextField.JoinName(column(m.get("join")));
            }
            return new TextField.Column(column(m.get("column")));
        }

        private Detail detail(Node node, int depth) {
            if (depth > 8) {
                problem(node, "details nest at most 8 levels");
                return new Detail.Group(Map.of());
            }
            if (node instanceof ScalarNode) {
                return new Detail.Text(text(node));
            }
            if (node instanceof SequenceNode sequence) {
                List<Detail> items = new ArrayList<>();
                for (Node item : sequence.getValue()) {
                    items.add(detail(item, depth + 1));
                }
                return new Detail.Each(items);
            }
            MappingNode map = (MappingNode) node;
            Set<String> keys = new HashSet<>();
            map.getValue().forEach(t -> keys.add(scalar(t.getKeyNode())));
            if (keys.contains("coded")) {
                Map<String, Node> m = members(map, Set.of("coded", "system", "system-column", "systems", "display", "labels"), "a coded detail");
                return new Detail.Code(new CodedField(column(m.get("coded")), scalar(m.get("system")), column(m.get("system-column")),
                        stringMap(m.get("systems")), column(m.get("display")), stringMap(m.get("labels"))));
            }
            if (keys.contains("column") || keys.contains("constant") || keys.contains("join")) {
                return new Detail.Text(text(map));
            }
            Map<String, Detail> members = new LinkedHashMap<>();
            for (NodeTuple tuple : map.getValue()) {
                members.put(scalar(tuple.getKeyNode()), detail(tuple.getValueNode(), depth + 1));
            }
            return new Detail.Group(members);
        }

        private Dialect dialect(Node node, Dialect defaults, boolean isDefaults) {
            if (node == null) {
                return defaults;
            }
            if (!(node instanceof MappingNode map)) {
                problem(node, "defaults: is a mapping (delimiter, quote, header, encoding...)");
                return defaults;
            }
            Map<String, Node> m = rawMembers(map);
            if (isDefaults) {
                members(map, DIALECT, "defaults"); // reports unknown keys (a table's are reported with the table's)
            }
            char delimiter = m.containsKey("delimiter") ? oneChar(m.get("delimiter"), "delimiter", defaults.delimiter()) : defaults.delimiter();
            Character quote = m.containsKey("quote") ? optionalChar(m.get("quote"), "quote") : defaults.quote();
            Character escape = m.containsKey("escape") ? optionalChar(m.get("escape"), "escape") : defaults.escape();
            boolean header = m.containsKey("header") ? bool(m.get("header"), defaults.header()) : defaults.header();
            List<String> columnNames = m.containsKey("columns") ? strings(m.get("columns")) : defaults.columns();
            Charset encoding = defaults.encoding();
            if (m.containsKey("encoding")) {
                String name = scalar(m.get("encoding"));
                try {
                    encoding = Charset.forName(name);
                } catch (RuntimeException e) {
                    problem(m.get("encoding"), "unknown character encoding " + name + " (for example UTF-8, windows-1252, ISO-8859-1)");
                }
            }
            Set<String> nulls = m.containsKey("nulls") ? new LinkedHashSet<>(strings(m.get("nulls"))) : defaults.nulls();
            List<DateFormat> formats = m.containsKey("date-formats") ? dateFormats(m.get("date-formats")) : defaults.dateFormats();
            boolean trim = m.containsKey("trim") ? bool(m.get("trim"), defaults.trim()) : defaults.trim();
            if (quote != null && quote == delimiter) {
                problem(m.getOrDefault("quote", node), "the quote and the delimiter are the same character");
            }
            return new Dialect(delimiter, quote, escape, header, columnNames, encoding, Set.copyOf(nulls), formats, trim);
        }

        private List<DateFormat> dateFormats(Node node) {
            List<DateFormat> formats = new ArrayList<>();
            for (Node item : node instanceof ScalarNode ? List.of(node) : items(node)) {
                String pattern = scalar(item);
                try {
                    formats.add(TableValues.dateFormat(pattern));
                } catch (IllegalArgumentException | NullPointerException e) {
                    problem(item, "invalid date pattern " + pattern + " (java.time patterns such as yyyy-MM-dd or dd.MM.yyyy HH:mm; quote letters"
                            + " that are text, as in yyyy-MM-dd'T'HH:mm:ss)");
                }
            }
            return formats;
        }

        private static List<DateFormat> dateFormats(List<String> patterns) {
            return patterns.stream().map(TableValues::dateFormat).toList();
        }

        // ---- YAML helpers ----

        /** A mapping's members by key; unknown and repeated keys are problems. */
        private Map<String, Node> members(Node node, Set<String> known, String what) {
            if (node == null) {
                return Map.of();
            }
            if (!(node instanceof MappingNode map)) {
                problem(node, what + " must be a mapping");
                return Map.of();
            }
            Map<String, Node> members = new LinkedHashMap<>();
            for (NodeTuple tuple : map.getValue()) {
                String key = scalar(tuple.getKeyNode());
                if (key == null || !known.contains(key)) {
                    problem(tuple.getKeyNode(), "unknown key " + key + " in " + what + " (known: " + String.join(", ", known.stream().sorted().toList()) + ")");
                } else if (members.put(key, tuple.getValueNode()) != null) {
                    problem(tuple.getKeyNode(), key + " is given twice in " + what);
                }
            }
            return members;
        }

        private Map<String, Node> rawMembers(MappingNode map) {
            Map<String, Node> members = new LinkedHashMap<>();
            for (NodeTuple tuple : map.getValue()) {
                members.put(scalar(tuple.getKeyNode()), tuple.getValueNode());
            }
            return members;
        }

        private String requiredScalar(Map<String, Node> members, String key, Node at) {
            String value = scalar(members.get(key));
            if (value == null || value.isBlank()) {
                problem(members.getOrDefault(key, at), key + ": is required");
                return null;
            }
            return value;
        }

        /** A column name the mapping reads, remembered for the header check. */
        private String column(Node node) {
            String name = scalar(node);
            if (name != null && columns != null) {
                columns.putIfAbsent(name, node.getStartMark().getLine() + 1);
            }
            return name;
        }

        private List<String> columnList(Node node) {
            List<String> names = new ArrayList<>();
            if (node instanceof ScalarNode) {
                names.add(column(node));
            } else {
                for (Node item : items(node)) {
                    String name = column(item);
                    if (name != null) {
                        names.add(name);
                    }
                }
            }
            return names;
        }

        private List<Node> items(Node node) {
            if (node == null) {
                return List.of();
            }
            if (node instanceof SequenceNode sequence) {
                return sequence.getValue();
            }
            problem(node, "a list is expected here ([a, b] or one '- item' per line)");
            return List.of();
        }

        /**
         * Text values: one, or a list. A YAML null is read as the text written ({@code nulls: [NULL, ~]} means the markers
         * NULL and ~), so that an unquoted marker is not lost; a value not given at all is a problem.
         */
        private List<String> strings(Node node) {
            List<String> values = new ArrayList<>();
            for (Node item : node instanceof ScalarNode ? List.of(node) : items(node)) {
                String value = item instanceof ScalarNode scalar ? scalar.getValue() : null;
                if (value == null || (value.isEmpty() && !"tag:yaml.org,2002:str".equals(((ScalarNode) item).getTag().getValue()))) {
                    problem(item, "a text value is expected here");
                } else {
                    values.add(value);
                }
            }
            return values;
        }

        private Map<String, String> stringMap(Node node) {
            Map<String, String> values = new LinkedHashMap<>();
            if (node == null) {
                return values;
            }
            if (!(node instanceof MappingNode map)) {
                problem(node, "a mapping of values is expected here ({a: x, b: y})");
                return values;
            }
            for (NodeTuple tuple : map.getValue()) {
                values.put(scalar(tuple.getKeyNode()), scalar(tuple.getValueNode()));
            }
            return values;
        }

        private String scalar(Node node) {
            if (node == null) {
                return null;
            }
            if (node instanceof ScalarNode scalar) {
                return "tag:yaml.org,2002:null".equals(scalar.getTag().getValue()) ? null : scalar.getValue();
            }
            problem(node, "a single value is expected here");
            return null;
        }

        private boolean bool(Node node, boolean otherwise) {
            String value = scalar(node);
            if ("true".equals(value) || "false".equals(value)) {
                return Boolean.parseBoolean(value);
            }
            problem(node, "true or false is expected here");
            return otherwise;
        }

        private char oneChar(Node node, String what, char otherwise) {
            Character c = optionalChar(node, what);
            if (c != null) {
                return c;
            }
            // A value longer than one character is said by optionalChar (and one that is no text by scalar); only an empty one here.
            if (node instanceof ScalarNode scalar && (scalar.getValue().isEmpty() || "tag:yaml.org,2002:null".equals(scalar.getTag().getValue()))) {
                problem(node, what + " cannot be empty");
            }
            return otherwise;
        }

        private Character optionalChar(Node node, String what) {
            String value = scalar(node);
            if (value == null || value.isEmpty()) {
                return null;
            }
            if ("\\t".equals(value)) {
                return '\t';
            }
            if (value.length() != 1) {
                problem(node, what + " is one character (\"\\t\" for a tab)");
                return null;
            }
            return value.charAt(0);
        }
    }

    private MappingProfiles() {
    }
}
