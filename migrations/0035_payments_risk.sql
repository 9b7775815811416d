-- Behaviour-based risk (issue 20): the payments feed (written only by src/payments/) and the
-- scorecard's history (written only by src/risk/).

-- One payment a customer made. The reference is the payer's or the bank's own id for it: the
-- same reference sent twice (a retried POST, a re-imported file) is one payment.
CREATE TABLE payments (
  id              bigserial PRIMARY KEY,
  customer_id     bigint NOT NULL REFERENCES customers (id),
  amount          numeric(14, 2) NOT NULL CHECK (amount > 0),
  currency        char(3),
  paid_on         date NOT NULL,
  reference       text NOT NULL UNIQUE CHECK (length(reference) BETWEEN 1 AND 128),
  source          text NOT NULL CHECK (source IN ('api', 'import')),
  created_by      bigint REFERENCES api_keys (id),
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payments_customer_idx ON payments (customer_id, paid_on);

-- Every score ever given, newest last: the history GET /v1/customers/:id/risk explains.
-- source = 'imported' rows record that an imported score overrode the scorecard (the computed
-- score and its factors are still stored beside it, so the override is visible).
CREATE TABLE risk_scores (
  id                bigserial PRIMARY KEY,
  customer_id       bigint NOT NULL REFERENCES customers (id),
  scorecard_version text NOT NULL,
  source            text NOT NULL CHECK (source IN ('scorecard', 'imported')),
  score             smallint NOT NULL CHECK (score BETWEEN 0 AND 100),
  tier              text NOT NULL CHECK (tier IN ('low', 'medium', 'high')),
  computed_score    smallint NOT NULL CHECK (computed_score BETWEEN 0 AND 100),
  computed_tier     text NOT NULL CHECK (computed_tier IN ('low', 'medium', 'high')),
  trigger           text NOT NULL CHECK (trigger IN ('nightly', 'payment', 'promise', 'disposition', 'manual')),
  -- [{factor, value, points, weight, weighted, reason}]: the whole explanation.
  factors           jsonb NOT NULL,
  -- What the factors were computed from (days past due, counts...), for the trend next time.
  inputs            jsonb NOT NULL,
  computed_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX risk_scores_customer_idx ON risk_scores (customer_id, id);
