-- The daily purge (privacy.Retention) looks for personal data still held past its time. Each of its statements
-- selected on a nullable sealed column that no index covered, so each was a full scan of contacts, reports or
-- flow_sessions: O(stored rows) every day, to clear one day's worth. Each generated column below is the time
-- that class's retention counts from while the data is held, and NULL once it is gone (purged or erased), so its
-- index holds only the rows still holding that data and the purge reads only those; the database keeps the
-- columns in step with every write, so no row can be missed (no state of earlier runs is relied on). The purge
-- keeps its own conditions on the sealed columns too; these columns only narrow what it reads.
-- GENERATED ALWAYS AS (...) without a storage keyword: VIRTUAL on MariaDB 10.11 (InnoDB indexes it), a computed
-- column on H2 (MODE=MariaDB). Runs unchanged on both.

ALTER TABLE contacts ADD COLUMN caller_held_at DATETIME(3)
  GENERATED ALWAYS AS (CASE WHEN caller_sealed IS NULL THEN NULL ELSE ended_at END);
ALTER TABLE contacts ADD COLUMN answered_held_at DATETIME(3)
  GENERATED ALWAYS AS (CASE WHEN answered_number_sealed IS NULL THEN NULL ELSE COALESCE(ended_at, answered_at) END);
ALTER TABLE flow_sessions ADD COLUMN texts_held_at DATETIME(3)
  GENERATED ALWAYS AS (CASE WHEN texts_sealed IS NULL THEN NULL ELSE updated_at END);
ALTER TABLE reports ADD COLUMN free_text_held_at DATETIME(3)
  GENERATED ALWAYS AS (CASE WHEN description_sealed IS NULL AND urls_sealed IS NULL THEN NULL ELSE completed_at END);
ALTER TABLE reports ADD COLUMN recording_held_at DATETIME(3)
  GENERATED ALWAYS AS (CASE WHEN recording_sealed IS NULL THEN NULL ELSE completed_at END);

CREATE INDEX ix_contacts_caller_held ON contacts (caller_held_at);
CREATE INDEX ix_contacts_answered_held ON contacts (answered_held_at);
CREATE INDEX ix_flow_sessions_texts_held ON flow_sessions (texts_held_at);
CREATE INDEX ix_reports_free_text_held ON reports (free_text_held_at);
CREATE INDEX ix_reports_recording_held ON reports (recording_held_at);
