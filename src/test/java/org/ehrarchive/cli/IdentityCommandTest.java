package org.ehrarchive.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ehrarchive.support.IdentityDocuments.MRN_OID;
import static org.ehrarchive.support.IdentityDocuments.ccda;
import static org.ehrarchive.support.IdentityDocuments.fhir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.Callable;

import jakarta.inject.Inject;

import org.ehrarchive.identity.IdentifierSystems;
import org.ehrarchive.identity.PatientLinks;
import org.ehrarchive.ingest.IngestProgress;
import org.ehrarchive.ingest.IngestService;
import org.ehrarchive.support.ArchiveTestDatabase;
import org.ehrarchive.support.IdentityDocuments;
import org.ehrarchive.support.IdentityDocuments.Person;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * {@code identity}: a spelling added on the console, {@code identity match} then linking the two records it makes one
 * identifier, {@code identity links} listing the link by id and score with no name, and usage errors said.
 */
@QuarkusTest
@Tag("storage")
@WithTestResource(ArchiveTestDatabase.class)
class IdentityCommandTest {

    @Inject
    IngestService ingest;
    @Inject
    IdentityCommand.Match match;
    @Inject
    IdentityCommand.Links list;
    @Inject
    IdentityCommand.Systems systems;
    @Inject
    IdentifierSystems spellings;
    @Inject
    PatientLinks links;

    @Test
    void aSpellingAddedOnTheConsoleLinksOnTheNextMatchAndTheListNamesNoOne(@TempDir Path folder) throws Exception {
        Person person = Person.fresh();
        String vendorSystem = "urn:test:cli:" + UUID.randomUUID();
        IdentityDocuments.write(folder.resolve("ccda"), "c.xml", ccda(person.mrn(), person.given(), person.family(), "19700101", "F"));
        IdentityDocuments.write(folder.resolve("fhir"), "b.json", fhir(person.mrn(), vendorSystem, "O", person.family(), null, "female"));
        ingest.ingest(folder.resolve("ccda"), IngestProgress.NONE);
        ingest.ingest(folder.resolve("fhir"), IngestProgress.NONE);
        long patient = IdentityDocuments.archivedPatient(MRN_OID, person.mrn());
        assertThat(links.members(patient)).hasSize(1);

        systems.action = "add";
        systems.system = vendorSystem;
        systems.authority = MRN_OID;
        systems.label = "the old EHR's MRN";
        assertThat(run(systems)).contains(vendorSystem + " now names " + MRN_OID).contains("identity match");
        assertThat(run(match)).containsPattern("identity: \\d+ patients matched, \\d+ pairs compared: [1-9]\\d* linked");
        assertThat(links.members(patient)).hasSize(2);

        list.state = "LINKED";
        String listed = run(list);
        PatientLinks.Link link = links.ofPatient(patient).get(0);
        assertThat(listed).contains("link " + link.id() + ": patients " + link.patientLow() + " and " + link.patientHigh() + ", identifier")
                .doesNotContain(person.family()).doesNotContain(person.mrn());

        list.state = "sometimes";
        assertThat(list.call()).isEqualTo(ArchiveCommand.ExitCodes.USAGE);
        systems.action = "rename";
        assertThat(systems.call()).isEqualTo(ArchiveCommand.ExitCodes.USAGE);
        systems.action = "remove";
        assertThat(run(systems)).contains(vendorSystem + " removed");
        assertThat(spellings.authorities().of(vendorSystem)).isEqualTo(vendorSystem);
    }

    private static String run(Callable<Integer> command) throws Exception {
        PrintStream console = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertThat(command.call()).isEqualTo(ArchiveCommand.ExitCodes.OK);
        } finally {
            System.setOut(console);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
