package sqlstore_test

import (
	"fmt"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/corefence/corefence/internal/store"
	"github.com/corefence/corefence/internal/store/sqlstore"
)

// BenchmarkSnapshotStore stores a canonical inventory of 150 MB (a
// national network's) in SQLite: "chunks" through
// PutSnapshot, in 1 MiB rows; "one-blob", its peer in the same run, as one
// blob in one row of a table shaped like snapshots.content, the way
// snapshots were stored before schema version 7. Each iteration uses a
// fresh database. It reports the process's CPU time (user+sys) per store,
// which a shared machine disturbs less than wall time.
func BenchmarkSnapshotStore(b *testing.B) {
	content := make([]byte, 150<<20)
	for i := range content {
		content[i] = byte(i*31 + i>>12)
	}
	cpu := func() time.Duration {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			b.Fatal(err)
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	open := func(b *testing.B) *sqlstore.DB {
		s, err := sqlstore.Open(ctx, filepath.Join(b.TempDir(), "corefence.db"))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.CreateOperator(ctx, store.System, store.Operator{ID: "op", Name: "op"}); err != nil {
			b.Fatal(err)
		}
		if _, err := s.SQL().Exec(`CREATE TABLE whole (id TEXT NOT NULL UNIQUE, content BLOB NOT NULL)`); err != nil {
			b.Fatal(err)
		}
		return s
	}
	ways := []struct {
		name  string
		store func(s *sqlstore.DB, id string) error
	}{
		{"one-blob", func(s *sqlstore.DB, id string) error {
			tx, err := s.SQL().Begin()
			if err != nil {
				return err
			}
			if _, err := tx.Exec(`INSERT INTO whole (id, content) VALUES (?, ?)`, id, content); err != nil {
				tx.Rollback()
				return err
			}
			return tx.Commit()
		}},
		{"chunks", func(s *sqlstore.DB, id string) error {
			_, _, err := s.PutSnapshot(ctx, store.System, store.NewSnapshot{ID: id, Operator: "op", Digest: "d", Source: "d",
				ValidFrom: "2024-01-01", Counts: "{}", Content: content})
			return err
		}},
	}
	for _, w := range ways {
		b.Run(w.name, func(b *testing.B) {
			var spent time.Duration
			for i := range b.N {
				b.StopTimer()
				s := open(b)
				b.StartTimer()
				start := cpu()
				if err := w.store(s, fmt.Sprint("s", i)); err != nil {
					b.Fatal(err)
				}
				spent += cpu() - start
				b.StopTimer()
				s.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(spent.Milliseconds())/float64(b.N), "cpu-ms/op")
		})
	}
}
