-- corefence store, version 3: exposure runs on snapshots, keyed like
-- check runs by their inputs' digest; the report is the JSON
-- `corefence exposure --format json` writes.

CREATE TABLE exposures (
  seq      INTEGER PRIMARY KEY AUTOINCREMENT,
  id       TEXT NOT NULL UNIQUE,
  operator TEXT NOT NULL REFERENCES operators(id),
  snapshot TEXT NOT NULL REFERENCES snapshots(id),
  inputs   TEXT NOT NULL,
  report   TEXT NOT NULL,
  created  BIGINT NOT NULL,
  creator  TEXT NOT NULL
);
CREATE INDEX exposures_operator ON exposures(operator, seq);
