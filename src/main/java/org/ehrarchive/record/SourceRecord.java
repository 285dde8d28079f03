package org.ehrarchive.record;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Table;

import org.hibernate.annotations.Immutable;

/**
 * One source record (ADR 0009): a message, a row, a resource, a document, an entry. It knows its original (the
 * blob {@code sourceSha256} and the {@code locator} inside it), its type, the key that identifies the real-world
 * fact, its content hash and version. A newer version {@code supersedes} the one that was current; a version older
 * than the current one when it arrived is {@code historical}. The current version of a key is the one that is
 * neither superseded nor historical. Rows are written by the ingest writer and never updated.
 */
@Entity
@Immutable
@Table(name = "source_record")
public class SourceRecord extends ArchiveEntity {

    /** Normalized, kept raw (no place in the model), or quarantined (could not be mapped or stored). */
    public enum Status {
        ARCHIVED,
        KEPT_RAW,
        QUARANTINED
    }

    public Long sourceFileId;
    @Column(columnDefinition = "bpchar(64)")
    public String sourceSha256;
    public Long batchId;
    public String recordType;
    public String recordKey;
    @Column(columnDefinition = "bpchar(64)")
    public String keyHash;
    @Column(columnDefinition = "bpchar(64)")
    public String contentHash;
    public int version;
    public Long supersedesId;
    public boolean historical;
    public String orderKey;
    public String locator;
    /** The record's place among the records of its file, from 1. */
    public int ordinal;
    public Long parentId;
    public Long patientId;
    @Enumerated(EnumType.STRING)
    public Status status;
    public String reason;
    public Instant archivedAt;
}
