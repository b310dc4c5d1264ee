-- Inbound SMS the gateway could not read as sent (a malformed UDH, an empty source address) are kept and
-- acknowledged, not refused for ever: flagged with the reason codes, the bytes as they came sealed beside the
-- text decoded best effort. Runs unchanged on MariaDB 10.11 and H2 (MODE=MariaDB).

ALTER TABLE sms_inbound_parts ADD COLUMN malformed VARCHAR(64) NULL;   -- udh_length, udh_element, no_sender ...
ALTER TABLE sms_inbound_parts ADD COLUMN raw_sealed TEXT NULL;         -- sealed base64 of short_message, when malformed
ALTER TABLE sms_inbound ADD COLUMN malformed VARCHAR(64) NULL;         -- the reasons of its parts; with no_sender
-- the message has status unanswerable (nobody to reply to): it waits for a counsellor, not for the conversation.
