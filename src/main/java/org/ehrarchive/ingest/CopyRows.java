package org.ehrarchive.ingest;

import java.io.IOException;
import java.io.Reader;
import java.sql.SQLException;
import java.time.Instant;

import org.postgresql.copy.CopyManager;

/**
 * Rows of one table in PostgreSQL's COPY text format, written with one {@code COPY ... FROM STDIN} per chunk: the
 * cheapest way to insert many rows (no statement per row, no parameter binding). Values are escaped as COPY wants
 * (backslash, tab, newline, carriage return); {@code \N} is null.
 */
final class CopyRows {

    private final String table;
    private final String sql;
    private final int columns;
    private final StringBuilder rows = new StringBuilder(1 << 14);
    private int column;
    private int count;

    CopyRows(String table, String... columns) {
        this.table = table;
        this.sql = "COPY " + table + " (" + String.join(", ", columns) + ") FROM STDIN";
        this.columns = columns.length;
    }

    CopyRows add(long value) {
        return raw(Long.toString(value));
    }

    CopyRows add(Long value) {
        return value == null ? nul() : raw(value.toString());
    }

    CopyRows add(Integer value) {
        return value == null ? nul() : raw(value.toString());
    }

    CopyRows add(boolean value) {
        return raw(value ? "t" : "f");
    }

    CopyRows add(Boolean value) {
        return value == null ? nul() : add(value.booleanValue());
    }

    CopyRows add(Instant value) {
        return value == null ? nul() : raw(value.toString());
    }

    CopyRows add(String value) {
        if (value == null) {
            return nul();
        }
        separate();
        // Appends the spans between characters COPY needs escaped in one call each: appending char by char was a
        // third of the writer thread's time (docs/benchmarks.md), and most values have nothing to escape.
        int start = 0;
        for (int i = 0; i < value.length(); i++) {
            String escape = switch (value.charAt(i)) {
                case '\\' -> "\\\\";
                case '\t' -> "\\t";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                default -> null;
            };
            if (escape != null) {
                rows.append(value, start, i).append(escape);
                start = i + 1;
            }
        }
        rows.append(value, start, value.length());
        return this;
    }

    private CopyRows nul() {
        return raw("\\N");
    }

    private CopyRows raw(String text) {
        separate();
        rows.append(text);
        return this;
    }

    private void separate() {
        if (column++ > 0) {
            rows.append('\t');
        }
    }

    void endRow() {
        if (column != columns) {
            throw new IllegalStateException("a row of " + sql + " has " + column + " values, not " + columns);
        }
        rows.append('\n');
        column = 0;
        count++;
    }

    int size() {
        return count;
    }

    String table() {
        return table;
    }

    /** The rows as COPY will read them. */
    String text() {
        return rows.toString();
    }

    /** Sends the rows and forgets them. */
    void copy(CopyManager copy) throws SQLException, IOException {
        if (count == 0) {
            return;
        }
        copy.copyIn(sql, new BuilderReader(rows), 1 << 16);
        clear();
    }

    void clear() {
        rows.setLength(0);
        count = 0;
        column = 0;
    }

    /** Reads a StringBuilder without copying it into one String first. */
    private static final class BuilderReader extends Reader {
        private final StringBuilder text;
        private int position;

        BuilderReader(StringBuilder text) {
            this.text = text;
        }

        @Override
        public int read(char[] buffer, int offset, int length) {
            if (position >= text.length()) {
                return -1;
            }
            int n = Math.min(length, text.length() - position);
            text.getChars(position, position + n, buffer, offset);
            position += n;
            return n;
        }

        @Override
        public void close() {
        }
    }
}
