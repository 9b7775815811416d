-- Core data model: customers (stable across campaigns), campaigns and their contacts, the
-- call-attempt ledger, do-not-call entries, prompts, API keys and the audit log.

CREATE TABLE customers (
  id              bigserial PRIMARY KEY,
  external_id     text NOT NULL UNIQUE,
  name            text NOT NULL,
  -- Validated E.164 only, first is preferred. Never empty.
  phones          text[] NOT NULL CHECK (cardinality(phones) >= 1),
  time_zone       text,
  locale          text NOT NULL DEFAULT 'zh-CN',
  amount_due      numeric(14, 2) CHECK (amount_due IS NULL OR amount_due >= 0),
  currency        char(3),
  due_date        date,
  days_past_due   integer CHECK (days_past_due IS NULL OR days_past_due >= 0),
  risk_score      smallint CHECK (risk_score IS NULL OR risk_score BETWEEN 0 AND 100),
  risk_tier       text CHECK (risk_tier IS NULL OR risk_tier IN ('low', 'medium', 'high')),
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX customers_phones_idx ON customers USING gin (phones);

CREATE TABLE campaigns (
  id                  bigserial PRIMARY KEY,
  name                text NOT NULL,
  state               text NOT NULL DEFAULT 'draft'
                      CHECK (state IN ('draft', 'running', 'paused', 'completed', 'cancelled')),
  -- { "<locale>": { "segments": [...] } }: what each customer hears, by their locale.
  prompt              jsonb NOT NULL DEFAULT '{}'::jsonb,
  caller_id           text,
  -- Only ever stricter than the global policy; validated by the compliance module.
  policy_overrides    jsonb NOT NULL DEFAULT '{}'::jsonb,
  risk_threshold      smallint CHECK (risk_threshold IS NULL OR risk_threshold BETWEEN 0 AND 100),
  max_concurrent      integer NOT NULL DEFAULT 10 CHECK (max_concurrent > 0),
  calls_per_second    numeric(8, 2) NOT NULL DEFAULT 2 CHECK (calls_per_second > 0),
  -- { "busy": {"delaySeconds": 1800, "maxRetries": 2}, "no_answer": {...}, ... }
  retry_policy        jsonb NOT NULL DEFAULT '{}'::jsonb,
  amd_enabled         boolean NOT NULL DEFAULT false,
  amd_machine_action  text NOT NULL DEFAULT 'hangup' CHECK (amd_machine_action IN ('hangup', 'message')),
  default_time_zone   text,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  launched_at         timestamptz,
  ended_at            timestamptz
);

CREATE TABLE campaign_contacts (
  id              bigserial PRIMARY KEY,
  campaign_id     bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  customer_id     bigint NOT NULL REFERENCES customers (id),
  -- pending: not yet queued; queued: a dial job exists; deferred: waiting for the policy;
  -- dialing: an attempt is live; done states are final.
  state           text NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'queued', 'deferred', 'dialing', 'completed',
                                   'blocked', 'failed', 'opted_out', 'cancelled', 'expired')),
  attempts        integer NOT NULL DEFAULT 0,
  last_outcome    text,
  reason          text,
  next_attempt_at timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (campaign_id, customer_id)
);
CREATE INDEX campaign_contacts_state_idx ON campaign_contacts (campaign_id, state);
CREATE INDEX campaign_contacts_customer_idx ON campaign_contacts (customer_id);

-- The ledger: one row per dial. Its id is the ARI channel id, and (contact, attempt_no) is
-- the idempotency key: a replayed job finds its row instead of dialing again.
CREATE TABLE call_attempts (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  campaign_id     bigint REFERENCES campaigns (id),
  contact_id      bigint REFERENCES campaign_contacts (id),
  customer_id     bigint NOT NULL REFERENCES customers (id),
  attempt_no      integer NOT NULL CHECK (attempt_no >= 1),
  phone           text NOT NULL,
  state           text NOT NULL DEFAULT 'reserved'
                  CHECK (state IN ('reserved', 'originating', 'ringing', 'answered', 'ended')),
  outcome         text,
  cause           integer,
  tech_cause      integer,
  amd_status      text,
  amd_cause       text,
  digits          text NOT NULL DEFAULT '',
  -- true once a person was reached (human answer): counts against connected-call caps.
  connected       boolean NOT NULL DEFAULT false,
  agent_id        bigint,
  prompt_version  text,
  worker_id       text,
  queued_at       timestamptz,
  reserved_at     timestamptz NOT NULL DEFAULT now(),
  originated_at   timestamptz,
  answered_at     timestamptz,
  bridged_at      timestamptz,
  ended_at        timestamptz,
  ring_ms         integer,
  talk_ms         integer,
  UNIQUE (contact_id, attempt_no)
);
CREATE INDEX call_attempts_customer_time_idx ON call_attempts (customer_id, reserved_at);
CREATE INDEX call_attempts_campaign_idx ON call_attempts (campaign_id, reserved_at);
CREATE INDEX call_attempts_live_idx ON call_attempts (state) WHERE state <> 'ended';

CREATE TABLE dnc_entries (
  id              bigserial PRIMARY KEY,
  phone           text CHECK (phone IS NULL OR phone ~ '^\+[1-9][0-9]{6,14}$'),
  customer_id     bigint REFERENCES customers (id),
  reason          text NOT NULL,
  source          text NOT NULL,
  expires_at      timestamptz,
  created_by      bigint,
  created_at      timestamptz NOT NULL DEFAULT now(),
  CHECK (phone IS NOT NULL OR customer_id IS NOT NULL)
);
CREATE INDEX dnc_entries_phone_idx ON dnc_entries (phone) WHERE phone IS NOT NULL;
CREATE INDEX dnc_entries_customer_idx ON dnc_entries (customer_id) WHERE customer_id IS NOT NULL;

CREATE TABLE prompts (
  id              bigserial PRIMARY KEY,
  name            text NOT NULL,
  locale          text NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('audio', 'tts')),
  -- For tts: a template with {name}, {amount}, {due_date}, {days_past_due}, {callback_number}.
  text            text,
  -- For audio: the converted file's name under the prompt folder, named by content hash.
  audio_file      text,
  content_hash    text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  CHECK ((kind = 'tts' AND text IS NOT NULL) OR (kind = 'audio' AND audio_file IS NOT NULL))
);

CREATE TABLE api_keys (
  id              bigserial PRIMARY KEY,
  name            text NOT NULL,
  role            text NOT NULL CHECK (role IN ('admin', 'operator', 'supervisor', 'agent', 'viewer')),
  -- sha256 of the key; the key itself is shown once and never stored.
  key_hash        text NOT NULL UNIQUE,
  key_prefix      text NOT NULL,
  agent_id        bigint,
  created_at      timestamptz NOT NULL DEFAULT now(),
  last_used_at    timestamptz,
  revoked_at      timestamptz
);

CREATE TABLE audit_log (
  id              bigserial PRIMARY KEY,
  key_id          bigint REFERENCES api_keys (id),
  role            text,
  action          text NOT NULL,
  target_type     text,
  target_id       text,
  details         jsonb,
  at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
