-- corefence store, version 6: runs, exposure analyses and plans on the
-- national view. Such a record belongs to no tenant and no one snapshot:
-- its operator and snapshot are NULL (the view's snapshots, with their
-- digests, are in its inputs); a record of one snapshot names both, as
-- before. sqlite/006_national.sql is the same change.

ALTER TABLE runs ALTER COLUMN operator DROP NOT NULL, ALTER COLUMN snapshot DROP NOT NULL,
  ADD CONSTRAINT runs_subject CHECK ((operator IS NULL) = (snapshot IS NULL));
ALTER TABLE exposures ALTER COLUMN operator DROP NOT NULL, ALTER COLUMN snapshot DROP NOT NULL,
  ADD CONSTRAINT exposures_subject CHECK ((operator IS NULL) = (snapshot IS NULL));
ALTER TABLE plans ALTER COLUMN operator DROP NOT NULL, ALTER COLUMN snapshot DROP NOT NULL,
  ADD CONSTRAINT plans_subject CHECK ((operator IS NULL) = (snapshot IS NULL));
