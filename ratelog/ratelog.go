// Package ratelog bounds how often a repeated warning reaches the log: a
// slog.Handler that writes the first record of a kind at once, drops the
// others of that kind for an interval, and puts how many it dropped on the
// next one it writes. A kind is a record's level and message with its
// "service", "op" and "to" attributes (the latter a breaker's new state,
// so that a recovery is not taken for a repeat of a failure), so a Redis
// or a service that is down
// costs a few lines per interval, not a few per request. Records below the
// handler's level (info, debug) always pass. It is for warnings about a
// state (a store down, a breaker open), not for per-request lines that
// carry a request id: give it only to the components that log the former.
package ratelog

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Defaults of Options.
const (
	// DefaultInterval is how long a kind stays quiet after a record of it
	// was written.
	DefaultInterval = 10 * time.Second
	// maxKinds bounds the kinds remembered; past it, kinds whose interval
	// ended are forgotten (with any count not yet written).
	maxKinds = 1024
)

// SuppressedKey is the attribute holding how many records of the kind
// were dropped since the last one written.
const SuppressedKey = "suppressed"

// Options configure a Handler.
type Options struct {
	// Interval is how long after writing a record of a kind the others
	// of that kind are dropped (and counted). Default 10s
	// (DefaultInterval); negative: nothing is dropped.
	Interval time.Duration
	// Level is the lowest level that is bounded; records below it always
	// pass. Nil means slog.LevelWarn.
	Level *slog.Level
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Handler bounds the records of each kind to one per interval. Handlers
// derived from it (WithAttrs, WithGroup) share its counts. It is safe for
// concurrent use.
type Handler struct {
	next  slog.Handler
	state *state
}

// state is what a Handler and those derived from it share.
type state struct {
	interval time.Duration
	level    slog.Level
	now      func() time.Time
	mu       sync.Mutex
	kinds    map[kind]*seen
}

// kind is what makes two records repeats of each other.
type kind struct {
	level                slog.Level
	msg, service, op, to string
}

// seen is a kind's last written record and the drops since.
type seen struct {
	written    time.Time
	suppressed int
}

// New returns a Handler writing to next.
func New(next slog.Handler, o Options) *Handler {
	s := &state{interval: cmp.Or(o.Interval, DefaultInterval), level: slog.LevelWarn, now: o.Now, kinds: map[kind]*seen{}}
	if o.Level != nil {
		s.level = *o.Level
	}
	if s.now == nil {
		s.now = time.Now
	}
	return &Handler{next: next, state: s}
}

// Enabled implements slog.Handler.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

// Handle implements slog.Handler: it writes r, with the count of the
// records of its kind dropped before it, or drops and counts it.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < h.state.level || h.state.interval < 0 {
		return h.next.Handle(ctx, r)
	}
	suppressed, write := h.state.admit(kindOf(r))
	if !write {
		return nil
	}
	if suppressed > 0 {
		r = r.Clone()
		r.Message = fmt.Sprintf("%s (%d similar suppressed in the last %v)", r.Message, suppressed, h.state.interval)
		r.AddAttrs(slog.Int(SuppressedKey, suppressed))
	}
	return h.next.Handle(ctx, r)
}

// admit reports whether a record of k is written now, and how many of
// its kind were dropped since the last one written.
func (s *state) admit(k kind) (suppressed int, write bool) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.kinds[k]
	if ok && now.Sub(e.written) < s.interval {
		e.suppressed++
		return 0, false
	}
	if !ok {
		if len(s.kinds) >= maxKinds {
			s.forget(now)
		}
		e = &seen{}
		s.kinds[k] = e
	}
	suppressed, e.suppressed, e.written = e.suppressed, 0, now
	return suppressed, true
}

// forget drops the kinds whose interval ended, or all of them when none
// did, so that a flood of kinds costs bounded memory.
func (s *state) forget(now time.Time) {
	for k, e := range s.kinds {
		if now.Sub(e.written) >= s.interval {
			delete(s.kinds, k)
		}
	}
	if len(s.kinds) >= maxKinds {
		clear(s.kinds)
	}
}

// kindOf is r's kind.
func kindOf(r slog.Record) kind {
	k := kind{level: r.Level, msg: r.Message}
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "service":
			k.service = a.Value.String()
		case "op":
			k.op = a.Value.String()
		case "to":
			k.to = a.Value.String()
		}
		return true
	})
	return k
}

// WithAttrs implements slog.Handler.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &Handler{next: h.next.WithAttrs(attrs), state: h.state}
}

// WithGroup implements slog.Handler.
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{next: h.next.WithGroup(name), state: h.state}
}
