-- How an agent's softphone must reach Asterisk: 'udp' (plain SIP and RTP) or 'tls' (SIP over TLS
-- with SRTP required; a registration over anything else does not count, see agent.presence.ts).
ALTER TABLE agents
  ADD COLUMN sip_transport text NOT NULL DEFAULT 'udp' CHECK (sip_transport IN ('udp', 'tls'));
