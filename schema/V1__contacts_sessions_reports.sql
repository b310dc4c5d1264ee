-- First schema: the contact (one call), its flow session with the step history, and the minimal report.
-- Runs unchanged on MariaDB 10.11 and on H2 2.x in MODE=MariaDB. Times are UTC, millisecond precision.
-- No caller number, name or free text is stored here: the later privacy migration adds pseudonyms and
-- encrypted columns.

CREATE TABLE contacts (
  id            VARCHAR(36)  NOT NULL,
  channel       VARCHAR(16)  NOT NULL,           -- voice | sms-twilio | sms-smpp
  provider_ref  VARCHAR(64)  NOT NULL,           -- Twilio CallSid (not personal data)
  reference     VARCHAR(16)  NOT NULL,           -- the number read to the caller
  started_at    DATETIME(3)  NOT NULL,
  ended_at      DATETIME(3)  NULL,
  end_status    VARCHAR(32)  NULL,               -- provider's final status (completed, no-answer, ...)
  outcome       VARCHAR(32)  NULL,               -- operator | voicemail | completed | abandoned | fallback
  PRIMARY KEY (id),
  CONSTRAINT uq_contacts_provider UNIQUE (channel, provider_ref),
  CONSTRAINT uq_contacts_reference UNIQUE (reference)
);

CREATE TABLE flow_sessions (
  id            VARCHAR(36)   NOT NULL,
  contact_id    VARCHAR(36)   NOT NULL,
  flow_id       VARCHAR(64)   NOT NULL,
  node_id       VARCHAR(64)   NOT NULL,          -- where the caller is now
  language      VARCHAR(16)   NOT NULL,
  attempts      INT           NOT NULL,          -- failed tries at the current node
  seq           INT           NOT NULL,          -- inputs applied so far; step URLs carry it
  answers       VARCHAR(2000) NOT NULL,          -- JSON object of collected codes (category, age band, ...)
  path          VARCHAR(2000) NOT NULL,          -- nodes visited, comma-separated
  outcome       VARCHAR(32)   NULL,
  status        VARCHAR(16)   NOT NULL,          -- active | closed
  version       INT           NOT NULL,          -- optimistic lock: two instances never both apply a step
  created_at    DATETIME(3)   NOT NULL,
  updated_at    DATETIME(3)   NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT uq_flow_sessions_contact UNIQUE (contact_id),
  CONSTRAINT fk_flow_sessions_contact FOREIGN KEY (contact_id) REFERENCES contacts (id)
);
CREATE INDEX ix_flow_sessions_status ON flow_sessions (status, updated_at);

CREATE TABLE flow_steps (
  id            BIGINT       NOT NULL AUTO_INCREMENT,
  session_id    VARCHAR(36)  NOT NULL,
  seq           INT          NOT NULL,           -- the session seq of the input that caused the step
  node_id       VARCHAR(64)  NOT NULL,
  event         VARCHAR(32)  NOT NULL,           -- enter | option | answer | invalid | timeout | recorded | ...
  step_value    VARCHAR(64)  NULL,               -- a menu key or a validated code; never free input
  at            DATETIME(3)  NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT fk_flow_steps_session FOREIGN KEY (session_id) REFERENCES flow_sessions (id)
);
CREATE INDEX ix_flow_steps_session ON flow_steps (session_id, seq);

CREATE TABLE reports (
  id            VARCHAR(36)   NOT NULL,          -- UUIDv7, time-ordered
  reference     VARCHAR(16)   NOT NULL,
  contact_id    VARCHAR(36)   NOT NULL,
  channel       VARCHAR(16)   NOT NULL,
  intent        VARCHAR(32)   NOT NULL,          -- danger | report
  category      VARCHAR(64)   NULL,
  about         VARCHAR(16)   NULL,              -- self | other
  age_band      VARCHAR(16)   NULL,
  province      VARCHAR(8)    NULL,
  urgent        BOOLEAN       NOT NULL,
  outcome       VARCHAR(32)   NOT NULL,
  recording_sid VARCHAR(64)   NULL,
  flow_path     VARCHAR(2000) NOT NULL,
  received_at   DATETIME(3)   NOT NULL,
  completed_at  DATETIME(3)   NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT uq_reports_reference UNIQUE (reference),
  CONSTRAINT uq_reports_contact UNIQUE (contact_id),
  CONSTRAINT fk_reports_contact FOREIGN KEY (contact_id) REFERENCES contacts (id)
);
