-- corefence store, version 1 (SQLite). Times are Unix microseconds (UTC),
-- dates are YYYY-MM-DD text; postgres/001_init.sql is the same schema.

CREATE TABLE operators (
  id      TEXT PRIMARY KEY,
  name    TEXT NOT NULL,
  created BIGINT NOT NULL
);

CREATE TABLE principals (
  id       TEXT PRIMARY KEY,
  name     TEXT NOT NULL,
  role     TEXT NOT NULL CHECK (role IN ('operator', 'regulator', 'partner', 'admin')),
  operator TEXT REFERENCES operators(id),
  created  BIGINT NOT NULL,
  CHECK ((role = 'operator') = (operator IS NOT NULL))
);

CREATE TABLE tokens (
  id        TEXT PRIMARY KEY,
  principal TEXT NOT NULL REFERENCES principals(id),
  hash      BLOB NOT NULL,
  created   BIGINT NOT NULL,
  expires   BIGINT NOT NULL,
  revoked   BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX tokens_principal ON tokens(principal);

CREATE TABLE snapshots (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  id         TEXT NOT NULL UNIQUE,
  operator   TEXT NOT NULL REFERENCES operators(id),
  digest     TEXT NOT NULL,
  source     TEXT NOT NULL,
  valid_from TEXT NOT NULL,
  uploaded   BIGINT NOT NULL,
  uploader   TEXT NOT NULL,
  counts     TEXT NOT NULL,
  content    BLOB NOT NULL
);
CREATE INDEX snapshots_operator ON snapshots(operator, seq);
CREATE INDEX snapshots_valid ON snapshots(operator, valid_from, seq);

CREATE TABLE runs (
  seq      INTEGER PRIMARY KEY AUTOINCREMENT,
  id       TEXT NOT NULL UNIQUE,
  operator TEXT NOT NULL REFERENCES operators(id),
  snapshot TEXT NOT NULL REFERENCES snapshots(id),
  as_of    TEXT NOT NULL,
  inputs   TEXT NOT NULL,
  summary  TEXT NOT NULL,
  created  BIGINT NOT NULL,
  creator  TEXT NOT NULL,
  findings INTEGER NOT NULL
);
CREATE INDEX runs_operator ON runs(operator, seq);

CREATE TABLE findings (
  run      TEXT NOT NULL REFERENCES runs(id),
  seq      BIGINT NOT NULL,
  id       TEXT NOT NULL,
  policy   TEXT NOT NULL,
  rule     TEXT NOT NULL,
  status   TEXT NOT NULL,
  operator TEXT NOT NULL,
  site     TEXT NOT NULL,
  element  TEXT NOT NULL,
  vendor   TEXT NOT NULL,
  body     TEXT NOT NULL,
  PRIMARY KEY (run, seq)
);
CREATE INDEX findings_rule ON findings(run, rule, seq);
CREATE INDEX findings_status ON findings(run, status, seq);
CREATE INDEX findings_site ON findings(run, site, seq);
CREATE INDEX findings_vendor ON findings(run, vendor, seq);

CREATE TABLE waivers (
  id       TEXT PRIMARY KEY,
  operator TEXT NOT NULL REFERENCES operators(id),
  rule     TEXT NOT NULL,
  element  TEXT NOT NULL,
  site     TEXT NOT NULL,
  reason   TEXT NOT NULL,
  approver TEXT NOT NULL,
  expires  TEXT NOT NULL,
  created  BIGINT NOT NULL,
  creator  TEXT NOT NULL,
  revoked  BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX waivers_operator ON waivers(operator, created);

CREATE TABLE packs (
  id      TEXT PRIMARY KEY,
  version TEXT NOT NULL,
  digest  TEXT NOT NULL,
  created BIGINT NOT NULL,
  creator TEXT NOT NULL,
  content BLOB NOT NULL
);

CREATE TABLE audit_log (
  seq      BIGINT PRIMARY KEY,
  at       BIGINT NOT NULL,
  actor    TEXT NOT NULL,
  action   TEXT NOT NULL,
  operator TEXT NOT NULL,
  subject  TEXT NOT NULL,
  detail   TEXT NOT NULL,
  prev     TEXT NOT NULL,
  hash     TEXT NOT NULL
);

-- The head of the chain: one row, updated with every append, so that
-- concurrent appends serialise on it and truncation of the log is detected.
CREATE TABLE audit_head (
  one  INTEGER PRIMARY KEY CHECK (one = 1),
  seq  BIGINT NOT NULL,
  hash TEXT NOT NULL
);
INSERT INTO audit_head (one, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- The log is append-only for the application; these stop accidents, not
-- someone with the database file (audit verify catches that).
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
