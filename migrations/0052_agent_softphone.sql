-- What kind of phone an agent answers on: 'sip' (a SIP softphone or desk phone over UDP, the
-- default) or 'webrtc' (the console's browser phone: SIP over WebSocket, DTLS-SRTP media). It
-- decides which PJSIP endpoint values ringwise pushes to Asterisk for the agent.
ALTER TABLE agents ADD COLUMN softphone text NOT NULL DEFAULT 'sip' CHECK (softphone IN ('sip', 'webrtc'));
