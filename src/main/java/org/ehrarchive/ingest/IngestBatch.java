package org.ehrarchive.ingest;

import java.time.Instant;
import java.util.Map;

import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Table;

import org.ehrarchive.record.ArchiveEntity;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One run of {@code ingest} over a file or folder; resumed, not repeated, after a crash. */
@Entity
@Table(name = "ingest_batch")
public class IngestBatch extends ArchiveEntity {

    /** RUNNING until every file is accounted for; a run that dies leaves it RUNNING, to be resumed. */
    public enum Status {
        RUNNING,
        COMPLETED
    }

    public String sourcePath;
    /** The legacy system this batch came from ({@link SourceSystems}). */
    public Long sourceSystemId;
    @Enumerated(EnumType.STRING)
    public Status status;
    public Instant startedAt;
    public Instant finishedAt;
    public int attempts;
    public String owner;
    public Instant heartbeatAt;
    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, Object> report;
}
