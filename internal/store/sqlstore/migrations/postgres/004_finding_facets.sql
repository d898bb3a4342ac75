-- corefence store, version 4: what findings are filtered and sorted by
-- beyond their rule, status, site and vendor. technology is the
-- corefence.Tech bits the finding touches (its element's, else its site's
-- elements'); deadline the day it falls due (YYYY-MM-DD, '' for none).
-- Runs stored before this version have 0 and ''.

ALTER TABLE findings ADD COLUMN technology BIGINT NOT NULL DEFAULT 0;
ALTER TABLE findings ADD COLUMN deadline TEXT NOT NULL DEFAULT '';

-- Sorting by status (by severity) and by deadline (none last) pages
-- through these. The expressions are sqlstore/findings.go's, word for
-- word: an index on an expression serves only that expression.
CREATE INDEX findings_status_rank ON findings(run, (CASE status WHEN 'violation' THEN 0 WHEN 'advisory' THEN 1 WHEN 'upcoming' THEN 2 WHEN 'unmeasured' THEN 3 WHEN 'waived' THEN 4 ELSE 5 END), seq);
CREATE INDEX findings_deadline ON findings(run, ((CASE WHEN deadline = '' THEN '9999-12-31' ELSE deadline END) COLLATE "C"), seq);
