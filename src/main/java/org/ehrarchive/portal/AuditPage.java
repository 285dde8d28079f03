package org.ehrarchive.portal;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

import org.ehrarchive.CsvRows;
import org.ehrarchive.api.AuditedReads;
import org.ehrarchive.audit.AuditAction;
import org.ehrarchive.audit.AuditEvents;
import org.ehrarchive.audit.AuditReview;
import org.ehrarchive.audit.AuditReview.Entry;
import org.ehrarchive.audit.AuditReview.Filter;
import org.ehrarchive.audit.AuditReview.Report;
import org.ehrarchive.chart.ClinicalDates;
import org.ehrarchive.chart.ClinicalDates.Shown;
import org.ehrarchive.identity.PatientLinks;
import org.ehrarchive.security.Roles;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/**
 * The access audit for compliance staff and admins: the whole log, newest first, a page at a time, with the patients
 * named; and the reports of its review (who accessed this patient, one user's activity, after hours, restricted
 * patients, mass access, exports), each also as CSV. Viewing or exporting it is itself audited, with the patients it
 * named.
 */
@Path("/audit")
@RolesAllowed({ Roles.COMPLIANCE, Roles.ADMIN })
public class AuditPage {

    static final int ROWS = 100;

    private final AuditedReads audit;
    private final AuditReview review;
    private final PatientLinks links;
    private final PortalContext portal;
    private final ClinicalDates dates;

    /** An access as the page lists it; {@code when} in the site's time zone, to the second, the zone named. */
    public record Row(Entry entry, Shown when) {
    }

    /** A mass-access window as the page lists it, with the address of that user's accesses in it. */
    public record BurstRow(AuditReview.Burst burst, Shown from, Shown to, String detailsHref) {
    }

    /** What the form was given, echoed back as typed. */
    public record Form(String report, String user, String patient, String action, String from, String to) {

        /** The query string of this form (for the CSV link and the next page). */
        public String query() {
            return queryFor(report);
        }

        /** The query string of this form with another report (for the tabs: the same user, patient and days). */
        public String queryFor(String otherReport) {
            StringBuilder q = new StringBuilder("report=").append(encode(otherReport));
            append(q, "user", user);
            append(q, "patient", patient);
            append(q, "action", action);
            append(q, "from", from);
            append(q, "to", to);
            return q.toString();
        }

        private static void append(StringBuilder q, String name, String value) {
            if (!value.isEmpty()) {
                q.append('&').append(name).append('=').append(encode(value));
            }
        }

        private static String encode(String value) {
            return java.net.URLEncoder.encode(value, StandardCharsets.UTF_8);
        }
    }

    /** A report as the tabs list it. */
    public record Tab(String param, String title) {
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance audit(PortalContext.Nav nav, Form form, List<Tab> tabs, String reportTitle, String rule,
                List<String> actions, List<Row> rows, List<BurstRow> bursts, Long olderThan, boolean firstPage, String problem);
    }

    public AuditPage(AuditedReads audit, AuditReview review, PatientLinks links, PortalContext portal, ClinicalDates dates) {
        this.audit = audit;
        this.review = review;
        this.links = links;
        this.portal = portal;
        this.dates = dates;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance audit(@BeanParam Query query, @QueryParam("before") String before) throws SQLException {
        Form form = query.form();
        List<Tab> tabs = java.util.Arrays.stream(Report.values()).map(r -> new Tab(r.param, r.title)).toList();
        List<String> actions = java.util.Arrays.stream(AuditAction.values()).map(Enum::name).toList();
        Filter parsed;
        Long olderThan = null;
        try {
            parsed = parse(form);
            if (!trim(before).isEmpty()) {
                if (!trim(before).matches("\\d{1,19}")) {
                    throw new IllegalArgumentException("The page to show is named by a row number.");
                }
                olderThan = Long.parseLong(trim(before));
            }
        } catch (IllegalArgumentException e) {
            return Templates.audit(portal.nav(), form, tabs, "", "", actions, List.of(), List.of(), null, true, e.getMessage());
        }
        Report chosen = parsed.report();
        String rule = switch (chosen) {
            case AFTER_HOURS -> "Accesses outside the working hours: " + review.workingHours() + ".";
            case MASS -> "A user shown " + review.massAccessRule() + ".";
            case FLAGGED -> "Accesses that showed a patient flagged by the privacy office (VIP, employee, restricted...) at the time, or with a"
                    + " document flagged so or marked restricted or very restricted by its source (confidentiality R or V).";
            case EXPORTS -> "Patient data that left the archive: exports, print views and downloaded originals.";
            case PATIENT -> "Every access to this patient's records, in every linked source, with who and why: what a patient asking"
                    + " \"who looked at my record\" is given.";
            case USER -> "Everything this user did, newest first.";
            case ALL -> "";
        };
        List<Row> rows = new ArrayList<>();
        List<BurstRow> bursts = new ArrayList<>();
        Set<Long> shown = new LinkedHashSet<>();
        if (chosen == Report.MASS) {
            for (AuditReview.Burst b : review.bursts(parsed)) {
                String day = dates.siteDay(b.windowStart()).toString();
                bursts.add(new BurstRow(b, dates.instant(b.windowStart()), dates.instant(b.windowEnd()),
                        "/audit?report=user&user=" + java.net.URLEncoder.encode(b.user() == null ? "" : b.user(), StandardCharsets.UTF_8)
                                + "&from=" + day + "&to=" + dates.siteDay(b.windowEnd().minusSeconds(1))));
            }
        } else {
            AuditReview.Page page = review.page(parsed, olderThan, ROWS);
            for (Entry e : page.entries()) {
                rows.add(new Row(e, dates.instant(e.record().occurredAt)));
                e.patients().forEach(p -> shown.add(p.id()));
            }
            olderThan = page.olderThan();
        }
        audit.record(AuditAction.VIEW_AUDIT, "access-audit", chosen.param, List.copyOf(shown), form.query());
        return Templates.audit(portal.nav(), form, tabs, chosen.title, rule, actions, rows, bursts, olderThan, trim(before).isEmpty(), null);
    }

    /** The report as CSV: every row that matches, not a page; the export is audited with the patients it names. */
    @GET
    @Path("report.csv")
    @Produces("text/csv")
    public Response csv(@BeanParam Query query) throws SQLException {
        Form form = query.form();
        Filter parsed = parseOrRefuse(form);
        Report chosen = parsed.report();
        StreamingOutput body;
        if (chosen == Report.MASS) {
            List<AuditReview.Burst> bursts = review.bursts(parsed);
            audit.record(AuditAction.EXPORT, "access-audit", chosen.param, List.of(), "csv " + form.query());
            body = out -> {
                BufferedWriter writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
                CsvRows csv = new CsvRows(writer);
                csv.row("user", "window_start", "window_end", "distinct_patients", "accesses");
                for (AuditReview.Burst b : bursts) {
                    csv.row(b.user(), b.windowStart(), b.windowEnd(), b.patients(), b.accesses());
                }
                writer.flush();
            };
        } else {
            body = exported(parsed, "csv " + form.query(), new RowWriter() {
                @Override
                public void start(java.io.Writer out) throws IOException {
                    new CsvRows(out).row("id", "occurred_at", "user", "role", "action", "object_type", "object_id", "patient_ids",
                            "patient_names", "purpose", "client_address", "request_id", "detail");
                }

                @Override
                public void write(Entry e, java.io.Writer out) throws IOException {
                    var r = e.record();
                    new CsvRows(out).row(r.id, r.occurredAt, r.userName, r.userRole, r.action, r.objectType, r.objectId, r.patientIds,
                            String.join("; ", e.patients().stream().map(AuditReview.NamedPatient::name).toList()), r.purpose,
                            r.clientAddress, r.requestId, r.detail);
                }
            });
        }
        return Response.ok(body, "text/csv; charset=UTF-8")
                .header("Content-Disposition", "attachment; filename=\"access-audit-" + chosen.param + ".csv\"").build();
    }

    /**
     * The report as FHIR AuditEvent resources, one JSON line each (IHE Basic Audit Log Patterns, {@link AuditEvents}):
     * every row that matches; the export is audited with the patients it names.
     */
    @GET
    @Path("auditevents.ndjson")
    @Produces("application/fhir+ndjson")
    public Response auditEvents(@BeanParam Query query) throws SQLException {
        Form form = query.form();
        Filter parsed = parseOrRefuse(form);
        if (parsed.report() == Report.MASS) {
            throw new BadRequestException("The mass-access report lists windows, not accesses: export it as CSV.");
        }
        AuditEvents events = new AuditEvents();
        StreamingOutput body = exported(parsed, "fhir-auditevent " + form.query(), new RowWriter() {
            @Override
            public void start(java.io.Writer out) {
                // NDJSON has no header line
            }

            @Override
            public void write(Entry e, java.io.Writer out) throws IOException {
                events.write(e, out);
            }
        });
        return Response.ok(body, "application/fhir+ndjson")
                .header("Content-Disposition", "attachment; filename=\"access-audit-" + parsed.report().param + ".ndjson\"").build();
    }

    /**
     * A download of every row of the report: first the patients those rows name are recorded as disclosed (an
     * {@code EXPORT} event), then the rows up to that moment are streamed a thousand at a time, so that memory stays
     * flat and the event names exactly what leaves.
     */
    private StreamingOutput exported(Filter filter, String detail, RowWriter rows) throws SQLException {
        long upTo = review.newestId();
        audit.record(AuditAction.EXPORT, "access-audit", filter.report().param, review.patientsNamed(filter, upTo), detail);
        return out -> {
            BufferedWriter writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
            try {
                rows.start(writer);
                review.each(filter, upTo, e -> {
                    try {
                        rows.write(e, writer);
                    } catch (IOException failed) {
                        throw new java.io.UncheckedIOException(failed);
                    }
                });
            } catch (SQLException e) {
                throw new IOException("The database failed while the audit was written (SQLSTATE " + e.getSQLState() + ")", e);
            } catch (java.io.UncheckedIOException e) {
                throw e.getCause();
            }
            writer.flush();
        };
    }

    /** How an export writes its rows. */
    private interface RowWriter {
        void start(java.io.Writer out) throws IOException;

        void write(Entry entry, java.io.Writer out) throws IOException;
    }

    /** The report and filters of the page and of its downloads, as the query string gives them. */
    public static class Query {
        @QueryParam("report")
        String report;
        @QueryParam("user")
        String user;
        @QueryParam("patient")
        String patient;
        @QueryParam("action")
        String action;
        @QueryParam("from")
        String from;
        @QueryParam("to")
        String to;

        Form form() {
            return new Form(trim(report).isEmpty() ? Report.ALL.param : trim(report), trim(user), trim(patient), trim(action), trim(from),
                    trim(to));
        }
    }

    /** A download's filter; what is wrong with it is a 400 answer in words. */
    private Filter parseOrRefuse(Form form) {
        try {
            return parse(form);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(e.getMessage());
        }
    }

    /** The form as a filter, or what is wrong with it in words (a filter that cannot be applied is never ignored). */
    private Filter parse(Form form) {
        Optional<Report> named = Report.named(form.report());
        if (named.isEmpty()) {
            throw new IllegalArgumentException("There is no report \"" + form.report() + "\"; choose one of the tabs.");
        }
        Report report = named.get();
        List<Long> patients = List.of();
        if (!form.patient().isEmpty()) {
            if (!form.patient().matches("\\d{1,18}")) {
                throw new IllegalArgumentException("A patient id is a number: the archive patient id a chart shows.");
            }
            // every archived patient of the person: their accesses are accesses to this patient too
            patients = links.members(Long.parseLong(form.patient()));
        }
        if (report == Report.PATIENT && patients.isEmpty()) {
            throw new IllegalArgumentException("Who accessed a patient: give the patient id (the number in the chart's address).");
        }
        if (report == Report.USER && form.user().isEmpty()) {
            throw new IllegalArgumentException("Everything one user did: give the user name.");
        }
        if (!form.action().isEmpty() && java.util.Arrays.stream(AuditAction.values()).noneMatch(a -> a.name().equals(form.action()))) {
            throw new IllegalArgumentException("There is no action \"" + form.action() + "\"; choose one from the list.");
        }
        LocalDate from = day(form.from(), "from");
        LocalDate to = day(form.to(), "to");
        if (from != null && to != null && to.isBefore(from)) {
            throw new IllegalArgumentException("The last day is before the first.");
        }
        return new Filter(report, form.user().isEmpty() ? null : form.user(), patients,
                form.action().isEmpty() ? null : form.action(), from, to);
    }

    private static LocalDate day(String value, String name) {
        if (value.isEmpty()) {
            return null;
        }
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("The \"" + name + "\" day is written as YYYY-MM-DD.");
        }
    }

    private static String trim(String value) {
        return value == null ? "" : value.trim();
    }
}
