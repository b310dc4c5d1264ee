-- A counsellor taking over an SMS conversation (issue 13, "SMS answered by a person"): while a takeover is open,
-- the texter's messages go to that counsellor, not to the flow, and the counsellor's replies are queued like every
-- reply. Ids, codes and times only here: the texts stay sealed where they already are (sms_inbound.body_sealed,
-- sms_outbound.body_sealed), the number on the contact (contacts.caller_sealed).
-- Runs unchanged on MariaDB 10.11 and H2 (MODE=MariaDB).

CREATE TABLE sms_takeovers (
  id              VARCHAR(36)  NOT NULL,            -- UUIDv7
  contact_id      VARCHAR(36)  NOT NULL,            -- the SMS contact taken over
  operator_id     VARCHAR(36)  NOT NULL,            -- opaque operator id of who took it over
  started_at      DATETIME(3)  NOT NULL,
  ended_at        DATETIME(3)  NULL,                -- NULL while the counsellor has the conversation
  ended_by        VARCHAR(36)  NULL,                -- operator id of who handed it back or closed it
  end_reason      VARCHAR(16)  NULL,                -- handed_back | closed
  PRIMARY KEY (id),
  CONSTRAINT fk_sms_takeovers_contact FOREIGN KEY (contact_id) REFERENCES contacts (id)
);
CREATE INDEX ix_sms_takeovers_contact ON sms_takeovers (contact_id, ended_at);
CREATE INDEX ix_sms_takeovers_open ON sms_takeovers (ended_at, started_at);

-- Which contact a received SMS belongs to (set when it is processed): a conversation's transcript, including what
-- a texter wrote to a counsellor after the flow had ended.
ALTER TABLE sms_inbound ADD COLUMN contact_id VARCHAR(36) NULL;
CREATE INDEX ix_sms_inbound_contact ON sms_inbound (contact_id, received_at);

-- A counsellor's reply is free text: sealed (body then holds no text), with who wrote it.
ALTER TABLE sms_outbound ADD COLUMN body_sealed TEXT NULL;
ALTER TABLE sms_outbound ADD COLUMN operator_id VARCHAR(36) NULL;
