package org.ehrarchive.record;

import java.util.List;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import org.hibernate.annotations.Immutable;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One clinical document of a patient, as read from a source file, with its header. */
@Entity
@Immutable
@Table(name = "clinical_document")
public class ClinicalDocument extends ArchiveEntity {

    public Long patientId;
    public Long sourceFileId;
    /** The document's own source record (its key, version and what it supersedes). */
    public Long sourceRecordId;
    @Column(columnDefinition = "bpchar(64)")
    public String sourceSha256;
    public String format;
    public String locator;
    @JdbcTypeCode(SqlTypes.JSON)
    public Identifier documentIdentifier;
    @JdbcTypeCode(SqlTypes.JSON)
    public Identifier setIdentifier;
    public String versionNumber;
    @JdbcTypeCode(SqlTypes.JSON)
    public Coded type;
    public String title;
    @JdbcTypeCode(SqlTypes.JSON)
    public TimeValue effectiveTime;
    /** ISO form of the effective time, for sorting. */
    public String effectiveSort;
    @JdbcTypeCode(SqlTypes.JSON)
    public Coded confidentiality;
    public String language;
    @JdbcTypeCode(SqlTypes.JSON)
    public List<String> templateIds;
    @JdbcTypeCode(SqlTypes.JSON)
    public List<Party> authors;
    @JdbcTypeCode(SqlTypes.JSON)
    public Party custodian;
    public String headerFragment;
    @JdbcTypeCode(SqlTypes.JSON)
    public List<String> warnings;
}
