package org.ehrarchive.ingest.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import org.ehrarchive.ingest.ImportedEntry;
import org.ehrarchive.ingest.ImportedFragment;
import org.ehrarchive.ingest.ImportedRecord;
import org.ehrarchive.ingest.QuarantineException;
import org.ehrarchive.ingest.RecordContent;
import org.ehrarchive.ingest.SourceSniff;
import org.ehrarchive.record.EntryKind;
import org.ehrarchive.record.Identifier;
import org.ehrarchive.support.InMemoryUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The FHIR importer on small project fixtures (src/test/resources/fixtures/fhir/README.md says what each holds). */
class FhirImporterTest {

    private final FhirImporter importer = new FhirImporter();

    @Test
    void recognisesFhirByContentWhateverTheName() throws IOException {
        assertThat(importer.accepts(sniff("export.txt", "{\"resourceType\":\"Patient\",\"id\":\"1\"}"))).isTrue();
        assertThat(importer.accepts(sniff("b.json", "\uFEFF{\n  \"resourceType\" : \"Bundle\""))).isTrue();
        assertThat(importer.accepts(sniff("p.xml", "<?xml version=\"1.0\"?><Patient xmlns=\"http://hl7.org/fhir\"><id value=\"1\"/>"))).isTrue();
        assertThat(importer.accepts(new SourceSniff("Observation.ndjson.gz", gzip("{\"resourceType\":\"Observation\"}\n".getBytes(StandardCharsets.UTF_8)))))
                .isTrue();
        assertThat(importer.accepts(sniff("doc.xml", "<ClinicalDocument xmlns=\"urn:hl7-org:v3\">"))).isFalse();
        assertThat(importer.accepts(sniff("settings.json", "{\"name\":\"not FHIR\"}"))).isFalse();
        assertThat(importer.accepts(sniff("x.hl7", "MSH|^~\\&|A"))).isFalse();
    }

    @Test
    void aFolderIsOneUnitReferenceDataAndPatientsFirst() {
        Path folder = FhirFixtures.path("export");
        List<Path> files = List.of("Condition.ndjson", "Encounter.ndjson", "Medication.ndjson", "Organization.ndjson", "Patient.ndjson")
                .stream().map(folder::resolve).toList();

        List<List<Path>> units = importer.units(folder, files);

        assertThat(units).hasSize(1);
        assertThat(units.get(0)).extracting(p -> p.getFileName().toString())
                .containsExactly("Medication.ndjson", "Organization.ndjson", "Patient.ndjson", "Condition.ndjson", "Encounter.ndjson");
    }

    @Test
    void everyLineOfAnExportIsOneRecordOfItsResourceType() throws Exception {
        FhirFixtures.Read read = FhirFixtures.folder(FhirFixtures.path("export"));

        // 22 lines, one blank: 21 resources, plus the parts the document references carry
        List<ImportedRecord> resources = read.records().stream().filter(r -> !r.type().equals(FhirReading.ATTACHMENT_PART)).toList();
        assertThat(resources).hasSize(21);
        assertThat(read.ofType("Observation")).hasSize(6);
        assertThat(read.ofType("Observaton")).as("an unknown resource type is counted under the name it gives").hasSize(1);
        assertThat(read.ofType(FhirReading.ATTACHMENT_PART)).hasSize(3);
        assertThat(read.sink().warnings).anySatisfy(w -> assertThat(w).startsWith("blank lines between resources"));
        assertThat(read.sink().quarantinedFiles).isEmpty();
    }

    @Test
    void aPatientIsTheRecordItsResourcesBelongToWithEveryIdentifierAndUsCoreExtension() throws Exception {
        FhirFixtures.Read read = FhirFixtures.folder(FhirFixtures.path("export"));

        ImportedRecord pat1 = read.keyed("Patient/pat1");
        RecordContent.DocumentContent content = (RecordContent.DocumentContent) pat1.content();
        assertThat(content.patient().identifiers()).containsExactly(new Identifier("urn:oid:AUTHORITY", "MRN-1001", "MR", null),
                new Identifier("http://hl7.org/fhir/sid/us-ssn", "999-00-1001", null, null));
        assertThat(content.patient().names().get(0).display()).isEqualTo("Miguel Ángel Gálvez");
        assertThat(content.patient().names()).hasSize(2);
        assertThat(content.patient().birthTime().iso()).isEqualTo("1970-04-12");
        assertThat(content.patient().sex().code()).isEqualTo("male");
        assertThat(content.patient().races()).extracting(c -> c.code()).containsExactly("2106-3");
        assertThat(content.patient().ethnicities()).extracting(c -> c.code()).containsExactly("2135-2");
        assertThat(content.patient().languages()).extracting(c -> c.code()).containsExactly("es");
        assertThat(content.patient().maritalStatus().code()).isEqualTo("M");
        assertThat(content.patient().telecoms()).extracting(t -> t.value()).containsExactly("tel:555-0101", "mailto:miguel@example.org");
        assertThat(content.document().custodian().organizationName()).as("the managing organization, by its name").isEqualTo("Good Health Clinic");
        assertThat(content.document().headerFragment()).as("the resource itself, for what the model has no column for")
                .contains("favourite-colour");
        RecordContent.DocumentContent pat2 = (RecordContent.DocumentContent) read.keyed("Patient/pat2").content();
        assertThat(pat2.patient().deceased()).isTrue();
        assertThat(pat2.patient().deceasedTime().iso()).isEqualTo("2023-06-01T08:30:00-05:00");

        assertThat(read.keyed("Condition/cond2").parent()).as("an absolute reference with _history").isSameAs(read.keyed("Patient/pat2"));
        assertThat(read.keyed("Encounter/enc1").parent()).isSameAs(pat1);
        assertThat(read.keyed("FamilyMemberHistory/fmh1").parent()).as("an unmodelled type, kept raw on its patient").isSameAs(pat1);
        assertThat(read.raw(read.keyed("FamilyMemberHistory/fmh1")).status()).isEqualTo(ImportedFragment.Status.KEPT);
        assertThat(read.keyed("Organization/org1").parent()).as("reference data belongs to no patient").isNull();
    }

    @Test
    void versionsOfOneResourceShareTheKeyAndOrderByLastUpdated() throws Exception {
        FhirFixtures.Read read = FhirFixtures.folder(FhirFixtures.path("export"));

        List<ImportedRecord> condition = read.records().stream().filter(r -> "Condition/cond1".equals(r.key())).toList();
        assertThat(condition).hasSize(2);
        assertThat(condition.get(0).contentHash()).isNotEqualTo(condition.get(1).contentHash());
        assertThat(condition.get(0).orderKey()).isLessThan(condition.get(1).orderKey());
        ImportedEntry resolved = ((RecordContent.EntriesContent) condition.get(1).content()).entries().get(0);
        assertThat(resolved.kind()).isEqualTo(EntryKind.PROBLEM);
        assertThat(resolved.status()).isEqualTo("resolved");
        assertThat(resolved.effective().low().iso()).isEqualTo("2019-03-01");
        assertThat(resolved.effective().high().iso()).isEqualTo("2024-05-30");
        assertThat(resolved.code().codeSystemName()).isEqualTo("SNOMED CT");
    }

    @Test
    void observationsCarryEveryValueTypeRangesInterpretationsAndComponents() throws Exception {
        FhirFixtures.Read read = FhirFixtures.folder(FhirFixtures.path("export"));

        ImportedEntry glucose = read.entry("Observation/obs1");
        assertThat(glucose.kind()).isEqualTo(EntryKind.RESULT);
        assertThat(glucose.values().get(0).quantity().value()).as("decimals exactly as written").isEqualTo("105.50");
        assertThat(glucose.values().get(0).quantity().unit()).isEqualTo("mg/dL");
        assertThat(glucose.referenceRanges().get(0).value().low().value()).isEqualTo("70");
        assertThat(glucose.referenceRanges().get(0).value().high().value()).isEqualTo("99");
        assertThat(glucose.interpretations().get(0).code()).isEqualTo("H");
        ImportedEntry pressure = read.entry("Observation/obs2");
        assertThat(pressure.kind()).isEqualTo(EntryKind.VITAL_SIGN);
        assertThat(pressure.values()).extracting(v -> v.quantity().value()).containsExactly("142", "91");
        assertThat(pressure.details().get("components")).asString().contains("Systolic blood pressure");
        ImportedEntry smoking = read.entry("Observation/obs3");
        assertThat(smoking.kind()).isEqualTo(EntryKind.SOCIAL_HISTORY);
        assertThat(smoking.values().get(0).coded().code()).isEqualTo("266919005");
        ImportedEntry temperature = read.entry("Observation/obs6");
        assertThat(temperature.details()).containsKey("readingProblems");
        assertThat(temperature.details().get("source")).asString().as("what HAPI could not place stays beside the entry").contains("colour");
        assertThat(read.sink().warnings).anySatisfy(w -> assertThat(w).contains("an element FHIR R4 does not define (colour"));
    }

    @Test
    void referencesShowTheNamesOfTheReferenceDataTheyPointAt() throws Exception {
        FhirFixtures.Read read = FhirFixtures.folder(FhirFixtures.path("export"));

        ImportedEntry order = read.entry("MedicationRequest/mr1");
        assertThat(order.kind()).isEqualTo(EntryKind.MEDICATION);
        assertThat(order.code().code()).as("the code of the Medication it references").isEqualTo("197361");
        assertThat(order.details()).containsEntry("requester", "Dr. Ana Rivera").containsEntry("intent", "order");
        assertThat(order.details().get("dosage")).asString().contains("1 tablet daily").contains("1 tablet");
        ImportedEntry visit = read.entry("Encounter/enc1");
        assertThat(visit.details()).containsEntry("serviceProvider", "Good Health Clinic");
        assertThat(visit.details().get("participants")).isEqualTo(List.of("Dr. Ana Rivera"));
        assertThat(visit.effective().low().iso()).isEqualTo("2024-01-02T09:00:00Z");
    }

    @Test
    void whatCannotBeReadOrFiledIsQuarantinedAloneWithItsReason() throws Exception {
        FhirFixtures.Read read = FhirFixtures.folder(FhirFixtures.path("export"));

        RecordContent.RawContent broken = read.raw(read.records().stream().filter(r -> r.locator().equals("/line[4]") && r.type().equals("Observation"))
                .findFirst().orElseThrow());
        assertThat(broken.status()).isEqualTo(ImportedFragment.Status.QUARANTINED);
        assertThat(broken.reason()).startsWith("ING-207").contains("malformed JSON");
        assertThat(broken.content()).as("its text is kept").contains("\"obs4\"");
        RecordContent.RawContent orphan = read.raw(read.records().stream().filter(r -> "Observation/obs5".equals(r.key())).findFirst().orElseThrow());
        assertThat(orphan.reason()).startsWith("ING-208");
        RecordContent.RawContent unknown = read.raw(read.ofType("Observaton").get(0));
        assertThat(unknown.reason()).startsWith("ING-207").contains("HAPI FHIR");
    }

    @Test
    void attachmentsBecomeDocumentsInTheBlobStoreAndBadBase64IsQuarantined() throws Exception {
        FhirFixtures.Read read = FhirFixtures.folder(FhirFixtures.path("export"));

        List<ImportedRecord> parts = read.ofType(FhirReading.ATTACHMENT_PART);
        RecordContent.AttachmentContent note = (RecordContent.AttachmentContent) parts.get(0).content();
        assertThat(note.mediaType()).isEqualTo("text/plain");
        assertThat(new String(read.unit().blobs.get(note.sha256()), StandardCharsets.UTF_8)).startsWith("Follow-up visit.");
        assertThat(parts.get(0).parent()).isSameAs(read.keyed("Patient/pat1"));
        assertThat(parts.get(0).locator()).isEqualTo("/line[1]/content/0/attachment");
        RecordContent.AttachmentContent linked = (RecordContent.AttachmentContent) parts.get(1).content();
        assertThat(linked.sha256()).isNull();
        assertThat(linked.reference()).isEqualTo("https://old-ehr.example.org/docs/ds-2023-05-31.pdf");
        RecordContent.RawContent bad = read.raw(parts.get(2));
        assertThat(bad.status()).isEqualTo(ImportedFragment.Status.QUARANTINED);
        assertThat(bad.reason()).startsWith("ING-202").contains("base64");
        assertThat(read.entry("DocumentReference/doc3").kind()).as("the note itself is archived").isEqualTo(EntryKind.NOTE);
    }

    @Test
    void aBundleFindsItsPatientWhereverTheEntryIsAndByEveryFormOfReference() throws Exception {
        FhirFixtures.Read read = FhirFixtures.file("bundle-transaction.json");

        assertThat(read.records()).as("one record per entry").hasSize(6);
        ImportedRecord patient = read.records().get(0);
        assertThat(patient.type()).as("the patient is handed over first").isEqualTo("Patient");
        assertThat(patient.locator()).isEqualTo("/entry/2/resource");
        assertThat(read.ofType("Condition").get(0).parent()).as("urn:uuid:, from an entry before the patient's").isSameAs(patient);
        assertThat(read.ofType("Immunization").get(0).parent()).as("a conditional reference by identifier").isSameAs(patient);
        ImportedEntry flu = read.entry("Immunization/6a2f1c0e-0000-4000-8000-000000000012");
        assertThat(flu.effective().value().timeZone()).isEqualTo("+02:00");
        assertThat(flu.details()).containsEntry("lotNumber", "LOT-7");
        ImportedEntry peanuts = read.entry("AllergyIntolerance/6a2f1c0e-0000-4000-8000-000000000013");
        assertThat(peanuts.details()).containsEntry("criticality", "high");
        assertThat(peanuts.details().get("reactions")).asString().contains("Anaphylaxis").contains("severe");
        assertThat(read.raw(read.ofType("Procedure").get(0)).reason()).startsWith("ING-208");
        ImportedRecord delete = read.ofType(FhirReading.BUNDLE_ENTRY).get(0);
        assertThat(read.raw(delete).reason()).contains("DELETE");
        assertThat(delete.locator()).isEqualTo("/entry/5");
    }

    @Test
    void xmlIsReadWithTheHardenedRulesAndHashesAsTheSameResourceInJson() throws Exception {
        FhirFixtures.Read xml = FhirFixtures.file("bundle-collection.xml");

        assertThat(xml.records()).extracting(ImportedRecord::type).containsExactly("Patient", "Observation");
        assertThat(xml.records().get(1).parent()).isSameAs(xml.records().get(0));
        assertThat(xml.records().get(0).locator()).isEqualTo("/Bundle/entry[2]/resource");
        assertThat(xml.entry("Observation/x-obs-1").values().get(0).quantity().value()).isEqualTo("71.5");

        String json = """
                {
                  "resourceType" : "Patient", "id" : "x-pat-1",
                  "meta" : { "versionId" : "7", "lastUpdated" : "2020-01-01T00:00:00Z" },
                  "gender" : "female", "birthDate" : "1988-09-09",
                  "name" : [ { "given" : [ "Sherley" ], "family" : "Marks" } ],
                  "identifier" : [ { "value" : "X-1", "system" : "urn:oid:AUTHORITY" } ]
                }""";
        ImportedRecord same = FhirFixtures.read("x-pat-1.json", json.getBytes(StandardCharsets.UTF_8)).records().get(0);
        assertThat(same.contentHash()).as("member order, white space, version and XML make no other content")
                .isEqualTo(xml.records().get(0).contentHash());
        assertThat(same.orderKey()).startsWith("2020-01-01T00:00:00.000000000Z|");

        String withDoctype = "<?xml version=\"1.0\"?><!DOCTYPE Patient [<!ENTITY x \"boom\">]><Patient xmlns=\"http://hl7.org/fhir\"><id value=\"&x;\"/></Patient>";
        assertThatThrownBy(() -> FhirFixtures.read("evil.xml", withDoctype.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(QuarantineException.class).hasMessageStartingWith("ING-101");
    }

    @Test
    void gzippedNdjsonReadsAsTheSameRecords() throws Exception {
        byte[] plain = FhirFixtures.bytes("export/Condition.ndjson");
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("Patient.ndjson", FhirFixtures.bytes("export/Patient.ndjson"));
        files.put("Condition.ndjson.gz", gzip(plain));
        FhirFixtures.Read read = FhirFixtures.read(new InMemoryUnit(files));

        assertThat(read.ofType("Condition")).hasSize(3).allSatisfy(r -> assertThat(r.parent()).isNotNull());
        assertThat(read.ofType("Condition").get(2).locator()).isEqualTo("/line[3]");
    }

    @Test
    void hostileJsonIsRefusedWithAReasonAndTheRestGoesOn() throws Exception {
        String patient = "{\"resourceType\":\"Patient\",\"id\":\"p\",\"identifier\":[{\"system\":\"urn:oid:H\",\"value\":\"1\"}]}";
        String deep = "{\"resourceType\":\"Observation\",\"id\":\"deep\",\"subject\":{\"reference\":\"Patient/p\"},\"extension\":"
                + "[{\"extension\":".repeat(300) + "[]" + "}]".repeat(300) + "}";
        String good = "{\"resourceType\":\"Observation\",\"id\":\"ok\",\"status\":\"final\",\"code\":{\"text\":\"weight\"},\"subject\":{\"reference\":\"Patient/p\"}}";
        FhirFixtures.Read read = FhirFixtures.read("hostile.ndjson", String.join("\n", patient, deep, good, "[1,2]", "").getBytes(StandardCharsets.UTF_8));

        assertThat(read.records()).hasSize(4);
        assertThat(read.raw(read.records().get(1)).reason()).startsWith("ING-207").contains("nesting");
        assertThat(read.records().get(2).content()).isInstanceOf(RecordContent.EntriesContent.class);
        assertThat(read.raw(read.records().get(3)).reason()).contains("not an object");

        FhirFixtures.Read cut = FhirFixtures.read("broken.json", "{\"resourceType\": \"Patient\", \"id\": ".getBytes(StandardCharsets.UTF_8));
        assertThat(cut.records()).extracting(ImportedRecord::type).containsExactly("Patient");
        assertThat(cut.raw(cut.records().get(0)).reason()).startsWith("ING-207").contains("malformed JSON");
        assertThatThrownBy(() -> FhirFixtures.read("not-json.json", "{resourceType: Patient".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(QuarantineException.class).hasMessageStartingWith("ING-107");
        assertThatThrownBy(() -> FhirFixtures.read("empty-bundle.json", "{\"resourceType\":\"Bundle\",\"type\":\"collection\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(QuarantineException.class).hasMessageStartingWith("ING-107");
    }

    @Test
    void aBundleBrokenHalfwayKeepsTheEntriesBeforeTheBreak() throws Exception {
        String bundle = "{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":["
                + "{\"resource\":{\"resourceType\":\"Patient\",\"id\":\"p\",\"identifier\":[{\"system\":\"urn:oid:H\",\"value\":\"2\"}]}},"
                + "{\"resource\":{\"resourceType\":\"Observation\",\"id\":\"o1\",\"status\":\"final\",\"code\":{\"text\":\"a\"},\"subject\":{\"reference\":\"Patient/p\"}}},"
                + "{\"resource\":{\"resourceType\":\"Observation\",\"id\":\"o2\",\"status\":";
        FhirFixtures.Read read = FhirFixtures.read("cut.json", bundle.getBytes(StandardCharsets.UTF_8));

        assertThat(read.records()).extracting(ImportedRecord::type).containsExactly("Patient", "Observation", FhirReading.UNREADABLE);
        assertThat(read.raw(read.records().get(2)).reason()).startsWith("ING-207").contains("the rest of the bundle");
        assertThat(read.records().get(2).locator()).isEqualTo("/entry/2");
    }

    @Test
    void aLineLargerThanAnyResourceIsCountedAndSkippedInBoundedMemory(@TempDir Path folder) throws Exception {
        // 200 MB on one line, streamed: never held, whatever the heap
        long size = 200L * 1024 * 1024;
        Path big = folder.resolve("Observation.ndjson");
        try (var out = new java.io.BufferedOutputStream(Files.newOutputStream(big), 1 << 20)) {
            out.write("{\"resourceType\":\"Observation\",\"id\":\"huge\",\"note\":[{\"text\":\"".getBytes(StandardCharsets.US_ASCII));
            byte[] block = "x".repeat(1 << 16).getBytes(StandardCharsets.US_ASCII);
            for (long written = 0; written < size; written += block.length) {
                out.write(block);
            }
            out.write("\"}]}\n{\"resourceType\":\"Basic\",\"id\":\"after\",\"code\":{\"text\":\"the line after\"}}\n".getBytes(StandardCharsets.US_ASCII));
        }
        FhirReading.LineReader lines = new FhirReading.LineReader(Files.newInputStream(big), FhirImporter.MAX_RESOURCE_BYTES);

        FhirReading.LineReader.Line first = lines.next();
        FhirReading.LineReader.Line second = lines.next();

        assertThat(first.tooLarge()).isTrue();
        assertThat(first.type()).isEqualTo("Observation");
        assertThat(new String(second.bytes(), 0, second.length(), StandardCharsets.US_ASCII)).contains("\"after\"");
        assertThat(lines.next()).isNull();
    }

    private static SourceSniff sniff(String name, String head) {
        return new SourceSniff(name, head.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
            zip.write(bytes);
        }
        return out.toByteArray();
    }
}
