-- Counsellor review (issue 12): a routing rule may hold its deliveries until a counsellor completes the report or
-- its review time is up, and a counsellor's assessment makes a new version of the report, which goes out again
-- (report.updated to agencies that already have it). Version 1 is the report as the contact made it (the reports
-- row, unchanged); versions 2, 3 ... are assessments. The counsellor is an opaque operator id (no foreign key:
-- operators' accounts live elsewhere). Free text a counsellor writes is sealed like the caller's.
-- Runs unchanged on MariaDB 10.11 and H2 2.x in MODE=MariaDB.

ALTER TABLE reports ADD COLUMN version INT NOT NULL DEFAULT 1;           -- the current version
ALTER TABLE reports ADD COLUMN review_due_at DATETIME(3) NULL;           -- held for a counsellor until then; NULL: no rule asked
ALTER TABLE reports ADD COLUMN reviewed_at DATETIME(3) NULL;             -- a counsellor completed it (the first time)
ALTER TABLE reports ADD COLUMN reviewed_by VARCHAR(64) NULL;             -- the operator id who completed it last
CREATE INDEX ix_reports_review ON reports (review_due_at, reviewed_at);

CREATE TABLE report_versions (
  report_id       VARCHAR(36)   NOT NULL,
  version         INT           NOT NULL,          -- 2, 3 ...
  operator_id     VARCHAR(64)   NOT NULL,          -- who completed it
  category        VARCHAR(64)   NOT NULL,
  subcategory     VARCHAR(64)   NULL,
  risk_level      VARCHAR(16)   NOT NULL,          -- low | medium | high | immediate
  age_band        VARCHAR(16)   NOT NULL,
  sex             VARCHAR(16)   NULL,              -- female | male | other | unknown
  province        VARCHAR(8)    NULL,
  district_sealed VARCHAR(1024) NULL,              -- free text, sealed
  notes_sealed    TEXT          NULL,              -- case notes, sealed
  case_outcome    VARCHAR(32)   NOT NULL,          -- advice_given | referred | needs_follow_up | silent_prank | abusive
  referral        VARCHAR(1000) NOT NULL,          -- agency ids, comma-separated ('' for none)
  reason_sealed   TEXT          NULL,              -- the referral's reason, sealed
  created_at      DATETIME(3)   NOT NULL,
  PRIMARY KEY (report_id, version),
  CONSTRAINT fk_report_versions_report FOREIGN KEY (report_id) REFERENCES reports (id)
);

-- A delivery now carries one version of its report to one agency: report.created the first time, report.updated
-- for a later version to an agency that may have had an earlier one (a new row, so a new webhook-id).
ALTER TABLE deliveries ADD COLUMN report_version INT NOT NULL DEFAULT 1;
ALTER TABLE deliveries ADD COLUMN event_type VARCHAR(32) NOT NULL DEFAULT 'report.created';
ALTER TABLE deliveries ADD COLUMN review_due_at DATETIME(3) NULL;        -- held for review (status held) until then
-- The new unique key also serves the foreign key on report_id, so the old one can go.
CREATE UNIQUE INDEX uq_deliveries_report_agency_version ON deliveries (report_id, agency_id, report_version);
ALTER TABLE deliveries DROP INDEX uq_deliveries_report_agency;
