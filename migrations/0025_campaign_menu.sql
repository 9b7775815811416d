-- The campaign's DTMF menu: {"<key>": "agent" | "promise_to_pay" | "opt_out" | "repeat" | "callback"}.
-- NULL keeps the default keys (1 agent, 2 promise to pay, 9 opt out, 0 repeat), announced by the
-- campaign's own prompt; a menu set here is announced after the prompt in the customer's language.
ALTER TABLE campaigns ADD COLUMN menu jsonb;
