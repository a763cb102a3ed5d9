package sharedstore

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/acme/dashboard-gateway/ratelimit"
)

// gcra is the Generic Cell Rate Algorithm in one script (the arithmetic of
// package ratelimit), so a decision is one round trip (EVALSHA) and atomic
// across replicas. The key holds the theoretical arrival time (TAT) in
// microseconds of Redis's clock, so the replicas' clocks do not matter.
// ARGV[1] is the emission interval (the window over the limit) and
// ARGV[2] the burst tolerance, both in microseconds. It returns 1 for
// allowed, else 0, and how far the TAT is ahead of now after the decision,
// in microseconds.
var gcra = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
if tat - now > tolerance then return {0, tat - now} end
tat = tat + interval
redis.call('SET', KEYS[1], string.format('%d', tat), 'PX', math.ceil((tat - now) / 1000) + 1)
return {1, tat - now}
`)

// Take decides one request under key against limit requests per window,
// counted across every replica by GCRA: up to limit requests at once (a
// burst), then one every window/limit. It is one round trip. On an error
// the caller counts for itself.
func (s *Store) Take(ctx context.Context, key string, limit int, window time.Duration) (ratelimit.Decision, error) {
	if limit <= 0 || window <= 0 {
		return ratelimit.Decision{}, fmt.Errorf("sharedstore: take: limit %d per %v: want both above 0", limit, window)
	}
	interval, tolerance := ratelimit.Cell(limit, window)
	var res []int64
	err := s.do(ctx, "allow", func(ctx context.Context) error {
		var err error
		res, err = gcra.Run(ctx, s.client, []string{s.prefix + "rl:" + key}, interval.Microseconds(), tolerance.Microseconds()).Int64Slice()
		return err
	})
	if err == nil && len(res) != 2 {
		err = fmt.Errorf("sharedstore: take: the script answered %d values; want 2", len(res))
	}
	if err != nil {
		return ratelimit.Decision{}, err
	}
	return ratelimit.Describe(res[0] == 1, time.Duration(res[1])*time.Microsecond, limit, window), nil
}

// Allow reports whether one more request under key is within limit
// requests per window (Take's decision alone).
func (s *Store) Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, error) {
	d, err := s.Take(ctx, key, limit, window)
	return d.Allowed, err
}
