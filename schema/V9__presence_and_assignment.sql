-- Who can take a call now, and whose a contact is. A counsellor says Available, Busy or Away on the console; in
-- dial mode the gateway rings the phones of those Available. A contact is assigned to the counsellor who took it
-- (pressed 1 at the whisper) or to whom a supervisor reassigned it.
-- Runs unchanged on MariaDB 10.11 and H2 (MODE=MariaDB).

CREATE TABLE operator_presence (
  operator_id   VARCHAR(36)  NOT NULL,
  status        VARCHAR(16)  NOT NULL,            -- available | busy | away
  since         DATETIME(3)  NOT NULL,
  PRIMARY KEY (operator_id),
  CONSTRAINT fk_operator_presence_operator FOREIGN KEY (operator_id) REFERENCES operators (id)
);
CREATE INDEX ix_operator_presence_status ON operator_presence (status, since);

ALTER TABLE contacts ADD COLUMN assigned_operator VARCHAR(36) NULL;    -- the counsellor the contact is with
ALTER TABLE contacts ADD COLUMN assigned_at DATETIME(3) NULL;
CREATE INDEX ix_contacts_assigned ON contacts (assigned_operator, ended_at);
