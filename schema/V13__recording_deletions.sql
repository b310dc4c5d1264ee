-- Voicemails are kept at Twilio; the report holds only their sealed RecordingSid. When the recording's retention
-- passes (or the contact is erased) the reference is cleared here and the recording must be deleted at Twilio too:
-- each deletion owed is a row, kept until Twilio confirmed it (204, or 404: already gone), so that a failed DELETE
-- is tried again on the next retention run instead of being forgotten. Ids, codes and times only, plus the sealed
-- RecordingSid, cleared as soon as the deletion is done.
-- Runs unchanged on MariaDB 10.11 and H2 (MODE=MariaDB).

CREATE TABLE recording_deletions (
  id                 VARCHAR(36)  NOT NULL,         -- UUIDv7
  contact_id         VARCHAR(36)  NOT NULL,
  report_id          VARCHAR(36)  NULL,
  recording_sealed   VARCHAR(512) NULL,             -- the RecordingSid, sealed; NULL once deleted at Twilio
  reason             VARCHAR(16)  NOT NULL,         -- retention | erasure
  queued_at          DATETIME(3)  NOT NULL,
  next_attempt_at    DATETIME(3)  NOT NULL,         -- a failed DELETE waits for the next retention run
  attempts           INT          NOT NULL,
  last_status        INT          NULL,             -- Twilio's HTTP status of the last try (0: no answer)
  deleted_at         DATETIME(3)  NULL,
  PRIMARY KEY (id)
);
CREATE INDEX ix_recording_deletions_due ON recording_deletions (deleted_at, next_attempt_at);
