package org.ehrarchive.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.ehrarchive.support.ArchiveJar;
import org.ehrarchive.support.Fixtures;
import org.ehrarchive.support.JsonReports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The packaged jar, as an admin runs it: ingest from the command line on the embedded default database. */
class IngestCommandIT {

    private static final Duration RUN_LIMIT = Duration.ofMinutes(3);

    @Test
    void theSummarysSearchLineCountsEveryDocumentTheRunIndexed(@TempDir Path work) throws Exception {
        ArchiveJar archive = new ArchiveJar(work).withEnvironment(java.util.Map.of("ARCHIVE_SEARCH_DRAIN_INTERVAL", "50ms"));
        Path input = work.resolve("export");
        new org.ehrarchive.bench.CcdaGenerator(3, 20).writeDocuments(input, 40);

        assertThat(archive.run("indexed", RUN_LIMIT, "ingest", input.toString())).as(archive.output("indexed")).isZero();

        // A command does not index in the background (SearchIndexer.NotServing), however short the drain interval:
        // it indexes once its batch is done, and the line counts all 40 (issue 18 saw "indexed 0" after 66).
        assertThat(archive.output("indexed")).contains("search: indexed 40 documents");
    }

    @Test
    void theSummaryCountsHl7v2MessagesByTypeAndTheirPartsApart(@TempDir Path work) throws Exception {
        ArchiveJar archive = new ArchiveJar(work);
        Path input = work.resolve("feed");
        Fixtures.copy("hl7v2", "adt-a04-then-a08.hl7", input);
        Fixtures.copy("hl7v2", "oru-r01-values.hl7", input);

        assertThat(archive.run("hl7v2", RUN_LIMIT, "ingest", input.toString())).as(archive.output("hl7v2")).isZero();

        String output = archive.output("hl7v2");
        assertThat(output).contains("records: 3 found = 3 archived").contains("ADT^A04:").contains("ORU^R01:")
                .contains("parts (what the records were split into").containsPattern("visit: +2 found = 2 archived").containsPattern("result: +11 found = 11 archived");
        assertThat(output).as("no patient data on the console").doesNotContain("DOE").doesNotContain("100200");
    }

    @Test
    void aTableDumpIsIngestedThroughAShippedProfileAndCountedPerTable(@TempDir Path work) throws Exception {
        ArchiveJar archive = new ArchiveJar(work);
        Path dump = Path.of("src/test/resources/fixtures/table-dump/broken-join").toAbsolutePath();

        assertThat(archive.run("dump", RUN_LIMIT, "ingest", dump.toString(), "--profile", dump.resolve("profile.yaml").toString()))
                .as(archive.output("dump")).isZero();

        String output = archive.output("dump");
        assertThat(output).containsPattern("observations: +5 found = 4 archived \\(0 kept raw\\) \\+ 1 quarantined")
                .containsPattern("patients: +2 found = 2 archived");
        assertThat(output).as("no patient data on the console").doesNotContain("B999").doesNotContain("V999");
    }

    @Test
    void ingestWritesTheReconciliationReportAndReportsDuplicatesOnTheSecondRun(@TempDir Path work) throws Exception {
        ArchiveJar archive = new ArchiveJar(work);
        Path input = work.resolve("export");
        Fixtures.copy("ccda", "full-ccd.xml", input);
        Fixtures.copy("ccda", "truncated.xml", input);
        Path report = work.resolve("reports/first.json");

        int exit = archive.run("first", RUN_LIMIT, "ingest", input.toString(), "--report-json", report.toString(),
                "--source-system", "  Old   EHR ");

        assertThat(exit).as(archive.output("first")).isZero();
        assertThat(archive.output("first")).contains("source system \"Old EHR\"");
        JsonNode json = new ObjectMapper().readTree(report.toFile());
        assertThat(json.get("schema").asText()).isEqualTo("urn:ehrarchive:archive-schemas:ingest-report:2");
        assertThat(json.get("sourceSystem").asText()).as("the name as kept: trimmed, one space").isEqualTo("Old EHR");
        // The document, its header encounter and its twelve section entries: fourteen records.
        assertThat(json.get("totals").get("found").asInt()).isEqualTo(14);
        assertThat(json.get("totals").get("archived").asInt()).isEqualTo(14);
        assertThat(json.get("totals").get("quarantined").asInt()).isZero();
        assertThat(json.get("totals").get("records").get("entry").get("archived").asInt()).isEqualTo(12);
        assertThat(json.get("totals").get("records").get("document").get("archived").asInt()).isEqualTo(1);
        assertThat(json.get("totals").get("records").get("header-encounter").get("archived").asInt()).isEqualTo(1);
        JsonNode archived = JsonReports.fileNamed(json, "full-ccd.xml");
        assertThat(archived.get("status").asText()).isEqualTo("archived");
        assertThat(archived.get("sha256").asText()).hasSize(64);
        assertThat(archived.get("patientIdentifiers").get(0).get("value").asText()).isEqualTo("MRN-4711");
        JsonNode problems = archived.get("sections").get(0);
        assertThat(problems.get("code").asText()).isEqualTo("11450-4");
        assertThat(problems.get("title").asText()).isEqualTo("Problems");
        assertThat(problems.get("found").asInt()).isEqualTo(1);
        assertThat(problems.get("archived").asInt()).isEqualTo(1);
        assertThat(problems.get("quarantined").asInt()).isZero();
        JsonNode broken = JsonReports.fileNamed(json, "truncated.xml");
        assertThat(broken.get("status").asText()).isEqualTo("quarantined");
        assertThat(broken.get("reason").asText()).startsWith("ING-102");
        // No patient data on the console: counts and ids only.
        assertThat(archive.output("first")).doesNotContain("Testy").doesNotContain("Fixture").doesNotContain("MRN-4711");
        // Structured logs: JSON lines with the batch id as a field, and no patient data either.
        String structured = Files.readString(archive.dataDir().resolve("logs/archive.log"));
        JsonNode completed = structured.lines().map(IngestCommandIT::readJson)
                .filter(line -> line.path("message").asText().contains("completed")).findFirst().orElseThrow();
        assertThat(completed.path("mdc").path("batchId").asText()).isEqualTo(json.get("batchId").asText());
        assertThat(structured).doesNotContain("Testy").doesNotContain("MRN-4711");

        Path second = work.resolve("reports/second.json");
        assertThat(archive.run("second", RUN_LIMIT, "ingest", input.toString(), "--report-json", second.toString())).isZero();
        JsonNode again = new ObjectMapper().readTree(second.toFile());
        assertThat(JsonReports.fileNamed(again, "full-ccd.xml").get("status").asText()).isEqualTo("duplicate");
        assertThat(again.get("totals").get("archived").asInt()).isZero();
        assertThat(again.get("totals").get("duplicates").asInt()).isEqualTo(14);
        assertThat(JsonReports.fileNamed(again, "full-ccd.xml").get("sections").get(0).get("duplicates").asInt()).isEqualTo(1);
    }

    private static JsonNode readJson(String line) {
        try {
            return new ObjectMapper().readTree(line);
        } catch (java.io.IOException e) {
            throw new AssertionError("not a JSON log line: " + line, e);
        }
    }
}
