-- corefence store, version 2: signed evidence of check runs. One
-- attestation per run: the DSSE envelope the server signed, and what it
-- needs to prove single sites later — the seed of the site salts and the
-- recipe (packs and waivers as they were). seed and recipe are never
-- served to partners.

CREATE TABLE attestations (
  seq       INTEGER PRIMARY KEY AUTOINCREMENT,
  run       TEXT NOT NULL UNIQUE REFERENCES runs(id),
  operator  TEXT NOT NULL REFERENCES operators(id),
  as_of     TEXT NOT NULL,
  key_id    TEXT NOT NULL,
  statement TEXT NOT NULL,
  envelope  TEXT NOT NULL,
  seed      BLOB NOT NULL,
  recipe    TEXT NOT NULL,
  created   BIGINT NOT NULL,
  creator   TEXT NOT NULL
);
CREATE INDEX attestations_operator ON attestations(operator, seq);
