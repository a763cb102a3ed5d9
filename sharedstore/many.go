package sharedstore

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/acme/dashboard-gateway/cache"
)

// GetMany returns the values under keys, in their order, nil where there
// is none: one MGET, one call for the timeout, the breaker and the
// metrics (op get_many). In a Redis Cluster, whose MGET refuses keys of
// several slots, it is a pipeline of GETs instead: one round trip per
// node. No keys is no call; more than cache.MaxKeys is an error.
func (s *Store) GetMany(ctx context.Context, keys []string) ([][]byte, error) {
	if err := cache.CheckKeys(len(keys)); err != nil || len(keys) == 0 {
		return nil, err
	}
	out := make([][]byte, len(keys))
	err := s.do(ctx, "get_many", func(ctx context.Context) error {
		if s.perKeyGets {
			return s.getEach(ctx, keys, out)
		}
		prefixed := make([]string, len(keys))
		for i, k := range keys {
			prefixed[i] = s.prefix + k
		}
		values, err := s.client.MGet(ctx, prefixed...).Result()
		if err != nil {
			return err
		}
		for i, v := range values {
			if v, ok := v.(string); ok {
				out[i] = bytesOf(v)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// getEach reads keys into out with a pipeline of GETs.
func (s *Store) getEach(ctx context.Context, keys []string, out [][]byte) error {
	cmds := make([]*redis.StringCmd, len(keys))
	_, err := s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range keys {
			cmds[i] = p.Get(ctx, s.prefix+k)
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) { // Exec returns the first command's error
		return err
	}
	for i, cmd := range cmds {
		v, err := cmd.Result()
		switch {
		case errors.Is(err, redis.Nil):
		case err != nil:
			return err
		default:
			out[i] = bytesOf(v)
		}
	}
	return nil
}

// bytesOf returns v's bytes, never nil: nil is a missing key.
func bytesOf(v string) []byte {
	b := make([]byte, len(v))
	copy(b, v)
	return b
}

// SetMany stores every entry for ttl (forever when ttl is 0), as Set
// does: a pipeline of SETs, one round trip and one call for the timeout,
// the breaker and the metrics (op set_many). Not a transaction: when it
// fails, some entries may be stored. No entries is no call; more than
// cache.MaxKeys is an error.
func (s *Store) SetMany(ctx context.Context, entries []cache.Entry, ttl time.Duration) error {
	if err := cache.CheckKeys(len(entries)); err != nil || len(entries) == 0 {
		return err
	}
	return s.do(ctx, "set_many", func(ctx context.Context) error {
		_, err := s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, e := range entries {
				p.Set(ctx, s.prefix+e.Key, e.Value, ttl)
			}
			return nil
		})
		return err
	})
}
