package org.ehrarchive.ingest;

import java.util.List;

import org.ehrarchive.record.Coded;
import org.ehrarchive.record.ContactPoint;
import org.ehrarchive.record.Identifier;
import org.ehrarchive.record.PersonName;
import org.ehrarchive.record.PostalAddress;
import org.ehrarchive.record.TimeValue;

/**
 * The patient as one source document describes them. Identifiers decide which archived patient the document
 * belongs to; the rest is kept as this source's demographics, with {@code sourceFragment} holding the source's
 * own markup so that nothing the model has no column for is lost.
 */
public record ImportedPatient(
        String locator,
        List<Identifier> identifiers,
        List<PersonName> names,
        TimeValue birthTime,
        Coded sex,
        List<PostalAddress> addresses,
        List<ContactPoint> telecoms,
        Boolean deceased,
        TimeValue deceasedTime,
        Coded maritalStatus,
        List<Coded> races,
        List<Coded> ethnicities,
        List<Coded> languages,
        String sourceFragment) {
}
