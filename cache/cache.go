// Package cache keeps the downstream services' last good answers, per
// caller, so that a service's answer can be served again: fresh, for a
// short time without calling the service at all (Policy.Fresh), or stale,
// when the service fails, marked as such (Policy.StaleIfError). Entries
// live in a Store: the process's memory (Memory), or a store shared by
// replicas. Every user has a generation in the keys of its entries, so
// invalidating all of a user's entries is one counter's increment.
//
// It knows nothing of HTTP, GraphQL or the services: package downstream
// says what a key is made of and which failures a stale answer may cover.
// A Store that fails costs a miss, never a request: errors are logged.
package cache

import (
	"bytes"
	"cmp"
	"compress/flate"
	"context"
	"encoding/binary"
	"io"
	"log/slog"
	"sync"
	"time"
)

// Policy is whether and how long one service's answers are served from
// the cache. The zero value caches nothing.
type Policy struct {
	// Fresh is how long an answer is served again without calling the
	// service (policy key cache=). Zero: every call goes out.
	Fresh time.Duration
	// StaleIfError is how old an answer may be and still be served, marked
	// stale, when the service fails (policy key stale-if-error=). Zero:
	// a failure is a failure.
	StaleIfError time.Duration
}

// On reports whether the policy keeps answers at all.
func (p Policy) On() bool { return p.Fresh > 0 || p.StaleIfError > 0 }

// Keep is how long an answer is kept: as long as either use needs it.
func (p Policy) Keep() time.Duration { return max(p.Fresh, p.StaleIfError) }

// Defaults of Options.
const (
	// DefaultMaxEntryBytes caps an answer kept, before compression. A
	// dashboard's largest per-user answer (100 orders) is about 40 KiB.
	DefaultMaxEntryBytes = 256 << 10
	// DefaultCompressAbove is the size from which answers are compressed.
	// Deflating and inflating an answer costs tens of microseconds
	// (BenchmarkPut), as much as a small answer's whole trip through the
	// gateway, and saves little below a few KiB; the lists of orders and
	// recommendations (4-40 KiB of repetitive JSON) shrink several times.
	DefaultCompressAbove = 4 << 10
)

// Options configure a Cache.
type Options struct {
	// Store keeps the entries; nil means a Memory store with its defaults.
	Store Store
	// MaxEntryBytes caps an answer kept, uncompressed; a larger one is not
	// kept. Zero means DefaultMaxEntryBytes.
	MaxEntryBytes int
	// CompressAbove is the size from which an answer is compressed (and
	// kept compressed only if that made it smaller). Zero means
	// DefaultCompressAbove; negative: never.
	CompressAbove int
	// Now is the clock of answers' ages; nil means time.Now.
	Now func() time.Time
	// Logger hears the Store's failures; nil discards them.
	Logger *slog.Logger
	// Observer hears the outcome of every lookup (see Outcome); nil
	// discards them.
	Observer Observer
}

// Cache keeps answers in its Store. It is safe for concurrent use; one
// value serves the process.
type Cache struct {
	store         Store
	maxEntry      int
	compressAbove int
	now           func() time.Time
	logger        *slog.Logger
	observer      Observer
	// A flate writer holds about a megabyte of state, and a reader tens
	// of kilobytes: they are reused.
	writers, readers sync.Pool
}

// New returns a Cache.
func New(o Options) *Cache {
	c := &Cache{
		store:         o.Store,
		maxEntry:      cmp.Or(o.MaxEntryBytes, DefaultMaxEntryBytes),
		compressAbove: cmp.Or(o.CompressAbove, DefaultCompressAbove),
		now:           o.Now,
		logger:        o.Logger,
		observer:      o.Observer,
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.store == nil {
		c.store = NewMemory(MemoryOptions{})
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	if c.observer == nil {
		c.observer = discard{}
	}
	return c
}

// Key names one answer: which call, and for whom.
type Key struct {
	// Service, Op and Target (the path and query called) say which call.
	Service, Op, Target string
	// Subject is the caller's authenticated subject; "" is the
	// unauthenticated caller. An answer is only ever served to its subject.
	Subject string
	// Users are the users the answer is about (the user of a per-user
	// call). Invalidating any of them, or the subject, drops the answer.
	Users []string
}

// sep separates a key's parts: none of them holds a control character.
const sep = "\x1f"

// generationKey is the Store key of a user's generation.
func generationKey(user string) string { return "gen" + sep + user }

// Get returns the answer kept under k and its age; ok is false when there
// is none (or the Store failed: logged). When it returns an answer, the
// caller reports what it did with it (Report); otherwise Get reports the
// lookup itself.
func (c *Cache) Get(ctx context.Context, k Key) (value []byte, age time.Duration, ok bool) {
	f := c.GetMany(ctx, []Key{k})[0]
	if !f.OK() {
		c.observer.Lookup(k.Service, f.Outcome)
	}
	return f.Value, f.Age, f.OK()
}

// Put keeps value under k for keep, unless it is larger than the entry cap.
// It reports whether the value was kept.
func (c *Cache) Put(ctx context.Context, k Key, value []byte, keep time.Duration) bool {
	return c.PutMany(ctx, []Answer{{Key: k, Value: value}}, keep) == 1
}

// logFailure logs a failure of the Store, or an unreadable entry.
func (c *Cache) logFailure(ctx context.Context, msg, service string, err error) {
	c.logger.LogAttrs(ctx, slog.LevelWarn, msg, slog.String("service", service), slog.Any("error", err))
}

// Invalidate drops every answer kept for user, as subject or about them,
// by moving on their generation.
func (c *Cache) Invalidate(ctx context.Context, user string) error {
	_, err := c.store.Incr(ctx, generationKey(user))
	return err
}

// An entry is a format byte, the time the answer was stored (Unix
// nanoseconds, big-endian), and the answer, raw or deflated.
const (
	formatRaw byte = iota + 1
	formatFlate
	headerLen = 9
)

func (c *Cache) encode(value []byte) []byte {
	out := make([]byte, headerLen, headerLen+len(value))
	out[0] = formatRaw
	binary.BigEndian.PutUint64(out[1:], uint64(c.now().UnixNano()))
	if c.compressAbove > 0 && len(value) >= c.compressAbove {
		var b bytes.Buffer
		b.Write(out)
		w, _ := c.writers.Get().(*flate.Writer)
		if w == nil {
			w, _ = flate.NewWriter(&b, flate.BestSpeed) // the level is valid
		} else {
			w.Reset(&b)
		}
		_, _ = w.Write(value) // a bytes.Buffer does not fail
		_ = w.Close()
		c.writers.Put(w)
		if b.Len() < len(out)+len(value) {
			z := b.Bytes()
			z[0] = formatFlate
			return z
		}
	}
	return append(out, value...)
}

func (c *Cache) decode(raw []byte) (value []byte, stored time.Time, err error) {
	if len(raw) < headerLen {
		return nil, time.Time{}, errEntry
	}
	stored = time.Unix(0, int64(binary.BigEndian.Uint64(raw[1:])))
	switch raw[0] {
	case formatRaw:
		return raw[headerLen:], stored, nil
	case formatFlate:
		src := bytes.NewReader(raw[headerLen:])
		r, _ := c.readers.Get().(io.ReadCloser)
		if r == nil {
			r = flate.NewReader(src)
		} else {
			_ = r.(flate.Resetter).Reset(src, nil) // flate's readers are Resetters
		}
		value, err = io.ReadAll(io.LimitReader(r, int64(c.maxEntry)+1))
		c.readers.Put(r)
		if err == nil && len(value) > c.maxEntry {
			err = errEntry
		}
		return value, stored, err
	}
	return nil, time.Time{}, errEntry
}
