-- Ingest core v2 (ADR 0009): source records as the provenance and idempotency anchor, versions that supersede,
-- chunked commits with a checkpoint per file. Normalized record version 2 (archive-schemas/normalized-record.schema.json).

-- Rows the ingest writer creates take their ids from blocks of this sequence (a block per nextval), so that it can
-- write them with COPY and name them before they exist. It starts above every id used so far, by any sequence.
create sequence ingest_id_seq increment by 1000 minvalue 1;
select setval('ingest_id_seq', greatest(
        (select last_value from archive_id_seq), (select last_value from clinical_entry_id_seq), 0) + 1000000, false);

-- A file being read, between chunks: READING until every record of it is stored.
alter table source_file drop constraint source_file_status_check;
alter table source_file add constraint source_file_status_check check (status in ('READING', 'ARCHIVED', 'QUARANTINED'));
alter table source_file alter column outcome drop not null;

alter table batch_file drop constraint batch_file_status_check;
alter table batch_file add constraint batch_file_status_check check (status in ('READING', 'ARCHIVED', 'DUPLICATE', 'QUARANTINED'));
-- The last event of the file stored (records and sections are numbered from 1 in source order); null when done.
alter table batch_file add column checkpoint int;
-- The file's counts, summed over its record types, for batch totals without reading every report line.
alter table batch_file add column found int not null default 0;
alter table batch_file add column archived int not null default 0;
alter table batch_file add column quarantined int not null default 0;
alter table batch_file add column kept_raw int not null default 0;
alter table batch_file add column duplicates int not null default 0;

-- One row per source record stored: an original (blob hash), a locator inside it, a record type, the record key
-- that identifies the real-world fact (scoped by patient: key_hash), the content hash, and the version. The same
-- key and content again is a duplicate and stores nothing. A new version never updates: it supersedes the version
-- that was current, or arrives as history when it is older than that one (historical).
create table source_record (
    id              bigint      primary key,
    source_file_id  bigint      not null references source_file (id),
    source_sha256   char(64)    not null,
    batch_id        bigint      not null references ingest_batch (id),
    record_type     text        not null,
    record_key      text        not null,
    key_hash        char(64)    not null,
    content_hash    char(64)    not null,
    version         int         not null check (version > 0),
    supersedes_id   bigint      references source_record (id),
    historical      boolean     not null,
    order_key       text,
    locator         text        not null,
    ordinal         int         not null,
    parent_id       bigint      references source_record (id),
    patient_id      bigint      references patient (id),
    status          text        not null check (status in ('ARCHIVED', 'KEPT_RAW', 'QUARANTINED')),
    reason          text,
    archived_at     timestamptz not null,
    unique (key_hash, version),
    check (not (historical and supersedes_id is not null))
);
create index source_record_key on source_record (key_hash);
-- A version is superseded at most once: two writers racing to supersede it cannot both succeed.
create unique index source_record_supersedes on source_record (supersedes_id);
create index source_record_file on source_record (source_file_id, ordinal);
create index source_record_patient on source_record (patient_id);

-- Existing rows (normalized record version 1) become source records of their document: one per document (with the
-- document's id), keyed by the document's original, so that every clinical row points at a source record. The
-- read-only triggers are set aside for this one backfill, in this migration's transaction.
alter table clinical_document disable trigger clinical_document_read_only;
alter table clinical_entry disable trigger clinical_entry_read_only;
alter table raw_fragment disable trigger raw_fragment_read_only;
alter table patient_identifier disable trigger patient_identifier_read_only;
alter table patient_demographics disable trigger patient_demographics_read_only;
alter table document_attachment disable trigger document_attachment_read_only;
insert into source_record (id, source_file_id, source_sha256, batch_id, record_type, record_key, key_hash, content_hash,
        version, supersedes_id, historical, order_key, locator, ordinal, parent_id, patient_id, status, reason, archived_at)
select d.id, d.source_file_id, d.source_sha256, f.batch_id, 'document', 'file:' || d.source_sha256,
        encode(sha256(convert_to(d.patient_id || chr(1) || 'document' || chr(1) || 'file:' || d.source_sha256, 'UTF8')), 'hex'),
        d.source_sha256, 1, null, false, null, d.locator, 1, null, d.patient_id, 'ARCHIVED', null, f.archived_at
from clinical_document d join source_file f on f.id = d.source_file_id;

alter table clinical_document add column source_record_id bigint references source_record (id);
update clinical_document set source_record_id = id;
alter table clinical_document alter column source_record_id set not null;
create unique index clinical_document_record on clinical_document (source_record_id);

-- Clinical rows point at their source record; a document is one kind of source record, not a precondition.
alter table clinical_entry add column source_record_id bigint references source_record (id);
update clinical_entry set source_record_id = document_id;
alter table clinical_entry alter column source_record_id set not null;
alter table clinical_entry alter column document_id drop not null;
create index clinical_entry_record on clinical_entry (source_record_id);

alter table raw_fragment add column source_record_id bigint references source_record (id);
update raw_fragment set source_record_id = document_id;
alter table raw_fragment alter column source_record_id set not null;
alter table raw_fragment alter column document_id drop not null;
alter table raw_fragment alter column patient_id drop not null;
create index raw_fragment_record on raw_fragment (source_record_id);

alter table patient_identifier add column source_record_id bigint references source_record (id);
update patient_identifier set source_record_id = document_id;
alter table patient_identifier alter column source_record_id set not null;
alter table patient_identifier alter column document_id drop not null;

alter table patient_demographics add column source_record_id bigint references source_record (id);
update patient_demographics set source_record_id = document_id;
alter table patient_demographics alter column source_record_id set not null;
alter table patient_demographics alter column document_id drop not null;

alter table document_attachment add column source_record_id bigint references source_record (id);
update document_attachment set source_record_id = document_id;
alter table document_attachment alter column source_record_id set not null;

alter table clinical_document enable trigger clinical_document_read_only;
alter table clinical_entry enable trigger clinical_entry_read_only;
alter table raw_fragment enable trigger raw_fragment_read_only;
alter table patient_identifier enable trigger patient_identifier_read_only;
alter table patient_demographics enable trigger patient_demographics_read_only;
alter table document_attachment enable trigger document_attachment_read_only;

-- A section's entries may now be found already archived (the same fact stated by an earlier document).
alter table document_section add column entries_duplicates int not null default 0;
alter table document_section drop constraint document_section_check;
alter table document_section add constraint document_section_entries_accounted
    check (entries_found = entries_archived + entries_quarantined + entries_duplicates);

-- Source records are clinical data: read-only like the rest (V2).
create trigger source_record_read_only before update on source_record
    for each statement execute function refuse_clinical_update();
