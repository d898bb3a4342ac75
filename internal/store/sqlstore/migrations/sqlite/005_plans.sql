-- corefence store, version 5: rip-and-replace plans of snapshots, kept like
-- exposure analyses: keyed by their inputs' digest, computed once; the
-- report holds each option's plan as `corefence plan --format json` writes it.

CREATE TABLE plans (
  seq      INTEGER PRIMARY KEY AUTOINCREMENT,
  id       TEXT NOT NULL UNIQUE,
  operator TEXT NOT NULL REFERENCES operators(id),
  snapshot TEXT NOT NULL REFERENCES snapshots(id),
  inputs   TEXT NOT NULL,
  report   TEXT NOT NULL,
  created  BIGINT NOT NULL,
  creator  TEXT NOT NULL
);
CREATE INDEX plans_operator ON plans(operator, seq);
