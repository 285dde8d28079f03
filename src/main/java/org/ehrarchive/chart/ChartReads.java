package org.ehrarchive.chart;

import java.time.ZoneId;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.ehrarchive.ArchiveConfig;

/** What the chart pages need besides the chart of record: the site's date settings. */
@ApplicationScoped
public class ChartReads {

    /** Dates written in the site's locale and zone ({@code archive.portal.*}). */
    @Produces
    @Singleton
    static ClinicalDates clinicalDates(ArchiveConfig config) {
        ZoneId zone = config.portal().timeZone().map(ZoneId::of).orElse(ZoneId.systemDefault());
        return new ClinicalDates(Locale.forLanguageTag(config.portal().locale()), zone);
    }
}
