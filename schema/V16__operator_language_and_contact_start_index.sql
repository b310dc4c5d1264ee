-- The language a counsellor hears the whisper in (vi, en: the first flow language whose code starts with it;
-- NULL: the flow's first), and an index for the board's and supervisor's "today" figures, which count contacts
-- by their start (and reports by their receipt).
-- Runs unchanged on MariaDB 10.11 and H2 (MODE=MariaDB).

ALTER TABLE operators ADD COLUMN language VARCHAR(8) NULL;
CREATE INDEX ix_contacts_started_at ON contacts (started_at);
CREATE INDEX ix_reports_received_at ON reports (received_at);
