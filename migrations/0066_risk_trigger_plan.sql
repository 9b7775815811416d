-- A contact plan scores a customer who was never scored when its plan starts (issue 20): the
-- tier the plan follows is then the scorecard's (or the imported score's, recorded as such),
-- not a default. The score row says so with trigger 'plan'.
ALTER TABLE risk_scores DROP CONSTRAINT risk_scores_trigger_check;
ALTER TABLE risk_scores ADD CONSTRAINT risk_scores_trigger_check
  CHECK (trigger IN ('nightly', 'payment', 'promise', 'disposition', 'manual', 'plan'));
