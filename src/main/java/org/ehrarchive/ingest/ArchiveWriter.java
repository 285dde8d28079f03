package org.ehrarchive.ingest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

import java.sql.PreparedStatement;
import java.sql.Types;

import org.hibernate.Session;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import org.ehrarchive.blob.BlobStore;
import org.ehrarchive.record.ClinicalDocument;
import org.ehrarchive.record.DocumentAttachment;
import org.ehrarchive.record.DocumentSection;
import org.ehrarchive.record.Identifier;
import org.ehrarchive.record.Patient;
import org.ehrarchive.record.PatientDemographics;
import org.ehrarchive.record.PatientIdentifier;
import org.ehrarchive.record.RawFragment;
import org.ehrarchive.record.SourceFile;
import org.ehrarchive.record.TimePeriod;
import org.ehrarchive.record.TimeValue;

import io.quarkus.logging.Log;

/**
 * Persists what an importer read into the normalized store. Runs inside the caller's transaction: a file is
 * stored whole or not at all. Embedded files go to the blob store first (idempotent), so a rolled-back
 * transaction leaves at most an unreferenced blob, never a reference to a missing one.
 */
@ApplicationScoped
public class ArchiveWriter {

    /** Any constant works: it names the lock that serializes patient matching across archive processes. */
    private static final long PATIENT_MATCHING_LOCK = 0x45485241_52434856L;

    private final EntityManager entityManager;
    private final BlobStore blobs;

    public ArchiveWriter(EntityManager entityManager, BlobStore blobs) {
        this.entityManager = entityManager;
        this.blobs = blobs;
    }

    /** Stores every document of a file already recorded as {@code source}. */
    public void write(SourceFile source, ImportResult result, java.nio.file.Path sourceFolder) {
        for (ImportedDocument imported : result.documents()) {
            writeDocument(source, result, imported, sourceFolder);
        }
    }

    private void writeDocument(SourceFile source, ImportResult result, ImportedDocument imported, java.nio.file.Path sourceFolder) {
        List<String> warnings = new ArrayList<>(result.warnings());
        Patient patient = patientFor(imported.patient().identifiers(), warnings);

        ClinicalDocument document = new ClinicalDocument();
        document.patientId = patient.id;
        document.sourceFileId = source.id;
        document.sourceSha256 = source.sha256;
        document.format = result.format();
        document.locator = imported.locator();
        document.documentIdentifier = imported.documentId();
        document.setIdentifier = imported.setId();
        document.versionNumber = imported.versionNumber();
        document.type = imported.type();
        document.title = imported.title();
        document.effectiveTime = imported.effectiveTime();
        document.effectiveSort = sortKey(imported.effectiveTime());
        document.confidentiality = imported.confidentiality();
        document.language = imported.language();
        document.templateIds = imported.templateIds();
        document.authors = imported.authors();
        document.custodian = imported.custodian();
        document.headerFragment = imported.headerFragment();
        document.warnings = warnings.isEmpty() ? null : warnings;
        document.persist();

        ImportedPatient p = imported.patient();
        for (Identifier identifier : p.identifiers()) {
            if (identifier.isUsable()) {
                PatientIdentifier row = new PatientIdentifier();
                row.patientId = patient.id;
                row.documentId = document.id;
                row.system = identifier.system();
                row.value = identifier.value();
                row.assigningAuthority = identifier.assigningAuthority();
                row.locator = p.locator();
                row.persist();
            }
        }
        PatientDemographics demographics = new PatientDemographics();
        demographics.patientId = patient.id;
        demographics.documentId = document.id;
        demographics.names = p.names();
        demographics.birthTime = p.birthTime();
        demographics.sex = p.sex();
        demographics.addresses = p.addresses();
        demographics.telecoms = p.telecoms();
        demographics.deceased = p.deceased();
        demographics.deceasedTime = p.deceasedTime();
        demographics.maritalStatus = p.maritalStatus();
        demographics.races = p.races();
        demographics.ethnicities = p.ethnicities();
        demographics.languages = p.languages();
        demographics.locator = p.locator();
        demographics.sourceFragment = p.sourceFragment();
        demographics.persist();

        for (ImportedSection s : imported.sections()) {
            DocumentSection section = new DocumentSection();
            section.documentId = document.id;
            section.ordinal = s.ordinal();
            section.parentOrdinal = s.parentOrdinal();
            section.code = s.code();
            section.templateIds = s.templateIds();
            section.title = s.title();
            section.kind = s.kind();
            section.narrative = s.narrative();
            section.locator = s.locator();
            section.entriesFound = s.found();
            section.entriesArchived = s.archived();
            section.entriesQuarantined = s.quarantined();
            section.entriesKeptRaw = s.keptRaw();
            section.persist();
        }
        insertEntries(patient.id, document.id, source.sha256, imported.entries());
        for (ImportedFragment f : imported.fragments()) {
            RawFragment fragment = new RawFragment();
            fragment.patientId = patient.id;
            fragment.documentId = document.id;
            fragment.sectionOrdinal = f.sectionOrdinal();
            fragment.status = f.status().name();
            fragment.reason = f.reason();
            fragment.sourceSha256 = source.sha256;
            fragment.locator = f.locator();
            fragment.content = f.content();
            fragment.persist();
        }
        for (ImportedAttachment a : imported.attachments()) {
            writeAttachment(document, a, sourceFolder);
        }
        // Queued in the same transaction: an archived document is always either indexed or waiting to be (ADR 0007).
        entityManager.flush();
        entityManager.createNativeQuery("insert into index_outbox (document_id, queued_at) values (?1, now())")
                .setParameter(1, document.id).executeUpdate();
    }

    private static final String INSERT_ENTRY = "insert into clinical_entry (patient_id, document_id, section_ordinal, kind, code,"
            + " display, status, negated, mood, effective, effective_sort, observed_values, interpretations, reference_ranges,"
            + " details, text, source_sha256, locator, source_fragment)"
            + " values (?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?::jsonb, ?, ?::jsonb, ?::jsonb, ?::jsonb, ?::jsonb, ?, ?, ?, ?)";

    /**
     * Entries are most of what an ingest writes (dozens per document), so they go in one JDBC batch in the same
     * transaction instead of one Hibernate entity each; {@link ClinicalEntry} reads them back.
     */
    private void insertEntries(long patientId, long documentId, String sourceSha256, List<ImportedEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        entityManager.flush(); // the document row must exist before its entries reference it
        entityManager.unwrap(Session.class).doWork(connection -> {
            try (PreparedStatement insert = connection.prepareStatement(INSERT_ENTRY)) {
                for (ImportedEntry e : entries) {
                    int column = 1;
                    insert.setLong(column++, patientId);
                    insert.setLong(column++, documentId);
                    insert.setObject(column++, e.sectionOrdinal(), Types.INTEGER);
                    insert.setString(column++, e.kind().name());
                    insert.setString(column++, json(e.code()));
                    insert.setString(column++, e.code() == null || e.code().label() == null ? e.text() : e.code().label());
                    insert.setString(column++, e.status());
                    insert.setBoolean(column++, e.negated());
                    insert.setString(column++, e.mood());
                    insert.setString(column++, json(e.effective()));
                    insert.setString(column++, sortKey(e.effective()));
                    insert.setString(column++, json(e.values()));
                    insert.setString(column++, json(e.interpretations()));
                    insert.setString(column++, json(e.referenceRanges()));
                    insert.setString(column++, json(e.details()));
                    insert.setString(column++, e.text());
                    insert.setString(column++, sourceSha256);
                    insert.setString(column++, e.locator());
                    insert.setString(column, e.sourceFragment());
                    insert.addBatch();
                }
                insert.executeBatch();
            }
        });
    }

    /** JSON for a jsonb column, written as Hibernate writes the entity's JSON attributes (plain Jackson). */
    private static String json(Object value) {
        if (value == null) {
            return null;
        }
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A normalized value could not be written as JSON", e);
        }
    }

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private void writeAttachment(ClinicalDocument document, ImportedAttachment imported, java.nio.file.Path sourceFolder) {
        DocumentAttachment attachment = new DocumentAttachment();
        attachment.documentId = document.id;
        attachment.mediaType = imported.mediaType();
        attachment.reference = imported.reference();
        attachment.locator = imported.locator();
        try {
            if (imported.content() != null) {
                attachment.sha256 = blobs.put(imported.content());
                attachment.sizeBytes = (long) imported.content().length;
            } else if (imported.reference() != null && sourceFolder != null) {
                // A referenced file shipped beside the document is kept with it, byte-exact.
                java.nio.file.Path referenced = sourceFolder.resolve(imported.reference()).normalize();
                // Real paths: neither "../" nor a symbolic link may pull in a file from outside the export.
                if (java.nio.file.Files.isRegularFile(referenced)
                        && referenced.toRealPath().startsWith(sourceFolder.toRealPath())) {
                    attachment.sha256 = blobs.putFile(referenced);
                    attachment.sizeBytes = java.nio.file.Files.size(referenced);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not store an attachment of document " + document.id, e);
        }
        attachment.persist();
    }

    /**
     * The archived patient these identifiers belong to: the one already carrying any of them, or a new one.
     * Matching is serialized across processes by a transaction-scoped advisory lock.
     */
    private Patient patientFor(List<Identifier> identifiers, List<String> warnings) {
        entityManager.createNativeQuery("select pg_advisory_xact_lock(" + PATIENT_MATCHING_LOCK + ")").getSingleResult();
        List<Identifier> usable = identifiers.stream().filter(Identifier::isUsable).toList();
        List<Long> matches = usable.isEmpty() ? List.of() : PatientIdentifier.patientsCarrying(usable);
        if (!matches.isEmpty()) {
            if (matches.size() > 1) {
                warnings.add("identifiers match " + matches.size() + " archived patients; filed under patient " + matches.get(0));
                Log.warnf("A document's identifiers match %d archived patients; filed under patient %d", matches.size(), matches.get(0));
            }
            return Patient.findById(matches.get(0));
        }
        Patient patient = new Patient();
        patient.createdAt = Instant.now();
        patient.persist();
        return patient;
    }

    /**
     * A key that sorts chronologically as text: times with a zone are converted to UTC, so that 10:00-05:00 sorts
     * after 14:00Z; dates and times without a zone sort as given.
     */
    static String sortKey(TimeValue time) {
        if (time == null || time.iso() == null) {
            return null;
        }
        if (time.timeZone() != null && time.iso().contains("T")) {
            try {
                return java.time.OffsetDateTime.parse(time.iso()).withOffsetSameInstant(java.time.ZoneOffset.UTC)
                        .toLocalDateTime().format(java.time.format.DateTimeFormatter.ISO_LOCAL_DATE_TIME) + "Z";
            } catch (java.time.format.DateTimeParseException e) {
                return time.iso();
            }
        }
        return time.iso();
    }

    private static String sortKey(TimePeriod period) {
        return period == null ? null : sortKey(period.sortKey());
    }
}
