package org.ehrarchive.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;

import org.junit.jupiter.api.Test;

/** The COPY text format: a value that reaches PostgreSQL altered would be a normalized value that no longer traces to its source. */
class CopyRowsTest {

    @Test
    void escapesWhatCopyReadsSpeciallyAndNothingElse() {
        CopyRows rows = new CopyRows("t", "a", "b", "c", "d");
        rows.add("plain ünïcödé 中文 \"quoted\"").add("tab\there\\back\\\\slash").add("line\nbreak\r\nend\\").add("\\N");
        rows.endRow();
        assertEquals("plain ünïcödé 中文 \"quoted\"\ttab\\there\\\\back\\\\\\\\slash\tline\\nbreak\\r\\nend\\\\\t\\\\N\n", rows.text());
    }

    @Test
    void nullsAndScalarsHaveTheirCopySpelling() {
        CopyRows rows = new CopyRows("t", "a", "b", "c", "d", "e", "f");
        rows.add((String) null).add((Long) null).add(42L).add(true).add(Boolean.FALSE).add(Instant.parse("2020-01-02T03:04:05Z"));
        rows.endRow();
        rows.add("").add(1L).add((Integer) null).add(false).add((Boolean) null).add((Instant) null);
        rows.endRow();
        assertEquals("\\N\t\\N\t42\tt\tf\t2020-01-02T03:04:05Z\n\t1\t\\N\tf\t\\N\t\\N\n", rows.text());
        assertEquals(2, rows.size());
    }

    @Test
    void aRowWithTheWrongNumberOfValuesIsRefused() {
        CopyRows rows = new CopyRows("t", "a", "b");
        rows.add("only one");
        assertThrows(IllegalStateException.class, rows::endRow);
    }
}
