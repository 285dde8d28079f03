package org.ehrarchive.pdf;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;

/**
 * The layout the archive's PDFs share (the decommission certificate, the release of information): A4 pages and a
 * cursor going down them, with the primitives to fill them (lines, wrapped text, headings, tables that wrap their
 * cells and repeat their header on each page) and the stamp put on every page once the page count is known.
 *
 * <p>Standard 14 fonts only, so there is nothing to embed and any PDF reader shows them; every text goes through
 * {@link #showable}, so that a character WinAnsiEncoding cannot encode (a name in another script, an emoji, a control
 * character) becomes '?' or a space instead of failing the document. Not thread-safe: one layout fills one document.
 */
public final class PdfLayout {

    /** Helvetica, the body text. */
    public static final PDType1Font REGULAR = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
    /** Helvetica Bold, headings and table headers. */
    public static final PDType1Font BOLD = new PDType1Font(Standard14Fonts.FontName.HELVETICA_BOLD);
    /** Courier, for what is read character by character (digests, manifests). */
    public static final PDType1Font MONO = new PDType1Font(Standard14Fonts.FontName.COURIER);
    /** The margin on every side, in points. */
    public static final float MARGIN = 50;
    /** The size of body text and, one point less, of table cells. */
    public static final float SIZE = 9;
    /** Line height as a multiple of the font size. */
    public static final float LEADING = 1.3f;
    /** The size of the text stamped on every page (a footer, a header). */
    public static final float STAMP = 8;
    /** Below this the page is full: the footer lives under it. */
    private static final float BOTTOM = MARGIN + 20;
    private static final int HEADER_LINES = 3;
    private static final Map<Integer, Boolean> SHOWABLE = new HashMap<>();

    private final PDDocument document;
    private PDPageContentStream content;
    private float y;

    /** A layout adding its pages to the end of the document; it has no page until {@link #newPage()}. */
    public PdfLayout(PDDocument document) {
        this.document = document;
    }

    /** The width between the margins. */
    public float width() {
        return PDRectangle.A4.getWidth() - 2 * MARGIN;
    }

    /** Ends the current page, if any, and goes to the top of a new one. */
    public void newPage() throws IOException {
        close();
        PDPage page = new PDPage(PDRectangle.A4);
        document.addPage(page);
        content = new PDPageContentStream(document, page);
        y = PDRectangle.A4.getHeight() - MARGIN;
    }

    /** Ends the current page; needed before the document is saved or stamped. */
    public void close() throws IOException {
        if (content != null) {
            content.close();
            content = null;
        }
    }

    /** Goes to a new page unless this much height is left on the current one. */
    public void need(float height) throws IOException {
        if (y - height < BOTTOM) {
            newPage();
        }
    }

    /**
     * An image (PNG, JPEG, TIFF, GIF, BMP bytes) at most the width between the margins and the height of a page,
     * shrunk to fit and never enlarged, on a new page when it does not fit on this one. False, and nothing drawn, for
     * bytes that are no image PDFBox can read.
     */
    public boolean image(byte[] bytes, String name) throws IOException {
        org.apache.pdfbox.pdmodel.graphics.image.PDImageXObject image;
        try {
            image = org.apache.pdfbox.pdmodel.graphics.image.PDImageXObject.createFromByteArray(document, bytes, name);
        } catch (IOException | IllegalArgumentException unreadable) {
            return false;
        }
        float most = PDRectangle.A4.getHeight() - MARGIN - BOTTOM;
        float scale = Math.min(1f, Math.min(width() / image.getWidth(), most / image.getHeight()));
        float height = image.getHeight() * scale;
        need(height);
        y -= height;
        content.drawImage(image, MARGIN, y, image.getWidth() * scale, height);
        return true;
    }

    /** Leaves vertical space (lost where a new page begins). */
    public void gap(float points) {
        y -= points;
    }

    /** A section heading, kept with at least a few lines of what follows it. */
    public void heading(String text) throws IOException {
        gap(8);
        need(40);
        text(text, BOLD, 12);
        gap(2);
    }

    /** Body text, wrapped, with a little space after it. */
    public void paragraph(String text) throws IOException {
        text(text, REGULAR, SIZE);
        gap(2);
    }

    /** Text wrapped to the width, going on to new pages as needed; null is printed as nothing. */
    public void text(String text, PDType1Font font, float size) throws IOException {
        for (String line : wrap(showable(text), font, size, width())) {
            line(line, font, size, MARGIN);
        }
    }

    /** Goes down one line (to a new page if this one is full) and prints the text at x, not wrapped. */
    public void line(String text, PDType1Font font, float size, float x) throws IOException {
        need(size * LEADING);
        y -= size * LEADING;
        at(text, font, size, x);
    }

    /** Text on the current line, at x, without going down: a second column, a right-aligned number. */
    public void at(String text, PDType1Font font, float size, float x) throws IOException {
        content.beginText();
        content.setFont(font, size);
        content.newLineAtOffset(x, y);
        content.showText(showable(text));
        content.endText();
    }

    /**
     * A table whose cells wrap within their column (widths in proportion to {@code widths}); the header (each of its
     * cells at most three lines) is repeated on each new page, and a row taller than a page goes on over the next
     * ones, under the header again. Without rows, {@code empty} is printed instead, unless it is empty too.
     */
    public void table(String[] header, float[] widths, List<String[]> rows, String empty) throws IOException {
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
        float scale = width() / total;
        float[] columns = new float[widths.length];
        for (int i = 0; i < widths.length; i++) {
            columns[i] = widths[i] * scale;
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
    public static List<String> wrap(String text, PDType1Font font, float size, float width) throws IOException {
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

    /** The width of a showable text, in points. */
    public static float widthOf(String text, PDType1Font font, float size) throws IOException {
        return font.getStringWidth(text) / 1000 * size;
    }

    /**
     * The text as the standard fonts can show it (WinAnsiEncoding): white space and control characters become a
     * space, any other character those fonts lack becomes '?'.
     */
    public static String showable(String text) {
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
     * One line from (page number, page count) at height y on every page, once the count is known: a footer, a header.
     * It is not wrapped; a caller with a text that may be wider than the page wraps it and stamps each line.
     */
    public static void stamp(PDDocument document, float y, BiFunction<Integer, Integer, String> text) throws IOException {
        int pages = document.getNumberOfPages();
        for (int i = 0; i < pages; i++) {
            PDPage page = document.getPage(i);
            try (PDPageContentStream stamp = new PDPageContentStream(document, page, PDPageContentStream.AppendMode.APPEND, true, true)) {
                stamp.beginText();
                stamp.setFont(REGULAR, STAMP);
                stamp.newLineAtOffset(MARGIN, y);
                stamp.showText(showable(text.apply(i + 1, pages)));
                stamp.endText();
            }
        }
    }
}
