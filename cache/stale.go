package cache

import (
	"context"
	"sync"
	"time"
)

// Stale says that an answer of Service served was Age old, kept from
// before the service failed.
type Stale struct {
	Service string
	Age     time.Duration
}

// Marks gathers the stale answers served to one piece of work (a field
// of a response, a loader's call). It is safe for concurrent use.
type Marks struct {
	mu    sync.Mutex
	stale []Stale
}

type marksKey struct{}

// Watch returns ctx carrying fresh Marks, which gather every stale answer
// served under it (and not under Marks of its own further in).
func Watch(ctx context.Context) (context.Context, *Marks) {
	m := &Marks{}
	return context.WithValue(ctx, marksKey{}, m), m
}

// Note records that a stale answer of service, age old, was served under
// ctx; it does nothing when no one watches ctx.
func Note(ctx context.Context, service string, age time.Duration) {
	m, _ := ctx.Value(marksKey{}).(*Marks)
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, s := range m.stale {
		if s.Service == service { // one mark per service: the oldest answer
			m.stale[i].Age = max(s.Age, age)
			return
		}
	}
	m.stale = append(m.stale, Stale{Service: service, Age: age})
}

// Replay notes under ctx what another's Marks gathered: for work done once
// and shared (a loader's call), whose every user was served it.
func Replay(ctx context.Context, stale []Stale) {
	for _, s := range stale {
		Note(ctx, s.Service, s.Age)
	}
}

// Stale returns what was gathered, nil when nothing was stale; m may be
// nil.
func (m *Marks) Stale() []Stale {
	if m == nil {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Stale(nil), m.stale...)
}
