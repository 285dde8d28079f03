package org.ehrarchive.record;

import static org.assertj.core.api.Assertions.assertThat;


import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Hl7TimeParsingTest {

    @ParameterizedTest
    @CsvSource({
            "2012, 2012, YEAR, ",
            "201208, 2012-08, MONTH, ",
            "20120806, 2012-08-06, DAY, ",
            "2012080610, 2012-08-06T10:00, HOUR, ",
            "201208061015, 2012-08-06T10:15, MINUTE, ",
            "20120806101530, 2012-08-06T10:15:30, SECOND, ",
            "20120806101530.123, 2012-08-06T10:15:30.123, FRACTION, ",
            "20120806101530-0500, 2012-08-06T10:15:30-05:00, SECOND, -05:00",
            "201208061015+0130, 2012-08-06T10:15+01:30, MINUTE, +01:30",
            "20120806-0500, 2012-08-06, DAY, -05:00" })
    void shouldKeepPrecisionAndZone(String raw, String iso, String precision, String zone) {
        TimeValue time = Hl7Time.parse(raw, null);
        assertThat(time.raw()).isEqualTo(raw);
        assertThat(time.iso()).isEqualTo(iso);
        assertThat(time.precision()).isEqualTo(precision);
        assertThat(time.timeZone()).isEqualTo(zone);
    }

    @ParameterizedTest
    @CsvSource({ "yesterday", "2012-08-06", "UNK" })
    void shouldKeepAnUnreadableTimeRawWithoutInventingOne(String raw) {
        TimeValue time = Hl7Time.parse(raw, null);
        assertThat(time.raw()).isEqualTo(raw);
        assertThat(time.iso()).isNull();
    }
}
