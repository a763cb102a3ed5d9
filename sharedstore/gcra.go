package sharedstore

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// gcra is the Generic Cell Rate Algorithm in one script, so a decision is
// one round trip (EVALSHA) and atomic across replicas. The key holds the
// theoretical arrival time (TAT) in microseconds of Redis's clock, so the
// replicas' clocks do not matter. ARGV[1] is the emission interval (the
// window over the limit) and ARGV[2] the burst tolerance, both in
// microseconds. It returns 1 for allowed, else 0.
var gcra = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
if tat - now > tolerance then return 0 end
tat = tat + interval
redis.call('SET', KEYS[1], string.format('%d', tat), 'PX', math.ceil((tat - now) / 1000) + 1)
return 1
`)

// Allow reports whether one more request under key is within limit
// requests per window, counted across every replica by GCRA: up to limit
// requests at once (a burst), then one every window/limit. It is one round
// trip. On an error the caller counts for itself.
func (s *Store) Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, error) {
	if limit <= 0 || window <= 0 {
		return false, fmt.Errorf("sharedstore: allow: limit %d per %v: want both above 0", limit, window)
	}
	interval := max(1, window.Microseconds()/int64(limit))
	tolerance := interval * int64(limit-1)
	var allowed int64
	err := s.do(ctx, "allow", func(ctx context.Context) error {
		var err error
		allowed, err = gcra.Run(ctx, s.client, []string{s.prefix + "rl:" + key}, interval, tolerance).Int64()
		return err
	})
	return allowed == 1, err
}
