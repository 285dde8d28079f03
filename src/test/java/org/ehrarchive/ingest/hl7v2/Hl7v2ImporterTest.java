package org.ehrarchive.ingest.hl7v2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.ehrarchive.ingest.ImportedEntry;
import org.ehrarchive.ingest.ImportedFragment;
import org.ehrarchive.ingest.ImportedRecord;
import org.ehrarchive.ingest.QuarantineException;
import org.ehrarchive.ingest.RecordContent;
import org.ehrarchive.ingest.SourceSniff;
import org.ehrarchive.record.EntryKind;
import org.ehrarchive.record.Identifier;
import org.junit.jupiter.api.Test;

/** The HL7 v2 importer on small project fixtures (src/test/resources/fixtures/hl7v2/README.md says what each holds). */
class Hl7v2ImporterTest {

    private final Hl7v2Importer importer = new Hl7v2Importer();

    @Test
    void recognisesMessageArchivesByContentWhateverTheirName() {
        assertThat(importer.accepts(new SourceSniff("export.txt", "MSH|^~\\&|A|B".getBytes(StandardCharsets.US_ASCII)))).isTrue();
        assertThat(importer.accepts(new SourceSniff("x", "\uFEFF\u000BMSH|^~\\&|A".getBytes(StandardCharsets.UTF_8)))).isTrue();
        assertThat(importer.accepts(new SourceSniff("batch.dat", "FHS|^~\\&|A".getBytes(StandardCharsets.US_ASCII)))).isTrue();
        assertThat(importer.accepts(new SourceSniff("notes.hl7", "MSH is a segment name".getBytes(StandardCharsets.US_ASCII)))).isFalse();
        assertThat(importer.accepts(new SourceSniff("doc.xml", "<ClinicalDocument/>".getBytes(StandardCharsets.US_ASCII)))).isFalse();
    }

    @Test
    void anUpdateIsANewVersionOfTheSameVisitAndThePatientIsNamedByEveryIdentifier() throws Exception {
        V2Fixtures.Read read = V2Fixtures.read("adt-a04-then-a08.hl7");

        assertThat(read.messages()).extracting(ImportedRecord::type).containsExactly("ADT^A04", "ADT^A08");
        assertThat(read.message(0).patient().identifiers()).containsExactly(new Identifier("GOODHEALTH", "100200", "GOODHEALTH MR", null),
                new Identifier("SSA", "999-11-2222", "SSA SS", null));
        assertThat(read.message(0).patient().birthTime().iso()).isEqualTo("1970-04-12");
        assertThat(read.message(0).patient().sex().code()).isEqualTo("F");
        assertThat(read.message(0).patient().addresses().get(0).lines()).contains("123 MAIN ST");
        assertThat(read.message(1).patient().addresses().get(0).lines()).contains("456 OAK AVE");

        List<ImportedRecord> visits = read.parts("visit");
        assertThat(visits).hasSize(2);
        assertThat(visits.get(0).key()).isNotNull().isEqualTo(visits.get(1).key());
        assertThat(visits.get(0).contentHash()).isNotEqualTo(visits.get(1).contentHash());
        assertThat(visits.get(0).orderKey()).isLessThan(visits.get(1).orderKey());
        ImportedEntry registered = read.entries("visit").get(0);
        ImportedEntry updated = read.entries("visit").get(1);
        assertThat(registered.kind()).isEqualTo(EntryKind.ENCOUNTER);
        assertThat(registered.code().displayName()).isEqualTo("Outpatient");
        assertThat(registered.effective().high()).isNull();
        assertThat(updated.effective().high().iso()).startsWith("2024-01-05T09:20");
        assertThat(updated.details()).containsKey("admitReason"); // PV2 folded into its visit
        assertThat(visits.get(1).parent()).isSameAs(read.messages().get(1));
    }

    @Test
    void resultsCarryEveryValueTypeUnitsRangesFlagsAndTheirComments() throws Exception {
        V2Fixtures.Read read = V2Fixtures.read("oru-r01-values.hl7");

        assertThat(read.messages()).extracting(ImportedRecord::type).containsExactly("ORU^R01");
        List<ImportedEntry> results = read.entries("result");
        assertThat(results).hasSize(11);
        ImportedEntry glucose = results.get(0);
        assertThat(glucose.code().code()).isEqualTo("2345-7");
        assertThat(glucose.values().get(0).quantity().value()).isEqualTo("98");
        assertThat(glucose.values().get(0).quantity().unit()).isEqualTo("mg/dL");
        assertThat(glucose.referenceRanges().get(0).text()).isEqualTo("70-99");
        assertThat(glucose.referenceRanges().get(0).value().low().value()).isEqualTo("70");
        assertThat(glucose.interpretations().get(0).code()).isEqualTo("N");
        assertThat(glucose.status()).isEqualTo("final");
        assertThat(glucose.details()).containsKeys("panel", "fillerOrder", "orderNotes", "observer");
        ImportedEntry potassium = results.get(1);
        assertThat(potassium.interpretations().get(0).code()).isEqualTo("H");
        assertThat(potassium.text()).as("the NTE after the OBX").isNotBlank();
        assertThat(results).anySatisfy(r -> assertThat(r.values().get(0).text()).contains("\n")); // FT \.br\
        assertThat(results).flatExtracting(ImportedEntry::values).filteredOn(v -> v.coded() != null)
                .extracting(v -> v.coded().code()).containsExactly("260373001");
        assertThat(results).flatExtracting(ImportedEntry::values).filteredOn(v -> v.quantity() != null && v.quantity().comparator() != null)
                .extracting(v -> v.quantity().comparator() + v.quantity().value()).containsExactly(">10"); // SN
        // two orders in one message: each result is keyed by its own order
        assertThat(read.parts("result").get(0).key()).contains("FL456");
        assertThat(read.parts("result").get(10).key()).contains("FL457");
        assertThat(read.parts("result")).extracting(ImportedRecord::locator).contains("/message[1]/OBX[1]", "/message[1]/OBX[11]");
    }

    @Test
    void aCorrectedResultHasTheKeyOfTheResultItCorrectsAndOtherContent() throws Exception {
        ImportedRecord original = V2Fixtures.read("oru-r01-values.hl7").parts("result").get(0);
        V2Fixtures.Read corrected = V2Fixtures.read("oru-r01-corrected.hl7");

        ImportedRecord correction = corrected.parts("result").get(0);
        assertThat(correction.key()).isEqualTo(original.key());
        assertThat(correction.contentHash()).isNotEqualTo(original.contentHash());
        assertThat(correction.orderKey()).isGreaterThan(original.orderKey());
        assertThat(corrected.entries("result").get(0).status()).isEqualTo("corrected");
    }

    @Test
    void anEmbeddedDocumentGoesToTheBlobStoreAndAReferencePointerStaysAReference() throws Exception {
        V2Fixtures.Read read = V2Fixtures.read("oru-r01-ed.hl7");

        List<RecordContent.AttachmentContent> attachments = read.parts("embedded-document").stream()
                .map(r -> (RecordContent.AttachmentContent) r.content()).toList();
        assertThat(attachments).hasSize(2);
        assertThat(attachments.get(0).mediaType()).isEqualTo("application/pdf");
        byte[] pdf = read.unit().blobs.get(attachments.get(0).sha256());
        assertThat(new String(pdf, 0, 5, StandardCharsets.US_ASCII)).isEqualTo("%PDF-");
        assertThat(attachments.get(0).sizeBytes()).isEqualTo(pdf.length);
        assertThat(attachments.get(1).sha256()).isNull();
        assertThat(attachments.get(1).reference()).isEqualTo("report123^EHR");
    }

    @Test
    void aDocumentsEditIsANewVersionOfTheSameDocumentAndItsTextIsReadable() throws Exception {
        V2Fixtures.Read read = V2Fixtures.read("mdm-t02-then-t08.hl7");

        assertThat(read.messages()).extracting(ImportedRecord::type).containsExactly("MDM^T02", "MDM^T08");
        assertThat(read.message(0).document().title()).startsWith("Discharge summary");
        List<ImportedEntry> notes = read.entries("note");
        assertThat(notes).extracting(ImportedEntry::kind).containsOnly(EntryKind.NOTE);
        assertThat(notes.get(0).text()).contains("pneumonia").contains("amoxicillin");
        assertThat(notes.get(0).status()).isEqualTo("AU");
        assertThat(notes.get(1).status()).isEqualTo("LA");
        assertThat(read.parts("note").get(0).key()).isEqualTo(read.parts("note").get(1).key());
        assertThat(read.sections().get(0).narrative()).contains("pneumonia");
    }

    @Test
    void appointmentsImmunizationsOrdersMedicationsAndCharges() throws Exception {
        ImportedEntry appointment = V2Fixtures.read("siu-s12.hl7").entries("appointment").get(0);
        assertThat(appointment.mood()).isEqualTo("APT");
        assertThat(appointment.effective().low().iso()).startsWith("2024-03-10T09:00");
        assertThat(appointment.details()).containsKeys("fillerAppointment", "service", "location", "providers");

        V2Fixtures.Read vaccines = V2Fixtures.read("vxu-v04.hl7");
        List<ImportedEntry> immunizations = vaccines.entries("immunization");
        assertThat(immunizations).extracting(ImportedEntry::kind).containsOnly(EntryKind.IMMUNIZATION);
        assertThat(immunizations.get(0).negated()).isFalse();
        assertThat(immunizations.get(0).details()).containsEntry("lotNumber", "LOT123").containsKeys("manufacturer", "route");
        assertThat(immunizations.get(1).negated()).as("refused").isTrue();
        assertThat(immunizations.get(1).details()).containsKey("refusalReason");

        ImportedEntry order = V2Fixtures.read("orm-o01.hl7").entries("order").get(0);
        assertThat(order.kind()).isEqualTo(EntryKind.PLAN_OF_CARE);
        assertThat(order.code().code()).isEqualTo("71046");

        ImportedEntry medication = V2Fixtures.read("rde-o11.hl7").entries("medication").get(0);
        assertThat(medication.code().code()).isEqualTo("197361");
        assertThat(medication.details()).containsKeys("dose", "route", "refills", "placerOrder");

        V2Fixtures.Read billing = V2Fixtures.read("dft-p03.hl7");
        assertThat(billing.entries("charge")).hasSize(2).allSatisfy(c -> assertThat(c.kind()).isEqualTo(EntryKind.CHARGE));
        assertThat(billing.entries("charge").get(0).values().get(0).quantity().value()).isEqualTo("150.00");
        assertThat(billing.entries("procedure")).hasSize(1);
        assertThat(billing.entries("diagnosis")).hasSize(1);
    }

    @Test
    void whatTheModelHasNoPlaceForIsKeptRawSegmentBySegment() throws Exception {
        V2Fixtures.Read read = V2Fixtures.read("unmapped-and-z.hl7");

        assertThat(read.messages()).extracting(ImportedRecord::type).containsExactly("MFN^M02", "ADT^A31");
        RecordContent.RawContent masterFile = (RecordContent.RawContent) read.messages().get(0).content();
        assertThat(masterFile.status()).isEqualTo(ImportedFragment.Status.KEPT);
        assertThat(masterFile.content()).startsWith("MSH|").contains("\rSTF|");
        assertThat(read.parts("segment")).extracting(ImportedRecord::locator).containsExactly("/message[2]/ZPD[1]", "/message[2]/XYZ[1]");
        assertThat(read.parts("segment")).allSatisfy(r -> assertThat(((RecordContent.RawContent) r.content()).status())
                .isEqualTo(ImportedFragment.Status.KEPT));

        RecordContent.RawContent merge = (RecordContent.RawContent) V2Fixtures.read("adt-a40-merge.hl7").parts("segment").get(0).content();
        assertThat(merge.content()).startsWith("MRG|100201");
        assertThat(merge.reason()).contains("merge");
    }

    @Test
    void framingEnvelopesLineEndingsByteOrderMarksAndCharacterSets() throws Exception {
        V2Fixtures.Read batch = V2Fixtures.read("batch-envelope.hl7");
        assertThat(batch.messages()).hasSize(3);
        assertThat(batch.fileWarnings()).isEmpty();
        assertThat(V2Fixtures.read("mllp-framed.hl7").messages()).hasSize(2);

        V2Fixtures.Read mixed = V2Fixtures.read("mixed-endings-bom.hl7");
        assertThat(mixed.messages()).hasSize(2);
        assertThat(mixed.message(0).patient().names().get(0).family()).containsExactly("MÜLLER");
        assertThat(mixed.message(1).patient().names().get(0).family()).containsExactly("SØRENSEN");

        V2Fixtures.Read latin1 = V2Fixtures.read("latin1.hl7");
        assertThat(latin1.message(0).patient().names().get(0).family()).containsExactly("Dupré");
        assertThat(latin1.message(0).warnings()).isEmpty();

        V2Fixtures.Read custom = V2Fixtures.read("custom-delimiters.hl7");
        assertThat(custom.message(0).patient().identifiers()).extracting(Identifier::value).containsExactly("100541", "999-17-0001");
        assertThat(custom.message(0).patient().telecoms()).anySatisfy(t -> assertThat(t.value()).isEqualTo("mailto:carl@example.org"));

        assertThat(V2Fixtures.read("v21-adt.hl7").message(0).patient().identifiers()).extracting(Identifier::value).containsExactly("100562");
        assertThat(V2Fixtures.read("v23-adt.hl7").messages()).hasSize(1);
    }

    @Test
    void utf16FilesWithOrWithoutAByteOrderMarkAreSplitIntoTheirMessagesAndReadCharacterByCharacter() throws Exception {
        byte[] littleEndian = V2Fixtures.bytes("utf16le-bom.hl7");
        byte[] bigEndian = V2Fixtures.bytes("utf16be-no-bom.hl7");
        assertThat(importer.accepts(new SourceSniff("export.txt", littleEndian))).isTrue();
        assertThat(importer.accepts(new SourceSniff("export.txt", bigEndian))).isTrue();

        V2Fixtures.Read le = V2Fixtures.read("utf16le-bom.hl7");
        assertThat(le.messages()).hasSize(2);
        assertThat(le.message(0).patient().names().get(0).family()).containsExactly("吉田");
        // a character outside the Basic Multilingual Plane: two UTF-16 code units, one character
        assertThat(le.message(1).patient().names().get(0).family()).containsExactly("𠮷野");
        assertThat(le.message(1).patient().identifiers()).extracting(Identifier::value).containsExactly("100572");
        assertThat(le.message(0).warnings()).isEmpty();
        assertThat(le.fileWarnings()).isEmpty();

        V2Fixtures.Read be = V2Fixtures.read("utf16be-no-bom.hl7");
        assertThat(be.messages()).hasSize(1);
        assertThat(be.message(0).patient().names().get(0).family()).containsExactly("ŁUKASZEWICZ");

        // The same message re-exported as UTF-8 is the same record: the text decides, not its bytes.
        String text = new String(littleEndian, StandardCharsets.UTF_16LE).substring(1);
        String second = text.substring(text.indexOf("MSH", 3));
        assertThat(V2Fixtures.read("b.hl7", second.getBytes(StandardCharsets.UTF_8)).messages().get(0).contentHash())
                .isEqualTo(le.messages().get(1).contentHash());

        // Offsets are those of the original bytes: message 2 starts where its MSH does in the UTF-16 file.
        MessageReader.Located located = MessageReader.locate(new java.io.ByteArrayInputStream(littleEndian), 2).orElseThrow();
        assertThat(located.offset()).isEqualTo(2 + 2L * text.indexOf("MSH", 3));
        assertThat(located.end()).isEqualTo(littleEndian.length);
        assertThat(located.segments().get(2)).contains("𠮷野^ゆり");
    }

    @Test
    void aMessageWhoseSegmentsWereJoinedBySpacesIsSplitBeforeEachSegmentNameAndSaysSo() throws Exception {
        String message = new String(V2Fixtures.bytes("v23-adt.hl7"), StandardCharsets.UTF_8).strip();
        String oneLine = message.replace('\r', ' ');
        V2Fixtures.Read read = V2Fixtures.read("folded.hl7", oneLine.getBytes(StandardCharsets.UTF_8));

        assertThat(read.messages()).hasSize(1);
        assertThat(read.message(0).patient().identifiers()).extracting(Identifier::value).containsExactly("100561", "999-20-0001");
        assertThat(read.parts("visit")).hasSize(1);
        assertThat(read.message(0).warnings()).anySatisfy(w -> assertThat(w).contains("separated by spaces"));
        // split back into the segments it was made of: the same record as the message written properly
        assertThat(read.messages().get(0).contentHash())
                .isEqualTo(V2Fixtures.read("a.hl7", message.getBytes(StandardCharsets.UTF_8)).messages().get(0).contentHash());

        // a space inside a field before a word that is no segment name, or a line without PID, is not split
        assertThat(MessageReader.splitAtSpaces("MSH|^~\\&|A OBX NOT|B", '|')).hasSize(1);
        assertThat(MessageReader.splitAtSpaces("MSH|^~\\&|A PID|1 NOTE X|2", '|')).containsExactly("MSH|^~\\&|A", "PID|1 NOTE X|2");
    }

    @Test
    void theSameMessageWithOtherLineEndingsHasTheSameContentHash() throws Exception {
        String message = new String(V2Fixtures.bytes("v23-adt.hl7"), StandardCharsets.UTF_8).strip();
        String withLf = message.replace('\r', '\n');
        String framed = "\u000B" + message + "\u001C\r";

        String hash = V2Fixtures.read("a.hl7", message.getBytes(StandardCharsets.UTF_8)).messages().get(0).contentHash();
        assertThat(V2Fixtures.read("b.txt", withLf.getBytes(StandardCharsets.UTF_8)).messages().get(0).contentHash()).isEqualTo(hash);
        assertThat(V2Fixtures.read("c", framed.getBytes(StandardCharsets.UTF_8)).messages().get(0).contentHash()).isEqualTo(hash);
        // and inside a combined file, after another message, it is still the same record
        String combined = new String(V2Fixtures.bytes("v21-adt.hl7"), StandardCharsets.UTF_8) + "\r" + message;
        assertThat(V2Fixtures.read("d", combined.getBytes(StandardCharsets.UTF_8)).messages().get(1).contentHash()).isEqualTo(hash);
    }

    // ---- hostile and broken input: a clear reason on that message, and the file goes on -----------------------------

    @Test
    void aTruncatedLastMessageIsReadAsFarAsItGoesAndTheFileSaysSo() throws Exception {
        V2Fixtures.Read read = V2Fixtures.read("truncated-last.hl7");
        assertThat(read.messages()).hasSize(3);
        assertThat(read.fileWarnings()).anySatisfy(w -> assertThat(w).contains("does not end with a segment terminator"));
    }

    @Test
    void aFileThatIsOnlyABatchHeaderIsQuarantinedWithItsReason() {
        assertThatThrownBy(() -> V2Fixtures.read("only-batch-header.hl7")).isInstanceOf(QuarantineException.class)
                .hasMessageStartingWith("ING-106");
    }

    @Test
    void garbageBeforeAndBetweenFramedMessagesIsOneQuarantinedRecordEachAndTheMessagesGoOn() throws Exception {
        String good = new String(V2Fixtures.bytes("v23-adt.hl7"), StandardCharsets.UTF_8).strip();
        String file = "\u00FF\u00FEgarbage \u0001 bytes\rmore garbage\r\u000B" + good + "\u001C\r\u0003binary\u0004\r\u000B"
                + good.replace("MSG", "MSH2") + "\u001C\r";
        V2Fixtures.Read read = V2Fixtures.read("g.hl7", file.getBytes(StandardCharsets.ISO_8859_1));

        assertThat(read.messages()).extracting(ImportedRecord::type).containsExactly("unreadable", "ADT^A01", "unreadable", "ADT^A01");
        assertThat(read.messages().get(1).contentHash()).isNotEqualTo(read.messages().get(3).contentHash());
        RecordContent.RawContent garbage = (RecordContent.RawContent) read.messages().get(0).content();
        assertThat(garbage.status()).isEqualTo(ImportedFragment.Status.QUARANTINED);
        assertThat(garbage.reason()).startsWith("ING-206").contains("not an HL7 v2 message");
    }

    @Test
    void aMessageWithNulBytesIsQuarantinedAndTheNextIsArchived() throws Exception {
        String good = new String(V2Fixtures.bytes("v23-adt.hl7"), StandardCharsets.UTF_8).strip();
        String file = good.replace("PID|", "PID|\u0000\u0000") + "\r" + good;
        V2Fixtures.Read read = V2Fixtures.read("n.hl7", file.getBytes(StandardCharsets.UTF_8));

        assertThat(read.messages()).extracting(ImportedRecord::type).containsExactly("unreadable", "ADT^A01");
        assertThat(((RecordContent.RawContent) read.messages().get(0).content()).reason()).contains("NUL byte");
    }

    @Test
    void wrongEncodingCharactersQuarantineThatMessageWithTheReason() throws Exception {
        String good = new String(V2Fixtures.bytes("v23-adt.hl7"), StandardCharsets.UTF_8).strip();
        String file = good.replaceFirst("MSH\\|\\^~\\\\&\\|", "MSH|^^^^|") + "\r" + good;
        V2Fixtures.Read read = V2Fixtures.read("e.hl7", file.getBytes(StandardCharsets.UTF_8));

        assertThat(read.messages()).extracting(ImportedRecord::type).containsExactly("unreadable", "ADT^A01");
        RecordContent.RawContent refused = (RecordContent.RawContent) read.messages().get(0).content();
        assertThat(refused.reason()).startsWith("ING-206").contains("delimiters");
        assertThat(refused.content()).as("its text is kept").startsWith("MSH|^^^^|");
    }

    @Test
    void aMessageLargerThanTheLimitIsCountedAndQuarantinedWithoutHoldingItAndTheNextIsArchived() throws Exception {
        String good = new String(V2Fixtures.bytes("v23-adt.hl7"), StandardCharsets.UTF_8).strip();
        StringBuilder file = new StringBuilder(good).append("\rNTE|1||");
        file.append("x".repeat(Hl7v2Importer.MAX_MESSAGE_BYTES + 10)).append('\r').append(good);
        V2Fixtures.Read read = V2Fixtures.read("big.hl7", file.toString().getBytes(StandardCharsets.US_ASCII));

        assertThat(read.messages()).extracting(ImportedRecord::type).containsExactly("unreadable", "ADT^A01");
        assertThat(((RecordContent.RawContent) read.messages().get(0).content()).reason()).startsWith("ING-203");
    }

    @Test
    void aTenMegabyteFieldAndAHundredThousandSegmentsAreReadWhole() throws Exception {
        String good = new String(V2Fixtures.bytes("oru-r01-corrected.hl7"), StandardCharsets.UTF_8).strip();
        StringBuilder file = new StringBuilder(good).append("\rNTE|1||").append("y".repeat(10_000_000)).append('\r');
        for (int i = 0; i < 100_000; i++) {
            file.append("OBX|").append(i).append("|NM|2345-7^Glucose^LN|").append(i).append("|").append(i % 200).append("|mg/dL\r");
        }
        V2Fixtures.Read read = V2Fixtures.read("huge.hl7", file.toString().getBytes(StandardCharsets.US_ASCII));

        assertThat(read.messages()).extracting(ImportedRecord::type).containsExactly("ORU^R01");
        assertThat(read.parts("result")).hasSize(100_001);
        assertThat(read.entries("result").get(0).text()).hasSizeGreaterThan(10_000_000); // the NTE on the corrected result
    }
}
