-- Nightly batch runs: a schedule is a cron pattern in a time zone, a campaign template and a
-- customer segment. Each firing makes at most one run per (schedule, local date), whoever
-- fires it (BullMQ, the trigger route, the CLI): the unique index is the idempotency key.

CREATE TABLE schedules (
  id              bigserial PRIMARY KEY,
  name            text NOT NULL CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$'),
  cron            text NOT NULL,
  time_zone       text NOT NULL,
  -- Campaign settings as POST /v1/campaigns takes them (without name), already validated.
  template        jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- { daysPastDueMin, daysPastDueMax, dueWithinDays, riskTiers, minAmount, minRiskScore }
  segment         jsonb NOT NULL DEFAULT '{}'::jsonb,
  on_window_end   text NOT NULL DEFAULT 'defer' CHECK (on_window_end IN ('defer', 'expire')),
  enabled         boolean NOT NULL DEFAULT true,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  deleted_at      timestamptz
);
-- A deleted schedule's name may be used again.
CREATE UNIQUE INDEX schedules_name_key ON schedules (name) WHERE deleted_at IS NULL;

CREATE TABLE schedule_runs (
  id              bigserial PRIMARY KEY,
  schedule_id     bigint NOT NULL REFERENCES schedules (id),
  -- The firing's date in the schedule's zone.
  local_date      date NOT NULL,
  campaign_id     bigint REFERENCES campaigns (id),
  -- 'schedule': its segment (BullMQ, trigger route, CLI); 'file': `batch run --file`, whose
  -- contacts come from a file and whose key also holds the file's sha256.
  source          text NOT NULL DEFAULT 'schedule' CHECK (source IN ('schedule', 'file')),
  file_sha256     text CHECK ((source = 'file') = (file_sha256 IS NOT NULL)),
  via             text NOT NULL,
  fired_at        timestamptz NOT NULL,
  -- When the run's calling window (global policy tightened by the template, in the
  -- schedule's zone) closes; the window sweep acts on the run after that.
  window_closes_at timestamptz NOT NULL,
  -- What the sweep did: 'expired' (waiting contacts expired, campaign completed) or
  -- 'deferred' (left for the next window); NULL while the window is open.
  window_action   text CHECK (window_action IN ('expired', 'deferred')),
  -- Contacts expired, or left waiting, when the window closed.
  window_left     integer,
  window_closed_at timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX schedule_runs_day_key ON schedule_runs (schedule_id, local_date) WHERE source = 'schedule';
CREATE UNIQUE INDEX schedule_runs_file_key ON schedule_runs (schedule_id, local_date, file_sha256) WHERE source = 'file';
CREATE INDEX schedule_runs_open_idx ON schedule_runs (window_closes_at) WHERE window_closed_at IS NULL;
CREATE INDEX schedule_runs_campaign_idx ON schedule_runs (campaign_id);
