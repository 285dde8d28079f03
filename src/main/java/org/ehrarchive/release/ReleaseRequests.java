package org.ehrarchive.release;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import javax.sql.DataSource;

import org.ehrarchive.ArchiveConfig;
import org.ehrarchive.TypedText;
import org.ehrarchive.blob.BlobStore;
import org.ehrarchive.disclosure.Disclosures;
import org.ehrarchive.record.EntryKind;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Release of information from intake to delivered packet (45 CFR 164.524, docs/compliance.md#release-of-information,
 * ADR 0024): a request is taken in with its authorization kept byte-exact; the work queue is sorted by due date; the
 * one extension writes its notice letter; the release builds the packet (and the machine-readable copy when asked),
 * stores both in the blob store by hash, prints the fee worksheet, and writes the disclosure the accounting lists. A
 * request ends once: released, or closed with a reason.
 */
@ApplicationScoped
public class ReleaseRequests {

    /** A request as taken in (the authorization's bytes come beside it). */
    public record Intake(long patientId, ReleaseRequest.RequesterKind requesterKind, String requesterName, String requesterAddress,
            ReleaseRequest.LegalBasis legalBasis, String purpose, LocalDate fromDate, LocalDate toDate, List<String> recordTypes,
            ReleaseRequest.Delivery delivery, List<String> authorizationCovers, LocalDate receivedOn) {
    }

    /** An authorization or request document as received: its bytes, file name and media type. */
    public record Authorization(byte[] bytes, String name, String mediaType) {
    }

    /** Refused: no such request, or a step it cannot take from where it stands. */
    public static final class Refused extends RuntimeException {
        public Refused(String message) {
            super(message);
        }
    }

    /** The record types a request may name: the documents, and each kind of entry. */
    public static final List<String> RECORD_TYPES;
    static {
        List<String> types = new ArrayList<>(List.of(ReleasePackets.DOCUMENTS));
        Arrays.stream(EntryKind.values()).map(Enum::name).forEach(types::add);
        RECORD_TYPES = List.copyOf(types);
    }
    /** What an authorization may cover beyond the ordinary record: the categories withheld unless named. */
    public static final List<String> COVERABLE = ReleasePackets.WITHHELD_UNLESS_COVERED.stream().map(Enum::name).sorted().toList();

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };
    private static final TypeReference<List<Map<String, Object>>> LIST = new TypeReference<>() {
    };
    private static final String COLUMNS = "id, patient_id, requester_kind, requester_name, requester_address, legal_basis, purpose, from_date,"
            + " to_date, record_types, delivery, authorization_sha256, authorization_name, authorization_type, authorization_covers, received_on,"
            + " created_by, created_at";

    private final DataSource dataSource;
    private final BlobStore blobs;
    private final ReleasePackets packets;
    private final Disclosures disclosures;
    private final ObjectMapper json;
    private final ArchiveConfig.Release config;

    public ReleaseRequests(DataSource dataSource, BlobStore blobs, ReleasePackets packets, Disclosures disclosures, ObjectMapper json,
            ArchiveConfig config) {
        this.dataSource = dataSource;
        this.blobs = blobs;
        this.packets = packets;
        this.disclosures = disclosures;
        this.json = json;
        this.config = config.release();
    }

    public ArchiveConfig.Release settings() {
        return config;
    }

    /** Takes a request in; the authorization (optional) is stored byte-exact in the blob store. */
    public ReleaseRequest create(Intake intake, Authorization authorization, String by) {
        if (intake.requesterKind() == null || intake.legalBasis() == null || intake.delivery() == null) {
            throw new IllegalArgumentException("Say who asks, on what basis, and in which form");
        }
        if (intake.receivedOn() == null || intake.receivedOn().isAfter(LocalDate.now())) {
            throw new IllegalArgumentException("Give the day the request was received (not in the future)");
        }
        if (intake.fromDate() != null && intake.toDate() != null && intake.fromDate().isAfter(intake.toDate())) {
            throw new IllegalArgumentException("The date range ends before it starts");
        }
        List<String> types = intake.recordTypes() == null ? List.of() : intake.recordTypes();
        types.stream().filter(t -> !RECORD_TYPES.contains(t)).findFirst().ifPresent(t -> {
            throw new IllegalArgumentException("\"" + t + "\" is not a record type; use " + String.join(", ", RECORD_TYPES));
        });
        List<String> covers = intake.authorizationCovers() == null ? List.of() : intake.authorizationCovers();
        covers.stream().filter(c -> !COVERABLE.contains(c)).findFirst().ifPresent(c -> {
            throw new IllegalArgumentException("An authorization covers " + String.join(" or ", COVERABLE) + ", not \"" + c + "\"");
        });
        if (!covers.isEmpty() && (authorization == null || intake.legalBasis() != ReleaseRequest.LegalBasis.AUTHORIZATION)) {
            throw new IllegalArgumentException("Only an attached authorization (legal basis AUTHORIZATION) can cover psychotherapy notes or"
                    + " Part 2 records");
        }
        if (intake.legalBasis() == ReleaseRequest.LegalBasis.AUTHORIZATION && authorization == null) {
            throw new IllegalArgumentException("A release under an authorization needs the authorization attached");
        }
        String sha256 = null;
        if (authorization != null) {
            try {
                sha256 = blobs.put(authorization.bytes());
            } catch (IOException e) {
                throw new UncheckedIOException("the authorization could not be stored", e);
            }
        }
        try (Connection connection = dataSource.getConnection()) {
            try (PreparedStatement exists = connection.prepareStatement("select 1 from patient where id = ?")) {
                exists.setLong(1, intake.patientId());
                try (ResultSet rows = exists.executeQuery()) {
                    if (!rows.next()) {
                        throw new Refused("There is no patient " + intake.patientId());
                    }
                }
            }
            long id;
            try (PreparedStatement insert = connection.prepareStatement("insert into release_request (" + COLUMNS + ") values"
                    + " (nextval('release_id_seq'), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning id")) {
                insert.setLong(1, intake.patientId());
                insert.setString(2, intake.requesterKind().name());
                insert.setString(3, TypedText.required(intake.requesterName(), "Name the requester"));
                insert.setString(4, TypedText.optional(intake.requesterAddress()));
                insert.setString(5, intake.legalBasis().name());
                insert.setString(6, TypedText.required(intake.purpose(), "State the purpose of the request"));
                insert.setDate(7, intake.fromDate() == null ? null : Date.valueOf(intake.fromDate()));
                insert.setDate(8, intake.toDate() == null ? null : Date.valueOf(intake.toDate()));
                insert.setArray(9, connection.createArrayOf("text", types.toArray()));
                insert.setString(10, intake.delivery().name());
                insert.setString(11, sha256);
                insert.setString(12, authorization == null ? null : TypedText.optional(authorization.name()));
                insert.setString(13, authorization == null ? null : TypedText.optional(authorization.mediaType()));
                insert.setArray(14, connection.createArrayOf("text", covers.toArray()));
                insert.setDate(15, Date.valueOf(intake.receivedOn()));
                insert.setString(16, by);
                insert.setTimestamp(17, Timestamp.from(Instant.now()));
                try (ResultSet rows = insert.executeQuery()) {
                    rows.next();
                    id = rows.getLong(1);
                }
            }
            return request(connection, id).orElseThrow();
        } catch (SQLException e) {
            throw new IllegalStateException("could not take the request in", e);
        }
    }

    public Optional<ReleaseRequest> request(long id) {
        try (Connection connection = dataSource.getConnection()) {
            return request(connection, id);
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the request", e);
        }
    }

    /** The work queue: requests in these states, the one due first on top. */
    public List<ReleaseRequest> queue(Set<ReleaseRequest.State> states) {
        try (Connection connection = dataSource.getConnection()) {
            return requests(connection, "select " + COLUMNS + " from release_request order by id", null).stream()
                    .filter(r -> states.contains(r.state())).sorted(Comparator.comparing(ReleaseRequest::dueOn).thenComparing(ReleaseRequest::id))
                    .toList();
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the requests", e);
        }
    }

    /** The one extension: {@code extensionDays} more, with the reason; the notice letter to the requester is written and stored. */
    public ReleaseRequest extend(long id, String reason, String by) {
        String why = TypedText.required(reason, "State the reason for the delay (the notice letter gives it)");
        return step(id, by, (connection, request) -> {
            if (request.extended()) {
                throw new Refused("This request was extended already: the rule allows one extension");
            }
            if (request.overdueOn(LocalDate.now())) {
                throw new Refused("The request is overdue: the extension had to be noticed within the first " + config.responseDays() + " days");
            }
            LocalDate newDue = ReleaseRequest.dueDate(request.receivedOn(), true, config.responseDays(), config.extensionDays());
            byte[] letter = ReleasePdf.letter(new ReleasePdf.Letter(request.id(), LocalDate.now(), request.requesterName()
                    + (request.requesterAddress() == null ? "" : ", " + request.requesterAddress()), "Your request for records: more time is needed",
                    List.of("We received your request for records on " + request.receivedOn() + " (request " + request.id() + ").",
                            "We need more time to answer it, for this reason: " + why,
                            "We will answer by " + newDue + ". This is the one extension of " + config.extensionDays()
                                    + " days the HIPAA Privacy Rule allows (45 CFR 164.524(b)(2)).",
                            config.organization())));
            insertEvent(connection, request.id(), "EXTENDED", why, null, null, null, store(letter), null, null, by);
        });
    }

    /** Closes a request without a release (withdrawn, denied), with the reason. */
    public ReleaseRequest close(long id, String reason, String by) {
        String why = TypedText.required(reason, "State why the request is closed without a release");
        return step(id, by, (connection, request) -> insertEvent(connection, request.id(), "CLOSED", why, null, null, null, null, null, null, by));
    }

    /**
     * Releases: the packet (cover letter with what was withheld and the fees, contents, chart summary, documents, a
     * stamp on every page), the machine-readable copy when asked, both stored by hash; the disclosure logged.
     */
    public ReleaseRequest release(long id, FeeWorksheet.Input fees, String by) {
        return step(id, by, (connection, request) -> {
            ReleasePackets.Selection selection = packets.select(request);
            LocalDate today = LocalDate.now();
            // The paper fee counts pages, and the cover prints the fee: render until the count holds (twice, in practice).
            FeeWorksheet.Fees worksheet = FeeWorksheet.of(config, request.delivery(), 0, fees);
            byte[] packet = null;
            int pages = -1;
            for (int attempt = 0; attempt < 3; attempt++) {
                packet = ReleasePdf.packet(new ReleasePdf.Packet(request.id(), request.requesterName(), today, cover(request, selection, today),
                        selection.withheld(), worksheet.printed(config.currency()), selection.parts()));
                int counted = pageCount(packet);
                if (counted == pages) {
                    break;
                }
                pages = counted;
                worksheet = FeeWorksheet.of(config, request.delivery(), pages, fees);
            }
            String copy = request.delivery() == ReleaseRequest.Delivery.MACHINE_READABLE ? store(packets.machineReadable(request, selection)) : null;
            String packetSha256 = store(packet);
            List<Map<String, String>> withheld = selection.withheld().stream().map(w -> Map.of("what", w.what(), "why", w.why())).toList();
            insertEvent(connection, request.id(), "RELEASED", null, packetSha256, pages, copy, null, worksheet.asMap(config.currency()), withheld, by);
            disclosures.record(connection, new Disclosures.NewDisclosure(request.patientId(), today, request.requesterName(), request.requesterAddress(),
                    "Release packet of " + pages + " pages (request " + request.id() + "): " + selection.description()
                            + (copy == null ? "" : "; a machine-readable copy (FHIR bundle)"),
                    request.purpose(), request.legalBasis(), request.id()), by);
        });
    }

    /** The cover letter's paragraphs. */
    private List<String> cover(ReleaseRequest request, ReleasePackets.Selection selection, LocalDate today) {
        List<String> paragraphs = new ArrayList<>();
        paragraphs.add(today + ". To: " + request.requesterName() + (request.requesterAddress() == null ? "" : ", " + request.requesterAddress()) + ".");
        paragraphs.add("In answer to your request received on " + request.receivedOn() + " (request " + request.id() + "; purpose: " + request.purpose()
                + "), we release the records of " + selection.patientName() + ": " + selection.description() + ".");
        paragraphs.add("Requested by: " + request.requesterKind().label() + ". Legal basis: " + request.legalBasis().label() + ". Form: "
                + request.delivery().label() + ".");
        paragraphs.add("Every page carries the release stamp. The contents list each part with its first page.");
        paragraphs.add(config.organization());
        return paragraphs;
    }

    /** One step on an open request, under a lock on it, with its event (and anything else it writes) in one transaction. */
    private ReleaseRequest step(long id, String by, Step step) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                try (PreparedStatement lock = connection.prepareStatement("select pg_advisory_xact_lock(?, hashint8(?))")) {
                    lock.setInt(1, 0x20_1A);
                    lock.setLong(2, id);
                    lock.execute();
                }
                ReleaseRequest request = request(connection, id).orElseThrow(() -> new Refused("There is no request " + id));
                if (request.state() != ReleaseRequest.State.OPEN) {
                    throw new Refused("Request " + id + " is " + request.state().name().toLowerCase() + " already");
                }
                step.take(connection, request);
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
            return request(connection, id).orElseThrow();
        } catch (SQLException e) {
            throw new IllegalStateException("could not record the step", e);
        }
    }

    @FunctionalInterface
    private interface Step {
        void take(Connection connection, ReleaseRequest request) throws SQLException;
    }

    private void insertEvent(Connection connection, long requestId, String kind, String reason, String packet, Integer pages, String copy,
            String letter, Map<String, Object> fees, List<?> withheld, String by) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("insert into release_event (id, request_id, kind, reason, packet_sha256,"
                + " packet_pages, copy_sha256, letter_sha256, fees, withheld, recorded_by, recorded_at) values (nextval('release_id_seq'), ?, ?, ?, ?,"
                + " ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?)")) {
            insert.setLong(1, requestId);
            insert.setString(2, kind);
            insert.setString(3, reason);
            insert.setString(4, packet);
            insert.setObject(5, pages);
            insert.setString(6, copy);
            insert.setString(7, letter);
            insert.setString(8, fees == null ? null : json.writeValueAsString(fees));
            insert.setString(9, withheld == null ? null : json.writeValueAsString(withheld));
            insert.setString(10, by);
            insert.setTimestamp(11, Timestamp.from(Instant.now()));
            insert.executeUpdate();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("could not write the event", e);
        }
    }

    private String store(byte[] bytes) {
        try {
            return blobs.put(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("could not store the file", e);
        }
    }

    private static int pageCount(byte[] pdf) {
        try (var document = org.apache.pdfbox.Loader.loadPDF(pdf)) {
            return document.getNumberOfPages();
        } catch (IOException e) {
            throw new UncheckedIOException("the packet could not be read back", e);
        }
    }

    private Optional<ReleaseRequest> request(Connection connection, long id) throws SQLException {
        return requests(connection, "select " + COLUMNS + " from release_request where id = ?", id).stream().findFirst();
    }

    private List<ReleaseRequest> requests(Connection connection, String sql, Long id) throws SQLException {
        Map<Long, List<ReleaseRequest.Event>> events = new LinkedHashMap<>();
        try (PreparedStatement query = connection.prepareStatement("select request_id, id, kind, reason, packet_sha256, packet_pages, copy_sha256,"
                + " letter_sha256, fees::text, withheld::text, recorded_by, recorded_at from release_event" + (id == null ? "" : " where request_id = ?")
                + " order by id")) {
            if (id != null) {
                query.setLong(1, id);
            }
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    events.computeIfAbsent(rows.getLong(1), r -> new ArrayList<>()).add(new ReleaseRequest.Event(rows.getLong(2), rows.getString(3),
                            rows.getString(4), rows.getString(5), (Integer) rows.getObject(6), rows.getString(7), rows.getString(8),
                            rows.getString(9) == null ? null : json.readValue(rows.getString(9), MAP),
                            rows.getString(10) == null ? null : json.readValue(rows.getString(10), LIST), rows.getString(11),
                            rows.getTimestamp(12).toInstant()));
                }
            } catch (IOException e) {
                throw new IllegalStateException("could not read a request's events", e);
            }
        }
        List<ReleaseRequest> requests = new ArrayList<>();
        try (PreparedStatement query = connection.prepareStatement(sql)) {
            if (id != null) {
                query.setLong(1, id);
            }
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    List<ReleaseRequest.Event> of = events.getOrDefault(rows.getLong(1), List.of());
                    LocalDate received = rows.getDate(16).toLocalDate();
                    boolean extended = of.stream().anyMatch(e -> e.kind().equals("EXTENDED"));
                    requests.add(new ReleaseRequest(rows.getLong(1), rows.getLong(2), ReleaseRequest.RequesterKind.valueOf(rows.getString(3)),
                            rows.getString(4), rows.getString(5), ReleaseRequest.LegalBasis.valueOf(rows.getString(6)), rows.getString(7),
                            localDate(rows.getDate(8)), localDate(rows.getDate(9)), List.of((String[]) rows.getArray(10).getArray()),
                            ReleaseRequest.Delivery.valueOf(rows.getString(11)), rows.getString(12), rows.getString(13), rows.getString(14),
                            List.of((String[]) rows.getArray(15).getArray()), received, rows.getString(17), rows.getTimestamp(18).toInstant(),
                            List.copyOf(of), ReleaseRequest.dueDate(received, extended, config.responseDays(), config.extensionDays())));
                }
            }
        }
        return requests;
    }

    private static LocalDate localDate(Date date) {
        return date == null ? null : date.toLocalDate();
    }

}
