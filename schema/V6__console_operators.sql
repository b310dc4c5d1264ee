-- The counsellors' console: operator accounts (made from the CLI or by an admin) and their signed-in sessions.
-- Secrets are never kept as given: passwords as Argon2id hashes, setup links and session tokens as SHA-256
-- hashes; the phone number (personal data) and the TOTP secret are sealed (AES-256-GCM, audit.Sealer).
-- Runs unchanged on MariaDB 10.11 and H2 (MODE=MariaDB).

CREATE TABLE operators (
  id                  VARCHAR(36)   NOT NULL,
  login               VARCHAR(32)   NOT NULL,         -- lower-case letters, digits, . _ -
  name                VARCHAR(128)  NOT NULL,         -- the person's name, shown in the console
  role                VARCHAR(16)   NOT NULL,         -- counsellor | supervisor | admin
  phone_sealed        VARCHAR(512)  NULL,             -- sealed E.164 number the gateway may ring
  password_hash       VARCHAR(255)  NULL,             -- Argon2id; NULL until the setup link is used (and after a reset)
  totp_secret_sealed  VARCHAR(255)  NULL,             -- sealed base32 RFC 6238 secret; NULL: no second factor
  totp_last_step      BIGINT        NULL,             -- the last 30 s step a code was accepted for (no replay)
  failed_logins       INT           NOT NULL,         -- failed sign-ins in a row
  locked_until        DATETIME(3)   NULL,             -- sign-in refused until then (backoff after failures)
  setup_token_hash    VARCHAR(64)   NULL,             -- SHA-256 of the one-time setup link's token
  setup_expires_at    DATETIME(3)   NULL,
  created_at          DATETIME(3)   NOT NULL,
  disabled_at         DATETIME(3)   NULL,
  PRIMARY KEY (id),
  CONSTRAINT uq_operators_login UNIQUE (login),
  CONSTRAINT uq_operators_setup_token UNIQUE (setup_token_hash)
);

CREATE TABLE console_sessions (
  id                  VARCHAR(36)   NOT NULL,
  token_hash          VARCHAR(64)   NOT NULL,         -- SHA-256 of the cookie's token
  operator_id         VARCHAR(36)   NOT NULL,
  created_at          DATETIME(3)   NOT NULL,         -- absolute timeout counts from here
  last_seen_at        DATETIME(3)   NOT NULL,         -- idle timeout counts from here
  ended_at            DATETIME(3)   NULL,
  end_reason          VARCHAR(16)   NULL,             -- logout | idle | absolute | disabled | reset
  PRIMARY KEY (id),
  CONSTRAINT uq_console_sessions_token UNIQUE (token_hash),
  CONSTRAINT fk_console_sessions_operator FOREIGN KEY (operator_id) REFERENCES operators (id)
);
CREATE INDEX ix_console_sessions_operator ON console_sessions (operator_id, ended_at);
