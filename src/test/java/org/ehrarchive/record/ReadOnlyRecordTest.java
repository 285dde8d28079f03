package org.ehrarchive.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import jakarta.inject.Inject;
import javax.sql.DataSource;

import org.ehrarchive.support.ArchiveTestDatabase;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The archive is read-only: the database itself refuses UPDATE on every clinical table (migration
 * {@code V2__clinical_rows_read_only.sql}), whatever the application does. Every table of the schema is either
 * listed here as clinical, and then must carry the trigger, or listed as not clinical with the reason.
 */
@QuarkusTest
@Tag("storage")
@WithTestResource(ArchiveTestDatabase.class)
public class ReadOnlyRecordTest {

    /** The clinical tables: a new one goes here, and gets its trigger in a migration. */
    public static final List<String> CLINICAL_TABLES = List.of("patient", "clinical_document", "patient_identifier", "patient_demographics",
            "document_section", "clinical_entry", "raw_fragment", "document_attachment", "source_record");

    /** Every other table, and why UPDATE stays allowed (or, for the audit, why it is refused elsewhere). */
    static final Map<String, String> OTHER_TABLES = Map.ofEntries(
            Map.entry("ingest_batch", "a batch's status, heartbeat and report change while it runs"),
            Map.entry("source_file", "quarantined content read again takes the new outcome"),
            Map.entry("batch_file", "ingest bookkeeping, not clinical data"),
            Map.entry("index_outbox", "a queue: the indexer removes what it indexed"),
            Map.entry("app_user", "users, not clinical data"),
            Map.entry("user_session", "portal sessions (ended by sign-out and timeouts), not clinical data"),
            Map.entry("api_token", "API tokens (revoked by admins), not clinical data"),
            Map.entry("access_audit", "append-only by its own triggers (V3, AccessAuditTest)"),
            Map.entry("fixity_check", "append-only by its own triggers (V9, FixityCheckTest)"),
            Map.entry("fixity_problem", "append-only by its own triggers (V9, FixityCheckTest)"),
            Map.entry("source_system", "the names of the legacy systems batches came from, not clinical data"),
            Map.entry("source_count", "append-only by its own triggers (V10, ReconciliationTest)"),
            Map.entry("sample_plan", "append-only by its own triggers (V10)"),
            Map.entry("sample_item", "append-only by its own triggers (V10)"),
            Map.entry("sample_review", "append-only by its own triggers (V10)"),
            Map.entry("decommission_certificate", "append-only by its own triggers (V10)"),
            Map.entry("identifier_system", "the spellings of assigning authorities, edited by admins, not clinical data"),
            Map.entry("patient_link", "append-only by its own triggers (V11, PatientLinksTest)"),
            Map.entry("patient_link_decision", "append-only by its own triggers (V11, PatientLinksTest)"),
            Map.entry("patient_match_key", "derived blocking keys, rebuilt by identity match"),
            Map.entry("access_restriction", "the privacy office's flags: append-only by their own trigger (ADR 0023)"),
            Map.entry("access_restriction_lift", "a flag lifted: append-only by its own trigger"),
            Map.entry("break_glass", "break-the-glass grants: append-only by their own trigger"),
            Map.entry("break_glass_review", "the privacy officer's reviews of grants: append-only by their own trigger"),
            Map.entry("release_request", "release-of-information requests: append-only by their own trigger (ADR 0024)"),
            Map.entry("release_event", "what happened to a request: append-only by its own trigger"),
            Map.entry("disclosure", "the disclosure log (164.528): append-only by its own trigger"),
            Map.entry("disclosure_suspension", "law-enforcement suspensions of accounting entries: append-only by their own trigger"),
            Map.entry("flyway_schema_history", "Flyway's own table"));

    @Inject
    DataSource dataSource;

    @Test
    void everyClinicalTableRefusesAnUpdateWithTheTriggersMessage() throws Exception {
        for (String table : CLINICAL_TABLES) {
            // The trigger holds even for the superuser (the archive's own role may not update at all: DatabasePrivilegeTest).
            try (Connection connection = ArchiveTestDatabase.superuserConnection(); Statement statement = connection.createStatement()) {
                connection.setAutoCommit(false);
                try {
                    // Every row (none changes value): a statement-level trigger fires even when the table is empty.
                    assertThatThrownBy(() -> statement.executeUpdate("update " + table + " set id = id")).as(table)
                            .isInstanceOfSatisfying(SQLException.class, refused -> {
                                assertThat(refused.getSQLState()).as(table + ": insufficient_privilege").isEqualTo("42501");
                                assertThat(refused.getMessage()).as(table).contains("archived clinical data is read-only: UPDATE on "
                                        + table + " refused (ingest a correction instead)");
                            });
                } finally {
                    connection.rollback();
                }
            }
        }
    }

    @Test
    void exactlyTheClinicalTablesCarryTheReadOnlyTrigger() throws Exception {
        assertThat(tables("""
                select c.relname from pg_trigger t join pg_class c on c.oid = t.tgrelid
                where not t.tgisinternal and t.tgname like '%\\_read\\_only' and c.relnamespace = current_schema()::regnamespace"""))
                .as("tables with a *_read_only trigger").containsExactlyInAnyOrderElementsOf(CLINICAL_TABLES);
        assertThat(tables("""
                select c.relname from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_proc p on p.oid = t.tgfoid
                where not t.tgisinternal and p.proname = 'refuse_clinical_update' and t.tgname = c.relname || '_read_only'
                  and c.relnamespace = current_schema()::regnamespace"""))
                .as("tables whose <table>_read_only trigger refuses updates").containsExactlyInAnyOrderElementsOf(CLINICAL_TABLES);
    }

    @Test
    void everyTableIsEitherClinicalOrNamedAsNotClinical() throws Exception {
        assertThat(CLINICAL_TABLES).doesNotContainAnyElementsOf(OTHER_TABLES.keySet());
        Set<String> known = new TreeSet<>(CLINICAL_TABLES);
        known.addAll(OTHER_TABLES.keySet());
        assertThat(tables("select tablename from pg_tables where schemaname = current_schema()"))
                .as("a new table must be listed here: clinical (and read-only) or not").isEqualTo(known);
    }

    /**
     * No code path changes a clinical row: no SQL the archive sends updates or deletes one (the database refuses
     * updates, but deletes stay possible for the retention workflow to come, so only the code keeps them out), and every
     * entity of a clinical table is immutable to Hibernate, which would otherwise write dirty rows back.
     */
    @Test
    void noCodeOfTheArchiveUpdatesOrDeletesAClinicalRow() throws Exception {
        java.util.regex.Pattern mutation = java.util.regex.Pattern.compile("(?i)\\b(update|delete\\s+from|truncate)\\s+(table\\s+)?("
                + String.join("|", CLINICAL_TABLES) + ")\\b");
        List<java.nio.file.Path> sources;
        try (var walk = java.nio.file.Files.walk(java.nio.file.Path.of("src/main"))) {
            sources = walk.filter(java.nio.file.Files::isRegularFile).filter(p -> p.toString().endsWith(".java")
                    || (p.toString().endsWith(".sql") && !p.getFileName().toString().startsWith("V"))).toList();
        }
        assertThat(sources).isNotEmpty();
        for (java.nio.file.Path source : sources) {
            assertThat(mutation.matcher(java.nio.file.Files.readString(source)).find())
                    .as(source + " updates or deletes a clinical table").isFalse();
        }
        for (Class<?> entity : List.of(Patient.class, ClinicalDocument.class, PatientIdentifier.class, PatientDemographics.class,
                DocumentSection.class, ClinicalEntry.class, RawFragment.class, DocumentAttachment.class, SourceRecord.class)) {
            assertThat(entity.isAnnotationPresent(org.hibernate.annotations.Immutable.class)).as(entity.getSimpleName() + " is @Immutable").isTrue();
            String table = entity.getAnnotation(jakarta.persistence.Table.class).name();
            assertThat(CLINICAL_TABLES).as(entity.getSimpleName() + " maps a clinical table").contains(table);
        }
    }

    private Set<String> tables(String sql) throws SQLException {
        Set<String> tables = new TreeSet<>();
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            while (rows.next()) {
                tables.add(rows.getString(1));
            }
        }
        return tables;
    }
}
