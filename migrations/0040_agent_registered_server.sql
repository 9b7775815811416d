-- Several Asterisk servers: an agent's softphone registers to one of them. Which one is kept
-- beside `registered` (true exactly when registered_server is set, once presence has synced), so
-- an agent leg placed from another server goes through the inter-server trunk to it, and one
-- server's resync never unregisters an agent registered on another. NULL: unknown (rows written
-- before this column, or by a single-server install whose presence has not synced yet).
ALTER TABLE agents ADD COLUMN registered_server text;
