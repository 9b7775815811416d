-- What a contact's plan waits for (issue 20): when its next step is due and why it waits
-- (its spacing, its call still in progress, or the message gate's deferral: quiet hours, a cap).
-- PostgreSQL keeps it so the reconciler can rebuild the plan's job, due when it was due, after
-- Redis lost it, and so an operator can see why a step has not run yet. Written only by src/plans/.
ALTER TABLE contact_plan_runs
  ADD COLUMN next_step_at timestamptz,
  ADD COLUMN wait_reason  text,
  ADD COLUMN wait_detail  text;
