-- The audit store: append-only, hash-chained events that prove what happened without personal data; and what
-- retention and erasure need. The application never UPDATEs or DELETEs audit_events (docs/operations.md gives
-- the MariaDB grants that make the database refuse it too).

CREATE TABLE audit_events (
  seq             BIGINT        NOT NULL,         -- 1, 2, 3 ... with no gaps
  at              DATETIME(3)   NOT NULL,
  event_type      VARCHAR(48)   NOT NULL,         -- contact.received, flow.step, report.created, delivery.attempt ...
  actor           VARCHAR(80)   NOT NULL,         -- voice, sms-smpp:<link>, gateway, agency:<id>, admin:<key id>, cli
  refs            VARCHAR(1000) NOT NULL,         -- JSON object of ids (contact, report, delivery ...)
  data            VARCHAR(2000) NOT NULL,         -- JSON object of codes and counts; never numbers or free text
  prev_hash       VARCHAR(64)   NOT NULL,         -- hash of event seq - 1 (64 zeros for the first)
  hash            VARCHAR(64)   NOT NULL,         -- SHA-256 over prev_hash and this event's fields
  PRIMARY KEY (seq)
);
CREATE INDEX ix_audit_events_type ON audit_events (event_type, at);

-- The chain's head: appends lock this one row, so events from every instance form one chain.
CREATE TABLE audit_head (
  id              INT           NOT NULL,
  seq             BIGINT        NOT NULL,
  hash            VARCHAR(64)   NOT NULL,
  PRIMARY KEY (id)
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- When periodic jobs last ran (the daily retention purge), shared by all instances.
CREATE TABLE maintenance_runs (
  task            VARCHAR(48)   NOT NULL,
  last_run        DATETIME(3)   NOT NULL,
  PRIMARY KEY (task)
);

-- Recording references are personal data too: sealed like free text.
ALTER TABLE reports ADD COLUMN recording_sealed VARCHAR(512) NULL;
ALTER TABLE reports DROP COLUMN recording_sid;
ALTER TABLE reports ADD COLUMN erased_at DATETIME(3) NULL;
ALTER TABLE contacts ADD COLUMN erased_at DATETIME(3) NULL;
