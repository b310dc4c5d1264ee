-- Delivery of reports to agency inboxes (transactional outbox) and the integrator API's keys.
-- The report row and one delivery row per target agency are written in one transaction.

ALTER TABLE reports ADD COLUMN subcategory VARCHAR(64) NULL;
ALTER TABLE reports ADD COLUMN consent_share BOOLEAN NULL;
ALTER TABLE reports ADD COLUMN caller_pseudonym VARCHAR(64) NULL;

CREATE TABLE deliveries (
  id              VARCHAR(40)  NOT NULL,          -- msg_<32 hex>: the webhook-id, stable across retries
  report_id       VARCHAR(36)  NOT NULL,
  agency_id       VARCHAR(64)  NOT NULL,
  rule_name       VARCHAR(64)  NOT NULL,          -- the routing rule that chose this agency, or 'default'
  urgent          BOOLEAN      NOT NULL,          -- urgent reports are sent first
  status          VARCHAR(16)  NOT NULL,          -- pending | delivered | dead
  attempts        INT          NOT NULL,
  next_attempt_at DATETIME(3)  NOT NULL,          -- also the claim lease while a worker sends it
  last_status     INT          NULL,
  last_error      VARCHAR(255) NULL,
  created_at      DATETIME(3)  NOT NULL,
  delivered_at    DATETIME(3)  NULL,
  acknowledged_at DATETIME(3)  NULL,
  case_number     VARCHAR(64)  NULL,              -- the agency's own case number, from its acknowledgement
  PRIMARY KEY (id),
  CONSTRAINT uq_deliveries_report_agency UNIQUE (report_id, agency_id),
  CONSTRAINT fk_deliveries_report FOREIGN KEY (report_id) REFERENCES reports (id)
);
CREATE INDEX ix_deliveries_due ON deliveries (status, next_attempt_at);
CREATE INDEX ix_deliveries_agency ON deliveries (agency_id, status, created_at);

-- Every attempt: what happened, never the body.
CREATE TABLE delivery_attempts (
  id              BIGINT       NOT NULL AUTO_INCREMENT,
  delivery_id     VARCHAR(40)  NOT NULL,
  attempt         INT          NOT NULL,
  started_at      DATETIME(3)  NOT NULL,
  latency_ms      INT          NOT NULL,
  http_status     INT          NULL,
  outcome         VARCHAR(16)  NOT NULL,          -- delivered | retry | gone | dead
  error           VARCHAR(255) NULL,
  PRIMARY KEY (id),
  CONSTRAINT fk_delivery_attempts FOREIGN KEY (delivery_id) REFERENCES deliveries (id)
);
CREATE INDEX ix_delivery_attempts ON delivery_attempts (delivery_id, attempt);

-- An agency endpoint switched off at run time (410 Gone, or an admin); overrides the config's enabled flag.
CREATE TABLE agency_endpoints (
  agency_id       VARCHAR(64)  NOT NULL,
  enabled         BOOLEAN      NOT NULL,
  reason          VARCHAR(255) NULL,
  changed_at      DATETIME(3)  NOT NULL,
  PRIMARY KEY (agency_id)
);

-- Integrator API keys: only a hash is kept. agency_id NULL means an admin key.
CREATE TABLE api_keys (
  id              VARCHAR(36)  NOT NULL,
  agency_id       VARCHAR(64)  NULL,
  key_hash        VARCHAR(64)  NOT NULL,
  label           VARCHAR(128) NULL,
  created_at      DATETIME(3)  NOT NULL,
  revoked_at      DATETIME(3)  NULL,
  PRIMARY KEY (id),
  CONSTRAINT uq_api_keys_hash UNIQUE (key_hash)
);
