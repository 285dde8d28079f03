package org.ehrarchive.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link SearchIndex} adapter must do (architecture D3: one contract, run against each backend).
 * Subclasses provide a fresh, empty index.
 */
public abstract class SearchIndexContract {

    protected abstract SearchIndex index();

    private static final IndexedPatient TESTY = new IndexedPatient(1, List.of("Testy Q Fixture", "Testy Oldname"),
            List.of("1975-05-12"), List.of("MRN-4711", "999-00-4711"), "F");
    private static final IndexedPatient JOHN = new IndexedPatient(2, List.of("John Smith"), List.of("1980-01-02"),
            List.of("MRN-1000"), "M");
    private static final IndexedPatient CATHERINE = new IndexedPatient(3, List.of("Catherine Jörgensen"), List.of("1975-11-30"),
            List.of("MRN-2000"), "F");

    @BeforeEach
    void indexPatientsAndTexts() {
        index().index(List.of(TESTY, JOHN, CATHERINE), List.of(
                new IndexedText("section:10", 1, 100, "NARRATIVE", "History of Present Illness",
                        "Patient reports increased thirst <script>alert(1)</script> for two weeks.", "2012-08-06"),
                new IndexedText("section:11", 2, 200, "PROBLEM", "Problems", "Hypertension; Asthma", "2019-03-04")));
    }

    @Test
    void findsAPatientByNameDespiteATypo() {
        assertThat(ids(new PatientQuery("Testy Fixtrue", null, null))).containsExactly(1L);
        assertThat(ids(new PatientQuery("tesTy fixture", null, null))).containsExactly(1L);
    }

    @Test
    void findsAPatientBySoundAlikeNames() {
        assertThat(ids(new PatientQuery("Jon Smyth", null, null))).containsExactly(2L);
        assertThat(ids(new PatientQuery("Kathryn", null, null))).containsExactly(3L);
    }

    @Test
    void findsANameWithAccentsTypedWithout() {
        assertThat(ids(new PatientQuery("Jorgensen", null, null))).containsExactly(3L);
    }

    @Test
    void findsAPatientByAnyOfTheirNames() {
        assertThat(ids(new PatientQuery("Oldname", null, null))).containsExactly(1L);
    }

    @Test
    void findsAPatientByAnyIdentifierExactly() {
        assertThat(ids(new PatientQuery(null, null, "mrn-4711"))).containsExactly(1L);
        assertThat(ids(new PatientQuery(null, null, "999-00-4711"))).containsExactly(1L);
        assertThat(ids(new PatientQuery(null, null, "MRN-471"))).isEmpty();
    }

    @Test
    void findsPatientsByFullOrPartialBirthDate() {
        assertThat(ids(new PatientQuery(null, "1975-05-12", null))).containsExactly(1L);
        assertThat(ids(new PatientQuery(null, "1975", null))).containsExactlyInAnyOrder(1L, 3L);
        assertThat(ids(new PatientQuery(null, "1975-11", null))).containsExactly(3L);
    }

    @Test
    void combinesCriteria() {
        assertThat(ids(new PatientQuery("Testy", "1980", null))).isEmpty();
        assertThat(ids(new PatientQuery("Testy", "1975", "MRN-4711"))).containsExactly(1L);
    }

    @Test
    void findsNothingForAnEmptyOrUnknownQuery() {
        assertThat(ids(new PatientQuery(" ", null, ""))).isEmpty();
        assertThat(ids(new PatientQuery("Zebedee Quux", null, null))).isEmpty();
    }

    @Test
    void findsTextByStemWithAnEscapedHighlightedSnippet() {
        List<TextHit> hits = index().searchText("increasing thirst", 10);
        assertThat(hits).singleElement().satisfies(hit -> {
            assertThat(hit.patientId()).isEqualTo(1);
            assertThat(hit.documentId()).isEqualTo(100);
            assertThat(hit.title()).isEqualTo("History of Present Illness");
            assertThat(hit.snippet()).contains("<mark>increased</mark>").contains("<mark>thirst</mark>")
                    .doesNotContain("<script>").contains("&lt;script&gt;");
        });
        assertThat(index().searchText("asthma", 10)).extracting(TextHit::patientId).containsExactly(2L);
        assertThat(index().searchText("pneumonia", 10)).isEmpty();
    }

    @Test
    void replacesWhatIsIndexedAgainUnderTheSameKey() {
        long before = index().size();
        index().index(List.of(TESTY), List.of(new IndexedText("section:11", 2, 200, "PROBLEM", "Problems", "Gout", "2019-03-04")));
        assertThat(index().size()).isEqualTo(before);
        assertThat(index().searchText("asthma", 10)).isEmpty();
        assertThat(index().searchText("gout", 10)).hasSize(1);
    }

    @Test
    void clearEmptiesTheIndex() {
        index().clear();
        assertThat(index().size()).isZero();
        assertThat(ids(new PatientQuery(null, null, "MRN-4711"))).isEmpty();
    }

    private List<Long> ids(PatientQuery query) {
        return index().findPatients(query, 10).stream().map(PatientHit::patientId).toList();
    }
}
