-- The operations console signs in with an API key and gets a session cookie. Only the
-- sha256 of the session token is stored (like API keys), so a leaked table opens no session.
-- A session belongs to the key it was opened with: revoking the key ends its sessions.
CREATE TABLE console_sessions (
  id            bigserial PRIMARY KEY,
  token_hash    text NOT NULL UNIQUE,
  key_id        bigint NOT NULL REFERENCES api_keys (id),
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  revoked_at    timestamptz
);
CREATE INDEX console_sessions_key_idx ON console_sessions (key_id);

-- Customer search (GET /v1/customers?q=): phone uses customers_phones_idx (GIN, exact E.164),
-- external id its UNIQUE index; names by case-insensitive prefix need this one.
CREATE INDEX customers_name_prefix_idx ON customers (lower(name) text_pattern_ops, id);
