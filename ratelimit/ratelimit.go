// Package ratelimit decides whether one more request fits a limit of
// requests per window, by the Generic Cell Rate Algorithm (GCRA): up to
// the limit at once (a burst), then one every window/limit. The same
// arithmetic serves the in-memory limiter of one replica (Local) and the
// one shared through Redis (package sharedstore runs it in a script), so
// that a client sees the same decision and the same headers either way.
package ratelimit

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Decision is the outcome of one request against a limit.
type Decision struct {
	// Allowed says whether the request is within the limit.
	Allowed bool
	// Limit is the limit: requests per window, all at once at most.
	Limit int
	// Remaining is how many more requests the limit admits right now.
	Remaining int
	// RetryAfter is, for a request not allowed, when the next one will
	// be: the real next admission, not the whole window. Zero if allowed.
	RetryAfter time.Duration
	// Reset is how long until the whole limit is available again.
	Reset time.Duration
}

// Decide is the decision for a key whose theoretical arrival time (TAT)
// was ahead of now by ahead (zero or less: the key is fresh), under limit
// per window. It returns the decision and how far ahead the TAT is after
// it (unchanged when the request is not allowed).
func Decide(ahead time.Duration, limit int, window time.Duration) (Decision, time.Duration) {
	interval, tolerance := Cell(limit, window)
	ahead = max(ahead, 0)
	allowed := ahead <= tolerance
	if allowed {
		ahead += interval
	}
	return Describe(allowed, ahead, limit, window), ahead
}

// Describe is the decision allowed, for a key whose TAT is ahead of now by
// ahead after it, under limit per window: what Decide returns, for a
// decision taken elsewhere (in Redis).
func Describe(allowed bool, ahead time.Duration, limit int, window time.Duration) Decision {
	interval, tolerance := Cell(limit, window)
	d := Decision{Allowed: allowed, Limit: max(limit, 1), Reset: max(ahead, 0)}
	if allowed {
		d.Remaining = max(0, int((tolerance+interval-ahead)/interval))
	} else {
		d.RetryAfter = max(ahead-tolerance, time.Microsecond)
	}
	return d
}

// Cell returns GCRA's emission interval (window over limit) and burst
// tolerance (limit-1 intervals), to the microsecond, as Redis's script
// takes them.
func Cell(limit int, window time.Duration) (interval, tolerance time.Duration) {
	limit = max(limit, 1)
	interval = max(window/time.Duration(limit), time.Microsecond).Truncate(time.Microsecond)
	return interval, interval * time.Duration(limit-1)
}

// SetHeaders writes d as the response's X-RateLimit-Limit,
// X-RateLimit-Remaining and X-RateLimit-Reset (seconds from now, rounded
// up), and, for a request not allowed, Retry-After (whole seconds, at
// least 1, as HTTP has it) and Retry-After-Ms (the same, to the
// millisecond).
func (d Decision) SetHeaders(h http.Header) {
	h.Set("X-RateLimit-Limit", strconv.Itoa(d.Limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(d.Remaining))
	h.Set("X-RateLimit-Reset", strconv.Itoa(ceilSeconds(d.Reset)))
	if !d.Allowed {
		h.Set("Retry-After", strconv.Itoa(max(1, ceilSeconds(d.RetryAfter))))
		h.Set("Retry-After-Ms", strconv.FormatInt(max(1, int64(math.Ceil(float64(d.RetryAfter)/float64(time.Millisecond)))), 10))
	}
}

func ceilSeconds(d time.Duration) int { return int(math.Ceil(d.Seconds())) }

// DefaultMaxKeys is Local's default bound on the keys it remembers.
const DefaultMaxKeys = 100_000

// Local is an in-memory GCRA limiter for one replica. It remembers a
// key only while its TAT is ahead of now (a key that caught up is the
// same as a fresh one), and at most MaxKeys of them, about 100 bytes
// each: past that, once the keys that caught up are dropped, a new key is
// decided as a fresh one and not remembered (the limit then holds only
// for the keys remembered, as it would on a replica that restarted).
type Local struct {
	// MaxKeys bounds the keys remembered; zero means DefaultMaxKeys.
	MaxKeys int
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	mu    sync.Mutex
	tat   map[string]time.Time
	swept time.Time // when sweep last ran
}

// Take decides one request of key under limit per window.
func (l *Local) Take(key string, limit int, window time.Duration) Decision {
	now := time.Now
	if l.Now != nil {
		now = l.Now
	}
	t := now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.tat == nil {
		l.tat = make(map[string]time.Time)
	}
	prev, known := l.tat[key]
	d, ahead := Decide(prev.Sub(t), limit, window)
	if !d.Allowed {
		return d
	}
	if !known && len(l.tat) >= l.maxKeys() {
		if t.Sub(l.swept) >= time.Second { // a sweep is O(keys): once a second at most
			l.sweep(t)
			l.swept = t
		}
		if len(l.tat) >= l.maxKeys() {
			return d // decided as fresh, not remembered
		}
	}
	l.tat[key] = t.Add(ahead)
	return d
}

func (l *Local) maxKeys() int {
	if l.MaxKeys > 0 {
		return l.MaxKeys
	}
	return DefaultMaxKeys
}

// sweep forgets the keys whose TAT is not ahead of t.
func (l *Local) sweep(t time.Time) {
	for k, tat := range l.tat {
		if !tat.After(t) {
			delete(l.tat, k)
		}
	}
}
