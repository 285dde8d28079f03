-- Decommissioning a legacy system (issue 13; docs/decommissioning.md): the source system every batch belongs to,
-- the counts the old system states of itself, record-level sampling with its reviewers' decisions, and the
-- certificates issued. Everything here except the source systems themselves is append-only: a restated count, a
-- changed decision or a new certificate is a new row, so that what an auditor was shown can always be shown again
-- (afterMigrate.sql grants the archive's role SELECT and INSERT only, by the refuse_* triggers).

-- The rows of these tables are written with plain JDBC and numbered from one sequence of their own.
create sequence decommission_id_seq;

create table source_system (
    id              bigint      primary key,
    name            text        not null unique check (length(trim(name)) > 0),
    created_at      timestamptz not null
);

-- Batches ingested before source systems existed belong to one, named for what it is.
alter table ingest_batch add column source_system_id bigint references source_system (id);
insert into source_system (id, name, created_at)
select nextval('decommission_id_seq'), 'Unnamed source system', now() where exists (select 1 from ingest_batch);
update ingest_batch set source_system_id = (select id from source_system where name = 'Unnamed source system');
alter table ingest_batch alter column source_system_id set not null;
create index ingest_batch_source_system on ingest_batch (source_system_id);

-- What the old system's own reports say it holds, per record type (or "patients"); the newest row per type counts.
create table source_count (
    id              bigint      primary key,
    source_system_id bigint     not null references source_system (id),
    record_type     text        not null,
    stated          bigint      not null check (stated >= 0),
    explanation     text,                     -- why the archive's count differs, when it does and that is expected
    stated_by       text        not null,
    stated_at       timestamptz not null
);
create index source_count_system on source_count (source_system_id, record_type, id);

-- A sampling plan draws per_type records of every record type of a source system, by a seeded order that gives the
-- same records for the same seed and the same archive; reviewers may add records of their own choosing.
create table sample_plan (
    id              bigint      primary key,
    source_system_id bigint     not null references source_system (id),
    seed            bigint      not null,
    per_type        int         not null check (per_type > 0),
    confidence      numeric,                  -- what a suggested size was for, when the admin took it
    tolerable_error numeric,
    created_by      text        not null,
    created_at      timestamptz not null
);

create table sample_item (
    id              bigint      primary key,
    plan_id         bigint      not null references sample_plan (id),
    source_record_id bigint     not null references source_record (id),
    record_type     text        not null,
    chosen          text        not null check (chosen in ('random', 'reviewer')),
    chosen_by       text        not null,
    added_at        timestamptz not null,
    unique (plan_id, source_record_id)
);
create index sample_item_plan on sample_item (plan_id, record_type, id);

-- A reviewer's decision on a sampled record; a later decision on the same record replaces it for the results.
create table sample_review (
    id              bigint      primary key,
    item_id         bigint      not null references sample_item (id),
    reviewer        text        not null,
    decision        text        not null check (decision in ('correct', 'wrong')),
    note            text,
    decided_at      timestamptz not null,
    check (decision = 'correct' or length(trim(coalesce(note, ''))) > 0)
);
create index sample_review_item on sample_review (item_id, id);

-- A certificate issued: its two files are in the blob store under these hashes (fixity checks them too).
create table decommission_certificate (
    id              bigint      primary key,
    source_system_id bigint     not null references source_system (id),
    generated_by    text        not null,
    generated_at    timestamptz not null,
    json_sha256     char(64)    not null,
    pdf_sha256      char(64)    not null,
    json_bytes      bigint      not null,
    pdf_bytes       bigint      not null
);

create function refuse_decommission_change() returns trigger language plpgsql as $$
begin
    raise exception '% is append-only: % refused', tg_table_name, tg_op using errcode = 'insufficient_privilege';
end
$$;
do $$
declare
    evidence text;
begin
    foreach evidence in array array['source_count', 'sample_plan', 'sample_item', 'sample_review', 'decommission_certificate'] loop
        execute format('create trigger %I before update or delete on %I for each row execute function refuse_decommission_change()',
                evidence || '_append_only', evidence);
        execute format('create trigger %I before truncate on %I for each statement execute function refuse_decommission_change()',
                evidence || '_no_truncate', evidence);
    end loop;
end
$$;
