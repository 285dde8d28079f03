package org.ehrarchive.chart;

import java.time.ZoneId;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import org.ehrarchive.ArchiveConfig;

/** What the chart pages need besides the chart of record: the site's date settings, and the restricted flag. */
@ApplicationScoped
public class ChartReads {

    private final EntityManager database;

    public ChartReads(EntityManager database) {
        this.database = database;
    }

    /** Dates written in the site's locale and zone ({@code archive.portal.*}). */
    @Produces
    @Singleton
    static ClinicalDates clinicalDates(ArchiveConfig config) {
        ZoneId zone = config.portal().timeZone().map(ZoneId::of).orElse(ZoneId.systemDefault());
        return new ClinicalDates(Locale.forLanguageTag(config.portal().locale()), zone);
    }

    /**
     * Whether any of the patient's documents is marked restricted or very restricted (HL7 confidentiality R or V):
     * the banner says so, so that a reader knows the chart holds specially protected information.
     */
    @Transactional
    public boolean restricted(java.util.Collection<Long> patientIds) {
        Object found = database.createNativeQuery("select exists (select 1 from clinical_document where patient_id in (?1)"
                + " and confidentiality ->> 'code' in ('R', 'V'))").setParameter(1, patientIds).getSingleResult();
        return Boolean.TRUE.equals(found);
    }
}
