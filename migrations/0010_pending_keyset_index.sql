-- Expand pages a campaign's pending contacts by id (keyset: campaign, state = 'pending', id > $after
-- ORDER BY id LIMIT 1000). With only (campaign_id, state) indexed, each page fetched and sorted every
-- remaining pending row: about 2.6 s per page at 1M contacts, a million-contact launch took hours.
-- (campaign_id, state, id) serves each page as one index range; it also covers every lookup the
-- old two-column index served, so that one goes.
CREATE INDEX campaign_contacts_state_id_idx ON campaign_contacts (campaign_id, state, id);
DROP INDEX campaign_contacts_state_idx;
