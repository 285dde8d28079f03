-- Fixity (issue 13, issue 18; docs/decommissioning.md#fixity): each run of verify-fixity is one PREMIS-style
-- "fixity check" event, with its totals, and one row per original it did not find as recorded. An original without
-- a problem row in a run passed that run. Both tables are append-only, like the record they vouch for: the
-- archive's role may add a check, never change or remove one (afterMigrate.sql grants by the refuse_* trigger).
create table fixity_check (
    id              bigint      primary key,
    event_type      text        not null default 'fixity check',
    started_at      timestamptz not null,
    ended_at        timestamptz not null,
    agent           text        not null,     -- who ran it: the OS user (cli) or "scheduler"
    outcome         text        not null check (outcome in ('pass', 'fail')),
    originals       bigint      not null,     -- recorded originals and attachments checked
    matched         bigint      not null,
    changed         bigint      not null,
    missing         bigint      not null,
    unexpected      bigint      not null,
    bytes_read      bigint      not null
);
create sequence fixity_check_id;

create table fixity_problem (
    check_id        bigint      not null,     -- the fixity_check written when the run ends
    kind            text        not null check (kind in ('changed', 'missing', 'unexpected')),
    sha256          char(64),                 -- the recorded hash (changed, missing), or the name found (unexpected)
    found_sha256    char(64),                 -- what the file hashes to now (changed)
    path            text        not null,     -- the file, relative to the blob store
    detail          text
);
create index fixity_problem_check on fixity_problem (check_id);

create function refuse_fixity_change() returns trigger language plpgsql as $$
begin
    raise exception 'fixity checks are append-only: % refused', tg_op using errcode = 'insufficient_privilege';
end
$$;
create trigger fixity_check_append_only before update or delete on fixity_check
    for each row execute function refuse_fixity_change();
create trigger fixity_check_no_truncate before truncate on fixity_check
    for each statement execute function refuse_fixity_change();
create trigger fixity_problem_append_only before update or delete on fixity_problem
    for each row execute function refuse_fixity_change();
create trigger fixity_problem_no_truncate before truncate on fixity_problem
    for each statement execute function refuse_fixity_change();
