package org.ehrarchive.record;

import java.util.List;
import java.util.Map;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.Immutable;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * One normalized clinical entry (problem, medication, result...), traced to its place in the original.
 * Rows are inserted in JDBC batches by {@code ArchiveWriter} (the hot path of ingest) and read through this entity.
 */
@Entity
@Immutable
@Table(name = "clinical_entry")
public class ClinicalEntry extends PanacheEntityBase {

    /** Numbered by the database ({@code clinical_entry_id_seq}). */
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public Long patientId;
    /** The document the entry was read from, when its source is a document (C-CDA); null for a message or a row. */
    public Long documentId;
    /** The source record the entry was read from: its original, locator, key and version. */
    public Long sourceRecordId;
    public Integer sectionOrdinal;
    @Enumerated(EnumType.STRING)
    public EntryKind kind;
    @JdbcTypeCode(SqlTypes.JSON)
    public Coded code;
    /** The label to show and search: display name, original text or code. */
    public String display;
    public String status;
    public boolean negated;
    public String mood;
    @JdbcTypeCode(SqlTypes.JSON)
    public TimePeriod effective;
    public String effectiveSort;
    @JdbcTypeCode(SqlTypes.JSON)
    public List<ObservedValue> observedValues;
    @JdbcTypeCode(SqlTypes.JSON)
    public List<Coded> interpretations;
    @JdbcTypeCode(SqlTypes.JSON)
    public List<ReferenceRange> referenceRanges;
    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, Object> details;
    public String text;
    @Column(columnDefinition = "bpchar(64)")
    public String sourceSha256;
    public String locator;
    public String sourceFragment;
}
