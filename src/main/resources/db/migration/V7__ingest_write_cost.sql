-- Clinical JSON columns hold values exactly as the source gave them and are always read whole, never searched by
-- path: json (validated text) serves that, and it costs the database about a third less to take in than jsonb,
-- which parses every value into its binary form (docs/benchmarks.md, ADR 0010). A query that needs jsonb casts.
-- Ingest bookkeeping (batch_file.outcome, source_file.outcome, ingest_batch.report) stays jsonb: it is summed by path.
alter table clinical_entry
    alter column code type json using code::json,
    alter column effective type json using effective::json,
    alter column observed_values type json using observed_values::json,
    alter column interpretations type json using interpretations::json,
    alter column reference_ranges type json using reference_ranges::json,
    alter column details type json using details::json;
alter table clinical_document
    alter column document_identifier type json using document_identifier::json,
    alter column set_identifier type json using set_identifier::json,
    alter column type type json using type::json,
    alter column effective_time type json using effective_time::json,
    alter column confidentiality type json using confidentiality::json,
    alter column template_ids type json using template_ids::json,
    alter column authors type json using authors::json,
    alter column custodian type json using custodian::json,
    alter column warnings type json using warnings::json;
alter table patient_demographics
    alter column names type json using names::json,
    alter column birth_time type json using birth_time::json,
    alter column sex type json using sex::json,
    alter column addresses type json using addresses::json,
    alter column telecoms type json using telecoms::json,
    alter column deceased_time type json using deceased_time::json,
    alter column marital_status type json using marital_status::json,
    alter column races type json using races::json,
    alter column ethnicities type json using ethnicities::json,
    alter column languages type json using languages::json;
alter table document_section
    alter column code type json using code::json,
    alter column template_ids type json using template_ids::json;

-- Indexes the ingest writer pays for on every row, kept to those a query uses: source_record's key lookups use the
-- unique (key_hash, version) index, and nothing looks records up by file and ordinal. Patient matching looks
-- identifiers up by value (the system is compared after), which the (system, value) index cannot serve.
drop index source_record_key;
drop index source_record_file;
create index patient_identifier_value on patient_identifier (value);

-- Foreign keys the writer pays for on every row (a key-share lock on the parent per row: about half of
-- clinical_entry's COPY time), dropped where the column only restates a relation another key already enforces: an
-- entry's patient and document are its source record's (source_record.patient_id, and the document record that is
-- its parent), and a record's batch is bookkeeping of a batch that is never deleted. CcdaCorpusConformanceTest
-- checks that they agree. Provenance keys stay: entry -> source record -> source file, versions, parents.
alter table clinical_entry drop constraint clinical_entry_patient_id_fkey;
alter table clinical_entry drop constraint clinical_entry_document_id_fkey;
alter table source_record drop constraint source_record_batch_id_fkey;
