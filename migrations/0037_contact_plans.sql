-- A campaign's contact plan per risk tier (issue 20; schema: src/plans/contact-plan.ts).
-- NULL: the campaign dials its contacts as before.
ALTER TABLE campaigns ADD COLUMN contact_plan jsonb;

-- Where a contact's plan is: the next step to run, when it started and when its last step ran,
-- and why it stopped. Written only by src/plans/.
CREATE TABLE contact_plan_runs (
  contact_id   bigint PRIMARY KEY REFERENCES campaign_contacts (id) ON DELETE CASCADE,
  campaign_id  bigint NOT NULL REFERENCES campaigns (id),
  tier         text NOT NULL CHECK (tier IN ('low', 'medium', 'high')),
  next_step    smallint NOT NULL DEFAULT 0,
  started_at   timestamptz NOT NULL DEFAULT now(),
  last_run_at  timestamptz,
  ended_at     timestamptz,
  end_reason   text
);
CREATE INDEX contact_plan_runs_campaign ON contact_plan_runs (campaign_id);
