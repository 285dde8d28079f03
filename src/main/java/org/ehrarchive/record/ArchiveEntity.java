package org.ehrarchive.record;

import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.MappedSuperclass;
import jakarta.persistence.SequenceGenerator;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** Base of the archive's entities: one id sequence for all tables, allocated in blocks of 50 for batch inserts. */
@MappedSuperclass
public abstract class ArchiveEntity extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "archive_id")
    @SequenceGenerator(name = "archive_id", sequenceName = "archive_id_seq", allocationSize = 50)
    public Long id;
}
