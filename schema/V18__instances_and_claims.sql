-- Crash recovery (issue 17): every running gateway is an instance with a heartbeat, and what it claims carries its
-- id, so that a starting instance, or one that sees another's heartbeat go stale, takes back a dead instance's
-- claims at once instead of after their lease (the lease stays as the last resort). Ids and times only.
-- Runs unchanged on MariaDB 10.11 and H2 (MODE=MariaDB).

CREATE TABLE gateway_instances (
  id              VARCHAR(36)  NOT NULL,            -- UUIDv7, new on every start
  host            VARCHAR(255) NOT NULL,            -- the machine's name, to recognise a restart on the same one
  pid             BIGINT       NOT NULL,            -- the process, to tell a live instance from a killed one there
  started_at      DATETIME(3)  NOT NULL,
  heartbeat_at    DATETIME(3)  NOT NULL,            -- renewed every few seconds while it runs
  PRIMARY KEY (id)
);

-- Which instance holds the claim of a delivery being sent (NULL when none does).
ALTER TABLE deliveries ADD COLUMN claimed_by VARCHAR(36) NULL;
CREATE INDEX ix_deliveries_claimed_by ON deliveries (claimed_by);

-- Which instance is sending a reply, and the part it handed to the SMSC without a submit_sm_resp recorded yet
-- (written before submit_sm): a reply taken back with a part on the wire may already be on the texter's phone.
ALTER TABLE sms_outbound ADD COLUMN claimed_by VARCHAR(36) NULL;
ALTER TABLE sms_outbound ADD COLUMN submitting_part INT NULL;
CREATE INDEX ix_sms_outbound_claimed_by ON sms_outbound (claimed_by);
