package org.ehrarchive.cli;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import org.ehrarchive.audit.AccessAudit;
import org.ehrarchive.audit.AuditChain;
import org.ehrarchive.audit.AuditRecord;
import org.ehrarchive.audit.AuditReview;
import org.ehrarchive.audit.AuditReview.Filter;
import org.ehrarchive.audit.AuditReview.Report;

/**
 * {@code bench --workload audit}: the audit review's reports over a large access log (docs/compliance.md, ADR 0022).
 * It appends {@code events} generated events to the chain (hashed as {@code AccessAudit} hashes them, written in
 * batches: the log a busy site keeps over a year: 200 users, 10,000 patients of whom 50 are flagged VIP, reads,
 * searches, prints and exports around the clock, and now and then one user reading a hundred patients in an hour),
 * then times, {@code runs} times each, the first page of every report and a page deep in the log, the mass-access
 * windows, and streaming one user's whole activity as the CSV export does. It prints p50 / p95 / max per report.
 */
final class AuditBench {

    private static final String[] ACTIONS = { "VIEW_CHART", "VIEW_CHART", "VIEW_CHART", "VIEW_CHART", "VIEW_CHART", "VIEW_CHART",
            "VIEW_DOCUMENT", "VIEW_DOCUMENT", "SEARCH_PATIENTS", "SEARCH_PATIENTS", "LOGIN", "PRINT", "DOWNLOAD_ORIGINAL", "EXPORT" };
    private static final int USERS = 200;
    private static final int PATIENTS = 10_000;
    private static final int FLAGGED = 50;
    /** The first patient id the bench creates: far above what a throwaway archive's sequence hands out. */
    private static final long FIRST_PATIENT = 900_000_000L;
    private static final int PAGE = 100;

    private final DataSource dataSource;
    private final AuditReview review;

    AuditBench(DataSource dataSource, AuditReview review) {
        this.dataSource = dataSource;
        this.review = review;
    }

    void run(int events, int runs, long seed) throws SQLException {
        Random random = new Random(seed);
        long start = System.nanoTime();
        patientsAndFlags();
        long[] range = append(events, random);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("workload: %,d audit events of %d users and %,d patients (%d flagged VIP) over 365 days, seed %d; appended in %.1f s"
                + " (%,.0f events/s)%n", events, USERS, PATIENTS, FLAGGED, seed, seconds, events / seconds);
        long middle = (range[0] + range[1]) / 2;
        long patient = FIRST_PATIENT + 7;
        long flaggedPatient = FIRST_PATIENT + 1;
        String user = "clinician-007";
        time("unfiltered, first page", runs, () -> review.page(filter(Report.ALL, null, List.of()), null, PAGE).entries().size());
        time("unfiltered, page in the middle of the log", runs, () -> review.page(filter(Report.ALL, null, List.of()), middle, PAGE).entries().size());
        time("who accessed this patient, first page", runs, () -> review.page(filter(Report.PATIENT, null, List.of(patient)), null, PAGE).entries().size());
        time("who accessed this patient, from the middle", runs,
                () -> review.page(filter(Report.PATIENT, null, List.of(patient)), middle, PAGE).entries().size());
        time("one user's activity, first page", runs, () -> review.page(filter(Report.USER, user, List.of()), null, PAGE).entries().size());
        time("one user's activity, from the middle", runs, () -> review.page(filter(Report.USER, user, List.of()), middle, PAGE).entries().size());
        time("after hours, first page", runs, () -> review.page(filter(Report.AFTER_HOURS, null, List.of()), null, PAGE).entries().size());
        time("flagged patients, first page", runs, () -> review.page(filter(Report.FLAGGED, null, List.of()), null, PAGE).entries().size());
        time("flagged patients, one flagged patient", runs,
                () -> review.page(filter(Report.FLAGGED, null, List.of(flaggedPatient)), null, PAGE).entries().size());
        time("exports, prints and downloads, first page", runs, () -> review.page(filter(Report.EXPORTS, null, List.of()), null, PAGE).entries().size());
        time("mass access, every window", Math.max(1, runs / 5), () -> review.bursts(filter(Report.MASS, null, List.of())).size());
        long newest = review.newestId();
        time("one user's whole activity, streamed (CSV export)", Math.max(1, runs / 5), () -> {
            AtomicLong rows = new AtomicLong();
            review.each(filter(Report.USER, user, List.of()), newest, entry -> rows.incrementAndGet());
            return (int) rows.get();
        });
    }

    private static Filter filter(Report report, String user, List<Long> patients) {
        return new Filter(report, user, patients, null, null, null);
    }

    /** The bench's patients (rows of their own, for the flags to name) and its VIP flags. */
    private void patientsAndFlags() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement patient = connection.prepareStatement("insert into patient (id, created_at) values (?, now()) on conflict do nothing")) {
                for (int i = 0; i < PATIENTS; i++) {
                    patient.setLong(1, FIRST_PATIENT + i);
                    patient.addBatch();
                }
                patient.executeBatch();
            }
            try (PreparedStatement flag = connection.prepareStatement("insert into access_restriction (id, patient_id, category, reason, flagged_by,"
                    + " flagged_at) values (nextval('restriction_id_seq'), ?, 'VIP', 'bench', 'bench', now() - interval '400 days')")) {
                for (int i = 1; i <= FLAGGED; i++) {
                    flag.setLong(1, FIRST_PATIENT + i * (PATIENTS / FLAGGED) - (PATIENTS / FLAGGED) + 1);
                    flag.addBatch();
                }
                flag.executeBatch();
            }
            connection.commit();
        }
    }

    /** Appends the events to the chain under its lock, as {@code AccessAudit} does; the ids of the first and the last. */
    private long[] append(int events, Random random) throws SQLException {
        Instant end = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant begin = end.minus(365, ChronoUnit.DAYS);
        long span = end.getEpochSecond() - begin.getEpochSecond();
        // times in order, as a log is written
        long[] seconds = new long[events];
        for (int i = 0; i < events; i++) {
            seconds[i] = begin.getEpochSecond() + (long) (random.nextDouble() * span);
        }
        Arrays.sort(seconds);
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement lock = connection.prepareStatement("select pg_advisory_xact_lock(" + AccessAudit.CHAIN_LOCK + ")")) {
                lock.execute();
            }
            long id = 0;
            String previous = AuditChain.GENESIS;
            try (PreparedStatement last = connection.prepareStatement("select id, hash from access_audit order by id desc limit 1");
                    ResultSet rows = last.executeQuery()) {
                if (rows.next()) {
                    id = rows.getLong(1);
                    previous = rows.getString(2);
                }
            }
            long first = id + 1;
            try (PreparedStatement insert = connection.prepareStatement("insert into access_audit (id, occurred_at, user_name, user_role, action,"
                    + " object_type, object_id, patient_ids, client_address, request_id, purpose, detail, previous_hash, hash)"
                    + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                int burstLeft = 0;
                String burstUser = null;
                long burstStart = 0;
                for (int i = 0; i < events; i++) {
                    AuditRecord row = new AuditRecord();
                    row.id = ++id;
                    if (burstLeft == 0 && random.nextInt(20_000) == 0) {
                        burstLeft = 100;
                        burstUser = user(random);
                        burstStart = seconds[i];
                    }
                    // a burst's reads come 20 seconds apart, whatever the log around them does
                    long second = burstLeft > 0 ? burstStart + 20L * (100 - burstLeft) : seconds[i];
                    row.occurredAt = AuditChain.storable(Instant.ofEpochSecond(second, random.nextInt(1_000_000) * 1_000L));
                    row.userName = burstLeft > 0 ? burstUser : user(random);
                    row.userRole = "clinician";
                    row.action = burstLeft > 0 ? "VIEW_CHART" : ACTIONS[random.nextInt(ACTIONS.length)];
                    burstLeft = Math.max(0, burstLeft - 1);
                    row.clientAddress = "10.0." + random.nextInt(8) + "." + random.nextInt(250);
                    row.requestId = Long.toHexString(random.nextLong());
                    row.purpose = random.nextInt(3) == 0 ? "TREAT" : null;
                    if (row.action.equals("LOGIN")) {
                        row.objectType = "session";
                    } else if (row.action.equals("SEARCH_PATIENTS")) {
                        row.objectType = "patient-search";
                        StringJoiner listed = new StringJoiner(",");
                        random.longs(1 + random.nextInt(8), 0, PATIENTS).sorted().distinct().forEach(p -> listed.add(Long.toString(FIRST_PATIENT + p)));
                        row.patientIds = listed.toString();
                        row.detail = "name=" + (char) ('a' + random.nextInt(26));
                    } else {
                        long patient = FIRST_PATIENT + random.nextInt(PATIENTS);
                        row.objectType = "patient";
                        row.objectId = Long.toString(patient);
                        row.patientIds = Long.toString(patient);
                    }
                    row.previousHash = previous;
                    row.hash = AuditChain.hashOf(row);
                    previous = row.hash;
                    insert.setLong(1, row.id);
                    insert.setTimestamp(2, Timestamp.from(row.occurredAt));
                    insert.setString(3, row.userName);
                    insert.setString(4, row.userRole);
                    insert.setString(5, row.action);
                    insert.setString(6, row.objectType);
                    insert.setString(7, row.objectId);
                    insert.setString(8, row.patientIds);
                    insert.setString(9, row.clientAddress);
                    insert.setString(10, row.requestId);
                    insert.setString(11, row.purpose);
                    insert.setString(12, row.detail);
                    insert.setString(13, row.previousHash);
                    insert.setString(14, row.hash);
                    insert.addBatch();
                    if (i % 5_000 == 4_999) {
                        insert.executeBatch();
                    }
                }
                insert.executeBatch();
            }
            connection.commit();
            try (PreparedStatement analyze = connection.prepareStatement("analyze access_audit")) {
                analyze.execute(); // as autovacuum would after a year of appends
            } catch (SQLException notTheOwner) {
                // the application's role may not analyze: the planner's statistics come later, from autovacuum
            }
            return new long[] { first, id };
        }
    }

    private static String user(Random random) {
        return String.format("clinician-%03d", random.nextInt(USERS));
    }

    @FunctionalInterface
    private interface Timed {
        int call() throws SQLException;
    }

    private static void time(String what, int runs, Timed report) throws SQLException {
        int rows = report.call(); // warm-up, and the size of the answer
        List<Long> nanos = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            report.call();
            nanos.add(System.nanoTime() - start);
        }
        nanos.sort(null);
        System.out.printf("%-52s %6d rows   p50 %8.1f ms   p95 %8.1f ms   max %8.1f ms%n", what, rows, nanos.get(nanos.size() / 2) / 1e6,
                nanos.get(Math.min(nanos.size() - 1, (int) Math.ceil(nanos.size() * 0.95) - 1)) / 1e6, nanos.get(nanos.size() - 1) / 1e6);
    }
}
