// Package sharedstore is the state the gateway's replicas share through
// Redis: values with a time to live (persisted queries, later cached
// responses), counters, and global rate limits (gcra.go). Every call is
// bounded by a small timeout and guarded by the store's own circuit
// breaker, and is logged and counted; a failed call returns an error for
// the caller to fail open on (a miss, local counting), never a failed
// request. It does not decide what to share or fall back to: its callers
// (documents, gateway) do.
package sharedstore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"github.com/sony/gobreaker/v2"
)

// Defaults of Options (zero fields take them).
const (
	DefaultTimeout      = 50 * time.Millisecond
	DefaultOpenFor      = time.Second
	DefaultTripAfter    = 5
	DefaultKeyPrefix    = "dgw:"
	defaultDialDeadline = time.Second
)

// ErrUnavailable is returned, wrapped, when the breaker refuses a call:
// Redis failed recently and is not asked again until OpenFor has passed.
var ErrUnavailable = errors.New("sharedstore: redis unavailable (breaker open)")

// Options configure a Store.
type Options struct {
	// URL is the Redis address (ParseURL lists the forms). Required.
	URL string
	// Password, when set, is the password of the Redis servers (the
	// master, a cluster's nodes), so that the URL need not hold it; the
	// URL must then have none. Default: the URL's.
	Password string
	// SentinelPassword, when set, is the password of the sentinels, for a
	// Sentinel URL that then has none. Default: the URL's.
	SentinelPassword string
	// Timeout bounds every call, its wait for a connection included.
	// Default 50ms (DefaultTimeout).
	Timeout time.Duration
	// OpenFor is how long the breaker stays open, refusing calls at once,
	// after TripAfter failures in a row. Default 1s (DefaultOpenFor).
	OpenFor time.Duration
	// TripAfter is the number of failures in a row that opens the breaker.
	// Default 5 (DefaultTripAfter).
	TripAfter int
	// KeyPrefix starts every key, so gateways can share a Redis with
	// others. Default "dgw:" (DefaultKeyPrefix).
	KeyPrefix string
	// Logger gets failures and the breaker's changes; nil discards.
	Logger *slog.Logger
	// Registry gets the store's metrics; nil: none.
	Registry prometheus.Registerer
}

// Store is the shared store in Redis. It implements the Get, Set, Incr,
// GetMany and SetMany of a key-value store (cache.Store), and Allow (a
// GCRA rate limit).
type Store struct {
	client  redis.UniversalClient
	breaker *gobreaker.CircuitBreaker[any]
	timeout time.Duration
	prefix  string
	logger  *slog.Logger
	metrics *metrics
	// perKeyGets: GetMany pipelines GETs, for a Cluster's MGET refuses
	// keys of several slots.
	perKeyGets bool
}

// New connects to the Redis at opts.URL lazily: it checks the URL, not
// that Redis answers (Ping does). Close releases the connections.
func New(opts Options) (*Store, error) {
	uopts, err := ParseURL(opts.URL)
	if err != nil {
		return nil, err
	}
	if err := setPasswords(uopts, opts.Password, opts.SentinelPassword); err != nil {
		return nil, err
	}
	s := &Store{
		timeout: cmp.Or(opts.Timeout, DefaultTimeout),
		prefix:  cmp.Or(opts.KeyPrefix, DefaultKeyPrefix),
		logger:  opts.Logger,
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	// The breaker, not the client, decides when to try again: no retries,
	// and no wait for a connection longer than a call may take.
	uopts.MaxRetries = -1
	uopts.ContextTimeoutEnabled = true
	uopts.PoolTimeout = s.timeout
	uopts.DialTimeout = max(s.timeout, defaultDialDeadline)
	uopts.DialerRetries = 1      // a refused connection fails the call at once
	uopts.DisableIdentity = true // no CLIENT SETINFO round trip on each new connection
	s.client = redis.NewUniversalClient(uopts)
	_, s.perKeyGets = s.client.(*redis.ClusterClient)
	tripAfter := uint32(cmp.Or(opts.TripAfter, DefaultTripAfter))
	s.breaker = gobreaker.NewCircuitBreaker[any](gobreaker.Settings{
		Name:        "redis",
		MaxRequests: 1,
		Timeout:     cmp.Or(opts.OpenFor, DefaultOpenFor),
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= tripAfter },
		// A missing key is an answer.
		IsSuccessful: func(err error) bool { return err == nil || errors.Is(err, redis.Nil) },
		OnStateChange: func(_ string, from, to gobreaker.State) {
			level := slog.LevelWarn
			if to == gobreaker.StateClosed {
				level = slog.LevelInfo
			}
			s.logger.Log(context.Background(), level, "redis breaker changed state", "from", from.String(), "to", to.String())
		},
	})
	if opts.Registry != nil {
		if s.metrics, err = newMetrics(opts.Registry, s.breaker); err != nil {
			s.client.Close()
			return nil, err
		}
	}
	return s, nil
}

// Close closes the connections to Redis.
func (s *Store) Close() error { return s.client.Close() }

// Ping asks Redis for an answer, as any call: for a check at start-up.
func (s *Store) Ping(ctx context.Context) error {
	return s.do(ctx, "ping", func(ctx context.Context) error { return s.client.Ping(ctx).Err() })
}

// Get returns the value under key, ok false when there is none.
func (s *Store) Get(ctx context.Context, key string) (value []byte, ok bool, err error) {
	err = s.do(ctx, "get", func(ctx context.Context) error {
		var err error
		value, err = s.client.Get(ctx, s.prefix+key).Bytes()
		return err
	})
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	return value, err == nil, err
}

// Set stores value under key for ttl (forever when ttl is 0).
func (s *Store) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return s.do(ctx, "set", func(ctx context.Context) error {
		return s.client.Set(ctx, s.prefix+key, value, ttl).Err()
	})
}

// Incr adds one to the counter under key (created at 0 with no expiry)
// and returns it.
func (s *Store) Incr(ctx context.Context, key string) (int64, error) {
	var n int64
	err := s.do(ctx, "incr", func(ctx context.Context) error {
		var err error
		n, err = s.client.Incr(ctx, s.prefix+key).Result()
		return err
	})
	return n, err
}

// do runs call under the timeout and the breaker, and logs and counts
// its outcome. A missing key (redis.Nil) is returned as is.
func (s *Store) do(ctx context.Context, op string, call func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	_, err := s.breaker.Execute(func() (any, error) { return nil, call(ctx) })
	outcome := "ok"
	switch {
	case err == nil:
	case errors.Is(err, redis.Nil):
		outcome = "miss"
	case errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests):
		outcome, err = "breaker_open", fmt.Errorf("%s: %w", op, ErrUnavailable)
	case errors.Is(err, context.DeadlineExceeded):
		outcome, err = "timeout", fmt.Errorf("sharedstore: redis %s: %w", op, err)
		s.logger.WarnContext(ctx, "redis call timed out", "op", op, "timeout", s.timeout)
	default:
		outcome, err = "error", fmt.Errorf("sharedstore: redis %s: %w", op, err)
		s.logger.WarnContext(ctx, "redis call failed", "op", op, "err", err)
	}
	s.metrics.observe(op, outcome)
	return err
}
