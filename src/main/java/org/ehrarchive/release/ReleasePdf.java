package org.ehrarchive.release;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDDocumentInformation;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.ehrarchive.pdf.PdfLayout;

/**
 * The PDFs of the release of information (HIPAA 45 CFR 164.524): the release packet itself (a cover with what was
 * withheld and the fee worksheet, a table of contents, then the released parts, every page stamped with to whom and
 * when it was released), letters such as the notice of an extended deadline, and table reports such as an accounting
 * of disclosures.
 *
 * <p>Laid out with {@link PdfLayout}, as the decommission certificate is: Standard 14 fonts, every text through its
 * filter so that a character WinAnsiEncoding cannot show becomes '?' instead of failing the release, A4, simple
 * wrapping, "page i of n" added once the page count is known. Any text may be null (printed as empty) and any list
 * null (printed as empty): a release must not fail on the content of the record it releases.
 */
public final class ReleasePdf {

    /** A release packet's content, in the order it is printed. */
    public record Packet(long requestId, String releasedTo, LocalDate releasedOn, List<String> coverLetter, List<Withheld> withheld,
            Fees fees, List<Part> parts) {
    }

    /**
     * One part of the packet: its title (a line of the table of contents), its lines, then its images (the pages of a
     * scanned or attached document). An empty line is a paragraph break; a line starting with "## " is a subheading.
     */
    public record Part(String title, List<String> lines, List<Image> images) {
        public Part(String title, List<String> lines) {
            this(title, lines, List.of());
        }
    }

    /** A picture printed in a part, under its caption: a page of an attached document, an attached image. */
    public record Image(String caption, byte[] bytes) {
    }

    /** Something left out of the release, and why. */
    public record Withheld(String what, String why) {
    }

    /** The fee worksheet printed on the cover (amounts already formatted by the caller, e.g. "$12.50"). */
    public record Fees(List<FeeLine> lines, String total, String basis) {
    }

    /** One line of the fee worksheet. */
    public record FeeLine(String item, String quantity, String amount) {
    }

    /** A letter (for example the notice that a request's deadline is extended). */
    public record Letter(long requestId, LocalDate date, String to, String subject, List<String> paragraphs) {
    }

    /**
     * A table report (for example a patient's accounting of disclosures): title, introduction paragraphs, column names,
     * rows of cells, and the sentence printed when there are no rows.
     */
    public record Table(String title, List<String> intro, List<String> columns, List<List<String>> rows, String emptyText) {
    }

    private static final float BODY = 10;
    /** Room kept at the right of the contents for the page numbers, so that their width never changes the wrapping. */
    private static final float PAGE_COLUMN = 40;

    private ReleasePdf() {
    }

    // ---- packet -----------------------------------------------------------------------------------------------

    /** The release packet: cover, contents, then each part on pages of its own; every page stamped and numbered. */
    public static byte[] packet(Packet packet) {
        String title = "Release of information, request " + packet.requestId();
        return render(title, document -> {
            PdfLayout layout = new PdfLayout(document);
            layout.newPage();
            cover(layout, packet, title);
            List<Part> parts = list(packet.parts());
            int coverPages = document.getNumberOfPages();
            int[] starts = new int[parts.size()];
            for (int i = 0; i < parts.size(); i++) {
                layout.newPage();
                starts[i] = document.getNumberOfPages();
                part(layout, parts.get(i));
            }
            layout.close();

            // The parts are laid out first, so where each begins is known; the contents go in front of them after.
            // Page numbers do not change how a contents line wraps (PAGE_COLUMN), so a dry run with any numbers says
            // how many pages the contents take, hence the number each part's page will have once they are inserted.
            List<String> titles = parts.stream().map(p -> p == null ? null : p.title()).toList();
            int contentsPages;
            try (PDDocument dry = new PDDocument()) {
                PdfLayout trial = new PdfLayout(dry);
                contents(trial, titles, new int[titles.size()]);
                trial.close();
                contentsPages = dry.getNumberOfPages();
            }
            int[] numbers = new int[starts.length];
            for (int i = 0; i < starts.length; i++) {
                numbers[i] = starts[i] + contentsPages;
            }
            int before = document.getNumberOfPages();
            PdfLayout toc = new PdfLayout(document);
            contents(toc, titles, numbers);
            toc.close();
            if (document.getNumberOfPages() - before != contentsPages) {
                throw new IllegalStateException("The contents took another number of pages than their dry run");
            }
            if (parts.size() > 0) {
                PDPage firstPart = document.getPage(coverPages);
                List<PDPage> moved = new ArrayList<>();
                for (int i = before; i < document.getNumberOfPages(); i++) {
                    moved.add(document.getPage(i));
                }
                for (PDPage page : moved) {
                    document.getPages().remove(page);
                    document.getPages().insertBefore(page, firstPart);
                }
            }

            List<String> stamp = stamp(packet);
            for (int j = 0; j < stamp.size(); j++) {
                String line = stamp.get(j);
                PdfLayout.stamp(document, PDRectangle.A4.getHeight() - 30 - j * PdfLayout.STAMP * PdfLayout.LEADING, (i, n) -> line);
            }
            PdfLayout.stamp(document, PdfLayout.MARGIN - 20, (i, n) -> "Page " + i + " of " + n);
        });
    }

    private static void cover(PdfLayout layout, Packet packet, String title) throws IOException {
        layout.text(title, PdfLayout.BOLD, 16);
        layout.gap(8);
        for (String paragraph : list(packet.coverLetter())) {
            paragraph(layout, paragraph);
        }

        layout.heading("Withheld from this release");
        List<Withheld> withheld = list(packet.withheld());
        if (withheld.isEmpty()) {
            paragraph(layout, "Nothing was withheld from this release.");
        }
        for (Withheld w : withheld) {
            paragraph(layout, w == null ? "" : text(w.what()) + ": " + text(w.why()));
        }

        layout.heading("Fees");
        Fees fees = packet.fees();
        if (fees == null) {
            paragraph(layout, "No fee worksheet was given.");
            return;
        }
        List<String[]> rows = new ArrayList<>();
        for (FeeLine line : list(fees.lines())) {
            rows.add(line == null ? new String[0] : new String[] {line.item(), line.quantity(), line.amount()});
        }
        layout.table(new String[] {"Item", "Quantity", "Amount"}, new float[] {300, 95, 100}, rows, "No fee items.");
        layout.text("Total: " + text(fees.total()), PdfLayout.BOLD, BODY);
        layout.gap(4);
        paragraph(layout, fees.basis());
    }

    private static void part(PdfLayout layout, Part part) throws IOException {
        layout.text(part == null ? "" : part.title(), PdfLayout.BOLD, 14);
        layout.gap(6);
        for (String line : part == null ? List.<String>of() : list(part.lines())) {
            for (String piece : lines(line)) {
                if (piece.isBlank()) {
                    layout.gap(BODY * 0.6f);
                } else if (piece.startsWith("## ")) {
                    layout.gap(6);
                    // A subheading is not left alone at the foot of a page, away from what it heads.
                    layout.need(11 * PdfLayout.LEADING + BODY * PdfLayout.LEADING * 2);
                    layout.text(piece.substring(3), PdfLayout.BOLD, 11);
                    layout.gap(2);
                } else {
                    layout.text(piece, PdfLayout.REGULAR, BODY);
                }
            }
        }
        for (Image image : part == null || part.images() == null ? List.<Image>of() : part.images()) {
            layout.gap(6);
            layout.need(BODY * PdfLayout.LEADING * 4);
            layout.text(image.caption(), PdfLayout.BOLD, BODY);
            layout.gap(2);
            if (image.bytes() != null && !layout.image(image.bytes(), image.caption())) {
                layout.text("(this image could not be rendered; the original is in the archive, byte-exact)", PdfLayout.REGULAR, BODY);
            }
        }
    }

    /** The contents, from a new page: each title, dot leaders, and the number of the page its part begins on. */
    private static void contents(PdfLayout layout, List<String> titles, int[] pages) throws IOException {
        layout.newPage();
        layout.text("Contents", PdfLayout.BOLD, 16);
        layout.gap(8);
        if (titles.isEmpty()) {
            paragraph(layout, "This release has no parts.");
        }
        float room = layout.width() - PAGE_COLUMN;
        for (int i = 0; i < titles.size(); i++) {
            List<String> lines = PdfLayout.wrap(PdfLayout.showable(titles.get(i)), PdfLayout.REGULAR, BODY, room);
            for (int j = 0; j < lines.size() - 1; j++) {
                layout.line(lines.get(j), PdfLayout.REGULAR, BODY, PdfLayout.MARGIN);
            }
            String last = lines.get(lines.size() - 1);
            float dots = room - PdfLayout.widthOf(last + " ", PdfLayout.REGULAR, BODY);
            int count = Math.max(0, (int) (dots / PdfLayout.widthOf(".", PdfLayout.REGULAR, BODY)));
            layout.line(last + " " + ".".repeat(count), PdfLayout.REGULAR, BODY, PdfLayout.MARGIN);
            String number = Integer.toString(pages[i]);
            layout.at(number, PdfLayout.REGULAR, BODY, PdfLayout.MARGIN + layout.width() - PdfLayout.widthOf(number, PdfLayout.REGULAR, BODY));
            layout.gap(2);
        }
    }

    /**
     * The lines of the stamp at the head of every page. It is printed in full when it fits two lines; a name longer than
     * that (no recipient's name should be) is shortened with "..." so that the stamp never runs into the page's text.
     */
    private static List<String> stamp(Packet packet) throws IOException {
        String to = text(packet.releasedTo());
        String tail = " on " + (packet.releasedOn() == null ? "" : packet.releasedOn().toString()) + ", request " + packet.requestId();
        String stamp = "Released to " + to + tail;
        float width = PDRectangle.A4.getWidth() - 2 * PdfLayout.MARGIN;
        while (true) {
            List<String> lines = PdfLayout.wrap(PdfLayout.showable(stamp), PdfLayout.REGULAR, PdfLayout.STAMP, width);
            if (lines.size() <= 2 || to.length() <= 1) {
                return lines;
            }
            to = to.substring(0, to.length() * 3 / 4);
            stamp = "Released to " + to + "..." + tail;
        }
    }

    // ---- letter -----------------------------------------------------------------------------------------------

    /** A letter: its date, to whom, a bold subject, the paragraphs; "Request id · Page i of n" at the foot. */
    public static byte[] letter(Letter letter) {
        return render(letter.subject(), document -> {
            PdfLayout layout = new PdfLayout(document);
            layout.newPage();
            layout.text(letter.date() == null ? "" : letter.date().toString(), PdfLayout.REGULAR, BODY);
            layout.gap(10);
            for (String line : lines("To: " + text(letter.to()))) {
                layout.text(line, PdfLayout.REGULAR, BODY);
            }
            layout.gap(10);
            layout.text(letter.subject(), PdfLayout.BOLD, 11);
            layout.gap(8);
            for (String paragraph : list(letter.paragraphs())) {
                paragraph(layout, paragraph);
                layout.gap(4);
            }
            layout.close();
            PdfLayout.stamp(document, PdfLayout.MARGIN - 20, (i, n) -> "Request " + letter.requestId() + " \u00b7 Page " + i + " of " + n);
        });
    }

    // ---- table ------------------------------------------------------------------------------------------------

    /** A table report: title, introduction, then the rows under their column names, repeated on every page. */
    public static byte[] table(Table table) {
        return render(table.title(), document -> {
            PdfLayout layout = new PdfLayout(document);
            layout.newPage();
            layout.text(table.title(), PdfLayout.BOLD, 14);
            layout.gap(6);
            for (String paragraph : list(table.intro())) {
                paragraph(layout, paragraph);
            }
            layout.gap(4);
            List<String> columns = list(table.columns());
            List<String[]> rows = new ArrayList<>();
            int width = columns.size();
            for (List<String> row : list(table.rows())) {
                List<String> cells = list(row);
                rows.add(cells.toArray(new String[0]));
                width = Math.max(width, cells.size());
            }
            String[] header = new String[Math.max(1, width)];
            for (int i = 0; i < header.length; i++) {
                header[i] = i < columns.size() ? columns.get(i) : "";
            }
            if (rows.isEmpty()) {
                paragraph(layout, table.emptyText());
            } else {
                layout.table(header, widths(header, rows, layout.width()), rows, "");
            }
            layout.close();
            PdfLayout.stamp(document, PdfLayout.MARGIN - 20, (i, n) -> "Page " + i + " of " + n);
        });
    }

    /**
     * Column widths from their content: a column whose longest text is narrower than an equal share gets just that;
     * what is left is shared equally among the wider ones, so a date column stays on one line beside a long note.
     */
    private static float[] widths(String[] header, List<String[]> rows, float total) throws IOException {
        float size = PdfLayout.SIZE - 1;
        float[] natural = new float[header.length];
        for (int i = 0; i < header.length; i++) {
            natural[i] = PdfLayout.widthOf(PdfLayout.showable(header[i]), PdfLayout.BOLD, size) + 6;
            for (String[] row : rows) {
                if (i < row.length) {
                    natural[i] = Math.max(natural[i], PdfLayout.widthOf(PdfLayout.showable(row[i]), PdfLayout.REGULAR, size) + 6);
                }
            }
        }
        float[] widths = new float[header.length];
        boolean[] set = new boolean[header.length];
        float left = total;
        int open = header.length;
        while (open > 0) {
            float share = left / open;
            boolean any = false;
            for (int i = 0; i < header.length; i++) {
                if (!set[i] && natural[i] <= share) {
                    widths[i] = natural[i];
                    set[i] = true;
                    left -= natural[i];
                    open--;
                    any = true;
                }
            }
            if (!any) {
                for (int i = 0; i < header.length; i++) {
                    if (!set[i]) {
                        widths[i] = share;
                    }
                }
                break;
            }
        }
        return widths;
    }

    // ---- shared -----------------------------------------------------------------------------------------------

    private interface Body {
        void layOut(PDDocument document) throws IOException;
    }

    private static byte[] render(String title, Body body) {
        try (PDDocument document = new PDDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            PDDocumentInformation info = document.getDocumentInformation();
            info.setTitle(PdfLayout.showable(title));
            info.setCreator("ehr-archive");
            body.layOut(document);
            document.save(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write the PDF", e);
        }
    }

    /** A paragraph; a line break in it stays one (an address, a list), where the filter alone would make it a space. */
    private static void paragraph(PdfLayout layout, String text) throws IOException {
        for (String line : lines(text)) {
            layout.text(line, PdfLayout.REGULAR, BODY);
        }
        layout.gap(BODY * 0.4f);
    }

    private static List<String> lines(String text) {
        return text == null ? List.of("") : List.of(text.split("\\R", -1));
    }

    private static String text(String text) {
        return text == null ? "" : text;
    }

    private static <T> List<T> list(List<T> list) {
        return list == null ? List.of() : list;
    }
}
