-- Who took a call put through in dial mode (the counsellor who pressed 1 at the whisper), and callers flagged
-- as abusive or prank for a while. Runs unchanged on MariaDB 10.11 and H2 (MODE=MariaDB).

-- The answer of the contact's latest handoff. A counsellor is named by an opaque operator id when the number rung
-- came with one; otherwise the number that answered is kept, sealed. Never both, never the number in clear.
ALTER TABLE contacts ADD COLUMN answered_at DATETIME(3) NULL;
ALTER TABLE contacts ADD COLUMN answered_seq INT NULL;                -- the session seq of the handoff answered
ALTER TABLE contacts ADD COLUMN answered_leg VARCHAR(64) NULL;        -- Twilio CallSid of the counsellor's leg
ALTER TABLE contacts ADD COLUMN answered_operator VARCHAR(64) NULL;   -- opaque operator id, when known
ALTER TABLE contacts ADD COLUMN answered_number_sealed VARCHAR(512) NULL; -- sealed E.164 number, when no operator id

-- A flag on a caller pseudonym: that caller's calls hear a short message and ring nobody, except a danger
-- choice. Rows are kept when cleared or expired (the history of who set what, when); a flag is active while
-- cleared_at and expired_at are NULL and expires_at is in the future.
CREATE TABLE caller_flags (
  id              VARCHAR(36)   NOT NULL,         -- UUIDv7
  pseudonym       VARCHAR(64)   NOT NULL,         -- the caller's HMAC pseudonym, never the number
  reference       VARCHAR(16)   NOT NULL,         -- the contact the flag was set from
  reason_sealed   TEXT          NOT NULL,         -- why, in the supervisor's words: sealed free text
  set_by          VARCHAR(64)   NOT NULL,         -- opaque operator id, or cli
  set_at          DATETIME(3)   NOT NULL,
  expires_at      DATETIME(3)   NOT NULL,
  cleared_at      DATETIME(3)   NULL,
  cleared_by      VARCHAR(64)   NULL,             -- operator id, cli, or flag:<id> when a newer flag replaced it
  expired_at      DATETIME(3)   NULL,             -- when the gateway applied the expiry (audited once)
  PRIMARY KEY (id)
);
CREATE INDEX ix_caller_flags_pseudonym ON caller_flags (pseudonym, cleared_at, expired_at);
