-- When the caller first heard the prompt (the worker saw PlaybackStarted): answer-to-first-audio
-- is the delay a customer sits in silence after picking up, the dialer's most audible latency.
ALTER TABLE call_attempts ADD COLUMN first_audio_at timestamptz;
