-- Security review (issue 15).
--
-- An agent key acts for one agent: a key of role agent bound to no agent could still add any
-- number to the do-not-call list. Keys like that are revoked here, and no new one can be made.
UPDATE api_keys SET revoked_at = now() WHERE role = 'agent' AND agent_id IS NULL AND revoked_at IS NULL;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_agent_bound
  CHECK (role <> 'agent' OR agent_id IS NOT NULL OR revoked_at IS NOT NULL);

-- A do-not-call entry an agent made on a call names that call: who asked, and when, is the
-- ledger row (its customer and number are the entry's).
ALTER TABLE dnc_entries ADD COLUMN call_id uuid REFERENCES call_attempts (id);
