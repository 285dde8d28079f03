package org.ehrarchive.ingest;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Table;

import org.ehrarchive.record.ArchiveEntity;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** What one batch did with one path: archived it, found it a duplicate, or quarantined it. */
@Entity
@Table(name = "batch_file")
public class BatchFile extends ArchiveEntity {

    /** A file being read (its checkpoint says how far), or one of the three outcomes of a file in a batch. */
    public enum Status {
        READING,
        ARCHIVED,
        DUPLICATE,
        QUARANTINED
    }

    public Long batchId;
    public String path;
    @Column(columnDefinition = "bpchar(64)")
    public String sha256;
    public Long sourceFileId;
    @Enumerated(EnumType.STRING)
    public Status status;
    public String reason;
    public Instant processedAt;
    /** The file's line of the reconciliation as this batch found it; while READING, its running tally. */
    @JdbcTypeCode(SqlTypes.JSON)
    public java.util.Map<String, Object> outcome;
    /** While READING: the last record or section of the file that is stored (numbered from 1 in source order). */
    public Integer checkpoint;
    public int found;
    public int archived;
    public int quarantined;
    public int keptRaw;
    public int duplicates;

    /** What this batch already did with this content at this path (an earlier attempt of a resumed batch). */
    public static Optional<BatchFile> find(long batchId, String path, String sha256) {
        return find("batchId = ?1 and path = ?2 and sha256 = ?3", batchId, path, sha256).firstResultOptional();
    }

    public static List<BatchFile> ofBatch(long batchId) {
        return list("batchId = ?1 order by path", batchId);
    }
}
