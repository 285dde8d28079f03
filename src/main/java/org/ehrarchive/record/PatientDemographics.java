package org.ehrarchive.record;

import java.util.List;

import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import org.hibernate.annotations.Immutable;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** The patient as one source document describes them; {@code sourceFragment} keeps the source's own markup. */
@Entity
@Immutable
@Table(name = "patient_demographics")
public class PatientDemographics extends ArchiveEntity {

    public Long patientId;
    /** The document that describes the patient so, when the source record is a document. */
    public Long documentId;
    public Long sourceRecordId;
    @JdbcTypeCode(SqlTypes.JSON)
    public List<PersonName> names;
    @JdbcTypeCode(SqlTypes.JSON)
    public TimeValue birthTime;
    @JdbcTypeCode(SqlTypes.JSON)
    public Coded sex;
    @JdbcTypeCode(SqlTypes.JSON)
    public List<PostalAddress> addresses;
    @JdbcTypeCode(SqlTypes.JSON)
    public List<ContactPoint> telecoms;
    public Boolean deceased;
    @JdbcTypeCode(SqlTypes.JSON)
    public TimeValue deceasedTime;
    @JdbcTypeCode(SqlTypes.JSON)
    public Coded maritalStatus;
    @JdbcTypeCode(SqlTypes.JSON)
    public List<Coded> races;
    @JdbcTypeCode(SqlTypes.JSON)
    public List<Coded> ethnicities;
    @JdbcTypeCode(SqlTypes.JSON)
    public List<Coded> languages;
    public String locator;
    public String sourceFragment;
}
