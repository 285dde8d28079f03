package org.ehrarchive.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.parser.PipeParser;
import ca.uhn.hl7v2.parser.UnexpectedSegmentBehaviourEnum;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;

/** The generated HL7 v2 archives: reproducible, described by their shape, and every message valid 2.5.1. */
class Hl7v2GeneratorTest {

    private static final int MESSAGES = 3_000;
    private static final int PER_FILE = 700;

    @TempDir
    static Path shared;

    private static Hl7v2Generator.Shape shape;
    private static List<Path> files;
    /** Every message of the archive, in file order. */
    private static List<Hl7Message> messages;

    @BeforeAll
    static void writeArchive() throws IOException {
        shape = new Hl7v2Generator(7).writeArchive(shared.resolve("archive"), MESSAGES, PER_FILE);
        files = filesIn(shared.resolve("archive"));
        messages = new ArrayList<>();
        for (Path file : files) {
            messages.addAll(messagesOf(file));
        }
    }

    @Test
    void theSameSeedGivesByteIdenticalFiles(@TempDir Path temp) throws IOException {
        new Hl7v2Generator(42).writeArchive(temp.resolve("a"), 1_200, 500);
        new Hl7v2Generator(42).writeArchive(temp.resolve("b"), 1_200, 500);
        new Hl7v2Generator(43).writeArchive(temp.resolve("c"), 1_200, 500);

        List<Path> a = filesIn(temp.resolve("a"));
        List<Path> b = filesIn(temp.resolve("b"));
        assertThat(a).extracting(p -> p.getFileName().toString())
                .containsExactly("messages-0001.hl7", "messages-0002.hl7", "messages-0003.hl7")
                .isEqualTo(b.stream().map(p -> p.getFileName().toString()).toList());
        for (int i = 0; i < a.size(); i++) {
            assertThat(Files.mismatch(a.get(i), b.get(i))).as(a.get(i).getFileName().toString()).isEqualTo(-1L);
        }
        assertThat(Files.mismatch(a.get(0), temp.resolve("c").resolve("messages-0001.hl7"))).as("another seed").isNotEqualTo(-1L);
    }

    @Test
    void theShapeCountsWhatTheFilesHold() throws IOException {
        assertThat(files).hasSize(5);
        assertThat(shape.files()).isEqualTo(5);
        assertThat(shape.messages()).isEqualTo(MESSAGES).isEqualTo(messages.size());
        long bytes = 0;
        for (Path file : files) {
            bytes += Files.size(file);
            assertThat(messagesOf(file)).hasSizeLessThanOrEqualTo(PER_FILE);
        }
        assertThat(shape.bytes()).isEqualTo(bytes);
        assertThat(messagesOf(files.get(0))).hasSize(PER_FILE);
        assertThat(messagesOf(files.get(4))).hasSize(MESSAGES - 4 * PER_FILE);

        Map<String, Integer> counted = new TreeMap<>();
        for (Hl7Message message : messages) {
            String[] type = message.msh(9).split("\\^");
            counted.merge(type[0] + "^" + type[1], 1, Integer::sum);
        }
        assertThat(shape.messageTypes()).isEqualTo(counted);
        assertThat(counted.keySet()).containsExactly("ADT^A03", "ADT^A04", "ADT^A08", "DFT^P03", "MDM^T02", "ORU^R01", "SIU^S12", "VXU^V04");
    }

    @Test
    void theMixIsThatOfAHospitalFeed() {
        Map<String, Integer> expectedPercent = Map.of("ORU^R01", 30, "ADT^A08", 25, "ADT^A04", 10, "MDM^T02", 10, "ADT^A03", 5,
                "VXU^V04", 5, "SIU^S12", 5, "DFT^P03", 10);
        expectedPercent.forEach((type, percent) -> assertThat(100.0 * shape.messageTypes().get(type) / MESSAGES).as(type)
                .isBetween(percent - 4.0, percent + 4.0));
    }

    @Test
    void messagesAreOfRealisticSizesWithCarriageReturnsOnly() throws IOException {
        for (Path file : files) {
            byte[] bytes = Files.readAllBytes(file);
            int wrong = -1;
            for (int i = 0; i < bytes.length && wrong < 0; i++) {
                wrong = bytes[i] == '\n' || bytes[i] < 0 ? i : -1;
            }
            assertThat(wrong).as("%s: offset of a line feed or a byte beyond ASCII", file.getFileName()).isEqualTo(-1);
        }
        for (Hl7Message message : messages) {
            assertThat(message.text()).endsWith("\r");
            assertThat(message.text().length()).as(message.msh(10)).isBetween(500, 3_100);
        }
    }

    @Test
    void everyMessageHasAUniqueControlIdAndALaterTime() {
        Set<String> controlIds = new HashSet<>();
        String previous = "";
        for (Hl7Message message : messages) {
            assertThat(controlIds.add(message.msh(10))).as("MSH-10 %s is unique", message.msh(10)).isTrue();
            assertThat(message.msh(7)).as("MSH-7 of %s", message.msh(10)).matches("\\d{14}-0500").isGreaterThan(previous);
            previous = message.msh(7);
        }
    }

    @Test
    void everyMessageParsesWithHapiAsA251StructureWithEverySegmentInItsPlace() throws Exception {
        try (HapiContext context = new DefaultHapiContext()) {
            context.getParserConfiguration().setUnexpectedSegmentBehaviour(UnexpectedSegmentBehaviourEnum.THROW_HL7_EXCEPTION);
            context.setValidationContext(ValidationContextFactory.noValidation());
            PipeParser parser = context.getPipeParser();
            for (Hl7Message message : messages) {
                Message parsed = parser.parse(message.text());
                assertThat(parsed.getVersion()).isEqualTo("2.5.1");
                assertThat(parsed.getClass().getName()).as(message.msh(10))
                        .isEqualTo("ca.uhn.hl7v2.model.v251.message." + message.msh(9).split("\\^")[2]);
            }
            // The check above is real: a segment out of its place is refused.
            String misplaced = messages.get(0).text().replaceFirst("\rPID\\|", "\rRXA|0|1\rPID|");
            assertThatThrownBy(() -> parser.parse(misplaced)).isInstanceOf(ca.uhn.hl7v2.HL7Exception.class);
        }
    }

    @Test
    void patientsCarryIdentifiersWithTheirAuthorityAndTypeSomeTwo() {
        int withSsn = 0;
        for (Hl7Message message : messages) {
            String[] repetitions = message.first("PID").get(3).split("~");
            assertThat(repetitions.length).isBetween(1, 2);
            for (String repetition : repetitions) {
                String[] cx = repetition.split("\\^", -1);
                assertThat(cx[3]).as("assigning authority").matches("[A-Z]+&[0-9.]+&ISO");
                assertThat(cx[4]).isIn("MR", "SS");
            }
            assertThat(repetitions[0]).endsWith("^MR");
            if (repetitions.length == 2) {
                assertThat(repetitions[1]).matches("9\\d\\d00\\d{4}\\^\\^\\^SSA&2\\.16\\.840\\.1\\.113883\\.4\\.1&ISO\\^SS");
                withSsn++;
            }
        }
        assertThat(withSsn).isBetween(messages.size() / 5, messages.size() * 4 / 5);
    }

    @Test
    void correctedResultsRepeatTheOrderAndObservationOfAnEarlierFinalResult() {
        Map<String, String> finalResults = new HashMap<>(); // OBR-3, OBX-3, OBX-4 -> MSH-7 of the final result
        int corrected = 0;
        int numericResults = 0;
        for (Hl7Message message : messages) {
            if (!message.msh(9).startsWith("ORU^R01^")) {
                continue;
            }
            List<String> obr = message.first("OBR");
            List<List<String>> obxs = message.all("OBX");
            assertThat(obr.get(25)).isIn("F", "C");
            if (obr.get(25).equals("F")) {
                assertThat(obxs).hasSizeBetween(3, 8);
                assertThat(message.all("NTE")).hasSize(1);
            }
            for (List<String> obx : obxs) {
                String key = obr.get(3) + "|" + obx.get(3) + "|" + obx.get(4);
                assertThat(obx.get(11)).isEqualTo(obr.get(25));
                if (obx.get(11).equals("F")) {
                    assertThat(finalResults.put(key, message.msh(7))).as("a final result is sent once: %s", key).isNull();
                    if (obx.get(2).equals("NM")) {
                        numericResults++;
                        if (!obx.get(3).startsWith("5811-5^")) { // specific gravity has no unit
                            assertThat(obx.get(6)).as("units of %s", obx.get(3)).matches("[^^]+\\^[^^]+\\^UCUM");
                        }
                        assertThat(obx.get(7)).as("reference range").isNotEmpty();
                        assertThat(obx.get(8)).as("flag").isIn("L", "N", "H");
                    }
                } else {
                    corrected++;
                    assertThat(obx.get(2)).isEqualTo("NM");
                    assertThat(finalResults).as("the result %s corrects", key).containsKey(key);
                    assertThat(message.msh(7)).isGreaterThan(finalResults.get(key));
                }
            }
        }
        assertThat(numericResults).isGreaterThan(1_000);
        assertThat(corrected).as("corrected results").isGreaterThan(20);
    }

    @Test
    void notesImmunizationsAppointmentsAndChargesCarryTheirSegments() {
        for (Hl7Message message : messages) {
            switch (message.msh(9)) {
                case "MDM^T02^MDM_T02" -> {
                    assertThat(message.first("TXA").get(12)).isNotEmpty();
                    assertThat(message.all("OBX")).hasSizeBetween(5, 20).allSatisfy(obx -> assertThat(obx.get(2)).isEqualTo("TX"));
                }
                case "VXU^V04^VXU_V04" -> {
                    List<String> rxa = message.first("RXA");
                    assertThat(rxa.get(15)).as("lot").matches("[A-Z]{2}\\d{4}");
                    assertThat(rxa.get(17)).as("manufacturer").matches("[A-Z]{3}\\^[^^]+\\^MVX");
                }
                case "SIU^S12^SIU_S12" -> assertThat(message.all("AIS")).hasSize(1);
                case "DFT^P03^DFT_P03" -> {
                    assertThat(message.all("FT1")).hasSizeBetween(1, 3);
                    assertThat(message.all("DG1")).hasSizeBetween(1, 2);
                }
                default -> {
                }
            }
        }
    }

    @Test
    void refusesAFileOfNoMessages(@TempDir Path temp) {
        assertThatThrownBy(() -> new Hl7v2Generator(1).writeArchive(temp, 10, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    // ---------------------------------------------------------------- reading the files back, independently of the generator

    /** One message: its text (segments ended by CR) and its segments' fields, {@code fields.get(n)} being SEG-n. */
    private record Hl7Message(String text, List<List<String>> segments) {

        /** MSH-n: MSH-1 is the field separator itself, so MSH's fields are numbered one further than they are split. */
        String msh(int field) {
            return segments.get(0).get(field - 1);
        }

        List<String> first(String segment) {
            return all(segment).get(0);
        }

        List<List<String>> all(String segment) {
            return segments.stream().filter(s -> s.get(0).equals(segment)).map(Hl7Message::padded).toList();
        }

        private static List<String> padded(List<String> fields) {
            List<String> out = new ArrayList<>(fields);
            while (out.size() < 48) {
                out.add("");
            }
            return out;
        }
    }

    private static List<Hl7Message> messagesOf(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        List<Hl7Message> out = new ArrayList<>();
        StringBuilder current = null;
        List<List<String>> segments = null;
        for (String segment : text.split("\r")) {
            if (segment.startsWith("MSH|")) {
                if (current != null) {
                    out.add(new Hl7Message(current.toString(), segments));
                }
                current = new StringBuilder();
                segments = new ArrayList<>();
            }
            assertThat(current).as("the file starts with MSH").isNotNull();
            current.append(segment).append('\r');
            segments.add(List.of(segment.split("\\|", -1)));
        }
        if (current != null) {
            out.add(new Hl7Message(current.toString(), segments));
        }
        return out;
    }

    private static List<Path> filesIn(Path folder) throws IOException {
        try (Stream<Path> list = Files.list(folder)) {
            return list.sorted().toList();
        }
    }
}
