package org.ehrarchive.release;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDDocumentInformation;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;

/**
 * The PDFs of the release of information (HIPAA 45 CFR 164.524): the release packet itself (a cover with what was
 * withheld and the fee worksheet, a table of contents, then the released parts, every page stamped with to whom and
 * when it was released), letters such as the notice of an extended deadline, and table reports such as an accounting
 * of disclosures.
 *
 * <p>As {@code CertificatePdf}: Standard 14 fonts only (nothing to embed, any reader shows them), every text through a
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
     * One part of the packet: its title (a line of the table of contents) and its lines. An empty line is a paragraph
     * break; a line starting with "## " is a subheading.
     */
    public record Part(String title, List<String> lines) {
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
            Layout layout = new Layout(document);
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
                Layout trial = new Layout(dry);
                contents(trial, titles, new int[titles.size()]);
                trial.close();
                contentsPages = dry.getNumberOfPages();
            }
            int[] numbers = new int[starts.length];
            for (int i = 0; i < starts.length; i++) {
                numbers[i] = starts[i] + contentsPages;
            }
            int before = document.getNumberOfPages();
            Layout toc = new Layout(document);
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

            String stamp = stamp(packet);
            Layout.stamp(document, PDRectangle.A4.getHeight() - 30, (i, n) -> stamp);
            Layout.stamp(document, Layout.MARGIN - 20, (i, n) -> "Page " + i + " of " + n);
        });
    }

    private static void cover(Layout layout, Packet packet, String title) throws IOException {
        layout.text(title, Layout.BOLD, 16);
        layout.gap(8);
        for (String paragraph : list(packet.coverLetter())) {
            paragraph(layout, paragraph);
        }

        heading(layout, "Withheld from this release");
        List<Withheld> withheld = list(packet.withheld());
        if (withheld.isEmpty()) {
            paragraph(layout, "Nothing was withheld from this release.");
        }
        for (Withheld w : withheld) {
            paragraph(layout, w == null ? "" : text(w.what()) + ": " + text(w.why()));
        }

        heading(layout, "Fees");
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
        layout.text("Total: " + text(fees.total()), Layout.BOLD, BODY);
        layout.gap(4);
        paragraph(layout, fees.basis());
    }

    private static void part(Layout layout, Part part) throws IOException {
        layout.text(part == null ? "" : part.title(), Layout.BOLD, 14);
        layout.gap(6);
        for (String line : part == null ? List.<String>of() : list(part.lines())) {
            for (String piece : lines(line)) {
                if (piece.isBlank()) {
                    layout.gap(BODY * 0.6f);
                } else if (piece.startsWith("## ")) {
                    layout.gap(6);
                    // A subheading is not left alone at the foot of a page, away from what it heads.
                    layout.need(11 * Layout.LEADING + BODY * Layout.LEADING * 2);
                    layout.text(piece.substring(3), Layout.BOLD, 11);
                    layout.gap(2);
                } else {
                    layout.text(piece, Layout.REGULAR, BODY);
                }
            }
        }
    }

    /** The contents, from a new page: each title, dot leaders, and the number of the page its part begins on. */
    private static void contents(Layout layout, List<String> titles, int[] pages) throws IOException {
        layout.newPage();
        layout.text("Contents", Layout.BOLD, 16);
        layout.gap(8);
        if (titles.isEmpty()) {
            paragraph(layout, "This release has no parts.");
        }
        float room = layout.width() - PAGE_COLUMN;
        for (int i = 0; i < titles.size(); i++) {
            List<String> lines = Layout.wrap(Layout.showable(titles.get(i)), Layout.REGULAR, BODY, room);
            for (int j = 0; j < lines.size() - 1; j++) {
                layout.line(lines.get(j), Layout.REGULAR, BODY, Layout.MARGIN);
            }
            String last = lines.get(lines.size() - 1);
            float dots = room - Layout.widthOf(last + " ", Layout.REGULAR, BODY);
            int count = Math.max(0, (int) (dots / Layout.widthOf(".", Layout.REGULAR, BODY)));
            layout.line(last + " " + ".".repeat(count), Layout.REGULAR, BODY, Layout.MARGIN);
            String number = Integer.toString(pages[i]);
            layout.at(number, Layout.REGULAR, BODY, Layout.MARGIN + layout.width() - Layout.widthOf(number, Layout.REGULAR, BODY));
            layout.gap(2);
        }
    }

    /**
     * The stamp at the head of every page. It is printed in full when it fits two lines; a name longer than that (no
     * recipient's name should be) is shortened with "..." so that the stamp never runs into the page's text.
     */
    private static String stamp(Packet packet) throws IOException {
        String to = text(packet.releasedTo());
        String tail = " on " + (packet.releasedOn() == null ? "" : packet.releasedOn().toString()) + ", request " + packet.requestId();
        String stamp = "Released to " + to + tail;
        float width = PDRectangle.A4.getWidth() - 2 * Layout.MARGIN;
        while (Layout.wrap(Layout.showable(stamp), Layout.REGULAR, Layout.STAMP, width).size() > 2 && to.length() > 1) {
            to = to.substring(0, to.length() * 3 / 4);
            stamp = "Released to " + to + "..." + tail;
        }
        return stamp;
    }

    // ---- letter -----------------------------------------------------------------------------------------------

    /** A letter: its date, to whom, a bold subject, the paragraphs; "Request id · Page i of n" at the foot. */
    public static byte[] letter(Letter letter) {
        return render(letter.subject(), document -> {
            Layout layout = new Layout(document);
            layout.newPage();
            layout.text(letter.date() == null ? "" : letter.date().toString(), Layout.REGULAR, BODY);
            layout.gap(10);
            for (String line : lines("To: " + text(letter.to()))) {
                layout.text(line, Layout.REGULAR, BODY);
            }
            layout.gap(10);
            layout.text(letter.subject(), Layout.BOLD, 11);
            layout.gap(8);
            for (String paragraph : list(letter.paragraphs())) {
                paragraph(layout, paragraph);
                layout.gap(4);
            }
            layout.close();
            Layout.stamp(document, Layout.MARGIN - 20, (i, n) -> "Request " + letter.requestId() + " \u00b7 Page " + i + " of " + n);
        });
    }

    // ---- table ------------------------------------------------------------------------------------------------

    /** A table report: title, introduction, then the rows under their column names, repeated on every page. */
    public static byte[] table(Table table) {
        return render(table.title(), document -> {
            Layout layout = new Layout(document);
            layout.newPage();
            layout.text(table.title(), Layout.BOLD, 14);
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
            Layout.stamp(document, Layout.MARGIN - 20, (i, n) -> "Page " + i + " of " + n);
        });
    }

    /**
     * Column widths from their content: a column whose longest text is narrower than an equal share gets just that;
     * what is left is shared equally among the wider ones, so a date column stays on one line beside a long note.
     */
    private static float[] widths(String[] header, List<String[]> rows, float total) throws IOException {
        float size = Layout.SIZE - 1;
        float[] natural = new float[header.length];
        for (int i = 0; i < header.length; i++) {
            natural[i] = Layout.widthOf(Layout.showable(header[i]), Layout.BOLD, size) + 6;
            for (String[] row : rows) {
                if (i < row.length) {
                    natural[i] = Math.max(natural[i], Layout.widthOf(Layout.showable(row[i]), Layout.REGULAR, size) + 6);
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
            info.setTitle(Layout.showable(title));
            info.setCreator("ehr-archive");
            body.layOut(document);
            document.save(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write the PDF", e);
        }
    }

    private static void heading(Layout layout, String text) throws IOException {
        layout.gap(8);
        layout.need(40);
        layout.text(text, Layout.BOLD, 12);
        layout.gap(2);
    }

    /** A paragraph; a line break in it stays one (an address, a list), where the filter alone would make it a space. */
    private static void paragraph(Layout layout, String text) throws IOException {
        for (String line : lines(text)) {
            layout.text(line, Layout.REGULAR, BODY);
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

    // ---- layout -----------------------------------------------------------------------------------------------

    /** Pages, a cursor going down them, and the primitives to fill them. */
    static final class Layout {

        static final PDType1Font REGULAR = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
        static final PDType1Font BOLD = new PDType1Font(Standard14Fonts.FontName.HELVETICA_BOLD);
        static final float MARGIN = 50;
        static final float SIZE = 9;
        static final float LEADING = 1.3f;
        /** The size of the text stamped on every page (a footer, a header). */
        static final float STAMP = 8;
        /** Below this the page is full: the footer lives under it. */
        private static final float BOTTOM = MARGIN + 20;
        private static final int HEADER_LINES = 3;
        private static final Map<Integer, Boolean> SHOWABLE = new HashMap<>();

        private final PDDocument document;
        private PDPageContentStream content;
        private float y;

        Layout(PDDocument document) {
            this.document = document;
        }

        float width() {
            return PDRectangle.A4.getWidth() - 2 * MARGIN;
        }

        void newPage() throws IOException {
            close();
            PDPage page = new PDPage(PDRectangle.A4);
            document.addPage(page);
            content = new PDPageContentStream(document, page);
            y = PDRectangle.A4.getHeight() - MARGIN;
        }

        void close() throws IOException {
            if (content != null) {
                content.close();
                content = null;
            }
        }

        void need(float height) throws IOException {
            if (y - height < BOTTOM) {
                newPage();
            }
        }

        void gap(float points) {
            y -= points;
        }

        void paragraph(String text) throws IOException {
            text(text, REGULAR, SIZE);
            gap(2);
        }

        void text(String text, PDType1Font font, float size) throws IOException {
            for (String line : wrap(showable(text), font, size, width())) {
                line(line, font, size, MARGIN);
            }
        }

        void line(String text, PDType1Font font, float size, float x) throws IOException {
            need(size * LEADING);
            y -= size * LEADING;
            at(text, font, size, x);
        }

        /** Text on the current line, at x, without going down: a second column, a right-aligned number. */
        void at(String text, PDType1Font font, float size, float x) throws IOException {
            content.beginText();
            content.setFont(font, size);
            content.newLineAtOffset(x, y);
            content.showText(showable(text));
            content.endText();
        }

        /**
         * A table whose cells wrap within their column (widths in proportion to {@code widths}); the header is repeated
         * on each new page, and a row taller than a page goes on over the next ones.
         */
        void table(String[] header, float[] widths, List<String[]> rows, String empty) throws IOException {
            if (rows.isEmpty()) {
                if (!empty.isEmpty()) {
                    paragraph(empty);
                }
                return;
            }
            float total = 0;
            for (float w : widths) {
                total += w;
            }
            float[] columns = new float[widths.length];
            for (int i = 0; i < widths.length; i++) {
                columns[i] = widths[i] * width() / total;
            }
            float size = SIZE - 1;
            List<List<String>> head = cells(header, columns, BOLD, size);
            // A header taller than a few lines would leave no room for rows under it on every page.
            for (int i = 0; i < head.size(); i++) {
                if (head.get(i).size() > HEADER_LINES) {
                    List<String> cut = new ArrayList<>(head.get(i).subList(0, HEADER_LINES));
                    cut.set(HEADER_LINES - 1, cut.get(HEADER_LINES - 1) + "...");
                    head.set(i, cut);
                }
            }
            header(head, columns, size);
            for (String[] row : rows) {
                List<List<String>> cells = cells(row, columns, REGULAR, size);
                if (y - height(cells, size) < BOTTOM) {
                    newPage();
                    header(head, columns, size);
                }
                while (y - height(cells, size) < BOTTOM) {
                    int fit = Math.max(1, (int) ((y - BOTTOM - 2) / (size * LEADING)));
                    draw(slice(cells, 0, fit), columns, REGULAR, size);
                    cells = slice(cells, fit, Integer.MAX_VALUE);
                    newPage();
                    header(head, columns, size);
                }
                draw(cells, columns, REGULAR, size);
            }
            gap(4);
        }

        private void header(List<List<String>> head, float[] columns, float size) throws IOException {
            need(height(head, size) + size * LEADING * 2);
            draw(head, columns, BOLD, size);
        }

        private static List<List<String>> cells(String[] row, float[] columns, PDType1Font font, float size) throws IOException {
            List<List<String>> cells = new ArrayList<>();
            for (int i = 0; i < columns.length; i++) {
                String value = i < row.length && row[i] != null ? row[i] : "";
                cells.add(wrap(showable(value), font, size, columns[i] - 4));
            }
            return cells;
        }

        private static List<List<String>> slice(List<List<String>> cells, int from, int to) {
            List<List<String>> slice = new ArrayList<>();
            for (List<String> cell : cells) {
                slice.add(cell.subList(Math.min(from, cell.size()), Math.min(to, cell.size())));
            }
            return slice;
        }

        private static float height(List<List<String>> cells, float size) {
            int lines = cells.stream().mapToInt(List::size).max().orElse(1);
            return lines * size * LEADING + 2;
        }

        private void draw(List<List<String>> cells, float[] columns, PDType1Font font, float size) throws IOException {
            float top = y;
            float bottom = y;
            float x = MARGIN;
            for (int i = 0; i < cells.size(); i++) {
                y = top;
                for (String line : cells.get(i)) {
                    line(line, font, size, x);
                }
                bottom = Math.min(bottom, y);
                x += columns[i];
            }
            y = bottom - 2;
            content.setLineWidth(0.3f);
            content.moveTo(MARGIN, y + 1);
            content.lineTo(MARGIN + width(), y + 1);
            content.stroke();
        }

        /**
         * Words to lines that fit the width; a word longer than a line (a hash, a path) is broken where it must be. The
         * break is found in one pass over the word's glyph widths, so that a word of thousands of characters costs no
         * more than its length.
         */
        static List<String> wrap(String text, PDType1Font font, float size, float width) throws IOException {
            List<String> lines = new ArrayList<>();
            StringBuilder line = new StringBuilder();
            for (String word : text.split(" ", -1)) {
                String candidate = line.isEmpty() ? word : line + " " + word;
                if (widthOf(candidate, font, size) <= width) {
                    line.setLength(0);
                    line.append(candidate);
                    continue;
                }
                if (!line.isEmpty()) {
                    lines.add(line.toString());
                    line.setLength(0);
                }
                String rest = word;
                while (rest.length() > 1 && widthOf(rest, font, size) > width) {
                    int cut = fitting(rest, font, size, width);
                    lines.add(rest.substring(0, cut));
                    rest = rest.substring(cut);
                }
                line.append(rest);
            }
            lines.add(line.toString());
            return lines;
        }

        /** How many leading characters fit the width: at least one, at most all but the last. */
        private static int fitting(String word, PDType1Font font, float size, float width) throws IOException {
            // Summed in the order PDFont.getStringWidth sums, so the result is that of measuring each prefix.
            float units = 0;
            int cut = 0;
            for (int i = 0; i < word.length() - 1; i++) {
                units += font.getStringWidth(word.substring(i, i + 1));
                if (units / 1000 * size > width) {
                    break;
                }
                cut = i + 1;
            }
            return Math.max(1, cut);
        }

        static float widthOf(String text, PDType1Font font, float size) throws IOException {
            return font.getStringWidth(text) / 1000 * size;
        }

        /**
         * The text as the standard fonts can show it (WinAnsiEncoding): white space and control characters become a
         * space, any other character those fonts lack becomes '?'.
         */
        static String showable(String text) {
            if (text == null) {
                return "";
            }
            StringBuilder shown = new StringBuilder(text.length());
            text.codePoints().forEach(c -> {
                if (Character.isWhitespace(c) || Character.isISOControl(c) || Character.isSpaceChar(c)) {
                    shown.append(' ');
                } else if (canShow(c)) {
                    shown.appendCodePoint(c);
                } else {
                    shown.append('?');
                }
            });
            return shown.toString();
        }

        private static boolean canShow(int codePoint) {
            synchronized (SHOWABLE) {
                return SHOWABLE.computeIfAbsent(codePoint, c -> {
                    try {
                        REGULAR.encode(new String(Character.toChars(c)));
                        return true;
                    } catch (IOException | IllegalArgumentException e) {
                        return false;
                    }
                });
            }
        }

        /**
         * Text from (page number, page count) on every page, its first line at height y, once the count is known; a
         * text wider than the page wraps onto lines below.
         */
        static void stamp(PDDocument document, float y, BiFunction<Integer, Integer, String> text) throws IOException {
            int pages = document.getNumberOfPages();
            for (int i = 0; i < pages; i++) {
                PDPage page = document.getPage(i);
                try (PDPageContentStream stamp = new PDPageContentStream(document, page, PDPageContentStream.AppendMode.APPEND, true, true)) {
                    float at = y;
                    for (String line : wrap(showable(text.apply(i + 1, pages)), REGULAR, STAMP, page.getMediaBox().getWidth() - 2 * MARGIN)) {
                        stamp.beginText();
                        stamp.setFont(REGULAR, STAMP);
                        stamp.newLineAtOffset(MARGIN, at);
                        stamp.showText(line);
                        stamp.endText();
                        at -= STAMP * LEADING;
                    }
                }
            }
        }
    }
}
