-- Documents waiting to be (re)indexed (ADR 0007). The ingest transaction that stores a document queues it here,
-- so the search index can never miss a document: whichever process owns the index drains the queue.
create table index_outbox (
    document_id     bigint      primary key references clinical_document (id),
    queued_at       timestamptz not null
);
