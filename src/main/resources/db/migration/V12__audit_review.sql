-- Audit review (docs/compliance.md): "who accessed this patient" reads the whole log for any of a person's archived
-- patients. patient_ids is the comma-separated list the hash chain covers, so it stays as it is; this index is on the
-- array the review queries compare (the same expression as AuditReview's).
create index access_audit_patients on access_audit using gin ((string_to_array(patient_ids, ',')::bigint[]));
