package server

import (
	"context"
	"sync"

	"github.com/corefence/corefence/internal/store"
)

// maxCachedRuns bounds the run cache; a full cache starts again empty.
const maxCachedRuns = 4096

// runCache remembers runs read from the store. A run never changes once
// stored (its id is the digest of its inputs), so an entry never goes
// stale; it is keyed by operator and id, as the store looks runs up, so
// one tenant's lookup never answers another's.
type runCache struct {
	mu   sync.RWMutex
	runs map[[2]string]store.Run
}

func newRunCache() *runCache { return &runCache{runs: map[[2]string]store.Run{}} }

// run returns operator's run id, from the cache or the store.
func (s *Server) run(ctx context.Context, operator, id string) (store.Run, error) {
	c, key := s.runInfo, [2]string{operator, id}
	c.mu.RLock()
	run, ok := c.runs[key]
	c.mu.RUnlock()
	if ok {
		return run, nil
	}
	run, err := s.store.Run(ctx, operator, id)
	if err != nil {
		return run, err
	}
	c.mu.Lock()
	if len(c.runs) >= maxCachedRuns {
		clear(c.runs)
	}
	c.runs[key] = run
	c.mu.Unlock()
	return run, nil
}
