-- Access audit (architecture D8, docs/security.md): append-only and hash-chained. Ids are consecutive from 1
-- (the writer assigns them under a lock), so a removed row also shows as a gap.
create table access_audit (
    id              bigint      primary key check (id > 0),
    occurred_at     timestamptz not null,
    user_name       text,
    user_role       text,
    action          text        not null,
    object_type     text,
    object_id       text,
    patient_ids     text,
    client_address  text,
    request_id      text,
    purpose         text,
    detail          text,
    previous_hash   char(64)    not null,
    hash            char(64)    not null unique
);
create index access_audit_occurred on access_audit (occurred_at);
create index access_audit_user on access_audit (user_name, occurred_at);

-- The database refuses to change or remove audit rows, whatever the application does.
create function refuse_audit_change() returns trigger language plpgsql as $$
begin
    raise exception 'the access audit is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
end
$$;
create trigger access_audit_append_only before update or delete on access_audit
    for each row execute function refuse_audit_change();
create trigger access_audit_no_truncate before truncate on access_audit
    for each statement execute function refuse_audit_change();
