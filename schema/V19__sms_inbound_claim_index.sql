-- The inbox claims the oldest pending inbound message (SmsRepository.claimPending: WHERE status = 'pending'
-- ORDER BY received_at, id LIMIT 5 FOR UPDATE SKIP LOCKED). With the index in that very order the scan reads
-- the first few pending rows and stops, however many are waiting; (status, received_at) alone left H2 sorting
-- every pending row on each claim, so the inbox slowed down as its backlog grew. It replaces that index (its
-- prefix serves the other lookups by status). Runs unchanged on MariaDB 10.11 and H2 (MODE=MariaDB).

CREATE INDEX ix_sms_inbound_claim ON sms_inbound (status, received_at, id);
ALTER TABLE sms_inbound DROP INDEX ix_sms_inbound_pending;
