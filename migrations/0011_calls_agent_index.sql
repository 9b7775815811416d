-- An agent key reads only the calls its agent took (GET /v1/calls, /v1/calls/:id scoped by
-- agent_id). Without this index an agent's page walks the whole ledger's (reserved_at, id) index
-- looking for its rows: for an agent with few or no calls that is every row. Partial: only calls
-- bridged to an agent carry agent_id.
CREATE INDEX call_attempts_agent_reserved_idx ON call_attempts (agent_id, reserved_at, id) WHERE agent_id IS NOT NULL;
