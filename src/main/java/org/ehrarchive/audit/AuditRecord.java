package org.ehrarchive.audit;

import java.time.Instant;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.Immutable;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/**
 * A row of the append-only, hash-chained access audit ({@code access_audit}). Ids are consecutive from 1 with no
 * gaps, so a removed row shows as a gap as well as a broken link. {@code hash} is the SHA-256 of this row's
 * fields and the previous row's hash ({@link AuditChain}). The database refuses UPDATE, DELETE and TRUNCATE.
 */
@Entity
@Immutable
@Table(name = "access_audit")
public class AuditRecord extends PanacheEntityBase {

    @Id
    public Long id;
    public Instant occurredAt;
    public String userName;
    public String userRole;
    public String action;
    public String objectType;
    public String objectId;
    /** Ids of the patients whose data was shown, comma-separated in ascending order. */
    public String patientIds;
    public String clientAddress;
    public String requestId;
    public String purpose;
    public String detail;
    public String previousHash;
    public String hash;
}
