package org.ehrarchive.record;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import org.hibernate.annotations.Immutable;

/** A file a document carries (its bytes in the blob store) or references by name. */
@Entity
@Immutable
@Table(name = "document_attachment")
public class DocumentAttachment extends ArchiveEntity {

    public Long documentId;
    public Long sourceRecordId;
    @Column(columnDefinition = "bpchar(64)")
    public String sha256;
    public String mediaType;
    public Long sizeBytes;
    public String reference;
    public String locator;
}
