package org.ehrarchive.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.StrictErrorHandler;

/** The generated FHIR bulk exports: reproducible, described by their shape, every line valid R4, every reference resolved. */
class FhirGeneratorTest {

    private static final int PATIENTS = 60;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final OffsetDateTime FIRST = OffsetDateTime.parse("2016-01-01T00:00:00-05:00");
    private static final OffsetDateTime EXPORTED = OffsetDateTime.parse("2026-01-01T00:00:00-05:00");
    private static final Pattern DATE_TIME = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?(Z|[+-]\\d\\d:\\d\\d)");

    @TempDir
    static Path shared;

    private static FhirGenerator.Shape shape;
    private static Path folder;
    /** Every line of every file, by resource type (the file's name), in file order. */
    private static Map<String, List<String>> lines;
    /** The same lines, read as JSON. */
    private static Map<String, List<JsonNode>> resources;

    @BeforeAll
    static void writeExport() throws IOException {
        folder = shared.resolve("export");
        shape = new FhirGenerator(7).writeExport(folder, PATIENTS);
        lines = new TreeMap<>();
        resources = new TreeMap<>();
        for (Path file : filesIn(folder)) {
            String type = file.getFileName().toString().replace(".ndjson", "");
            List<String> text = linesOf(file);
            lines.put(type, text);
            List<JsonNode> parsed = new ArrayList<>(text.size());
            for (String line : text) {
                parsed.add(MAPPER.readTree(line));
            }
            resources.put(type, parsed);
        }
    }

    @Test
    void theSameSeedGivesByteIdenticalFolders(@TempDir Path temp) throws IOException {
        new FhirGenerator(42).writeExport(temp.resolve("a"), 15);
        new FhirGenerator(42).writeExport(temp.resolve("b"), 15);
        new FhirGenerator(43).writeExport(temp.resolve("c"), 15);

        List<String> names = filesIn(temp.resolve("a")).stream().map(p -> p.getFileName().toString()).toList();
        assertThat(names).isEqualTo(filesIn(temp.resolve("b")).stream().map(p -> p.getFileName().toString()).toList())
                .isEqualTo(filesIn(temp.resolve("c")).stream().map(p -> p.getFileName().toString()).toList()).hasSize(13);
        for (String name : names) {
            assertThat(Files.mismatch(temp.resolve("a").resolve(name), temp.resolve("b").resolve(name))).as(name).isEqualTo(-1L);
            assertThat(Files.mismatch(temp.resolve("a").resolve(name), temp.resolve("c").resolve(name))).as("another seed: %s", name)
                    .isNotEqualTo(-1L);
        }
    }

    @Test
    void aSecondExportHasOtherPatientsAndTheSameReferenceData(@TempDir Path temp) throws IOException {
        FhirGenerator generator = new FhirGenerator(5);
        generator.writeExport(temp.resolve("a"), 3);
        generator.writeExport(temp.resolve("b"), 3);
        for (String type : List.of("Organization", "Practitioner", "Location")) {
            assertThat(Files.mismatch(temp.resolve("a").resolve(type + ".ndjson"), temp.resolve("b").resolve(type + ".ndjson"))).as(type)
                    .isEqualTo(-1L);
        }
        Set<String> first = idsOf(linesOf(temp.resolve("a").resolve("Patient.ndjson")));
        assertThat(idsOf(linesOf(temp.resolve("b").resolve("Patient.ndjson")))).hasSize(3).doesNotContainAnyElementsOf(first);
    }

    @Test
    void theShapeCountsWhatTheFilesHold() throws IOException {
        assertThat(lines.keySet()).containsExactlyInAnyOrderElementsOf(FhirGenerator.RESOURCE_TYPES).hasSize(13);
        assertThat(shape.files()).isEqualTo(13);
        assertThat(shape.patients()).isEqualTo(PATIENTS).isEqualTo(idsOf(lines.get("Patient")).size());
        long bytes = 0;
        long total = 0;
        Map<String, Long> counted = new TreeMap<>();
        for (Map.Entry<String, List<String>> e : lines.entrySet()) {
            counted.put(e.getKey(), (long) e.getValue().size());
            total += e.getValue().size();
            bytes += Files.size(folder.resolve(e.getKey() + ".ndjson"));
        }
        assertThat(shape.resourceTypes()).isEqualTo(counted);
        assertThat(shape.resources()).isEqualTo(total);
        assertThat(shape.bytes()).isEqualTo(bytes);
    }

    @Test
    void theProportionsAreThoseOfASyntheaExport() {
        Map<String, double[]> perPatient = new LinkedHashMap<>();
        perPatient.put("Encounter", new double[] { 12, 18 });
        perPatient.put("Condition", new double[] { 11, 18 });
        perPatient.put("Observation", new double[] { 80, 120 });
        perPatient.put("MedicationRequest", new double[] { 11, 19 });
        perPatient.put("Immunization", new double[] { 3.5, 6.5 });
        perPatient.put("AllergyIntolerance", new double[] { 0.7, 1.3 });
        perPatient.put("Procedure", new double[] { 7, 13 });
        perPatient.put("DiagnosticReport", new double[] { 7, 13 });
        perPatient.put("DocumentReference", new double[] { 12, 18 });
        perPatient.forEach((type, range) -> assertThat(
                (double) resources.get(type).stream().map(r -> r.path("id").asText()).distinct().count() / PATIENTS).as(type)
                .isBetween(range[0], range[1]));
        assertThat(lines.get("Organization")).hasSize(20);
        assertThat(lines.get("Practitioner")).hasSize(50);
        assertThat(lines.get("Location")).hasSize(20);
        int[] allergies = new int[3];
        Map<String, Integer> perSubject = new HashMap<>();
        for (JsonNode a : resources.get("AllergyIntolerance")) {
            perSubject.merge(a.at("/patient/reference").asText(), 1, Integer::sum);
        }
        perSubject.values().forEach(n -> allergies[n]++);
        allergies[0] = PATIENTS - perSubject.size();
        for (int n = 0; n < allergies.length; n++) {
            assertThat(allergies[n]).as("patients with %d allergies", n).isGreaterThan(PATIENTS / 8);
        }
    }

    @Test
    void linesAreCompactUtf8JsonEndedByLineFeeds() throws IOException {
        for (String type : FhirGenerator.RESOURCE_TYPES) {
            byte[] bytes = Files.readAllBytes(folder.resolve(type + ".ndjson"));
            assertThat(bytes.length).as(type).isGreaterThan(1_000);
            assertThat(bytes[0]).as("%s starts with a resource, no byte order mark", type).isEqualTo((byte) '{');
            assertThat(bytes[bytes.length - 1]).as("%s ends with a line feed", type).isEqualTo((byte) '\n');
            int feeds = 0;
            int carriageReturn = -1;
            for (int i = 0; i < bytes.length; i++) {
                feeds += bytes[i] == '\n' ? 1 : 0;
                carriageReturn = carriageReturn < 0 && bytes[i] == '\r' ? i : carriageReturn;
            }
            assertThat(carriageReturn).as("%s: offset of a carriage return", type).isEqualTo(-1);
            assertThat(feeds).isEqualTo(lines.get(type).size());
            try {
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            } catch (CharacterCodingException e) {
                throw new AssertionError(type + " is not UTF-8", e);
            }
            for (String line : lines.get(type)) {
                assertThat(line).startsWith("{\"resourceType\":\"" + type + "\",\"id\":\"").endsWith("}").doesNotContain("\": ", ", \"");
            }
        }
        String patients = String.join("\n", lines.get("Patient"));
        assertThat(patients).as("names with accents, written as UTF-8").containsPattern("[éöë]").contains("'");
    }

    @Test
    void everyLineParsesWithHapiStrictlyAsTheTypeItsFileNames() {
        FhirContext context = FhirContext.forR4();
        IParser parser = context.newJsonParser().setParserErrorHandler(new StrictErrorHandler());
        for (Map.Entry<String, List<String>> e : lines.entrySet()) {
            Class<? extends IBaseResource> type = context.getResourceDefinition(e.getKey()).getImplementingClass();
            for (String line : e.getValue()) {
                Resource resource = (Resource) parser.parseResource(type, line);
                assertThat(resource.fhirType()).isEqualTo(e.getKey());
                assertThat(resource.getIdElement().getIdPart()).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
                assertThat(resource.getMeta().getVersionId()).isIn("1", "2");
                assertThat(resource.getMeta().getLastUpdated()).isNotNull();
            }
        }
        // The check above is real: an element R4 does not know is refused.
        String unknown = lines.get("Observation").get(0).replaceFirst("\"status\":", "\"stattus\":");
        assertThatThrownBy(() -> parser.parseResource(org.hl7.fhir.r4.model.Observation.class, unknown))
                .isInstanceOf(ca.uhn.fhir.parser.DataFormatException.class);
    }

    @Test
    void resourcesCarryWhatUsCoreRequires() {
        for (Map.Entry<String, List<JsonNode>> e : resources.entrySet()) {
            for (JsonNode r : e.getValue()) {
                forEachField(r, (name, value) -> {
                    if (name.equals("coding")) {
                        for (JsonNode coding : value) {
                            assertThat(coding.path("system").asText()).as("%s coding %s", e.getKey(), coding).matches("(http://|urn:).+");
                            if (!coding.path("system").asText().equals("http://terminology.hl7.org/CodeSystem/v2-0203")) {
                                assertThat(coding.path("display").asText()).as("%s coding %s", e.getKey(), coding).isNotEmpty();
                            }
                            assertThat(coding.path("code").asText()).isNotEmpty();
                        }
                    }
                });
                if (!Set.of("Organization", "Practitioner", "Location", "Patient").contains(e.getKey())) {
                    assertThat(r.has("subject") ? r.at("/subject/reference").asText() : r.at("/patient/reference").asText()).as(e.getKey())
                            .startsWith("Patient/");
                }
                if (r.has("code") && !e.getKey().equals("Organization")) {
                    assertThat(r.at("/code/text").asText()).as("%s code text", e.getKey()).isNotEmpty();
                }
                switch (e.getKey()) {
                    case "Encounter" -> assertThat(r.has("status") && r.has("class") && r.has("type") && r.has("period")).isTrue();
                    case "Condition" -> assertThat(r.has("clinicalStatus") && r.has("verificationStatus") && r.has("category")
                            && r.has("encounter") && r.has("onsetDateTime")).isTrue();
                    case "Observation" -> {
                        assertThat(r.has("status") && r.has("category") && r.has("encounter") && r.has("effectiveDateTime")).isTrue();
                        assertThat(r.has("valueQuantity") || r.has("valueCodeableConcept") || r.has("valueString") || r.has("component"))
                                .isTrue();
                        if (r.has("valueQuantity")) {
                            assertThat(r.at("/valueQuantity/system").asText()).isEqualTo("http://unitsofmeasure.org");
                            assertThat(r.at("/valueQuantity/code").asText()).isNotEmpty();
                            assertThat(r.at("/valueQuantity/value").isNumber()).isTrue();
                        }
                        if (r.at("/category/0/coding/0/code").asText().equals("laboratory")) {
                            assertThat(r.has("referenceRange") && r.has("interpretation")).as("laboratory result %s", r).isTrue();
                        }
                    }
                    case "MedicationRequest" -> assertThat(r.at("/medicationCodeableConcept/coding/0/system").asText())
                            .isEqualTo("http://www.nlm.nih.gov/research/umls/rxnorm");
                    case "Immunization" -> assertThat(r.at("/vaccineCode/coding/0/system").asText()).isEqualTo("http://hl7.org/fhir/sid/cvx");
                    case "AllergyIntolerance" -> {
                        assertThat(r.at("/reaction/0/manifestation/0/coding/0/code").asText()).isNotEmpty();
                        assertThat(r.at("/reaction/0/severity").asText()).isIn("mild", "moderate", "severe");
                        assertThat(r.at("/criticality").asText()).isIn("low", "high", "unable-to-assess");
                    }
                    case "Procedure" -> assertThat(r.at("/code/coding/0/system").asText()).isEqualTo("http://snomed.info/sct");
                    case "DiagnosticReport" -> assertThat(r.at("/result").size()).isBetween(3, 8);
                    default -> {
                    }
                }
            }
        }
        Map<String, Integer> kinds = new TreeMap<>();
        for (JsonNode o : resources.get("Observation")) {
            String kind = o.has("component") ? "component" : o.has("valueQuantity") ? "quantity" : o.has("valueString") ? "string" : "concept";
            kinds.merge(kind, 1, Integer::sum);
            if (o.has("component")) {
                assertThat(o.at("/code/coding/0/code").asText()).isEqualTo("85354-9");
                assertThat(o.at("/component/0/code/coding/0/code").asText()).isEqualTo("8480-6");
                assertThat(o.at("/component/1/code/coding/0/code").asText()).isEqualTo("8462-4");
                assertThat(o.at("/component/1/valueQuantity/code").asText()).isEqualTo("mm[Hg]");
            }
        }
        int all = resources.get("Observation").size();
        assertThat(kinds.get("quantity")).isGreaterThan(all * 3 / 4);
        assertThat(kinds.get("component")).as("blood pressures").isGreaterThan(all / 30);
        assertThat(kinds.get("string")).isGreaterThan(all / 200);
        assertThat(kinds.get("concept")).isGreaterThan(all / 100);
    }

    @Test
    void patientsCarryIdentifiersNamesAndUsCoreExtensions() {
        int withSsn = 0;
        int deceased = 0;
        int maiden = 0;
        for (JsonNode p : resources.get("Patient")) {
            JsonNode mrn = p.at("/identifier/0");
            assertThat(mrn.at("/type/coding/0/system").asText()).isEqualTo("http://terminology.hl7.org/CodeSystem/v2-0203");
            assertThat(mrn.at("/type/coding/0/code").asText()).isEqualTo("MR");
            assertThat(mrn.path("system").asText()).isEqualTo("urn:oid:2.16.840.1.113883.19.5");
            assertThat(mrn.path("value").asText()).matches("F7-M\\d{7}");
            for (JsonNode id : p.path("identifier")) {
                if (id.path("system").asText().equals("http://hl7.org/fhir/sid/us-ssn")) {
                    assertThat(id.path("value").asText()).matches("9\\d\\d-00-\\d{4}");
                    assertThat(id.at("/type/coding/0/code").asText()).isEqualTo("SS");
                    withSsn++;
                }
            }
            assertThat(p.at("/name/0/use").asText()).isEqualTo("official");
            assertThat(p.at("/name/0/family").asText()).isNotEmpty();
            assertThat(p.at("/name/0/given/0").asText()).isNotEmpty();
            maiden += p.at("/name/1/use").asText().equals("maiden") ? 1 : 0;
            for (JsonNode t : p.path("telecom")) {
                assertThat(t.path("value").asText()).matches("\\d{3}-555-01\\d\\d");
            }
            assertThat(p.path("gender").asText()).isIn("female", "male");
            assertThat(p.path("birthDate").asText()).matches("\\d{4}-\\d\\d-\\d\\d");
            assertThat(p.at("/address/0/city").asText()).isNotEmpty();
            assertThat(p.at("/maritalStatus/coding/0/code").asText()).isNotEmpty();
            assertThat(p.at("/communication/0/language/coding/0/system").asText()).isEqualTo("urn:ietf:bcp:47");
            JsonNode race = p.at("/extension/0");
            assertThat(race.path("url").asText()).isEqualTo("http://hl7.org/fhir/us/core/StructureDefinition/us-core-race");
            assertThat(race.at("/extension/0/url").asText()).isEqualTo("ombCategory");
            assertThat(race.at("/extension/0/valueCoding/system").asText()).isEqualTo("urn:oid:2.16.840.1.113883.6.238");
            assertThat(race.at("/extension/1/url").asText()).isEqualTo("text");
            assertThat(race.at("/extension/1/valueString").asText()).isNotEmpty();
            assertThat(p.at("/extension/1/url").asText()).isEqualTo("http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity");
            deceased += p.has("deceasedDateTime") ? 1 : 0;
        }
        int all = resources.get("Patient").size();
        assertThat(withSsn).isBetween(all * 7 / 10, all * 95 / 100);
        assertThat(deceased).isBetween(1, all / 8);
        assertThat(maiden).isPositive();
    }

    @Test
    void everyReferenceResolvesAndStaysWithinItsPatient() {
        Map<String, JsonNode> byReference = new HashMap<>();
        resources.forEach((type, list) -> list.forEach(r -> byReference.put(type + "/" + r.path("id").asText(), r)));
        Map<String, Integer> counted = new TreeMap<>();
        for (Map.Entry<String, List<JsonNode>> e : resources.entrySet()) {
            for (JsonNode r : e.getValue()) {
                String subject = subjectOf(r);
                forEachField(r, (name, value) -> {
                    if (name.equals("reference")) {
                        String reference = value.asText();
                        assertThat(reference).matches("[A-Za-z]+/[0-9a-f-]{36}");
                        String type = reference.substring(0, reference.indexOf('/'));
                        counted.merge(type, 1, Integer::sum);
                        JsonNode target = byReference.get(reference);
                        assertThat(target).as("%s/%s refers to %s", e.getKey(), r.path("id").asText(), reference).isNotNull();
                        if (subject != null && !type.equals("Patient") && subjectOf(target) != null) {
                            assertThat(subjectOf(target)).as("%s of %s", reference, e.getKey()).isEqualTo(subject);
                        }
                    }
                });
            }
        }
        assertThat(counted).containsKeys("Patient", "Practitioner", "Organization", "Location", "Observation", "Encounter", "Condition");
        assertThat(counted.get("Observation")).isEqualTo(
                resources.get("DiagnosticReport").stream().mapToInt(r -> r.path("result").size()).sum());
    }

    @Test
    void someResourcesComeAgainLaterAsASecondVersionWithOneFactChanged() {
        Map<String, Set<String>> changes = Map.of("Encounter", Set.of("status"),
                "Observation", Set.of("status", "valueQuantity", "interpretation"), "Condition", Set.of("clinicalStatus"),
                "MedicationRequest", Set.of("status"), "Patient", Set.of("telecom"));
        for (Map.Entry<String, List<JsonNode>> e : resources.entrySet()) {
            Map<String, List<Integer>> versions = new LinkedHashMap<>();
            List<JsonNode> list = e.getValue();
            for (int i = 0; i < list.size(); i++) {
                versions.computeIfAbsent(list.get(i).path("id").asText(), k -> new ArrayList<>()).add(i);
            }
            int revised = 0;
            for (List<Integer> at : versions.values()) {
                assertThat(at).hasSizeBetween(1, 2);
                JsonNode first = list.get(at.get(0));
                assertThat(first.at("/meta/versionId").asText()).isEqualTo("1");
                if (at.size() == 1) {
                    continue;
                }
                revised++;
                JsonNode second = list.get(at.get(1));
                assertThat(second.at("/meta/versionId").asText()).isEqualTo("2");
                assertThat(OffsetDateTime.parse(second.at("/meta/lastUpdated").asText()))
                        .isAfter(OffsetDateTime.parse(first.at("/meta/lastUpdated").asText()));
                Set<String> changed = changedFields(first, second);
                assertThat(changed).as("%s %s", e.getKey(), first.path("id").asText()).isNotEmpty()
                        .isSubsetOf(changes.getOrDefault(e.getKey(), Set.of()));
                switch (e.getKey()) {
                    case "Encounter" -> {
                        assertThat(first.path("status").asText()).isEqualTo("in-progress");
                        assertThat(second.path("status").asText()).isEqualTo("finished");
                    }
                    case "Observation" -> {
                        assertThat(second.path("status").asText()).isEqualTo("corrected");
                        assertThat(second.at("/valueQuantity/value").decimalValue())
                                .isNotEqualByComparingTo(first.at("/valueQuantity/value").decimalValue());
                    }
                    case "Condition" -> assertThat(second.at("/clinicalStatus/coding/0/code").asText()).isEqualTo("resolved");
                    case "MedicationRequest" -> assertThat(second.path("status").asText()).isEqualTo("stopped");
                    default -> {
                    }
                }
            }
            if (changes.containsKey(e.getKey())) {
                assertThat(revised).as("%s with a second version", e.getKey()).isPositive();
                assertThat(100.0 * revised / versions.size()).as("percent of %s with a second version", e.getKey()).isBetween(0.5, 10.0);
            } else {
                assertThat(revised).as(e.getKey()).isZero();
            }
        }
        // Not all at the end of their patient: some second versions come after another patient's first versions.
        List<JsonNode> observations = resources.get("Observation");
        String lastFirstVersionOf = null;
        int later = 0;
        for (JsonNode o : observations) {
            if (o.at("/meta/versionId").asText().equals("1")) {
                lastFirstVersionOf = subjectOf(o);
            } else if (!subjectOf(o).equals(lastFirstVersionOf)) {
                later++;
            }
        }
        assertThat(later).as("second versions written after other patients' resources").isPositive();
    }

    @Test
    void documentsCarryAShortPlainTextNoteInBase64() {
        for (JsonNode d : resources.get("DocumentReference")) {
            JsonNode attachment = d.at("/content/0/attachment");
            assertThat(attachment.path("contentType").asText()).isEqualTo("text/plain");
            byte[] note = Base64.getDecoder().decode(attachment.path("data").asText());
            assertThat(note.length).isBetween(200, 1_200);
            String text = new String(note, StandardCharsets.UTF_8);
            assertThat(text).startsWith(d.at("/type/text").asText() + "\n").contains(" year old ").contains("Electronically signed by Dr. ");
            assertThat(d.at("/context/encounter/0/reference").asText()).startsWith("Encounter/");
        }
    }

    @Test
    void everyDateFallsInTheTenYearsBeforeTheExport() {
        Set<String> fields = new TreeSet<>();
        for (List<JsonNode> list : resources.values()) {
            for (JsonNode r : list) {
                forEachField(r, (name, value) -> {
                    if (value.isTextual() && DATE_TIME.matcher(value.asText()).matches()) {
                        fields.add(name);
                        assertThat(OffsetDateTime.parse(value.asText())).as("%s of %s", name, r.path("id").asText())
                                .isAfterOrEqualTo(FIRST).isBefore(EXPORTED);
                    }
                });
            }
        }
        assertThat(fields).contains("lastUpdated", "effectiveDateTime", "issued", "start", "end", "onsetDateTime", "authoredOn",
                "occurrenceDateTime", "date", "deceasedDateTime");
    }

    @Test
    void refusesANegativeNumberOfPatients(@TempDir Path temp) {
        assertThatThrownBy(() -> new FhirGenerator(1).writeExport(temp, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    // ---------------------------------------------------------------- reading the files back, independently of the generator

    private static String subjectOf(JsonNode r) {
        if (r.has("subject")) {
            return r.at("/subject/reference").asText();
        }
        if (r.has("patient")) {
            return r.at("/patient/reference").asText();
        }
        return r.path("resourceType").asText().equals("Patient") ? "Patient/" + r.path("id").asText() : null;
    }

    /** The top-level fields, meta aside, that differ between two versions of a resource. */
    private static Set<String> changedFields(JsonNode first, JsonNode second) {
        ObjectNode a = ((ObjectNode) first).deepCopy();
        ObjectNode b = ((ObjectNode) second).deepCopy();
        a.remove("meta");
        b.remove("meta");
        Set<String> names = new TreeSet<>();
        a.fieldNames().forEachRemaining(names::add);
        b.fieldNames().forEachRemaining(names::add);
        names.removeIf(n -> a.path(n).equals(b.path(n)));
        return names;
    }

    /** Calls {@code action} with every field of the tree, at any depth, and its value. */
    private static void forEachField(JsonNode node, BiConsumer<String, JsonNode> action) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                action.accept(e.getKey(), e.getValue());
                forEachField(e.getValue(), action);
            }
        } else if (node.isArray()) {
            for (JsonNode element : node) {
                forEachField(element, action);
            }
        }
    }

    private static Set<String> idsOf(List<String> lines) throws IOException {
        Set<String> ids = new HashSet<>();
        for (String line : lines) {
            ids.add(MAPPER.readTree(line).path("id").asText());
        }
        return ids;
    }

    private static List<String> linesOf(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        if (text.isEmpty()) {
            return List.of();
        }
        return List.of(text.substring(0, text.length() - 1).split("\n", -1));
    }

    private static List<Path> filesIn(Path folder) throws IOException {
        try (Stream<Path> list = Files.list(folder)) {
            return list.sorted().toList();
        }
    }
}
