package org.ehrarchive.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;

import org.ehrarchive.ArchiveConfig;
import org.junit.jupiter.api.Test;

/**
 * The fee worksheet of 45 CFR 164.524(c)(4): labour for copying, paper for a paper copy, postage, or the flat fee for an
 * electronic copy; never a fee for search or retrieval; amounts to the cent.
 */
class FeeWorksheetTest {

    /** The shipped defaults: 25.00 an hour, 0.10 a page, a flat fee of 6.50. */
    private static final ArchiveConfig.Release RATES = new ArchiveConfig.Release() {
        public String organization() {
            return "Records";
        }

        public int responseDays() {
            return 30;
        }

        public int extensionDays() {
            return 30;
        }

        public BigDecimal labourPerHour() {
            return new BigDecimal("25.00");
        }

        public BigDecimal paperPerPage() {
            return new BigDecimal("0.10");
        }

        public BigDecimal flatFee() {
            return new BigDecimal("6.50");
        }

        public String currency() {
            return "$";
        }
    };

    @Test
    void aPaperCopyIsChargedLabourPaperAndPostageAndNothingForSearchOrRetrieval() {
        FeeWorksheet.Fees fees = FeeWorksheet.of(RATES, ReleaseRequest.Delivery.PAPER, 43, new FeeWorksheet.Input(20, new BigDecimal("2.3"), false));
        assertThat(fees.lines()).extracting(FeeWorksheet.Line::amount).containsExactly(new BigDecimal("8.33"), new BigDecimal("4.30"),
                new BigDecimal("2.30"));
        assertThat(fees.lines()).extracting(FeeWorksheet.Line::quantity).containsExactly("20 min", "43 pages", "1");
        assertThat(fees.total()).isEqualTo(new BigDecimal("14.93"));
        assertThat(fees.lines()).noneSatisfy(l -> assertThat(l.item().toLowerCase()).containsAnyOf("search", "retriev"));
        assertThat(fees.basis()).contains("164.524(c)(4)").contains("No fee is charged for searching for or retrieving");
        assertThat(fees.printed("$").total()).isEqualTo("$14.93");
    }

    @Test
    void anElectronicCopyHasNoPaperLineAndMayBeChargedTheFlatFeeInstead() {
        FeeWorksheet.Fees worksheet = FeeWorksheet.of(RATES, ReleaseRequest.Delivery.ELECTRONIC, 43, new FeeWorksheet.Input(60, BigDecimal.ZERO, false));
        assertThat(worksheet.lines()).singleElement().satisfies(l -> assertThat(l.amount()).isEqualTo(new BigDecimal("25.00")));
        FeeWorksheet.Fees flat = FeeWorksheet.of(RATES, ReleaseRequest.Delivery.MACHINE_READABLE, 500, new FeeWorksheet.Input(60, BigDecimal.TEN, true));
        assertThat(flat.lines()).singleElement().satisfies(l -> assertThat(l.item()).contains("Flat fee"));
        assertThat(flat.total()).isEqualTo(new BigDecimal("6.50"));
        assertThat(FeeWorksheet.of(RATES, ReleaseRequest.Delivery.ELECTRONIC, 1, FeeWorksheet.Input.NONE).total()).isEqualTo(new BigDecimal("0.00"));
    }

    @Test
    void whatTheRuleDoesNotAllowIsRefused() {
        assertThatThrownBy(() -> FeeWorksheet.of(RATES, ReleaseRequest.Delivery.PAPER, 3, new FeeWorksheet.Input(0, BigDecimal.ZERO, true)))
                .hasMessageContaining("flat fee is for an electronic copy");
        assertThatThrownBy(() -> FeeWorksheet.of(RATES, ReleaseRequest.Delivery.PAPER, 3, new FeeWorksheet.Input(-5, BigDecimal.ZERO, false)))
                .hasMessageContaining("minutes");
        assertThatThrownBy(() -> FeeWorksheet.of(RATES, ReleaseRequest.Delivery.PAPER, 3, new FeeWorksheet.Input(0, new BigDecimal("-1"), false)))
                .hasMessageContaining("negative");
    }

    @Test
    void theDueDateIsThirtyDaysFromReceiptAndThirtyMoreOnceExtended() {
        java.time.LocalDate received = java.time.LocalDate.of(2026, 1, 20);
        assertThat(ReleaseRequest.dueDate(received, false, 30, 30)).isEqualTo(java.time.LocalDate.of(2026, 2, 19));
        assertThat(ReleaseRequest.dueDate(received, true, 30, 30)).isEqualTo(java.time.LocalDate.of(2026, 3, 21));
    }
}
