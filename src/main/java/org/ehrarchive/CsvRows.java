package org.ehrarchive;

import java.io.IOException;
import java.io.Writer;

/**
 * RFC 4180 rows for the archive's CSV exports (reconciliations, audit reports): fields with a comma, quote or line
 * break are quoted, quotes doubled, rows end in CRLF; a text starting with = + - @ is defused with a quote, since a
 * spreadsheet would run it as a formula (CSV injection) and paths, names and search terms can start with one.
 */
public class CsvRows {
    private final Writer out;

    public CsvRows(Writer out) {
        this.out = out;
    }

    public void row(Object... fields) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < fields.length; i++) {
            if (i > 0) {
                line.append(',');
            }
            line.append(field(fields[i]));
        }
        out.write(line.append("\r\n").toString());
    }

    static String field(Object value) {
        if (value == null) {
            return "";
        }
        String text = value.toString();
        if (!text.isEmpty() && "=+-@".indexOf(text.charAt(0)) >= 0 && !(value instanceof Number)) {
            text = "'" + text;
        }
        if (text.indexOf(',') >= 0 || text.indexOf('"') >= 0 || text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
            return '"' + text.replace("\"", "\"\"") + '"';
        }
        return text;
    }
}
