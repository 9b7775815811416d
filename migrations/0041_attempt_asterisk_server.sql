-- Several Asterisk servers: which one carried the call (the worker's server name, as in
-- RINGWISE_ASTERISK_SERVERS and the metrics' `server` label). Written with the attempt's end;
-- NULL for attempts that never reached a server and for rows written before this column.
ALTER TABLE call_attempts ADD COLUMN asterisk_server text;
