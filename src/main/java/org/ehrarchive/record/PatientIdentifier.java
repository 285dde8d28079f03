package org.ehrarchive.record;

import java.util.Collection;
import java.util.List;

import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import org.hibernate.annotations.Immutable;

/** An identifier a source document gave its patient, with its assigning authority and where it was found. */
@Entity
@Immutable
@Table(name = "patient_identifier")
public class PatientIdentifier extends ArchiveEntity {

    public Long patientId;
    /** The document that gave the identifier, when its source record is a document. */
    public Long documentId;
    public Long sourceRecordId;
    public String system;
    public String value;
    public String assigningAuthority;
    public String locator;

    /** Ids of the patients that already carry any of these identifiers, lowest first. */
    public static List<Long> patientsCarrying(Collection<Identifier> identifiers) {
        List<Long> found = new java.util.ArrayList<>();
        for (Identifier identifier : identifiers) {
            // An identifier without an assigning authority only matches another one without.
            List<Long> ids = identifier.system() == null
                    ? getEntityManager().createQuery(
                            "select distinct p.patientId from PatientIdentifier p where p.system is null and p.value = :value", Long.class)
                            .setParameter("value", identifier.value()).getResultList()
                    : getEntityManager().createQuery(
                            "select distinct p.patientId from PatientIdentifier p where p.system = :system and p.value = :value", Long.class)
                            .setParameter("system", identifier.system())
                            .setParameter("value", identifier.value())
                            .getResultList();
            for (Long id : ids) {
                if (!found.contains(id)) {
                    found.add(id);
                }
            }
        }
        found.sort(Long::compare);
        return found;
    }
}
