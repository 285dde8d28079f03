package org.ehrarchive.ingest.ccda;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.ehrarchive.ingest.QuarantineException;
import org.ehrarchive.support.Fixtures;
import org.ehrarchive.support.Requirements;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * HL7's C-CDA examples include single sections and headers (not documents; ingesting one alone quarantines it as
 * ING-103). Placed into a minimal document, each must map with no quarantined entry, in a recognised section,
 * and each header's patient must be read: real-world markup for every clinical concept the examples cover.
 */
class CcdaCorpusFragmentsTest {

    private static final String DOCUMENT_START = """
            <ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:sdtc="urn:hl7-org:sdtc">
            <id root="1.2.3.4" extension="wrapper"/><code code="34133-9" codeSystem="2.16.840.1.113883.6.1"/>
            """;
    private static final String SYNTHETIC_PATIENT = """
            <recordTarget><patientRole><id root="1.2.3.4.5" extension="WRAPPER-1"/>
            <patient><name><given>Wrapper</given><family>Patient</family></name></patient></patientRole></recordTarget>
            """;

    @TestFactory
    Stream<DynamicTest> everyExampleSectionMapsWithNoQuarantinedEntry() throws IOException {
        return fragments("sections", "notes").filter(f -> !rootOf(f).equals("recordTarget"))
                .map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
                    String fragment = body(file);
                    String wrapped = rootOf(file).equals("component") ? fragment : "<component>" + fragment + "</component>";
                    CcdaFixtures.Read document = read(DOCUMENT_START + SYNTHETIC_PATIENT
                            + "<component><structuredBody>" + wrapped + "</structuredBody></component></ClinicalDocument>");
                    assertThat(document.sections()).isNotEmpty();
                    for (CcdaFixtures.Section section : document.sections()) {
                        assertThat(section.kind()).as("recognised: " + section.title()).isNotNull();
                        assertThat(section.quarantined()).as(section.title()).isZero();
                        assertThat(section.found()).isEqualTo(section.archived());
                    }
                    int found = document.sections().stream().mapToInt(CcdaFixtures.Section::found).sum();
                    int keptRaw = document.sections().stream().mapToInt(CcdaFixtures.Section::keptRaw).sum();
                    if (found > 0) {
                        assertThat(found - keptRaw).as("entries mapped to the model").isPositive();
                        assertThat(document.entries()).allSatisfy(e -> assertThat(e.code() != null || e.text() != null
                                || !e.values().isEmpty()).as("entry at " + e.locator() + " says something").isTrue());
                    }
                }));
    }

    @TestFactory
    Stream<DynamicTest> everyExampleHeaderYieldsItsPatient() throws IOException {
        return fragments("header").filter(f -> rootOf(f).equals("recordTarget"))
                .map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
                    CcdaFixtures.Read document = read(DOCUMENT_START + body(file) + "</ClinicalDocument>");
                    assertThat(document.patient().identifiers()).isNotEmpty();
                    assertThat(document.patient().names()).isNotEmpty();
                    assertThat(document.patient().sourceFragment()).contains("patientRole");
                }));
    }

    private static CcdaFixtures.Read read(String xml) throws QuarantineException {
        return CcdaFixtures.importBytes("wrapped.xml", xml.getBytes(StandardCharsets.UTF_8));
    }

    private static Stream<Path> fragments(String... folders) throws IOException {
        Path examples = Fixtures.sharedCorpus().resolve("ccda-examples");
        Requirements.corpus("ccda-examples");
        List<Path> files = new java.util.ArrayList<>();
        for (String folder : folders) {
            try (Stream<Path> list = Files.list(examples.resolve(folder))) {
                list.filter(p -> p.toString().toLowerCase(java.util.Locale.ROOT).endsWith(".xml")).sorted().forEach(files::add);
            }
        }
        return files.stream();
    }

    /** The fragment without its XML declaration, so that it can be placed inside a document. */
    private static String body(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        return text.replaceFirst("^\\s*<\\?xml[^>]*\\?>", "");
    }

    private static String rootOf(Path file) {
        try {
            String text = body(file).replaceAll("(?s)<!--.*?-->", "").stripLeading();
            return text.substring(1).split("[\\s>/]", 2)[0];
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
