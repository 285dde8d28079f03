package org.ehrarchive.record;

import java.util.List;

import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import org.hibernate.annotations.Immutable;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A section of a document: narrative as given, and the reconciliation of its entries. */
@Entity
@Immutable
@Table(name = "document_section")
public class DocumentSection extends ArchiveEntity {

    public Long documentId;
    public int ordinal;
    public Integer parentOrdinal;
    @JdbcTypeCode(SqlTypes.JSON)
    public Coded code;
    @JdbcTypeCode(SqlTypes.JSON)
    public List<String> templateIds;
    public String title;
    public String kind;
    /** The section's narrative ({@code <text>} for C-CDA) as source markup; sanitize before showing. */
    public String narrative;
    public String locator;
    public int entriesFound;
    public int entriesArchived;
    public int entriesQuarantined;
    public int entriesKeptRaw;
    /** Entries this document states that an earlier source record already holds (the same fact): stored once. */
    public int entriesDuplicates;
}
