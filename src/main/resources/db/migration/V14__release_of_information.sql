-- Release of information and the accounting of disclosures (issue 16, docs/compliance.md, ADR 0024). A request is taken
-- in once; what happens to it (the one extension, the release, its closing without release) are events of their own,
-- and a release writes the disclosure the accounting (45 CFR 164.528) lists. All of it is append-only, like the access
-- audit: what was asked, what was sent, to whom and when stays as it was.

create sequence release_id_seq;

-- A request for a patient's records: who asks and on what legal basis, for what, in which form, received when, with the
-- authorization or request document as its original bytes (in the blob store).
create table release_request (
    id                  bigint      primary key,
    patient_id          bigint      not null references patient (id),
    requester_kind      text        not null check (requester_kind in ('PATIENT', 'REPRESENTATIVE', 'DESIGNATED_THIRD_PARTY',
                                        'ATTORNEY', 'INSURER', 'PROVIDER', 'COURT', 'LAW_ENFORCEMENT', 'PUBLIC_HEALTH', 'OTHER')),
    requester_name      text        not null check (length(trim(requester_name)) > 0),
    requester_address   text,
    legal_basis         text        not null check (legal_basis in ('RIGHT_OF_ACCESS', 'AUTHORIZATION', 'TREATMENT_PAYMENT_OPERATIONS',
                                        'REQUIRED_BY_LAW', 'LAW_ENFORCEMENT', 'PUBLIC_HEALTH', 'HEALTH_OVERSIGHT', 'OTHER')),
    purpose             text        not null check (length(trim(purpose)) > 0),
    from_date           date,
    to_date             date,
    record_types        text[]      not null,
    delivery            text        not null check (delivery in ('PAPER', 'ELECTRONIC', 'MACHINE_READABLE')),
    authorization_sha256 char(64),
    authorization_name  text,
    authorization_type  text,
    authorization_covers text[]     not null default '{}',
    received_on         date        not null,
    created_by          text        not null,
    created_at          timestamptz not null,
    check (from_date is null or to_date is null or from_date <= to_date)
);
create index release_request_patient on release_request (patient_id);

-- What happened to a request: EXTENDED (once, with the reason the notice letter gives), RELEASED (the packet and its
-- copy by hash, the fee worksheet), CLOSED (withdrawn or denied, with the reason).
create table release_event (
    id                  bigint      primary key,
    request_id          bigint      not null references release_request (id),
    kind                text        not null check (kind in ('EXTENDED', 'RELEASED', 'CLOSED')),
    reason              text,
    packet_sha256       char(64),
    packet_pages        int,
    copy_sha256         char(64),
    letter_sha256       char(64),
    fees                jsonb,
    withheld            jsonb,
    recorded_by         text        not null,
    recorded_at         timestamptz not null,
    check (kind <> 'RELEASED' or packet_sha256 is not null),
    check (kind = 'RELEASED' or length(trim(reason)) > 0)
);
-- one extension, and one ending (a release or a closing) per request
create unique index release_event_extension on release_event (request_id) where kind = 'EXTENDED';
create unique index release_event_end on release_event (request_id) where kind in ('RELEASED', 'CLOSED');

-- A disclosure of a patient's information outside the archive's own use: written by each release, or recorded by hand
-- for one made elsewhere. accountable is false for the kinds 164.528(a)(1) excludes (to the individual, under an
-- authorization, for treatment, payment and operations), which stay here but are not listed in an accounting.
create table disclosure (
    id                  bigint      primary key,
    patient_id          bigint      not null references patient (id),
    patient_ids         bigint[]    not null,
    disclosed_on        date        not null,
    recipient_name      text        not null check (length(trim(recipient_name)) > 0),
    recipient_address   text,
    description         text        not null check (length(trim(description)) > 0),
    purpose             text        not null check (length(trim(purpose)) > 0),
    legal_basis         text        not null,
    accountable         boolean     not null,
    excluded_because    text,
    release_request_id  bigint      references release_request (id),
    recorded_by         text        not null,
    recorded_at         timestamptz not null
);
create index disclosure_patients on disclosure using gin (patient_ids);

-- 164.528(a)(2): a health oversight agency or a law enforcement official may have an entry left out of the accounting
-- for a time; the agency, its statement and the end date are kept.
create table disclosure_suspension (
    id                  bigint      primary key,
    disclosure_id       bigint      not null references disclosure (id),
    agency              text        not null check (length(trim(agency)) > 0),
    statement           text        not null check (length(trim(statement)) > 0),
    suspended_until     date        not null,
    recorded_by         text        not null,
    recorded_at         timestamptz not null
);
create index disclosure_suspension_disclosure on disclosure_suspension (disclosure_id);

do $$
declare
    kept text;
begin
    foreach kept in array array['release_request', 'release_event', 'disclosure', 'disclosure_suspension'] loop
        execute format('create trigger %I before update or delete on %I for each row execute function refuse_append_only_change()',
                kept || '_append_only', kept);
        execute format('create trigger %I before truncate on %I for each statement execute function refuse_append_only_change()',
                kept || '_no_truncate', kept);
    end loop;
end
$$;

-- The documents their source marked restricted or very restricted, by patient: what the restriction gate, the release
-- exclusions and the flagged-access report look up (ADR 0023); a partial index, as such documents are few.
create index clinical_document_restricted on clinical_document (patient_id) where confidentiality ->> 'code' in ('R', 'V');
