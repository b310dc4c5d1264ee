-- Follow-up tasks: a promise made to a caller ("we will call you back", "a counsellor will contact you") is a task
-- on the counsellors' board until a person has kept it. Made in the transaction that ends the contact, only when
-- the caller said being contacted back is safe. Codes, ids and times only: the number a callback needs is the
-- contact's own sealed caller_sealed, never copied here.
-- Runs unchanged on MariaDB 10.11 and H2 (MODE=MariaDB).

CREATE TABLE followup_tasks (
  id                 VARCHAR(36)  NOT NULL,         -- UUIDv7
  contact_id         VARCHAR(36)  NOT NULL,         -- one task per contact
  report_id          VARCHAR(36)  NULL,             -- the contact's report, when it made one
  kind               VARCHAR(24)  NOT NULL,         -- callback | sms_reply | voicemail_review
  priority           VARCHAR(16)  NOT NULL,         -- urgent | normal
  status             VARCHAR(16)  NOT NULL,         -- open | in_progress | done | closed_failed | cancelled
  due_at             DATETIME(3)  NOT NULL,         -- followup.danger_due_minutes / other_due_hours after created_at
  created_at         DATETIME(3)  NOT NULL,
  assigned_operator  VARCHAR(36)  NULL,             -- opaque operator id
  attempts           INT          NOT NULL,
  next_attempt_at    DATETIME(3)  NULL,             -- after a no answer: try again from then (followup.retry_minutes)
  closed_at          DATETIME(3)  NULL,
  outcome            VARCHAR(24)  NULL,             -- reached | no_answer | wrong_number | do_not_contact | reviewed
                                                    -- | number_purged | erased
  PRIMARY KEY (id),
  CONSTRAINT uq_followup_tasks_contact UNIQUE (contact_id),
  CONSTRAINT fk_followup_tasks_contact FOREIGN KEY (contact_id) REFERENCES contacts (id)
);
CREATE INDEX ix_followup_tasks_status ON followup_tasks (status, priority, due_at);

-- Each attempt to keep the promise, by whom, and what it found.
CREATE TABLE followup_attempts (
  id           VARCHAR(36)  NOT NULL,               -- UUIDv7
  task_id      VARCHAR(36)  NOT NULL,
  at           DATETIME(3)  NOT NULL,
  operator_id  VARCHAR(36)  NOT NULL,               -- opaque operator id
  result       VARCHAR(24)  NOT NULL,               -- reached | no_answer | wrong_number | do_not_contact
  PRIMARY KEY (id),
  CONSTRAINT fk_followup_attempts_task FOREIGN KEY (task_id) REFERENCES followup_tasks (id)
);
CREATE INDEX ix_followup_attempts_task ON followup_attempts (task_id, at);
