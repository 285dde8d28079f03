package org.ehrarchive.record;

import java.time.Instant;

import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import org.hibernate.annotations.Immutable;

/**
 * An archived patient: the identity that documents are filed under. What a patient is called, born, living at,
 * comes from each source document separately ({@link PatientDemographics}); identifiers link the documents.
 */
@Entity
@Immutable
@Table(name = "patient")
public class Patient extends ArchiveEntity {

    public Instant createdAt;
}
