package org.ehrarchive.ingest.hl7v2;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.ehrarchive.ingest.IngestReport;
import org.ehrarchive.ingest.IngestReport.FileReport;
import org.ehrarchive.ingest.IngestService;
import org.ehrarchive.ingest.RecordTypes;
import org.ehrarchive.record.ClinicalDocument;
import org.ehrarchive.record.SourceRecord;
import org.ehrarchive.support.ArchiveTestDatabase;
import org.ehrarchive.support.Ingesting;
import org.ehrarchive.support.Requirements;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Conformance over real HL7 v2 samples nobody here wrote ({@code ../shared/corpus/hl7v2}: HAPI's, Microsoft's,
 * LinuxForHealth's and vendor samples, with every line ending, byte order marks, batches of several messages,
 * non-standard delimiters and two malformed files). This test splits every file into messages with its own code and
 * compares with what the database holds: every message is one source record of its MSH-9 type, and each archived
 * message keeps its text, segment for segment.
 */
@QuarkusTest
@Tag("storage")
@WithTestResource(ArchiveTestDatabase.class)
class Hl7v2CorpusConformanceTest {

    @Inject
    IngestService ingest;

    @Test
    void everyMessageOfEveryCorpusFileIsAccountedForInTheDatabase() throws Exception {
        Path corpus = Requirements.corpus("hl7v2");
        IngestReport report = Ingesting.report(ingest, corpus);

        List<Path> files;
        try (Stream<Path> listed = Files.list(corpus)) {
            files = listed.filter(p -> !p.getFileName().toString().endsWith(".md")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThan(40);
        for (Path path : files) {
            String name = path.getFileName().toString();
            FileReport line = report.files().stream().filter(f -> f.path().equals(name)).findFirst().orElseThrow();
            List<List<String>> messages = messagesOf(Files.readAllBytes(path));
            assertThat(line.format()).as(name).isEqualTo("hl7v2");
            assertThat(line.status()).as(name).isEqualTo("archived");
            assertThat(line.found()).as(name + ": one record per message").isEqualTo(messages.size());
            assertThat(line.found()).as(name).isEqualTo(line.archived() + line.quarantined() + line.duplicates());
            Map<String, Integer> byType = new TreeMap<>();
            messages.forEach(m -> byType.merge(typeOf(m.get(0)), 1, Integer::sum));
            Map<String, Integer> reported = new TreeMap<>();
            line.records().forEach((type, counts) -> reported.put(type, counts.found()));
            assertThat(reported).as(name).isEqualTo(byType);

            QuarkusTransaction.requiringNew().run(() -> {
                List<SourceRecord> stored = SourceRecord.<SourceRecord>list("sourceSha256 = ?1 order by ordinal", line.sha256()).stream()
                        .filter(r -> !RecordTypes.isPart(r.recordType)).toList();
                assertThat(stored).as(name + ": the messages stored").hasSize(line.archived() + line.quarantined());
                for (SourceRecord record : stored) {
                    int index = Integer.parseInt(record.locator.replaceAll("^/message\\[(\\d+)].*", "$1")) - 1;
                    List<String> segments = messages.get(index);
                    assertThat(record.recordType).as(name + " " + record.locator).isEqualTo(typeOf(segments.get(0)));
                    ClinicalDocument document = ClinicalDocument.find("sourceRecordId", record.id).firstResult();
                    if (document != null) {
                        assertThat(document.headerFragment.split("\r", -1)).as(name + " " + record.locator + ": its text")
                                .hasSameSizeAs(segments);
                        assertThat(document.patientId).isNotNull();
                    }
                }
            });
        }
        assertThat(report.files()).filteredOn(f -> f.status().equals("quarantined")).extracting(FileReport::path)
                .as("only the corpus's own notes, which are no HL7 v2").containsExactly("SOURCES.md");
    }

    /** Messages as this test splits them: segments at CR, LF or CRLF, MLLP bytes and a BOM dropped, each MSH starting one. */
    private static List<List<String>> messagesOf(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1).replace("\u00EF\u00BB\u00BF", "").replace("\u000B", "")
                .replace("\u001C", "");
        List<List<String>> messages = new ArrayList<>();
        String[] lines = text.split("\r\n|\r|\n");
        if (lines.length == 1 && lines[0].contains(" PID|")) {
            // One published sample has its segments joined by spaces on one line. Split before the names of the segments
            // it holds (not before any three capitals: "SELF PAY|" is a field).
            lines = lines[0].split(" (?=(EVN|PID|NK1|PV1|GT1|DG1|IN1|IN2)\\|)");
        }
        for (String segment : lines) {
            if (segment.startsWith("MSH")) {
                messages.add(new ArrayList<>());
            }
            if (!messages.isEmpty() && !segment.isBlank() && !segment.matches("^(FHS|BHS|BTS|FTS).*")) {
                List<String> current = messages.get(messages.size() - 1);
                if (segment.matches("^[A-Z0-9]{3}(\\W.*)?$") || current.isEmpty()) {
                    current.add(segment);
                }
            }
        }
        return messages;
    }

    /** MSH-9's code and event, read with the message's own separators. */
    private static String typeOf(String msh) {
        String field = String.valueOf(msh.charAt(3));
        String component = String.valueOf(msh.charAt(4));
        String[] fields = msh.split(java.util.regex.Pattern.quote(field), -1);
        String[] type = fields[8].split(java.util.regex.Pattern.quote(component), -1);
        return RecordTypes.messageType(type[0], type.length > 1 && !type[1].isEmpty() ? type[1] : null);
    }
}
