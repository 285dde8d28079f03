package org.ehrarchive.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.ehrarchive.support.IdentityDocuments.MRN_OID;
import static org.ehrarchive.support.IdentityDocuments.ccda;
import static org.ehrarchive.support.IdentityDocuments.fhir;
import static org.ehrarchive.support.IdentityDocuments.letters;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.ehrarchive.chart.PatientChart;
import org.ehrarchive.ingest.IngestProgress;
import org.ehrarchive.ingest.IngestService;
import org.ehrarchive.record.ChartService;
import org.ehrarchive.record.EntryKind;
import org.ehrarchive.indexing.SearchIndexer;
import org.ehrarchive.search.PatientHit;
import org.ehrarchive.search.PatientQuery;
import org.ehrarchive.support.ArchiveTestDatabase;
import org.ehrarchive.support.IdentityDocuments;
import org.ehrarchive.support.IdentityDocuments.Person;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * One patient across sources (docs/patient-identity.md): a C-CDA document and a FHIR export of one person are linked
 * by the identifier they share (under two spellings of one authority), the chart shows both sources and one fact
 * once, undoing the link gives both charts back exactly, and look-alikes stay apart.
 */
@QuarkusTest
@Tag("storage")
@WithTestResource(ArchiveTestDatabase.class)
class PatientLinksTest {

    @Inject
    IngestService ingest;
    @Inject
    ChartService charts;
    @Inject
    PatientLinks links;
    @Inject
    PatientMatcher matcher;
    @Inject
    IdentifierSystems systems;
    @Inject
    PersonSearch search;
    @Inject
    SearchIndexer indexer;
    @Inject
    ObjectMapper json;

    @Test
    void aSharedIdentifierUnderTwoSpellingsOfOneAuthorityLinksTheSourcesAndUndoingItGivesBothChartsBackExactly(@TempDir Path folder)
            throws Exception {
        Person person = Person.fresh();
        String vendorSystem = "urn:test:vendor:" + UUID.randomUUID();
        ingest(folder.resolve("ccda"), "c.xml", ccda(person.mrn(), person.given(), person.family(), "19700101", "F"));
        long ccdaPatient = patient(MRN_OID, person.mrn());
        // The FHIR export spells the record number's authority its own way, gives the given name's initial only and no
        // birth date: not enough to propose the pair on its score.
        ingest(folder.resolve("fhir"), "bundle.json", fhir(person.mrn(), vendorSystem, "O", person.family(), null, "female"));
        long fhirPatient = patient(vendorSystem, person.mrn());
        assertThat(fhirPatient).as("two spellings: two archived patients, each its source's record").isNotEqualTo(ccdaPatient);
        assertThat(links.ofPatient(ccdaPatient)).as("an unknown spelling is not the same identifier").isEmpty();
        String ccdaChartAlone = json.writeValueAsString(charts.chart(ccdaPatient).orElseThrow());
        String fhirChartAlone = json.writeValueAsString(charts.chart(fhirPatient).orElseThrow());

        systems.put(vendorSystem, MRN_OID, "the old EHR's record number, as its FHIR export spells it", "admin1");
        assertThat(systems.authorities().of(vendorSystem)).isEqualTo(MRN_OID);
        assertThat(matcher.match(List.of(fhirPatient), done -> { }).linked()).isEqualTo(1);

        PatientLinks.Link link = onlyLink(ccdaPatient);
        assertThat(link.method()).isEqualTo(PatientLinks.Method.IDENTIFIER);
        assertThat(link.state()).isEqualTo(PatientLinks.State.LINKED);
        assertThat(link.decisions()).singleElement().satisfies(d -> {
            assertThat(d.decidedBy()).isEqualTo(PatientMatcher.MATCHER);
            assertThat(d.reason()).contains(MRN_OID);
        });
        assertThat(link.evidence()).extracting(FieldEvidence::field).isEqualTo(MatchScorer.FIELDS);
        assertThat(links.members(ccdaPatient)).containsExactly(Math.min(ccdaPatient, fhirPatient), Math.max(ccdaPatient, fhirPatient));
        assertThat(links.members(fhirPatient)).isEqualTo(links.members(ccdaPatient));

        ChartService.Chart joined = charts.chart(fhirPatient).orElseThrow();
        assertThat(joined.sources()).extracting(ChartService.LinkedSource::format).containsExactlyInAnyOrder("ccda", "fhir");
        assertThat(joined.sources()).allSatisfy(s -> assertThat(s.identifiers()).extracting(i -> i.value()).contains(person.mrn()));
        assertThat(joined.patientIds()).containsExactlyInAnyOrder(ccdaPatient, fhirPatient);
        PatientChart folded = new PatientChart(joined);
        List<PatientChart.Fact> glucose = folded.facts(EntryKind.RESULT);
        assertThat(glucose).as("the same glucose from both sources is one fact").hasSize(1);
        assertThat(folded.sources(glucose.get(0))).extracting(PatientChart.Source::format).containsExactlyInAnyOrder("C-CDA", "FHIR");

        PatientLinks.Link undone = links.decide(link.id(), PatientLinks.State.UNDONE, "admin1", "two people after all: checked the birth register");
        assertThat(undone.state()).isEqualTo(PatientLinks.State.UNDONE);
        assertThat(json.writeValueAsString(charts.chart(ccdaPatient).orElseThrow())).as("undone: the C-CDA chart exactly as before the link")
                .isEqualTo(ccdaChartAlone);
        assertThat(json.writeValueAsString(charts.chart(fhirPatient).orElseThrow())).as("undone: the FHIR chart exactly as before the link")
                .isEqualTo(fhirChartAlone);

        assertThat(matcher.match(List.of(ccdaPatient, fhirPatient), done -> { }).linked()).as("an undone link is not drawn again").isZero();
        assertThat(links.members(ccdaPatient)).containsExactly(ccdaPatient);

        PatientLinks.Link again = links.decide(link.id(), PatientLinks.State.LINKED, "admin2", "one person: same birth register entry");
        assertThat(again.decisions()).extracting(PatientLinks.Decision::state)
                .containsExactly(PatientLinks.State.LINKED, PatientLinks.State.UNDONE, PatientLinks.State.LINKED);
        assertThat(again.decisions()).extracting(PatientLinks.Decision::decidedBy).containsExactly(PatientMatcher.MATCHER, "admin1", "admin2");
        assertThat(charts.chart(ccdaPatient).orElseThrow().sources()).hasSize(2);
        assertThatThrownBy(() -> links.decide(link.id(), PatientLinks.State.LINKED, "admin2", "again")).as("already linked")
                .isInstanceOf(PatientLinks.RefusedDecision.class);
        assertThatThrownBy(() -> links.decide(link.id(), PatientLinks.State.UNDONE, "admin2", " ")).as("a decision needs a reason")
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(systems.remove(vendorSystem)).isTrue();
    }

    @Test
    void urnOidAndTheBareOidAreOneSystemWithoutTheTable(@TempDir Path folder) throws Exception {
        Person person = Person.fresh();
        ingest(folder.resolve("ccda"), "c.xml", ccda(person.mrn(), person.given(), person.family(), "19700101", "F"));
        ingest(folder.resolve("fhir"), "bundle.json", fhir(person.mrn(), "urn:oid:" + MRN_OID, person.given(), person.family(), "1970-01-01",
                "female"));
        PatientLinks.Link link = onlyLink(patient(MRN_OID, person.mrn()));
        assertThat(link.method()).isEqualTo(PatientLinks.Method.IDENTIFIER);
        assertThat(link.state()).as("linked as the batch ends").isEqualTo(PatientLinks.State.LINKED);
    }

    @Test
    void personSearchFindsTheLinkedPatientByTheIdentifierOfEitherSourceAsOneHit(@TempDir Path folder) throws Exception {
        Person person = Person.fresh();
        ingest(folder.resolve("ccda"), "c.xml", ccda(person.mrn(), person.given(), person.family(), "19700101", "F"));
        ingest(folder.resolve("fhir"), "bundle.json", fhir(person.mrn(), "urn:oid:" + MRN_OID, person.given(), person.family(), "1970-01-01",
                "female"));
        indexer.drain(done -> { });
        long ccdaPatient = patient(MRN_OID, person.mrn());
        long representative = links.members(ccdaPatient).get(0);

        List<PatientHit> byName = search.find(new PatientQuery(person.given() + " " + person.family(), null, null), 10);
        assertThat(byName).as("one hit for the person, under its lowest id").singleElement()
                .satisfies(hit -> assertThat(hit.patientId()).isEqualTo(representative));
        List<PatientHit> byIdentifier = search.find(new PatientQuery(null, null, person.mrn()), 10);
        assertThat(byIdentifier).singleElement().satisfies(hit -> assertThat(hit.patientId()).isEqualTo(representative));
    }

    @Test
    void lookAlikesWithAnotherRecordNumberOfTheSameAuthorityStayApart(@TempDir Path folder) throws Exception {
        Person twin = Person.fresh();
        // Twins: same family name, birth date and sex, another given name and record number.
        ingest(folder.resolve("a"), "a.xml", ccda(twin.mrn(), "Ottilie", twin.family(), "19991231", "F"));
        ingest(folder.resolve("b"), "b.xml", ccda("MRN-" + UUID.randomUUID(), "Theodora", twin.family(), "19991231", "F"));
        long first = patient(MRN_OID, twin.mrn());
        assertThat(links.ofPatient(first)).as("no link, not even a proposal").isEmpty();
        // Parent and child: the same name, 28 years apart.
        Person parent = Person.fresh();
        ingest(folder.resolve("c"), "c.xml", ccda(parent.mrn(), parent.given(), parent.family(), "19720310", "F"));
        ingest(folder.resolve("d"), "d.xml", fhir("C-" + UUID.randomUUID(), "urn:test:" + UUID.randomUUID(), parent.given(), parent.family(),
                "2000-03-10", "female"));
        assertThat(links.ofPatient(patient(MRN_OID, parent.mrn()))).isEmpty();
    }

    @Test
    void aLikelyPairWithoutASharedIdentifierIsProposedNotLinkedAndARejectedPairIsNotProposedAgain(@TempDir Path folder) throws Exception {
        Person person = Person.fresh();
        ingest(folder.resolve("ccda"), "c.xml", ccda(person.mrn(), person.given(), person.family(), "19650412", "F"));
        String otherSystem = "urn:test:" + UUID.randomUUID();
        // A typo in the given name, and an identifier of another system: a candidate, for an admin to decide.
        ingest(folder.resolve("fhir"), "bundle.json", fhir("X-1", otherSystem, "Ottilei", person.family(), "1965-04-12", "female"));
        long ccdaPatient = patient(MRN_OID, person.mrn());
        long fhirPatient = patient(otherSystem, "X-1");

        PatientLinks.Link proposal = onlyLink(ccdaPatient);
        assertThat(proposal.method()).isEqualTo(PatientLinks.Method.SCORED);
        assertThat(proposal.state()).isEqualTo(PatientLinks.State.PROPOSED);
        assertThat(proposal.score()).isGreaterThanOrEqualTo(0.85);
        assertThat(links.members(ccdaPatient)).as("a proposal joins nothing").containsExactly(ccdaPatient);
        assertThat(links.inState(PatientLinks.State.PROPOSED, 1_000)).extracting(PatientLinks.Link::id).contains(proposal.id());

        links.decide(proposal.id(), PatientLinks.State.REJECTED, "admin1", "different mothers' names in the paper record");
        matcher.match(List.of(ccdaPatient, fhirPatient), done -> { });
        assertThat(links.ofPatient(ccdaPatient)).singleElement().satisfies(l -> assertThat(l.state()).isEqualTo(PatientLinks.State.REJECTED));
        assertThat(links.members(fhirPatient)).containsExactly(fhirPatient);
    }

    @Test
    void anHl7v2MergeLinksTheTwoRecordsTheSourceSystemMergedAndTouchesNeither(@TempDir Path folder) throws Exception {
        String authority = "MERGETEST" + letters(6).toUpperCase(java.util.Locale.ROOT);
        String prior = "P-" + UUID.randomUUID();
        String survivor = "S-" + UUID.randomUUID();
        String family = "Q" + letters(7);
        ingest(folder.resolve("a04"), "a04.hl7", "MSH|^~\\&|ADT|H|ARCHIVE|H|20240101101244||ADT^A04^ADT_A01|A04-" + prior + "|P|2.5.1\r"
                + "PID|1||" + prior + "^^^" + authority + "^MR||" + family + "^JANE||19700412|F\r");
        ingest(folder.resolve("a40"), "a40.hl7", "MSH|^~\\&|ADT|H|ARCHIVE|H|20240108101244||ADT^A40^ADT_A39|A40-" + survivor + "|P|2.5.1\r"
                + "EVN|A40|20240108101244\r"
                + "PID|1||" + survivor + "^^^" + authority + "^MR||" + family + "^JANE||19700412|F\r"
                + "MRG|" + prior + "^^^" + authority + "^MR||||||" + family + "^JANE\r");
        long priorPatient = patient(authority, prior);
        long survivorPatient = patient(authority, survivor);
        assertThat(priorPatient).as("each record keeps its own patient").isNotEqualTo(survivorPatient);

        PatientLinks.Link merge = links.ofPatient(survivorPatient).stream().filter(l -> l.method() == PatientLinks.Method.SOURCE_MERGE)
                .findFirst().orElseThrow();
        assertThat(merge.state()).isEqualTo(PatientLinks.State.LINKED);
        assertThat(List.of(merge.patientLow(), merge.patientHigh())).containsExactlyInAnyOrder(priorPatient, survivorPatient);
        assertThat(links.members(priorPatient)).containsExactlyInAnyOrder(priorPatient, survivorPatient);
        assertThat(PatientMatcher.mergedIdentifiers("MRG|A1^^^NS&1.2.3&ISO^MR~B2^^^NS2^MR||x")).extracting(i -> i.value() + "@" + i.system())
                .containsExactly("A1@1.2.3", "B2@NS2");
    }

    @Test
    void linksAndTheirDecisionsAreAppendOnly(@TempDir Path folder) throws Exception {
        Person person = Person.fresh();
        ingest(folder.resolve("ccda"), "c.xml", ccda(person.mrn(), person.given(), person.family(), "19700101", "F"));
        ingest(folder.resolve("fhir"), "bundle.json", fhir(person.mrn(), "urn:oid:" + MRN_OID, person.given(), person.family(), "1970-01-01",
                "female"));
        PatientLinks.Link link = onlyLink(patient(MRN_OID, person.mrn()));
        for (String change : List.of("update patient_link set score = 0 where id = " + link.id(),
                "delete from patient_link_decision where link_id = " + link.id())) {
            try (Connection connection = ArchiveTestDatabase.superuserConnection(); Statement statement = connection.createStatement()) {
                assertThatThrownBy(() -> statement.executeUpdate(change)).as(change).isInstanceOfSatisfying(SQLException.class,
                        refused -> assertThat(refused.getMessage()).contains("append-only"));
            }
        }
    }

    private PatientLinks.Link onlyLink(long patient) throws SQLException {
        List<PatientLinks.Link> found = links.ofPatient(patient);
        assertThat(found).as("links of patient " + patient).hasSize(1);
        return found.get(0);
    }

    private void ingest(Path folder, String name, String content) throws Exception {
        IdentityDocuments.write(folder, name, content);
        ingest.ingest(folder, IngestProgress.NONE);
    }

    private static long patient(String system, String value) {
        return IdentityDocuments.archivedPatient(system, value);
    }
}
