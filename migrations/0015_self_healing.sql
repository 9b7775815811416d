-- Self-healing engine: the gate asks "has this customer a live call?" before every reservation
-- (never two live calls to one customer), and the reconciler looks for reservations nobody
-- dialed and attempts nobody drives. Both read only the few live rows.
CREATE INDEX call_attempts_customer_live_idx ON call_attempts (customer_id) WHERE state <> 'ended';
CREATE INDEX call_attempts_live_reserved_idx ON call_attempts (state, reserved_at) WHERE state <> 'ended';
-- Workers say they are alive here (the reconciler, every few seconds): a live attempt of a worker
-- not seen for a while is taken over by another one. In PostgreSQL, not Redis: it must survive
-- a Redis data loss.
CREATE TABLE worker_heartbeats (
  worker_id  text PRIMARY KEY,
  seen_at    timestamptz NOT NULL DEFAULT now()
);
