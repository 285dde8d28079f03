-- Normalized record, version 1 (see archive-schemas/normalized-record.schema.json).
-- Every clinical row carries its provenance: the SHA-256 of the original in the blob store plus a locator
-- (an XPath for XML sources). Clinical rows are never updated: a correction is a new ingest batch.

create sequence archive_id_seq increment by 50;

create table ingest_batch (
    id              bigint primary key,
    source_path     text        not null,
    status          text        not null check (status in ('RUNNING', 'COMPLETED')),
    started_at      timestamptz not null,
    finished_at     timestamptz,
    attempts        int         not null default 1,
    -- host:pid of the process running it, and when it last made progress: a RUNNING batch whose owner is
    -- gone is resumed by the next ingest of the same path.
    owner           text        not null,
    heartbeat_at    timestamptz not null,
    report          jsonb
);
create index ingest_batch_running on ingest_batch (source_path) where status = 'RUNNING';

-- One row per distinct original (by content). Quarantined files are kept too.
create table source_file (
    id              bigint primary key,
    sha256          char(64)    not null unique,
    size_bytes      bigint      not null,
    original_name   text        not null,
    format          text,
    status          text        not null check (status in ('ARCHIVED', 'QUARANTINED')),
    reason          text,
    batch_id        bigint      not null references ingest_batch (id),
    archived_at     timestamptz not null,
    outcome         jsonb       not null
);

-- What each batch did with each path it was given (the reconciliation, file by file).
create table batch_file (
    id              bigint primary key,
    batch_id        bigint      not null references ingest_batch (id),
    path            text        not null,
    sha256          char(64),   -- null only when the file could not be read at all
    source_file_id  bigint      references source_file (id),
    status          text        not null check (status in ('ARCHIVED', 'DUPLICATE', 'QUARANTINED')),
    reason          text,
    processed_at    timestamptz not null,
    -- the file's reconciliation as this batch found it (a later re-read of quarantined content does not change it)
    outcome         jsonb,
    unique (batch_id, path, sha256)
);

create table patient (
    id              bigint primary key,
    created_at      timestamptz not null
);

create table clinical_document (
    id              bigint primary key,
    patient_id      bigint      not null references patient (id),
    source_file_id  bigint      not null references source_file (id),
    source_sha256   char(64)    not null,
    format          text        not null,
    locator         text        not null,
    document_identifier jsonb,
    set_identifier  jsonb,
    version_number  text,
    type            jsonb,
    title           text,
    effective_time  jsonb,
    effective_sort  text,
    confidentiality jsonb,
    language        text,
    template_ids    jsonb,
    authors         jsonb,
    custodian       jsonb,
    header_fragment text,
    warnings        jsonb
);
create index clinical_document_patient on clinical_document (patient_id);

create table patient_identifier (
    id              bigint primary key,
    patient_id      bigint      not null references patient (id),
    document_id     bigint      not null references clinical_document (id),
    system          text,
    value           text        not null,
    assigning_authority text,
    locator         text        not null
);
create index patient_identifier_lookup on patient_identifier (system, value);
create index patient_identifier_patient on patient_identifier (patient_id);

-- The patient as one source document describes them.
create table patient_demographics (
    id              bigint primary key,
    patient_id      bigint      not null references patient (id),
    document_id     bigint      not null references clinical_document (id),
    names           jsonb,
    birth_time      jsonb,
    sex             jsonb,
    addresses       jsonb,
    telecoms        jsonb,
    deceased        boolean,
    deceased_time   jsonb,
    marital_status  jsonb,
    races           jsonb,
    ethnicities     jsonb,
    languages       jsonb,
    locator         text        not null,
    source_fragment text
);
create index patient_demographics_patient on patient_demographics (patient_id);

create table document_section (
    id              bigint primary key,
    document_id     bigint      not null references clinical_document (id),
    ordinal         int         not null,
    parent_ordinal  int,
    code            jsonb,
    template_ids    jsonb,
    title           text,
    kind            text,
    narrative       text,
    locator         text        not null,
    entries_found   int         not null,
    entries_archived int        not null,
    entries_quarantined int     not null,
    entries_kept_raw int        not null,
    check (entries_found = entries_archived + entries_quarantined),
    unique (document_id, ordinal)
);

-- The largest table is written with plain JDBC batches (ArchiveWriter), so it numbers its own rows.
create sequence clinical_entry_id_seq cache 100;

create table clinical_entry (
    id              bigint primary key default nextval('clinical_entry_id_seq'),
    patient_id      bigint      not null references patient (id),
    document_id     bigint      not null references clinical_document (id),
    section_ordinal int,
    kind            text        not null,
    code            jsonb,
    display         text,
    status          text,
    negated         boolean     not null,
    mood            text,
    effective       jsonb,
    effective_sort  text,
    observed_values jsonb,
    interpretations jsonb,
    reference_ranges jsonb,
    details         jsonb,
    text            text,
    source_sha256   char(64)    not null,
    locator         text        not null,
    source_fragment text
);
create index clinical_entry_patient_kind on clinical_entry (patient_id, kind);
create index clinical_entry_document on clinical_entry (document_id);

-- Source content the model has no place for (KEPT) or whose mapping failed (QUARANTINED).
create table raw_fragment (
    id              bigint primary key,
    patient_id      bigint      not null references patient (id),
    document_id     bigint      not null references clinical_document (id),
    section_ordinal int,
    status          text        not null check (status in ('KEPT', 'QUARANTINED')),
    reason          text        not null,
    source_sha256   char(64)    not null,
    locator         text        not null,
    content         text        not null
);
create index raw_fragment_document on raw_fragment (document_id);

-- Files carried in or referenced by a document (C-CDA nonXMLBody).
create table document_attachment (
    id              bigint primary key,
    document_id     bigint      not null references clinical_document (id),
    sha256          char(64),
    media_type      text,
    size_bytes      bigint,
    reference       text,
    locator         text        not null
);
