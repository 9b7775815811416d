-- When and why a worker held a campaign's dialing below its calls per second (backpressure from
-- Asterisk: ARI errors, slow call setup, a backlog of channels in setup). One row per campaign
-- that was dialing when the hold began; ended_at is set when the worker is back at full speed.
-- Written by src/campaigns/pacing-holds.repo.ts, read by the campaign's stats.
CREATE TABLE pacing_holds (
  id            bigserial PRIMARY KEY,
  campaign_id   bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  worker_id     text NOT NULL,
  reasons       text[] NOT NULL,
  lowest_factor real NOT NULL,
  started_at    timestamptz NOT NULL DEFAULT now(),
  ended_at      timestamptz
);
CREATE INDEX pacing_holds_campaign_idx ON pacing_holds (campaign_id, started_at);
