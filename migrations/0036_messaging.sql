-- SMS and email beside calls (issue 20).

-- Where to email a customer (set by the contact import, like phones).
ALTER TABLE customers ADD COLUMN email text CHECK (email IS NULL OR (length(email) <= 254 AND email ~ '^[^@\s]+@[^@\s]+$'));

-- An opt-out can cover one channel (an email unsubscribe link) or all of them (NULL: a
-- spoken 9, an SMS "退订"/"STOP", an operator's entry). The call gate reads NULL and 'call'.
ALTER TABLE dnc_entries ADD COLUMN channel text CHECK (channel IS NULL OR channel IN ('call', 'sms', 'email'));

-- The message ledger, beside call_attempts: one row per SMS or email sent or received.
-- Written only by src/messaging/.
CREATE TABLE messages (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id     bigint REFERENCES customers (id),
  campaign_id     bigint REFERENCES campaigns (id),
  contact_id      bigint REFERENCES campaign_contacts (id),
  -- The contact plan's step that sent it (idempotency: one message per contact and step).
  plan_step       smallint,
  channel         text NOT NULL CHECK (channel IN ('sms', 'email')),
  direction       text NOT NULL DEFAULT 'outbound' CHECK (direction IN ('outbound', 'inbound')),
  -- E.164 number or email address of the customer's side.
  address         text NOT NULL,
  locale          text,
  subject         text,
  body            text NOT NULL,
  -- outbound: queued -> sent -> delivered | failed; inbound: received.
  status          text NOT NULL CHECK (status IN ('queued', 'sent', 'delivered', 'failed', 'received')),
  parts           smallint NOT NULL DEFAULT 1 CHECK (parts >= 1),
  delivered_parts smallint NOT NULL DEFAULT 0,
  -- SMPP message ids (one per part) or the SMTP Message-ID.
  provider_ids    text[] NOT NULL DEFAULT '{}',
  error           text,
  queued_at       timestamptz NOT NULL DEFAULT now(),
  sent_at         timestamptz,
  delivered_at    timestamptz,
  failed_at       timestamptz,
  UNIQUE (contact_id, plan_step)
);
CREATE INDEX messages_customer_time_idx ON messages (customer_id, queued_at);
CREATE INDEX messages_campaign_idx ON messages (campaign_id, queued_at);
CREATE INDEX messages_provider_ids_idx ON messages USING gin (provider_ids);
