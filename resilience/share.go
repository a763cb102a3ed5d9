package resilience

import (
	"context"
	"sync"

	"golang.org/x/sync/semaphore"
)

// shares caps how many of a service's attempts in flight one caller may
// hold: a caller that asks for much (a request for 50 dashboards, a client
// sending many requests) waits for its own attempts to finish instead of
// filling the bulkhead, where everyone else's calls would be shed. Callers
// are named by Options.Callers (e.g. the client and the request); each name
// has a limit of its own.
type shares struct {
	limit int64
	mu    sync.Mutex
	held  map[string]*share
}

type share struct {
	sem  *semaphore.Weighted
	refs int // attempts holding or waiting for a slot; the entry goes at 0
}

func newShares(limit int) *shares {
	return &shares{limit: int64(max(limit, 1)), held: make(map[string]*share)}
}

// acquire takes a slot of each caller in turn, waiting while a caller holds
// all of its own, until ctx ends. The returned func gives them back.
func (s *shares) acquire(ctx context.Context, callers []string) (release func(), err error) {
	taken := make([]*share, 0, len(callers))
	release = func() {
		for i, sh := range taken {
			sh.sem.Release(1)
			s.drop(callers[i], sh)
		}
	}
	for _, key := range callers {
		s.mu.Lock()
		sh := s.held[key]
		if sh == nil {
			sh = &share{sem: semaphore.NewWeighted(s.limit)}
			s.held[key] = sh
		}
		sh.refs++
		s.mu.Unlock()
		if err := sh.sem.Acquire(ctx, 1); err != nil {
			s.drop(key, sh)
			release()
			return nil, err
		}
		taken = append(taken, sh)
	}
	return release, nil
}

func (s *shares) drop(key string, sh *share) {
	s.mu.Lock()
	if sh.refs--; sh.refs == 0 {
		delete(s.held, key)
	}
	s.mu.Unlock()
}
