-- corefence store, version 7: a snapshot's canonical inventory stored in
-- pieces of at most 1 MiB, in order of n. One blob of a hundred megabytes
-- costs SQLite copies of the whole of it at once (the driver's, the
-- record's); pieces reuse small buffers, and an upload of a million
-- elements stores in about half the CPU time. Snapshots stored before
-- keep their content in snapshots.content; new ones leave it empty.

CREATE TABLE snapshot_chunks (
  snapshot TEXT NOT NULL REFERENCES snapshots(id),
  n        INTEGER NOT NULL,
  data     BYTEA NOT NULL,
  PRIMARY KEY (snapshot, n)
);
