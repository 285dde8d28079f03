package org.ehrarchive.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import jakarta.inject.Inject;
import javax.sql.DataSource;

import org.ehrarchive.ingest.IngestService;
import org.ehrarchive.ingest.SourceSystems;
import org.ehrarchive.support.ArchiveTestDatabase;
import org.ehrarchive.support.PortalSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Drawing, picking, reviewing and deciding on real archived fixtures (C-CDA, HL7 v2, FHIR), each test with source systems of its own. */
@QuarkusTest
@WithTestResource(ArchiveTestDatabase.class)
class SamplingPlansTest {

    private static final String ADMIN = "plans-admin";
    private static final String REVIEWER = "plans-clinician";

    @Inject
    SamplingPlans plans;
    @Inject
    IngestService ingest;
    @Inject
    SourceSystems systems;
    @Inject
    DataSource dataSource;

    private long system;
    private long other;

    @BeforeEach
    void archiveTwoSourceSystems() throws Exception {
        String run = UUID.randomUUID().toString();
        system = SampledFixtures.archive(ingest, systems, "Sampled EHR " + run);
        other = SampledFixtures.archive(ingest, systems, "Other EHR " + run);
    }

    /**
     * The review page shows every sampled record original beside normalized, whatever its format: a record of each
     * type of the C-CDA document, the HL7 v2 archives and the FHIR bundle finds its fragment in its original.
     */
    @Test
    void everySampledRecordOfEveryFormatIsShownOriginalBesideNormalized() throws Exception {
        org.ehrarchive.support.ArchivedFixture.usersOfEveryRole("review-", "review-test-password");
        PortalSession clinician = PortalSession.signIn("review-clinician", "review-test-password");
        long plan = plans.draw(system, 7, 1, null, null, ADMIN);
        Map<String, Set<String>> typesByFormat = new TreeMap<>();
        for (SamplingPlans.ItemResult item : plans.items(plan)) {
            String page = clinician.get("/sampling/" + plan + "/items/" + item.itemId()).then().statusCode(200).extract().asString();
            org.jsoup.nodes.Document html = org.jsoup.Jsoup.parse(page);
            assertThat(html.getElementById("original-missing")).as("item %d (%s): its original is found", item.itemId(), item.recordType()).isNull();
            assertThat(html.getElementById("excerpt")).as("item %d (%s): the fragment its locator names", item.itemId(), item.recordType())
                    .isNotNull();
            assertThat(html.getElementById("excerpt").text()).isNotBlank();
            assertThat(html.select("#normalized table.fields td")).as("item %d (%s): what the archive shows", item.itemId(), item.recordType())
                    .isNotEmpty();
            typesByFormat.computeIfAbsent(formatOf(item.sourceRecordId()), f -> new java.util.TreeSet<>()).add(item.recordType());
        }
        assertThat(typesByFormat).containsKeys("ccda", "hl7v2", "fhir");
        assertThat(typesByFormat.get("fhir")).contains("Patient", "Condition");
        assertThat(typesByFormat.get("hl7v2")).contains("ORU^R01", "result");
        assertThat(typesByFormat.get("ccda")).contains("document", "entry");
    }

    private String formatOf(long sourceRecord) throws SQLException {
        try (Connection connection = dataSource.getConnection(); PreparedStatement query = connection.prepareStatement(
                "select f.format from source_record r join source_file f on f.id = r.source_file_id where r.id = ?")) {
            query.setLong(1, sourceRecord);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getString(1);
            }
        }
    }

    @Test
    void theSameSeedDrawsTheSameRecordsAndOtherSeedsOthers() throws Exception {
        Set<Long> first = records(plans.draw(system, 42, 2, null, null, ADMIN));
        Set<Long> again = records(plans.draw(system, 42, 2, null, null, ADMIN));
        assertThat(again).isEqualTo(first);
        Set<Set<Long>> drawn = new HashSet<>();
        for (long seed = 1; seed <= 8; seed++) {
            drawn.add(records(plans.draw(system, seed, 1, null, null, ADMIN)));
        }
        assertThat(drawn).as("eight seeds do not all draw the same records").hasSizeGreaterThan(1);
    }

    @Test
    void everyRecordTypeOfTheSourceSystemIsDrawnUpToItsPopulationAndNoOtherSystemsRecord() throws Exception {
        Map<String, Long> populations = populations(system);
        assertThat(populations).as("the fixtures give several record types, parts included").hasSizeGreaterThan(3);
        int perType = 3;
        long planId = plans.draw(system, 7, perType, null, null, ADMIN);

        SamplingPlans.PlanSummary plan = plans.plan(planId).orElseThrow();
        assertThat(plan.sourceSystemId()).isEqualTo(system);
        assertThat(plan.types()).extracting(SamplingPlans.TypeResult::recordType).containsExactlyElementsOf(populations.keySet());
        for (SamplingPlans.TypeResult type : plan.types()) {
            assertThat(type.population()).as(type.recordType()).isEqualTo(populations.get(type.recordType()));
            assertThat(type.sampled()).as(type.recordType()).isEqualTo((int) Math.min(perType, type.population()));
        }
        List<SamplingPlans.ItemResult> items = plans.items(planId);
        assertThat(items).hasSize(plan.types().stream().mapToInt(SamplingPlans.TypeResult::sampled).sum());
        assertThat(items).allSatisfy(item -> assertThat(item.chosen()).isEqualTo("random"));
        for (SamplingPlans.ItemResult item : items) {
            assertThat(systemOf(item.sourceRecordId())).as("item " + item.itemId()).isEqualTo(system);
        }
        assertThat(plans.plans(system)).extracting(SamplingPlans.PlanSummary::id).first().isEqualTo(planId);
    }

    @Test
    void aSuggestedSizeDrawsTheHypergeometricSizeOfEachType() throws Exception {
        long planId = plans.draw(system, 3, SampleSize.unbounded(0.95, 0.05), new BigDecimal("0.95"), new BigDecimal("0.05"), ADMIN);
        for (SamplingPlans.TypeResult type : plans.plan(planId).orElseThrow().types()) {
            assertThat(type.sampled()).as(type.recordType()).isEqualTo(SampleSize.forPopulation(type.population(), 0.95, 0.05));
        }
    }

    @Test
    void aReviewerMayAddARecordOfThisSystemButNotAnotherSystemsNorOneAlreadyInThePlan() throws Exception {
        long planId = plans.draw(system, 11, 1, null, null, ADMIN);
        Set<Long> drawn = records(planId);
        long notDrawn = eligible(system).stream().filter(id -> !drawn.contains(id)).findFirst().orElseThrow();
        long foreign = eligible(other).get(0);

        plans.pick(planId, notDrawn, REVIEWER);
        assertThat(plans.items(planId)).filteredOn(i -> i.sourceRecordId() == notDrawn).singleElement()
                .satisfies(i -> assertThat(i.chosen()).isEqualTo("reviewer")).satisfies(i -> assertThat(i.chosenBy()).isEqualTo(REVIEWER));
        assertThatThrownBy(() -> plans.pick(planId, foreign, REVIEWER)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("source record " + foreign + " is not of this plan's source system");
        assertThatThrownBy(() -> plans.pick(planId, notDrawn, REVIEWER)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("source record " + notDrawn + " is already in plan " + planId);
        long alreadyDrawn = drawn.iterator().next();
        assertThatThrownBy(() -> plans.pick(planId, alreadyDrawn, REVIEWER)).hasMessageContaining("is already in plan");
        assertThatThrownBy(() -> plans.pick(planId, 987_654_321_987L, REVIEWER)).hasMessage("there is no source record 987654321987");
        assertThat(plans.plan(planId).orElseThrow().types()).extracting(SamplingPlans.TypeResult::reviewerPicked).containsOnly(0, 1);
    }

    @Test
    void wrongNeedsANoteAndTheNewestDecisionIsTheResult() throws Exception {
        long planId = plans.draw(system, 5, 1, null, null, ADMIN);
        SamplingPlans.ItemResult item = plans.items(planId).get(0);

        assertThatThrownBy(() -> plans.decide(item.itemId(), REVIEWER, "wrong", "  ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("say what is wrong: a record marked wrong needs a note");
        assertThatThrownBy(() -> plans.decide(item.itemId(), REVIEWER, "maybe", null)).hasMessage("a decision is correct or wrong");
        plans.decide(item.itemId(), REVIEWER, "correct", null);
        plans.decide(item.itemId(), "second-reviewer", "wrong", " the unit is missing ");

        SamplingPlans.ItemResult decided = plans.items(planId).stream().filter(i -> i.itemId() == item.itemId()).findFirst().orElseThrow();
        assertThat(decided.decision()).isEqualTo("wrong");
        assertThat(decided.note()).isEqualTo("the unit is missing");
        assertThat(decided.reviewer()).isEqualTo("second-reviewer");
        assertThat(plans.decisions(item.itemId())).extracting(SamplingPlans.Decision::decision).containsExactly("correct", "wrong");
        SamplingPlans.PlanSummary plan = plans.plan(planId).orElseThrow();
        SamplingPlans.TypeResult type = plan.types().stream().filter(t -> t.recordType().equals(item.recordType())).findFirst().orElseThrow();
        assertThat(type.reviewed()).isEqualTo(1);
        assertThat(type.correct()).isZero();
        assertThat(type.wrong()).isEqualTo(1);
        assertThat(plan.reviewers()).containsExactly(REVIEWER, "second-reviewer");
        assertThat(plan.firstDecision()).isBeforeOrEqualTo(plan.lastDecision());
    }

    @Test
    void badFiguresAreRefusedWithWhatIsWrong() {
        assertThatThrownBy(() -> plans.draw(system, 1, 0, null, null, ADMIN)).hasMessage("the size per record type is between 1 and 10000");
        assertThatThrownBy(() -> plans.draw(system, 1, 10_001, null, null, ADMIN)).hasMessage("the size per record type is between 1 and 10000");
        assertThatThrownBy(() -> plans.draw(system, 1, 5, new BigDecimal("0.95"), null, ADMIN))
                .hasMessage("a suggested size needs both a confidence and a tolerable error rate");
        assertThatThrownBy(() -> plans.draw(987_654_321_987L, 1, 5, null, null, ADMIN)).hasMessage("there is no source system 987654321987");
    }

    @Test
    void theArchivesRoleCanNeitherChangeNorRemoveAPlanItsItemsOrItsDecisions() throws Exception {
        long planId = plans.draw(system, 9, 1, null, null, ADMIN);
        plans.decide(plans.items(planId).get(0).itemId(), REVIEWER, "correct", null);
        for (String table : List.of("sample_plan", "sample_item", "sample_review")) {
            for (String change : List.of("update " + table + " set id = id", "delete from " + table)) {
                try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
                    assertThatThrownBy(() -> statement.executeUpdate(change)).as(change).isInstanceOf(SQLException.class);
                }
            }
        }
        assertThat(plans.items(planId)).hasSize(plans.plan(planId).orElseThrow().types().size());
    }

    private Set<Long> records(long planId) throws SQLException {
        Set<Long> ids = new HashSet<>();
        plans.items(planId).forEach(item -> ids.add(item.sourceRecordId()));
        return ids;
    }

    private Map<String, Long> populations(long sourceSystem) throws SQLException {
        Map<String, Long> populations = new TreeMap<>();
        try (Connection connection = dataSource.getConnection(); PreparedStatement query = connection.prepareStatement("select r.record_type, "
                + "count(*) from source_record r join ingest_batch b on b.id = r.batch_id where b.source_system_id = ? "
                + "and r.status <> 'QUARANTINED' group by r.record_type")) {
            query.setLong(1, sourceSystem);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    populations.put(rows.getString(1), rows.getLong(2));
                }
            }
        }
        return populations;
    }

    private List<Long> eligible(long sourceSystem) throws SQLException {
        List<Long> ids = new java.util.ArrayList<>();
        try (Connection connection = dataSource.getConnection(); PreparedStatement query = connection.prepareStatement("select r.id "
                + "from source_record r join ingest_batch b on b.id = r.batch_id where b.source_system_id = ? and r.status <> 'QUARANTINED' order by r.id")) {
            query.setLong(1, sourceSystem);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    ids.add(rows.getLong(1));
                }
            }
        }
        return ids;
    }

    private long systemOf(long sourceRecordId) throws SQLException {
        try (Connection connection = dataSource.getConnection(); PreparedStatement query = connection.prepareStatement("select b.source_system_id "
                + "from source_record r join ingest_batch b on b.id = r.batch_id where r.id = ?")) {
            query.setLong(1, sourceRecordId);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }
}
