package org.ehrarchive.record;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import org.hibernate.annotations.Immutable;

/** Source content kept as is (no place in the model) or quarantined (mapping failed), attached to its document. */
@Entity
@Immutable
@Table(name = "raw_fragment")
public class RawFragment extends ArchiveEntity {

    public Long patientId;
    /** The document the fragment belongs to, when there is one. */
    public Long documentId;
    public Long sourceRecordId;
    public Integer sectionOrdinal;
    /** KEPT or QUARANTINED. */
    public String status;
    public String reason;
    @Column(columnDefinition = "bpchar(64)")
    public String sourceSha256;
    public String locator;
    public String content;
}
