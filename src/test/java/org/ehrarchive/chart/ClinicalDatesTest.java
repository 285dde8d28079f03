package org.ehrarchive.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Locale;

import org.ehrarchive.record.Hl7Time;
import org.ehrarchive.record.TimePeriod;
import org.ehrarchive.record.TimeValue;
import org.junit.jupiter.api.Test;

/** Dates for people: the source's precision kept, the site's locale, the offset named only where it matters. */
class ClinicalDatesTest {

    private final ClinicalDates chicago = new ClinicalDates(Locale.US, ZoneId.of("America/Chicago"));

    @Test
    void aYearStaysAYearAndAMonthAMonth() {
        assertThat(chicago.format(t("2012"))).isEqualTo("2012");
        assertThat(chicago.format(t("201208"))).isEqualTo("Aug 2012");
        assertThat(chicago.format(t("20120806"))).isEqualTo("Aug 6, 2012");
    }

    @Test
    void aTimeIsShownInItsOwnOffsetWhichIsNamedOnlyWhenItDiffersFromTheSites() {
        // 2012-08-06 is in daylight saving time in Chicago (UTC-05:00): the same offset needs no mention.
        // (Java 20 and later put a narrow no-break space before AM, as CLDR 42 does; Java 17 a plain one.)
        assertThat(chicago.format(t("201208060900-0500")).replace('\u202f', ' ')).isEqualTo("Aug 6, 2012, 9:00 AM");
        assertThat(chicago.format(t("201208060900+0200")).replace('\u202f', ' ')).isEqualTo("Aug 6, 2012, 9:00 AM (UTC+02:00)");
        assertThat(chicago.format(t("201208060900+0000"))).endsWith("(UTC)");
    }

    @Test
    void theSitesLocaleWritesTheDate() {
        ClinicalDates berlin = new ClinicalDates(Locale.GERMANY, ZoneId.of("Europe/Berlin"));
        assertThat(berlin.format(t("20120806"))).isEqualTo("06.08.2012");
    }

    @Test
    void whatCannotBeReadIsShownAsTheSourceWroteIt() {
        assertThat(chicago.format(new TimeValue("last spring", null, null, null, null))).isEqualTo("last spring");
        assertThat(chicago.format((TimeValue) null)).isEmpty();
    }

    @Test
    void periodsReadAsSinceUntilOrARange() {
        assertThat(chicago.format(new TimePeriod(null, t("2010"), null, null))).isEqualTo("since 2010");
        assertThat(chicago.format(new TimePeriod(null, t("2010"), t("201203"), null))).isEqualTo("2010 – Mar 2012");
    }

    @Test
    void anAgeFromABirthYearAloneIsApproximate() {
        LocalDate on = LocalDate.of(2026, 6, 1);
        assertThat(ClinicalDates.age(t("19700715"), on)).contains("55");
        assertThat(ClinicalDates.age(t("1970"), on)).contains("about 56");
        assertThat(ClinicalDates.age(t("20300101"), on)).isEmpty();
    }

    @Test
    void aBirthDateFromTheSearchIndexKeepsItsPrecisionAndItsExactValue() {
        // The index stores birth dates as ISO text at the source's precision: 1975, 1975-05, 1975-05-12.
        assertThat(chicago.shown("1975")).isEqualTo(new ClinicalDates.Shown("1975", "1975"));
        assertThat(chicago.shown("1975-05")).isEqualTo(new ClinicalDates.Shown("1975-05", "May 1975"));
        assertThat(chicago.shown("1975-05-12")).isEqualTo(new ClinicalDates.Shown("1975-05-12", "May 12, 1975"));
        assertThat(chicago.shown((String) null).isEmpty()).isTrue();
    }

    @Test
    void anInstantOfTheArchiveIsShownInTheSitesZoneToTheSecondWithTheZoneNamed() {
        Instant access = Instant.parse("2026-12-02T15:04:05.123456Z");
        ClinicalDates.Shown shown = chicago.instant(access);
        assertThat(shown.iso()).isEqualTo("2026-12-02T15:04:05.123456Z");
        assertThat(shown.text().replace('\u202f', ' ')).isEqualTo("Dec 2, 2026, 9:04:05 AM CST");
        assertThat(chicago.instant(Instant.parse("2026-07-02T15:04:05Z")).text()).as("summer time named as such").endsWith("CDT");
        assertThat(chicago.instant(null).isEmpty()).isTrue();
    }

    private static TimeValue t(String hl7) {
        return Hl7Time.parse(hl7, null);
    }
}
