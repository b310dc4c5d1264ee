-- A counsellor calling a child back from the console: one row per "Call back" pressed. The gateway asks Twilio to
-- ring the counsellor's phone (the counsellor's call SID), and once they press 1 bridges them to the number kept
-- sealed on the contact, with the hotline's number as caller ID. Codes, ids and times only: never a number.
-- Twilio retries its webhooks; a row ends once (state ended, with its result), so one call makes one attempt.
-- Runs unchanged on MariaDB 10.11 and H2 (MODE=MariaDB).

CREATE TABLE followup_calls (
  id            VARCHAR(36)  NOT NULL,             -- UUIDv7, carried by the webhook URLs
  task_id       VARCHAR(36)  NOT NULL,
  operator_id   VARCHAR(36)  NOT NULL,             -- who pressed "Call back" (opaque operator id)
  lang          VARCHAR(8)   NOT NULL,             -- what the counsellor hears on the phone: vi | en
  call_sid      VARCHAR(34)  NULL,                 -- the counsellor's call at Twilio (Calls.create's answer)
  state         VARCHAR(24)  NOT NULL,             -- calling | counsellor_answered | dialling | ended
  answered_by   VARCHAR(24)  NULL,                 -- Twilio's AnsweredBy on the child's leg (human, machine_start, ...)
  result        VARCHAR(24)  NULL,                 -- reached | no_answer | counsellor_missed | not_started | task_closed
  created_at    DATETIME(3)  NOT NULL,
  ended_at      DATETIME(3)  NULL,
  PRIMARY KEY (id),
  CONSTRAINT fk_followup_calls_task FOREIGN KEY (task_id) REFERENCES followup_tasks (id)
);
CREATE INDEX ix_followup_calls_task ON followup_calls (task_id, created_at);
