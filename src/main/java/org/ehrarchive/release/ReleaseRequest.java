package org.ehrarchive.release;

import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A release-of-information request (45 CFR 164.524, 164.508) as taken in, with what has happened to it since: who asks
 * and on what basis, for which records, in which form, received when; its one extension, its release or its closing.
 * Its clock: due {@code responseDays} after receipt, {@code extensionDays} later once extended.
 */
public record ReleaseRequest(long id, long patientId, RequesterKind requesterKind, String requesterName, String requesterAddress,
        LegalBasis legalBasis, String purpose, LocalDate fromDate, LocalDate toDate, List<String> recordTypes, Delivery delivery,
        String authorizationSha256, String authorizationName, String authorizationType, List<String> authorizationCovers,
        LocalDate receivedOn, String createdBy, Instant createdAt, List<Event> events, LocalDate dueOn) {

    /** Who asks. */
    public enum RequesterKind {
        PATIENT("The patient"),
        REPRESENTATIVE("A personal representative"),
        DESIGNATED_THIRD_PARTY("A third party the patient designates"),
        ATTORNEY("An attorney"),
        INSURER("An insurer"),
        PROVIDER("Another provider"),
        COURT("A court"),
        LAW_ENFORCEMENT("A law enforcement official"),
        PUBLIC_HEALTH("A public health authority"),
        OTHER("Another requester");

        private final String label;

        RequesterKind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /**
     * On what the release rests. The first three are the kinds 164.528(a)(1) leaves out of an accounting of disclosures
     * (to the individual, under an authorization, treatment/payment/operations); the rest are listed in it.
     */
    public enum LegalBasis {
        RIGHT_OF_ACCESS("The patient's right of access (164.524), to them or to whom they designate", "a disclosure to the individual (164.528(a)(1)(ii))"),
        AUTHORIZATION("The patient's written authorization (164.508)", "a disclosure under an authorization (164.528(a)(1)(iv))"),
        TREATMENT_PAYMENT_OPERATIONS("Treatment, payment or health care operations (164.506)", "a disclosure for treatment, payment or operations (164.528(a)(1)(i))"),
        REQUIRED_BY_LAW("Required by law: a court order or subpoena (164.512(a), (e))", null),
        LAW_ENFORCEMENT("Law enforcement (164.512(f))", null),
        PUBLIC_HEALTH("Public health (164.512(b))", null),
        HEALTH_OVERSIGHT("Health oversight (164.512(d))", null),
        OTHER("Another basis the privacy officer documents", null);

        private final String label;
        private final String excludedBecause;

        LegalBasis(String label, String excludedBecause) {
            this.label = label;
            this.excludedBecause = excludedBecause;
        }

        public String label() {
            return label;
        }

        /** Why a disclosure on this basis is left out of an accounting; empty when it is listed. */
        public Optional<String> excludedBecause() {
            return Optional.ofNullable(excludedBecause);
        }
    }

    /** The form the requester asked for. */
    public enum Delivery {
        PAPER("Paper copy (printed from the PDF)"),
        ELECTRONIC("Electronic copy (the PDF)"),
        MACHINE_READABLE("Machine-readable copy (a FHIR bundle with the originals) and the PDF");

        private final String label;

        Delivery(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** Where a request stands. */
    public enum State {
        OPEN, RELEASED, CLOSED
    }

    /** Something that happened to a request. */
    public record Event(long id, String kind, String reason, String packetSha256, Integer packetPages, String copySha256, String letterSha256,
            Map<String, Object> fees, List<Map<String, Object>> withheld, String recordedBy, Instant recordedAt) {
    }

    @com.fasterxml.jackson.annotation.JsonProperty("state")
    public State state() {
        if (event("RELEASED").isPresent()) {
            return State.RELEASED;
        }
        return event("CLOSED").isPresent() ? State.CLOSED : State.OPEN;
    }

    public Optional<Event> event(String kind) {
        return events.stream().filter(e -> e.kind().equals(kind)).findFirst();
    }

    @com.fasterxml.jackson.annotation.JsonProperty("extended")
    public boolean extended() {
        return event("EXTENDED").isPresent();
    }

    /** Open past its due date. */
    public boolean overdueOn(LocalDate today) {
        return state() == State.OPEN && today.isAfter(dueOn);
    }

    /** Days left until due (negative: overdue by that many). */
    public long daysLeftOn(LocalDate today) {
        return ChronoUnit.DAYS.between(today, dueOn);
    }

    /** The due date of a request received on {@code receivedOn}: after {@code responseDays}, and {@code extensionDays} more once extended. */
    public static LocalDate dueDate(LocalDate receivedOn, boolean extended, int responseDays, int extensionDays) {
        return receivedOn.plusDays(responseDays + (extended ? extensionDays : 0));
    }
}
