-- Dialing engine: why the dialer ended a call (ring timeout, menu timeout, lost after an ARI
-- disconnect or a worker crash...), and a fast look-up of one worker's live attempts for the
-- startup sweep.
ALTER TABLE call_attempts ADD COLUMN end_reason text;
CREATE INDEX call_attempts_worker_live_idx ON call_attempts (worker_id) WHERE state <> 'ended';
