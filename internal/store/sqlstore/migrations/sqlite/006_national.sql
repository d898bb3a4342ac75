-- corefence store, version 6: runs, exposure analyses and plans on the
-- national view. Such a record belongs to no tenant and no one snapshot:
-- its operator and snapshot are NULL (the view's snapshots, with their
-- digests, are in its inputs); a record of one snapshot names both, as
-- before. SQLite cannot relax NOT NULL in place, so the three tables are
-- rebuilt (the store runs this with foreign keys off and checks them
-- before committing, the procedure SQLite documents for ALTER TABLE).
-- Findings and attestations still refer to runs(id), unchanged.

CREATE TABLE runs_v6 (
  seq      INTEGER PRIMARY KEY AUTOINCREMENT,
  id       TEXT NOT NULL UNIQUE,
  operator TEXT REFERENCES operators(id),
  snapshot TEXT REFERENCES snapshots(id),
  as_of    TEXT NOT NULL,
  inputs   TEXT NOT NULL,
  summary  TEXT NOT NULL,
  created  BIGINT NOT NULL,
  creator  TEXT NOT NULL,
  findings INTEGER NOT NULL,
  CHECK ((operator IS NULL) = (snapshot IS NULL))
);
INSERT INTO runs_v6 (seq, id, operator, snapshot, as_of, inputs, summary, created, creator, findings)
  SELECT seq, id, operator, snapshot, as_of, inputs, summary, created, creator, findings FROM runs;
DROP TABLE runs;
ALTER TABLE runs_v6 RENAME TO runs;
CREATE INDEX runs_operator ON runs(operator, seq);

CREATE TABLE exposures_v6 (
  seq      INTEGER PRIMARY KEY AUTOINCREMENT,
  id       TEXT NOT NULL UNIQUE,
  operator TEXT REFERENCES operators(id),
  snapshot TEXT REFERENCES snapshots(id),
  inputs   TEXT NOT NULL,
  report   TEXT NOT NULL,
  created  BIGINT NOT NULL,
  creator  TEXT NOT NULL,
  CHECK ((operator IS NULL) = (snapshot IS NULL))
);
INSERT INTO exposures_v6 (seq, id, operator, snapshot, inputs, report, created, creator)
  SELECT seq, id, operator, snapshot, inputs, report, created, creator FROM exposures;
DROP TABLE exposures;
ALTER TABLE exposures_v6 RENAME TO exposures;
CREATE INDEX exposures_operator ON exposures(operator, seq);

CREATE TABLE plans_v6 (
  seq      INTEGER PRIMARY KEY AUTOINCREMENT,
  id       TEXT NOT NULL UNIQUE,
  operator TEXT REFERENCES operators(id),
  snapshot TEXT REFERENCES snapshots(id),
  inputs   TEXT NOT NULL,
  report   TEXT NOT NULL,
  created  BIGINT NOT NULL,
  creator  TEXT NOT NULL,
  CHECK ((operator IS NULL) = (snapshot IS NULL))
);
INSERT INTO plans_v6 (seq, id, operator, snapshot, inputs, report, created, creator)
  SELECT seq, id, operator, snapshot, inputs, report, created, creator FROM plans;
DROP TABLE plans;
ALTER TABLE plans_v6 RENAME TO plans;
CREATE INDEX plans_operator ON plans(operator, seq);
