package org.ehrarchive.release;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.ehrarchive.ArchiveConfig;

/**
 * The cost-based fee of 45 CFR 164.524(c)(4): labour for copying, supplies for a paper copy, postage when mailed, and
 * nothing else: the rule allows no fee for searching for or retrieving the records, so no such line exists. The
 * flat fee (HHS's option for electronic copies) replaces the worksheet when chosen, and only for an electronic copy.
 * A request on another basis than the patient's own access is not limited by 164.524(c)(4), but the same worksheet is
 * used: the stricter reading.
 */
public final class FeeWorksheet {

    /** What the person releasing enters: minutes of copying labour, postage, and whether the flat fee is charged instead. */
    public record Input(int labourMinutes, BigDecimal postage, boolean flatFee) {
        public static final Input NONE = new Input(0, BigDecimal.ZERO, false);
    }

    /** One line: what, how much of it, and its amount. */
    public record Line(String item, String quantity, BigDecimal amount) {
    }

    /** The worksheet: its lines, the total, and the sentence saying on what it rests. */
    public record Fees(List<Line> lines, BigDecimal total, String basis) {

        /** As stored with the release and printed on the cover. */
        public Map<String, Object> asMap(String currency) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("lines", lines.stream().map(l -> Map.of("item", l.item(), "quantity", l.quantity(), "amount", currency + l.amount()))
                    .toList());
            map.put("total", currency + total);
            map.put("basis", basis);
            return map;
        }

        public ReleasePdf.Fees printed(String currency) {
            return new ReleasePdf.Fees(lines.stream().map(l -> new ReleasePdf.FeeLine(l.item(), l.quantity(), currency + l.amount())).toList(),
                    currency + total, basis);
        }
    }

    private FeeWorksheet() {
    }

    /** The fees of a packet of {@code pages} pages delivered as {@code delivery}. */
    public static Fees of(ArchiveConfig.Release rates, ReleaseRequest.Delivery delivery, int pages, Input input) {
        if (input.labourMinutes() < 0 || input.labourMinutes() > 24 * 60) {
            throw new IllegalArgumentException("Copying labour is a number of minutes from 0 to 1440");
        }
        BigDecimal postage = input.postage() == null ? BigDecimal.ZERO : input.postage();
        if (postage.signum() < 0) {
            throw new IllegalArgumentException("Postage cannot be negative");
        }
        String currency = rates.currency();
        if (input.flatFee()) {
            if (delivery == ReleaseRequest.Delivery.PAPER) {
                throw new IllegalArgumentException("The flat fee is for an electronic copy; a paper copy is charged by the worksheet");
            }
            BigDecimal flat = money(rates.flatFee());
            return new Fees(List.of(new Line("Flat fee for an electronic copy", "1", flat)), flat,
                    "A flat fee for an electronic copy, charged instead of the cost-based worksheet (45 CFR 164.524(c)(4), HHS guidance)."
                            + " No fee is charged for searching for or retrieving the records.");
        }
        List<Line> lines = new ArrayList<>();
        BigDecimal labour = money(rates.labourPerHour().multiply(BigDecimal.valueOf(input.labourMinutes())).divide(BigDecimal.valueOf(60), 4,
                RoundingMode.HALF_UP));
        lines.add(new Line("Labour for copying, at " + currency + money(rates.labourPerHour()) + " an hour", input.labourMinutes() + " min", labour));
        if (delivery == ReleaseRequest.Delivery.PAPER) {
            lines.add(new Line("Paper and toner, at " + currency + money(rates.paperPerPage()) + " a page", pages + " pages",
                    money(rates.paperPerPage().multiply(BigDecimal.valueOf(pages)))));
        }
        if (postage.signum() > 0) {
            lines.add(new Line("Postage", "1", money(postage)));
        }
        BigDecimal total = money(lines.stream().map(Line::amount).reduce(BigDecimal.ZERO, BigDecimal::add));
        return new Fees(lines, total, "A reasonable, cost-based fee (45 CFR 164.524(c)(4)): labour for copying, supplies for a paper copy"
                + " and postage only. No fee is charged for searching for or retrieving the records.");
    }

    private static BigDecimal money(BigDecimal amount) {
        return amount.setScale(2, RoundingMode.HALF_UP);
    }
}
