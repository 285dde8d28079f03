package org.ehrarchive.record;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * One distinct original (by SHA-256) and what became of it: archived, or quarantined with a reason. The bytes are
 * in the blob store; {@code outcome} is the file's reconciliation as first ingested, reported again for duplicates.
 */
@Entity
@Table(name = "source_file")
public class SourceFile extends ArchiveEntity {

    /** Being read (some of its records are stored), archived or quarantined. */
    public enum Status {
        READING,
        ARCHIVED,
        QUARANTINED
    }

    @Column(columnDefinition = "bpchar(64)")
    public String sha256;
    public long sizeBytes;
    public String originalName;
    public String format;
    @jakarta.persistence.Enumerated(jakarta.persistence.EnumType.STRING)
    public Status status;
    public String reason;
    public Long batchId;
    public Instant archivedAt;
    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, Object> outcome;

    public static Optional<SourceFile> findBySha256(String sha256) {
        return find("sha256", sha256).firstResultOptional();
    }
}
