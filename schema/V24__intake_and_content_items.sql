-- Reports that come in without a conversation: the public web form (channel web) and partners' systems through
-- the intake API (channel partner). Each submission is a contact of its own (contacts row, no flow session) with
-- its report, closed at once. Runs unchanged on MariaDB 10.11 and on H2 2.x in MODE=MariaDB.

-- A partner key (telecom operator, platform, school) speaks for a partner, not an agency: it may submit reports
-- and read back its own. scopes: comma-separated (intake); NULL on the agency and admin keys made before.
ALTER TABLE api_keys ADD COLUMN partner_id VARCHAR(64) NULL;
ALTER TABLE api_keys ADD COLUMN scopes VARCHAR(128) NULL;

-- What a submission adds to its report: who sent it (partner id, the partner's own id for it) and the reporter's
-- contact, given only with their consent (sealed: name, phone, email as one JSON object).
CREATE TABLE intake_submissions (
  report_id       VARCHAR(36)   NOT NULL,
  channel         VARCHAR(16)   NOT NULL,           -- web | partner
  partner_id      VARCHAR(64)   NULL,
  partner_ref     VARCHAR(128)  NULL,               -- the partner's own id for the report (not personal data)
  language        VARCHAR(16)   NULL,
  contact_sealed  VARCHAR(4000) NULL,
  created_at      DATETIME(3)   NOT NULL,
  PRIMARY KEY (report_id),
  CONSTRAINT fk_intake_submissions_report FOREIGN KEY (report_id) REFERENCES reports (id)
);
CREATE INDEX ix_intake_submissions_partner ON intake_submissions (partner_id, partner_ref);

-- A retried submission (same scope and Idempotency-Key) answers with the report the first one made, for 24 hours.
-- scope: "partner:<id>" or the channel's word; fingerprint: SHA-256 of the submission as received, so the same
-- key with another body is refused.
CREATE TABLE intake_idempotency (
  scope           VARCHAR(80)   NOT NULL,
  idem_key        VARCHAR(128)  NOT NULL,
  fingerprint     VARCHAR(64)   NOT NULL,
  report_id       VARCHAR(36)   NOT NULL,
  created_at      DATETIME(3)   NOT NULL,
  PRIMARY KEY (scope, idem_key),
  CONSTRAINT fk_intake_idempotency_report FOREIGN KEY (report_id) REFERENCES reports (id)
);
CREATE INDEX ix_intake_idempotency_created ON intake_idempotency (created_at);

-- A harmful-content URL, once, however many reports name it (by its normalised form): the harmful-content team
-- gets one takedown case per URL. url_digest: keyed HMAC of the normalised URL (finds it without opening the
-- sealed one); platform, kind and hash are what the first report that named it said, completed by later ones.
CREATE TABLE content_items (
  id              VARCHAR(36)   NOT NULL,
  url_digest      VARCHAR(64)   NOT NULL,
  url_sealed      VARCHAR(4000) NOT NULL,
  platform        VARCHAR(32)   NULL,
  kind            VARCHAR(16)   NULL,               -- image | video | text | account | livestream
  hash_algorithm  VARCHAR(16)   NULL,               -- sha256 | md5 | pdq | phash | ...
  hash_value      VARCHAR(256)  NULL,
  report_count    INT           NOT NULL,
  first_seen_at   DATETIME(3)   NOT NULL,
  last_seen_at    DATETIME(3)   NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT uq_content_items_digest UNIQUE (url_digest)
);

CREATE TABLE content_item_reports (
  content_item_id VARCHAR(36)   NOT NULL,
  report_id       VARCHAR(36)   NOT NULL,
  named_at        DATETIME(3)   NOT NULL,
  PRIMARY KEY (content_item_id, report_id),
  CONSTRAINT fk_content_item_reports_item FOREIGN KEY (content_item_id) REFERENCES content_items (id),
  CONSTRAINT fk_content_item_reports_report FOREIGN KEY (report_id) REFERENCES reports (id)
);
CREATE INDEX ix_content_item_reports_report ON content_item_reports (report_id);
