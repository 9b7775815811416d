-- Outcomes after which a campaign tries the customer's next number at once (e.g.
-- {no_answer,busy,invalid_number}); empty keeps to the first number, as before.
ALTER TABLE campaigns ADD COLUMN next_number_on text[] NOT NULL DEFAULT '{}';
