-- Architecture principle 4: the archive is read-only. A correction is a new ingest batch, never an UPDATE.
-- The database refuses UPDATE on every clinical table, whatever the application does. DELETE stays possible
-- for the retention and destruction workflow (a later feature), which will be audited.
create function refuse_clinical_update() returns trigger language plpgsql as $$
begin
    raise exception 'archived clinical data is read-only: UPDATE on % refused (ingest a correction instead)', tg_table_name
        using errcode = 'insufficient_privilege';
end
$$;

do $$
declare
    clinical_table text;
begin
    foreach clinical_table in array array['patient', 'clinical_document', 'patient_identifier', 'patient_demographics',
            'document_section', 'clinical_entry', 'raw_fragment', 'document_attachment']
    loop
        execute format('create trigger %I before update on %I for each statement execute function refuse_clinical_update()',
                clinical_table || '_read_only', clinical_table);
    end loop;
end
$$;
