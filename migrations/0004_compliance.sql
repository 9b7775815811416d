-- Compliance: the global calling policy, one row at most. Without a row the configured profile
-- (RINGWISE_POLICY_PROFILE) applies. `policy` holds every field, so a later change to a named
-- profile never silently changes a policy an admin saved.
CREATE TABLE compliance_policy (
  id          boolean PRIMARY KEY DEFAULT true CHECK (id),
  profile     text NOT NULL,
  policy      jsonb NOT NULL CHECK (jsonb_typeof(policy) = 'object'),
  updated_by  bigint REFERENCES api_keys (id),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- The gate reads a customer's DNC entries on every dial; unexpired ones only.
CREATE INDEX dnc_entries_expiry_idx ON dnc_entries (expires_at) WHERE expires_at IS NOT NULL;
