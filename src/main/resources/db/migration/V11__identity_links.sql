-- One patient across every source (issue 10, docs/patient-identity.md, ADR 0021). An archived patient is what one
-- source's records say of one person (records carrying the same identifier under the same system spelling are filed
-- together when written). Identity links join archived patients into one person; they never move or rewrite a record,
-- so undoing a link gives both charts back exactly as they were. A link and its decisions are append-only: the
-- state of a link is its newest decision, and the whole history of who decided what, when and why stays.

create sequence identity_id_seq;

-- The spellings of one assigning authority (an OID in C-CDA and HL7 v2, a URI in FHIR, a name in a mapping profile):
-- each spelling names the authority it stands for. Editable by admins (a working table); seeded with the well-known
-- ones. A system absent from the table stands for itself.
create table identifier_system (
    system          text        primary key check (length(trim(system)) > 0),
    authority       text        not null check (length(trim(authority)) > 0),
    label           text,
    seeded          boolean     not null default false,
    changed_by      text        not null,
    changed_at      timestamptz not null
);

insert into identifier_system (system, authority, label, seeded, changed_by, changed_at)
select s.system, s.authority, s.label, true, 'seed (V11)', now()
from (values
    ('http://hl7.org/fhir/sid/us-ssn', 'http://hl7.org/fhir/sid/us-ssn', 'US Social Security number'),
    ('urn:oid:2.16.840.1.113883.4.1', 'http://hl7.org/fhir/sid/us-ssn', 'US Social Security number'),
    ('2.16.840.1.113883.4.1', 'http://hl7.org/fhir/sid/us-ssn', 'US Social Security number'),
    ('SSN', 'http://hl7.org/fhir/sid/us-ssn', 'US Social Security number'),
    ('http://hl7.org/fhir/sid/us-npi', 'http://hl7.org/fhir/sid/us-npi', 'US National Provider Identifier'),
    ('urn:oid:2.16.840.1.113883.4.6', 'http://hl7.org/fhir/sid/us-npi', 'US National Provider Identifier'),
    ('2.16.840.1.113883.4.6', 'http://hl7.org/fhir/sid/us-npi', 'US National Provider Identifier'),
    ('NPI', 'http://hl7.org/fhir/sid/us-npi', 'US National Provider Identifier'),
    ('http://hl7.org/fhir/sid/us-mbi', 'http://hl7.org/fhir/sid/us-mbi', 'US Medicare Beneficiary Identifier'),
    ('urn:oid:2.16.840.1.113883.4.927', 'http://hl7.org/fhir/sid/us-mbi', 'US Medicare Beneficiary Identifier'),
    ('2.16.840.1.113883.4.927', 'http://hl7.org/fhir/sid/us-mbi', 'US Medicare Beneficiary Identifier'),
    -- Synthea names its patients' record number so in FHIR (and the shipped synthea-csv profile), and under the OID
    -- 2.16.840.1.113883.19.5 in its C-CDA documents: the same value is the same synthetic person.
    ('https://github.com/synthetichealth/synthea', 'https://github.com/synthetichealth/synthea', 'Synthea patient id'),
    ('2.16.840.1.113883.19.5', 'https://github.com/synthetichealth/synthea', 'Synthea patient id'),
    ('urn:oid:2.16.840.1.113883.19.5', 'https://github.com/synthetichealth/synthea', 'Synthea patient id'),
    -- Massachusetts driver's licence in Synthea's FHIR and CSV
    ('urn:oid:2.16.840.1.113883.4.3.25', 'urn:oid:2.16.840.1.113883.4.3.25', 'Massachusetts driver''s licence'),
    ('2.16.840.1.113883.4.3.25', 'urn:oid:2.16.840.1.113883.4.3.25', 'Massachusetts driver''s licence'),
    ('http://hl7.org/fhir/sid/passport-USA', 'http://hl7.org/fhir/sid/passport-USA', 'US passport'),
    ('http://standardhealthrecord.org/fhir/StructureDefinition/passportNumber', 'http://hl7.org/fhir/sid/passport-USA', 'US passport')
) as s (system, authority, label);

-- A candidate pair of archived patients, found once (the lower id first), with how it was found and the evidence
-- field by field. Its state is in patient_link_decision.
create table patient_link (
    id              bigint      primary key,
    patient_low     bigint      not null references patient (id),
    patient_high    bigint      not null references patient (id),
    method          text        not null check (method in ('IDENTIFIER', 'SCORED', 'SOURCE_MERGE', 'ADMIN')),
    score           double precision,
    evidence        jsonb       not null,
    found_at        timestamptz not null,
    check (patient_low < patient_high),
    unique (patient_low, patient_high)
);
create index patient_link_high on patient_link (patient_high);

-- Every decision on a link, by whom (a user, or the matcher with its threshold), when and why; the newest counts.
create table patient_link_decision (
    id              bigint      primary key,
    link_id         bigint      not null references patient_link (id),
    state           text        not null check (state in ('PROPOSED', 'LINKED', 'REJECTED', 'UNDONE')),
    decided_by      text        not null,
    reason          text        not null check (length(trim(reason)) > 0),
    decided_at      timestamptz not null
);
create index patient_link_decision_link on patient_link_decision (link_id, id);

-- The blocking keys of each archived patient (identifier values, birth date, name codes, phone): a new source's
-- patients are compared only with those that share a key. Derived from the record, rebuilt by `identity match`.
create table patient_match_key (
    key             text        not null,
    patient_id      bigint      not null references patient (id),
    primary key (key, patient_id)
);
create index patient_match_key_patient on patient_match_key (patient_id);

-- The MRG segments of HL7 v2 merges (kept raw with this reason by the v2 importer), found again to link what the
-- source system merged.
create index raw_fragment_merge on raw_fragment (source_record_id) where reason like 'a patient merge%';

create function refuse_identity_change() returns trigger language plpgsql as $$
begin
    raise exception '% is append-only: % refused', tg_table_name, tg_op using errcode = 'insufficient_privilege';
end
$$;
do $$
declare
    evidence text;
begin
    foreach evidence in array array['patient_link', 'patient_link_decision'] loop
        execute format('create trigger %I before update or delete on %I for each row execute function refuse_identity_change()',
                evidence || '_append_only', evidence);
        execute format('create trigger %I before truncate on %I for each statement execute function refuse_identity_change()',
                evidence || '_no_truncate', evidence);
    end loop;
end
$$;
