package org.ehrarchive.record;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A person or organization acting on a record (author, custodian, performer): identifiers, name, organization,
 * role code, and the time of the act when one is given.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Party(String role, List<Identifier> identifiers, PersonName personName, String organizationName,
        Coded code, TimeValue time, List<PostalAddress> addresses, List<ContactPoint> telecoms) {
}
