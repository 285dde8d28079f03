package org.ehrarchive.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.ehrarchive.release.ReleasePdf.FeeLine;
import org.ehrarchive.release.ReleasePdf.Fees;
import org.ehrarchive.release.ReleasePdf.Letter;
import org.ehrarchive.release.ReleasePdf.Packet;
import org.ehrarchive.release.ReleasePdf.Part;
import org.ehrarchive.release.ReleasePdf.Table;
import org.ehrarchive.release.ReleasePdf.Withheld;
import org.junit.jupiter.api.Test;

/**
 * The release-of-information PDFs, read back as a reader would: every packet page stamped and numbered, the contents
 * pointing at the pages the parts really begin on (also when the contents take more than one page), text no standard
 * font can show or no line can hold printed without failing, letters and table reports whole.
 */
class ReleasePdfTest {

    private static final LocalDate ON = LocalDate.of(2024, 3, 5);
    private static final String STAMP = "Released to Dr. Ada Lovelace, Springfield Clinic on 2024-03-05, request 42";
    /** A contents line: the title (or the end of a wrapped one), dot leaders, the page number. */
    private static final Pattern ENTRY = Pattern.compile("^(.*?)\\s*\\.{2,}\\s*(\\d+)$");

    @Test
    void packetPagesAreStampedNumberedAndTheContentsPointAtEachPart() throws IOException {
        List<String> lab = new ArrayList<>();
        for (int i = 1; i <= 200; i++) {
            if (i % 40 == 1) {
                lab.add("## Panel " + (i / 40 + 1));
            }
            lab.add("Result " + i + ": sodium 140 mmol/L, potassium 4.1 mmol/L, reviewed and signed by the ordering physician.");
            if (i % 10 == 0) {
                lab.add("");
            }
        }
        List<Part> parts = List.of(new Part("Discharge summary", List.of("Admitted 2023-11-02 with pneumonia.", "", "Discharged home.")),
                new Part("Laboratory results", lab), new Part("Imaging reports", List.of("## Chest X-ray", "No acute findings.")));
        Packet packet = new Packet(42, "Dr. Ada Lovelace, Springfield Clinic", ON,
                List.of("Dear Dr. Lovelace,", "Enclosed are the records you asked for on behalf of the patient."),
                List.of(new Withheld("Psychotherapy notes", "excluded from the right of access by 164.524(a)(1)(i)"),
                        new Withheld("Peer review file", "not part of the designated record set")),
                new Fees(List.of(new FeeLine("Paper copies", "120 pages", "$18.00"), new FeeLine("Postage", "1", "$4.50")), "$22.50",
                        "A reasonable, cost-based fee under 45 CFR 164.524(c)(4): labor for copying, supplies and postage."),
                parts);

        byte[] pdf = ReleasePdf.packet(packet);

        try (PDDocument document = Loader.loadPDF(pdf)) {
            assertThat(document.getDocumentInformation().getTitle()).isEqualTo("Release of information, request 42");
            assertThat(document.getDocumentInformation().getCreator()).isEqualTo("ehr-archive");
        }
        List<String> pages = pages(pdf);
        int n = pages.size();
        for (int i = 1; i <= n; i++) {
            assertThat(page(pages, i)).as("page %d", i).contains(STAMP).contains("Page " + i + " of " + n);
        }
        String cover = page(pages, 1);
        assertThat(firstLine(cover)).isEqualTo("Release of information, request 42");
        assertThat(cover).contains("Enclosed are the records you asked for", "Withheld from this release",
                "Psychotherapy notes: excluded from the right of access by 164.524(a)(1)(i)",
                "Peer review file: not part of the designated record set", "Paper copies", "120 pages", "$18.00", "Postage", "$4.50",
                "Total: $22.50", "A reasonable, cost-based fee").doesNotContain("Nothing was withheld");
        assertThat(firstLine(page(pages, 2))).isEqualTo("Contents");

        int[] starts = assertContentsRight(pages, parts);
        assertThat(starts[2] - starts[1]).as("pages of the long part").isGreaterThanOrEqualTo(3);
        assertThat(starts[0]).isEqualTo(3);

        Packet nothingWithheld = new Packet(7, "The patient", ON, List.of("Your records."), List.of(),
                new Fees(List.of(), "$0.00", "No fee: the patient asked for an electronic copy."), List.of(new Part("Notes", List.of("Note."))));
        List<String> other = pages(ReleasePdf.packet(nothingWithheld));
        assertThat(page(other, 1)).contains("Nothing was withheld from this release.", "Total: $0.00", "Released to The patient on 2024-03-05, request 7");
        assertThat(other).hasSize(3);
        assertThat(firstLine(page(other, 3))).isEqualTo("Notes");
    }

    @Test
    void contentsSpanningSeveralPagesStillNumberEachPartRight() throws IOException {
        List<Part> parts = new ArrayList<>();
        for (int i = 1; i <= 80; i++) {
            String title = i == 40 ? "Encounter note 40, a title long enough to wrap onto a second line of the contents: "
                    + "outpatient follow-up visit for hypertension, diabetes and chronic kidney disease" : "Encounter note " + i;
            List<String> lines = new ArrayList<>();
            // Some parts over more than one page, so that the numbers are not simply consecutive.
            for (int j = 0; j < (i % 7 == 0 ? 90 : 3); j++) {
                lines.add("Line " + j + " of encounter " + i + ".");
            }
            parts.add(new Part(title, lines));
        }
        Packet packet = new Packet(3, "Dr. Ada Lovelace, Springfield Clinic", ON, List.of("Enclosed."), List.of(),
                new Fees(List.of(new FeeLine("Electronic copy", "1", "$6.50")), "$6.50", "Flat fee."), parts);

        List<String> pages = pages(ReleasePdf.packet(packet));

        int[] starts = assertContentsRight(pages, parts);
        int contentsPages = starts[0] - 2;
        assertThat(contentsPages).as("contents pages").isGreaterThan(1);
        for (int i = 1; i <= pages.size(); i++) {
            assertThat(page(pages, i)).contains("Page " + i + " of " + pages.size()).contains("request 3");
        }
    }

    @Test
    void textNoFontCanShowOrNoLineCanHoldIsPrintedWithoutFailing() throws IOException {
        String odd = "\u03a9mega \u6f22\u5b57 \ud83d\ude00\t\u0007";
        String word = "x".repeat(5000);
        Packet packet = new Packet(5, odd + " Clinic", ON, List.of(odd, word), Arrays.asList(new Withheld(odd, null), null),
                new Fees(Arrays.asList(new FeeLine(word, odd, null), null), null, null),
                Arrays.asList(new Part(odd, List.of("plain before " + odd, word, "plain after", "## " + word)), new Part(null, null), null));

        byte[] pdf = ReleasePdf.packet(packet);

        List<String> pages = pages(pdf);
        String all = String.join("\n", pages);
        assertThat(all).contains("plain before ?mega ?? ?", "plain after", "Released to ?mega ?? ?");
        assertThat(all.chars().filter(c -> c == 'x').count()).as("every x of the long word, none lost").isGreaterThanOrEqualTo(4 * 5000);
        for (String line : all.split("\n")) {
            assertThat(line.length()).as("a line of the page").isLessThan(200);
        }

        String far = String.join("\n", pages(ReleasePdf.packet(new Packet(8, "y".repeat(5000), ON, List.of(), List.of(), null, List.of()))));
        assertThat(far).contains("Released to yyy", "... on 2024-03-05, request 8", "No fee worksheet was given.", "This release has no parts.");
        assertThat(far.chars().filter(c -> c == 'y').count()).as("the name shortened to two lines of stamp").isBetween(100L, 2 * 2 * 250L);

        assertThatCode(() -> ReleasePdf.packet(new Packet(6, null, null, null, null, null, null))).doesNotThrowAnyException();
        assertThatCode(() -> ReleasePdf.letter(new Letter(6, null, null, null, Arrays.asList(word, null, odd)))).doesNotThrowAnyException();
        assertThatCode(() -> ReleasePdf.table(new Table(null, null, Arrays.asList(odd, null), List.of(Arrays.asList(word, odd, null)), null)))
                .doesNotThrowAnyException();
        String cells = String.join("\n", pages(ReleasePdf.table(new Table("T", List.of(), List.of("A", "B"),
                List.of(List.of("x".repeat(40000), "short")), ""))));
        assertThat(cells).contains("short", "Page 1 of ");
        assertThat(cells.chars().filter(c -> c == 'x').count()).isEqualTo(40000);
    }

    @Test
    void letterHasItsDateAddresseeAndSubject() throws IOException {
        List<String> paragraphs = new ArrayList<>();
        for (int i = 1; i <= 60; i++) {
            paragraphs.add("Paragraph " + i + ": we need more time to gather your records from the archived system, and will act on"
                    + " your request no later than 2024-06-04, as 45 CFR 164.524(b)(2)(ii) allows once.");
        }
        Letter letter = new Letter(9, LocalDate.of(2024, 5, 1), "Jane Doe\n12 Elm Street", "Extension of the time to act on your request",
                paragraphs);

        byte[] pdf = ReleasePdf.letter(letter);

        List<String> pages = pages(pdf);
        assertThat(pages.size()).isGreaterThan(1);
        assertThat(page(pages, 1)).contains("2024-05-01", "To: Jane Doe", "12 Elm Street", "Extension of the time to act on your request",
                "Paragraph 1:");
        assertThat(page(pages, pages.size())).contains("Paragraph 60:");
        for (int i = 1; i <= pages.size(); i++) {
            assertThat(page(pages, i)).contains("Request 9 \u00b7 Page " + i + " of " + pages.size());
        }
        try (PDDocument document = Loader.loadPDF(pdf)) {
            assertThat(document.getDocumentInformation().getTitle()).isEqualTo("Extension of the time to act on your request");
        }
    }

    @Test
    void tableRunsOverPagesUnderItsHeaderAndPrintsTheEmptyTextWithoutRows() throws IOException {
        List<List<String>> rows = new ArrayList<>();
        for (int i = 1; i <= 200; i++) {
            rows.add(List.of("2023-" + String.format("%02d", i % 12 + 1) + "-15", String.format("Recipient R%03d", i), "Treatment",
                    i % 5 == 0 ? "Discharge summary, laboratory results and imaging reports of the admission" : "Laboratory results"));
        }
        Table table = new Table("Accounting of disclosures", List.of("Disclosures of your records in the six years before 2024-03-05."),
                List.of("Disclosed on", "Recipient", "Purpose", "What was disclosed"), rows, "No disclosures.");

        List<String> pages = sortedPages(ReleasePdf.table(table));

        assertThat(pages.size()).isGreaterThan(2);
        assertThat(firstLine(page(pages, 1))).isEqualTo("Accounting of disclosures");
        for (int i = 1; i <= pages.size(); i++) {
            assertThat(page(pages, i).lines()).as("page %d", i).contains("Disclosed on Recipient Purpose What was disclosed");
            assertThat(page(pages, i)).contains("Page " + i + " of " + pages.size());
        }
        String all = String.join("\n", pages);
        for (int i = 1; i <= 200; i++) {
            assertThat(all).contains(String.format("Recipient R%03d", i));
        }
        assertThat(all).doesNotContain("No disclosures.");

        List<String> empty = pages(ReleasePdf.table(new Table("Accounting of disclosures", List.of("None in six years."),
                List.of("Disclosed on", "Recipient"), List.of(), "No disclosures were made.")));
        assertThat(empty).hasSize(1);
        assertThat(page(empty, 1)).contains("Accounting of disclosures", "None in six years.", "No disclosures were made.", "Page 1 of 1")
                .doesNotContain("Recipient");
    }

    /**
     * The contents lines, in the order of the parts, each with the page number whose first line is that part's title
     * while the page before begins with something else. Returns the page each part begins on.
     */
    private static int[] assertContentsRight(List<String> pages, List<Part> parts) {
        List<Matcher> entries = new ArrayList<>();
        for (String page : pages) {
            for (String line : page.split("\n")) {
                Matcher entry = ENTRY.matcher(line.strip());
                if (entry.matches()) {
                    entries.add(entry);
                }
            }
        }
        assertThat(entries).hasSameSizeAs(parts);
        int[] starts = new int[parts.size()];
        for (int i = 0; i < parts.size(); i++) {
            String title = parts.get(i).title();
            assertThat(title).endsWith(entries.get(i).group(1));
            int number = Integer.parseInt(entries.get(i).group(2));
            starts[i] = number;
            String start = page(pages, number);
            assertThat(title).as("part %d begins on page %d", i + 1, number).startsWith(firstLine(start));
            assertThat(start).contains(title.substring(0, Math.min(title.length(), 40)));
            assertThat(firstLine(page(pages, number - 1))).as("the page before part %d", i + 1).isNotEqualTo(firstLine(start));
        }
        return starts;
    }

    private static String page(List<String> pages, int number) {
        return pages.get(number - 1);
    }

    private static String firstLine(String page) {
        return page.lines().filter(line -> !line.isBlank()).findFirst().orElse("").strip();
    }

    private static List<String> pages(byte[] pdf) throws IOException {
        return pages(pdf, false);
    }

    /** Ordered by position, for tables, which are drawn column by column. */
    private static List<String> sortedPages(byte[] pdf) throws IOException {
        return pages(pdf, true);
    }

    private static List<String> pages(byte[] pdf, boolean sorted) throws IOException {
        try (PDDocument document = Loader.loadPDF(pdf)) {
            PDFTextStripper stripper = new PDFTextStripper();
            stripper.setSortByPosition(sorted);
            stripper.setLineSeparator("\n");
            List<String> pages = new ArrayList<>();
            for (int i = 1; i <= document.getNumberOfPages(); i++) {
                stripper.setStartPage(i);
                stripper.setEndPage(i);
                pages.add(stripper.getText(document));
            }
            return pages;
        }
    }
}
