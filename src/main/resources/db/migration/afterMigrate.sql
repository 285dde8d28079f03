-- Least privilege (issue 18, ADR 0016). Flyway runs this callback after every migrate, also when there was nothing
-- to migrate, as the schema's owner; it is not a migration and leaves no row in flyway_schema_history.
-- The application role (quarkus.datasource.username) gets exactly what the archive does at run time:
--  * SELECT and INSERT on the append-only tables: those whose rows a trigger refuses to change (refuse_*: the
--    clinical record, the source records, the access audit), so that no DELETE, UPDATE or TRUNCATE reaches them;
--  * SELECT, INSERT, UPDATE and DELETE on the working tables (batches, users, sessions, the index outbox...);
--  * SELECT on Flyway's history; nothing else: no DDL, no TRUNCATE, no trigger owned, so none to disable.
-- Derived from the schema each time, so a table a later migration adds is never left out. With one account for
-- both (an external PostgreSQL set up that way), there is nothing to grant.
do $$
declare
    application text := '${applicationRole}';
    item record;
begin
    if application = '' or application = current_user or not exists (select from pg_roles where rolname = application) then
        return;
    end if;
    execute format('grant usage on schema public to %I', application);
    for item in
        select c.relname,
               exists (select 1 from pg_trigger t join pg_proc p on p.oid = t.tgfoid
                       where t.tgrelid = c.oid and p.proname like 'refuse\_%') as append_only
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p')
    loop
        execute format('revoke all on table %I from %I', item.relname, application);
        if item.relname = 'flyway_schema_history' then
            execute format('grant select on table %I to %I', item.relname, application);
        elsif item.append_only then
            execute format('grant select, insert on table %I to %I', item.relname, application);
        else
            execute format('grant select, insert, update, delete on table %I to %I', item.relname, application);
        end if;
    end loop;
    execute format('grant usage, select on all sequences in schema public to %I', application);
end
$$;
