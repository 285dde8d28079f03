-- Restricted records and break-the-glass (issue 16, docs/compliance.md, ADR 0023). The privacy office flags a patient
-- or one document restricted (a VIP, an employee, substance-use treatment under 42 CFR Part 2...); a document the
-- source marked confidential (HL7 confidentiality R or V) is restricted as it stands. A reader whose role does not
-- open restricted records goes on only by stating why: the grant is for a limited time, and it waits in the privacy
-- officer's queue until it is signed off or escalated. Every table here is append-only, like the access audit: a flag
-- is lifted by a row of its own, a grant is reviewed by rows of its own, and nothing anyone did can be taken back.

create sequence restriction_id_seq;

-- A flag on an archived patient or on one document (exactly one of the two).
create table access_restriction (
    id              bigint      primary key,
    patient_id      bigint      references patient (id),
    document_id     bigint      references clinical_document (id),
    category        text        not null check (category in ('RESTRICTED', 'VIP', 'EMPLOYEE', 'PART2', 'PSYCHOTHERAPY')),
    reason          text        not null check (length(trim(reason)) > 0),
    flagged_by      text        not null,
    flagged_at      timestamptz not null,
    check ((patient_id is null) <> (document_id is null))
);
create index access_restriction_patient on access_restriction (patient_id) where patient_id is not null;
create index access_restriction_document on access_restriction (document_id) where document_id is not null;

-- A flag taken off, by whom and why; a flag is lifted once.
create table access_restriction_lift (
    restriction_id  bigint      primary key references access_restriction (id),
    reason          text        not null check (length(trim(reason)) > 0),
    lifted_by       text        not null,
    lifted_at       timestamptz not null
);

-- A reader broke the glass: the person (every archived patient linked into it at the time) they may read until
-- expires_at, why, and what they were told was restricted.
create table break_glass (
    id              bigint      primary key,
    username        text        not null,
    user_role       text,
    patient_id      bigint      not null references patient (id),
    patient_ids     bigint[]    not null,
    reason          text        not null check (length(trim(reason)) > 0),
    restrictions    text        not null,
    granted_at      timestamptz not null,
    expires_at      timestamptz not null check (expires_at > granted_at)
);
create index break_glass_user on break_glass (username, expires_at);

-- The privacy officer's review of a grant: signed off (the access was justified) or escalated (to investigate). A grant
-- without a review is pending; an escalated one may be signed off later, after the investigation.
create table break_glass_review (
    id              bigint      primary key,
    break_glass_id  bigint      not null references break_glass (id),
    decision        text        not null check (decision in ('SIGNED_OFF', 'ESCALATED')),
    note            text,
    reviewed_by     text        not null,
    reviewed_at     timestamptz not null,
    -- an escalation says what is to be looked into
    check (decision = 'SIGNED_OFF' or length(trim(note)) > 0)
);
create index break_glass_review_grant on break_glass_review (break_glass_id, id);

-- One function for every append-only table from here on (V14 uses it too).
create function refuse_append_only_change() returns trigger language plpgsql as $$
begin
    raise exception '% is append-only: % refused', tg_table_name, tg_op using errcode = 'insufficient_privilege';
end
$$;
do $$
declare
    kept text;
begin
    foreach kept in array array['access_restriction', 'access_restriction_lift', 'break_glass', 'break_glass_review'] loop
        execute format('create trigger %I before update or delete on %I for each row execute function refuse_append_only_change()',
                kept || '_append_only', kept);
        execute format('create trigger %I before truncate on %I for each statement execute function refuse_append_only_change()',
                kept || '_no_truncate', kept);
    end loop;
end
$$;
