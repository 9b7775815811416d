-- Quality review: supervisors listen to recorded agent calls and score them against the
-- campaign's checklist (polite greeting, identity checked, no threats or pressure, plan offered,
-- opt-out honoured by default). Both tables are written by quality/ only.

-- A campaign's own checklist; a campaign without a row uses the built-in one.
CREATE TABLE quality_checklists (
  campaign_id   bigint PRIMARY KEY REFERENCES campaigns (id) ON DELETE CASCADE,
  -- [{"id": "greeting", "label": "Polite greeting", "critical": false}, ...]
  items         jsonb NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- One supervisor's score of one recorded call. The checklist it was scored against is kept with
-- it, so editing a checklist later never rewrites an agent's history.
CREATE TABLE quality_reviews (
  id            bigserial PRIMARY KEY,
  attempt_id    uuid NOT NULL REFERENCES call_attempts (id),
  agent_id      bigint NOT NULL REFERENCES agents (id),
  campaign_id   bigint REFERENCES campaigns (id) ON DELETE SET NULL,
  reviewer_key_id bigint REFERENCES api_keys (id),
  items         jsonb NOT NULL,
  -- {"greeting": true, "opt_out": null (not applicable), ...}
  answers       jsonb NOT NULL,
  score         numeric(5, 2) NOT NULL CHECK (score BETWEEN 0 AND 100),
  comment       text CHECK (comment IS NULL OR length(comment) <= 4000),
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX quality_reviews_agent_idx ON quality_reviews (agent_id, created_at);
CREATE INDEX quality_reviews_attempt_idx ON quality_reviews (attempt_id);
