-- The control API pages calls newest first across all campaigns (GET /v1/calls, /v1/calls.csv)
-- by the keyset (reserved_at, id); without this index an unfiltered page sorts the whole ledger.
CREATE INDEX call_attempts_reserved_id_idx ON call_attempts (reserved_at, id);

-- DNC listing pages by id; lookups by phone and customer already have indexes in 0001.
-- Audit listing pages by id (the primary key) and filters by target.
CREATE INDEX audit_log_target_idx ON audit_log (target_type, target_id) WHERE target_type IS NOT NULL;
