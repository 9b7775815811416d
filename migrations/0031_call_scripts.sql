-- A campaign's call script: the talk track its agents follow (greet, verify identity, explain the
-- debt, offer a plan, close), per language, with the same {fields} as prompts. Written by
-- campaigns/; read filled in with the customer's values by the agent on the call.
CREATE TABLE call_scripts (
  campaign_id   bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  locale        text NOT NULL,
  -- [{"title": "Greet", "text": "Hello {name}, ..."}, ...]
  steps         jsonb NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (campaign_id, locale)
);
