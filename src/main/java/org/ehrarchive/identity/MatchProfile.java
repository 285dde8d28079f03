package org.ehrarchive.identity;

import java.util.List;
import java.util.Objects;

import org.ehrarchive.record.Coded;
import org.ehrarchive.record.ContactPoint;
import org.ehrarchive.record.Identifier;
import org.ehrarchive.record.PersonName;
import org.ehrarchive.record.PostalAddress;
import org.ehrarchive.record.TimeValue;

/**
 * What matching knows of one archived patient: every source's description of that patient merged, each list holding
 * all the values the sources gave (a maiden and a married name, two birth dates that disagree, an old and a new
 * address). {@link MatchScorer} compares two profiles field by field, best pair of values over all values of each side.
 *
 * <p>The identifiers' {@code system} are already canonical: the caller maps the spellings of one assigning authority
 * (an OID, a URI, an HL7 v2 assigning authority name) to one name, so that "same system" means "same authority".
 *
 * <p>Lists may be given as {@code null} and may hold {@code null} elements: the compact constructor replaces a missing
 * list with an empty one and leaves out null elements, so the scorer never has to ask.
 *
 * @param patientId the archived patient this profile describes
 * @param names every name any source gave, with its use ({@code maiden}, {@code old}... mark previous names)
 * @param birthTimes every birth time any source gave; only day-precision dates count as dates, coarser ones as a year
 * @param sexes every administrative sex any source gave
 * @param addresses every postal address any source gave
 * @param telecoms every phone number and e-mail address any source gave
 * @param identifiers every identifier any source gave, under canonical systems
 * @param deceased whether any source recorded the patient's death (shown, not weighed: sources often do not record it)
 */
public record MatchProfile(long patientId, List<PersonName> names, List<TimeValue> birthTimes, List<Coded> sexes,
        List<PostalAddress> addresses, List<ContactPoint> telecoms, List<Identifier> identifiers, boolean deceased) {

    /** Replaces missing lists with empty ones and drops null elements, keeping the given order. */
    public MatchProfile {
        names = clean(names);
        birthTimes = clean(birthTimes);
        sexes = clean(sexes);
        addresses = clean(addresses);
        telecoms = clean(telecoms);
        identifiers = clean(identifiers);
    }

    private static <T> List<T> clean(List<T> values) {
        if (values == null || values.isEmpty()) {
            return List.of();
        }
        // Stream.toList() is unmodifiable and, with the nulls filtered out, safe to share.
        return values.stream().filter(Objects::nonNull).toList();
    }
}
