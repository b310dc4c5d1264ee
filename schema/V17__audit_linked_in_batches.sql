-- The audit chain is linked in batches (issue 14): a transaction that records an event inserts it without its
-- place in the chain (seq, prev_hash, hash stay NULL) and without touching audit_head, so writers no longer queue
-- behind the one head row; the linker of any instance then takes the head row, gives the waiting events their
-- seq in insertion order and their hashes, and moves the head, many events per transaction (audit/AuditLinker).
-- Linked rows are never changed again (docs/operations.md gives the MariaDB grants and trigger that enforce it).
ALTER TABLE audit_events DROP PRIMARY KEY;
ALTER TABLE audit_events ADD COLUMN id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY;
ALTER TABLE audit_events MODIFY seq BIGINT NULL;
ALTER TABLE audit_events MODIFY prev_hash VARCHAR(64) NULL;
ALTER TABLE audit_events MODIFY hash VARCHAR(64) NULL;
CREATE UNIQUE INDEX ux_audit_events_seq ON audit_events (seq);
