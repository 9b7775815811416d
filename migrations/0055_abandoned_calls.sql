-- Abandoned calls as the rules count them (FCC 47 CFR 64.1200(a)(7); Ofcom's persistent misuse
-- policy): per campaign, over calls a person answered, a call meant for an agent that was not
-- connected to one within 2 s of being handed over. Written by src/calls/attempts.repo.ts only.
--   agent_sought_at: the moment the call was handed to the agent flow (the end of the greeting for
--                    a high-risk customer, the agent key for one who asked for a person).
--   live_answered:   set when the call ends: a person answered (the rate's denominator).
--   abandoned:       set when the call ends: agent_sought_at is set and bridged_at is not within
--                    2 s of it (the numerator; a subset of live_answered).
ALTER TABLE call_attempts
  ADD COLUMN agent_sought_at timestamptz,
  ADD COLUMN live_answered boolean,
  ADD COLUMN abandoned boolean;

-- The rolling window per campaign reads only this index (count, count FILTER abandoned).
CREATE INDEX call_attempts_abandon_window_idx ON call_attempts (campaign_id, answered_at) INCLUDE (abandoned) WHERE live_answered;

-- Calls of the last 30 days ended before this migration: a person answered when the outcome says
-- so; abandoned when the outcome was 'abandoned' (nobody took the customer; the hand-off moment
-- was not recorded then, so a late bridge cannot be told apart).
UPDATE call_attempts
   SET live_answered = outcome IN ('answered_human', 'completed', 'opted_out', 'hangup_during_prompt', 'abandoned'),
       abandoned = outcome = 'abandoned'
 WHERE state = 'ended' AND answered_at > now() - interval '30 days';
