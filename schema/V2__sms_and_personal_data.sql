-- SMS intake over Twilio Messaging and SMPP, and the first personal data the gateway must keep:
-- caller pseudonyms (HMAC, never the number) on every contact, and the number itself only sealed (AES-GCM)
-- while replies are owed. Free text is sealed too. Runs unchanged on MariaDB 10.11 and H2 (MODE=MariaDB).

ALTER TABLE contacts ADD COLUMN caller_pseudonym VARCHAR(64) NULL;
ALTER TABLE contacts ADD COLUMN caller_sealed VARCHAR(512) NULL;       -- sealed number, to reply (SMS)
ALTER TABLE contacts ADD COLUMN sms_link VARCHAR(64) NULL;             -- SMPP link the conversation uses
CREATE INDEX ix_contacts_pseudonym ON contacts (caller_pseudonym, channel);

ALTER TABLE flow_sessions ADD COLUMN texts_sealed TEXT NULL;           -- sealed JSON of free-text answers
ALTER TABLE flow_sessions ADD COLUMN reminded_at DATETIME(3) NULL;

ALTER TABLE reports ADD COLUMN description_sealed TEXT NULL;
ALTER TABLE reports ADD COLUMN urls_sealed TEXT NULL;                  -- sealed JSON array of harmful-content URLs

-- Every part of every inbound SMS, committed before the SMSC gets its deliver_sm_resp.
CREATE TABLE sms_inbound_parts (
  id              BIGINT       NOT NULL AUTO_INCREMENT,
  channel         VARCHAR(16)  NOT NULL,
  link            VARCHAR(64)  NULL,
  sender_pseudonym VARCHAR(64) NOT NULL,
  sender_sealed   VARCHAR(512) NOT NULL,
  recipient       VARCHAR(32)  NOT NULL,          -- our short code
  concat_ref      INT          NULL,              -- UDH or SAR reference; NULL for a single SMS
  part_total      INT          NOT NULL,
  part_seq        INT          NOT NULL,
  body_sealed     TEXT         NOT NULL,
  dedupe_key      VARCHAR(64)  NOT NULL,          -- hash of sender, part, reference, text: a redelivery matches it
  bind_id         VARCHAR(36)  NULL,              -- the SMPP bind it came on: a redelivery comes on a later one
  received_at     DATETIME(3)  NOT NULL,
  message_id      VARCHAR(36)  NULL,              -- the assembled message, once it exists
  PRIMARY KEY (id)
);
CREATE INDEX ix_sms_parts_dedupe ON sms_inbound_parts (dedupe_key, received_at);
CREATE INDEX ix_sms_parts_open ON sms_inbound_parts (message_id, sender_pseudonym, concat_ref);

-- Whole inbound messages (parts joined), processed exactly once by the conversation engine.
CREATE TABLE sms_inbound (
  id              VARCHAR(36)  NOT NULL,
  channel         VARCHAR(16)  NOT NULL,
  link            VARCHAR(64)  NULL,
  provider_ref    VARCHAR(64)  NULL,              -- Twilio MessageSid
  sender_pseudonym VARCHAR(64) NOT NULL,
  sender_sealed   VARCHAR(512) NOT NULL,
  recipient       VARCHAR(32)  NOT NULL,
  body_sealed     TEXT         NOT NULL,
  parts           INT          NOT NULL,
  missing_parts   INT          NOT NULL,
  status          VARCHAR(16)  NOT NULL,          -- pending | processed
  received_at     DATETIME(3)  NOT NULL,
  processed_at    DATETIME(3)  NULL,
  PRIMARY KEY (id),
  CONSTRAINT uq_sms_inbound_provider UNIQUE (channel, provider_ref)
);
CREATE INDEX ix_sms_inbound_pending ON sms_inbound (status, received_at);
CREATE INDEX ix_sms_inbound_sender ON sms_inbound (sender_pseudonym, status, received_at);

-- Replies and notices, queued before they are sent so a restart loses none.
CREATE TABLE sms_outbound (
  id              VARCHAR(36)  NOT NULL,
  channel         VARCHAR(16)  NOT NULL,
  link            VARCHAR(64)  NULL,
  contact_id      VARCHAR(36)  NULL,
  destination_pseudonym VARCHAR(64) NOT NULL,
  destination_sealed VARCHAR(512) NOT NULL,
  body            TEXT         NOT NULL,          -- our own prompt text (no caller data)
  kind            VARCHAR(16)  NOT NULL,          -- reply | reminder | expiry
  status          VARCHAR(16)  NOT NULL,          -- queued | sending | sent | delivered | failed | skipped
  parts           INT          NOT NULL,
  attempts        INT          NOT NULL,
  next_attempt_at DATETIME(3)  NOT NULL,
  last_error      VARCHAR(255) NULL,
  provider_ref    VARCHAR(64)  NULL,              -- Twilio MessageSid
  created_at      DATETIME(3)  NOT NULL,
  sent_at         DATETIME(3)  NULL,
  PRIMARY KEY (id)
);
CREATE INDEX ix_sms_outbound_due ON sms_outbound (status, channel, link, next_attempt_at);

-- Each submitted part of an outbound message, matched to its delivery receipt by the SMSC's message id.
CREATE TABLE sms_outbound_parts (
  id              BIGINT       NOT NULL AUTO_INCREMENT,
  outbound_id     VARCHAR(36)  NOT NULL,
  part_seq        INT          NOT NULL,
  message_id      VARCHAR(64)  NULL,
  status          VARCHAR(16)  NOT NULL,          -- submitted | delivered | undeliverable | expired | rejected | unknown
  submitted_at    DATETIME(3)  NOT NULL,
  dlr_at          DATETIME(3)  NULL,
  PRIMARY KEY (id),
  CONSTRAINT uq_sms_outbound_part UNIQUE (outbound_id, part_seq),
  CONSTRAINT fk_sms_outbound_part FOREIGN KEY (outbound_id) REFERENCES sms_outbound (id)
);
CREATE INDEX ix_sms_outbound_parts_msgid ON sms_outbound_parts (message_id);

-- Numbers that texted STOP: no message goes to them until they text START (or ask for help again).
CREATE TABLE sms_opt_outs (
  pseudonym       VARCHAR(64)  NOT NULL,
  opted_out       BOOLEAN      NOT NULL,
  changed_at      DATETIME(3)  NOT NULL,
  PRIMARY KEY (pseudonym)
);
