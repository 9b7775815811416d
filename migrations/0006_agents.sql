-- Agents: who takes the calls customers ask for (digit 1) or that high-risk contacts are sent
-- to; what they concluded (dispositions); and the recordings of those conversations.

CREATE TABLE agents (
  id                  bigserial PRIMARY KEY,
  name                text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  -- The PJSIP endpoint/auth/aor id pushed to Asterisk, and the digest user name.
  sip_username        text NOT NULL CHECK (sip_username ~ '^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$'),
  -- md5("<user>:<realm>:<password>"), what PJSIP's md5_cred takes. The password is never stored.
  sip_md5             text NOT NULL CHECK (sip_md5 ~ '^[0-9a-f]{32}$'),
  sip_realm           text NOT NULL,
  state               text NOT NULL DEFAULT 'offline'
                      CHECK (state IN ('offline', 'available', 'ringing', 'on_call', 'wrap_up', 'paused')),
  pause_reason        text CHECK ((state = 'paused') = (pause_reason IS NOT NULL)),
  state_since         timestamptz NOT NULL DEFAULT now(),
  logged_in           boolean NOT NULL DEFAULT false,
  -- From Asterisk (AMI ContactStatus / PJSIPShowContacts): the softphone has a live contact.
  registered          boolean NOT NULL DEFAULT false,
  registered_at       timestamptz,
  -- The call the agent is ringing for, talking on or wrapping up (dispositions match it).
  current_attempt_id  uuid,
  -- Wrap-up ends here at the latest (a disposition ends it earlier).
  wrap_up_until       timestamptz,
  -- Longest idle first: agents are offered calls in this order (NULL = never had one).
  last_call_ended_at  timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  deleted_at          timestamptz,
  CHECK (state NOT IN ('ringing', 'on_call', 'wrap_up') OR current_attempt_id IS NOT NULL),
  CHECK (state <> 'wrap_up' OR wrap_up_until IS NOT NULL),
  CHECK (deleted_at IS NULL OR state = 'offline')
);
-- A deleted agent's SIP user name may be given out again.
CREATE UNIQUE INDEX agents_sip_username_key ON agents (sip_username) WHERE deleted_at IS NULL;
-- The claim query: routable agents in idle order.
CREATE INDEX agents_routable_idx ON agents (last_call_ended_at NULLS FIRST, id)
  WHERE deleted_at IS NULL AND logged_in AND registered AND state IN ('available', 'wrap_up');

CREATE TABLE dispositions (
  id              bigserial PRIMARY KEY,
  attempt_id      uuid NOT NULL UNIQUE REFERENCES call_attempts (id),
  agent_id        bigint REFERENCES agents (id),
  kind            text NOT NULL
                  CHECK (kind IN ('promise_to_pay', 'dispute', 'wrong_party', 'callback', 'refused', 'paid')),
  amount          numeric(14, 2) CHECK (amount IS NULL OR amount > 0),
  promised_date   date,
  callback_at     timestamptz,
  note            text CHECK (note IS NULL OR length(note) <= 2000),
  -- The API key that saved it (the agent's own, or a supervisor's).
  created_by      bigint REFERENCES api_keys (id),
  created_at      timestamptz NOT NULL DEFAULT now(),
  CHECK (kind <> 'promise_to_pay' OR (amount IS NOT NULL AND promised_date IS NOT NULL)),
  CHECK (kind <> 'callback' OR callback_at IS NOT NULL)
);
CREATE INDEX dispositions_agent_idx ON dispositions (agent_id, created_at);

-- One recorded conversation: the file is in the recording folder, the row is how it is found.
CREATE TABLE recordings (
  id              bigserial PRIMARY KEY,
  attempt_id      uuid NOT NULL REFERENCES call_attempts (id),
  -- Relative to the recording folder; never a path that leaves it.
  file_name       text NOT NULL CHECK (file_name ~ '^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$' AND file_name !~ '\.\.'),
  bytes           bigint NOT NULL DEFAULT 0 CHECK (bytes >= 0),
  created_at      timestamptz NOT NULL DEFAULT now(),
  -- Set by the retention prune once the file is gone; the row stays for the ledger.
  deleted_at      timestamptz
);
CREATE INDEX recordings_attempt_idx ON recordings (attempt_id);
CREATE INDEX recordings_live_idx ON recordings (created_at) WHERE deleted_at IS NULL;
