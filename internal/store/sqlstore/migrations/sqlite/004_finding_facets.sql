-- corefence store, version 4: what findings are filtered and sorted by
-- beyond their rule, status, site and vendor. technology is the
-- corefence.Tech bits the finding touches (its element's, else its site's
-- elements'); deadline the day it falls due (YYYY-MM-DD, '' for none).
-- Runs stored before this version have 0 and ''.

ALTER TABLE findings ADD COLUMN technology BIGINT NOT NULL DEFAULT 0;
ALTER TABLE findings ADD COLUMN deadline TEXT NOT NULL DEFAULT '';
