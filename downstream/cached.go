package downstream

import (
	"context"
	"errors"
	"time"

	gojson "github.com/goccy/go-json"

	"github.com/acme/dashboard-gateway/cache"
)

// kept is one call's place in the response cache: its key, and the policy
// of its service. The zero value (c nil) is a call whose answers are not
// kept.
type kept struct {
	c      *cache.Cache
	policy cache.Policy
	key    cache.Key
}

// keep returns the call's place in the cache, or the zero kept when its
// service's policy keeps nothing or users is nil (a batch call: see each).
func (c *client) keep(op, target, subject string, users []string) kept {
	if c.cache == nil || !c.policy.On() || users == nil {
		return kept{}
	}
	return kept{c: c.cache, policy: c.policy, key: cache.Key{
		Service: string(c.service), Op: op, Target: target, Subject: subject, Users: users,
	}}
}

// staleLookup bounds the lookup of a stale answer, which may come after
// the request's deadline has passed (the deadline may be what failed the
// call).
const staleLookup = 50 * time.Millisecond

// fresh returns the kept answer while it is fresh (younger than the
// policy's Fresh): the call need not go out.
func fresh[T any](ctx context.Context, k kept) (*T, bool) {
	if k.c == nil || k.policy.Fresh <= 0 {
		return nil, false
	}
	v, _, ok := load[T](ctx, k, k.policy.Fresh)
	if ok {
		k.c.Report(k.key.Service, cache.OutcomeFresh)
	}
	return v, ok
}

// stale returns the kept answer in place of the failure e when the policy
// allows it (StaleIfError, and e a failure of the service), and notes in
// ctx that it served a stale answer (cache.Note).
func stale[T any](ctx context.Context, k kept, e *Error) (*T, bool) {
	if k.c == nil || k.policy.StaleIfError <= 0 || !serviceFailure(e.Kind) {
		return nil, false
	}
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), staleLookup)
	defer cancel()
	v, age, ok := load[T](lctx, k, k.policy.StaleIfError+1)
	if ok {
		k.c.Report(k.key.Service, cache.OutcomeStale)
		cache.Note(ctx, k.key.Service, age)
	}
	return v, ok
}

// load decodes the kept answer if it is younger than maxAge. A lookup
// that finds none is reported a miss; the caller reports what it does
// with an answer found (cache.Cache.Report).
func load[T any](ctx context.Context, k kept, maxAge time.Duration) (*T, time.Duration, bool) {
	b, age, ok := k.c.Get(ctx, k.key)
	if !ok {
		return nil, 0, false // reported by Get
	}
	return decodeKept[T](k.c, k.key.Service, b, age, maxAge)
}

// use is load for f, one of the answers a cache.Cache.GetMany found.
func use[T any](c *cache.Cache, service string, f cache.Found, maxAge time.Duration) (*T, time.Duration, bool) {
	if !f.OK() {
		c.Report(service, f.Outcome)
		return nil, 0, false
	}
	return decodeKept[T](c, service, f.Value, f.Age, maxAge)
}

// decodeKept decodes b, an answer of service kept age ago, if it is
// younger than maxAge; otherwise it reports the lookup a miss.
func decodeKept[T any](c *cache.Cache, service string, b []byte, age, maxAge time.Duration) (*T, time.Duration, bool) {
	v := new(T)
	if age >= maxAge || gojson.Unmarshal(b, v) != nil { // too old, or an entry of another version
		c.Report(service, cache.OutcomeMiss)
		return nil, 0, false
	}
	return v, age, true
}

// each gets the items of ids from a batch endpoint through get, keeping
// each item on its own: which ids a batch carries depends on what else was
// asked at the time, so a kept batch would rarely be asked again. Fresh
// items are not asked for; when the call fails, the items kept from before
// are served stale, if every one of them was kept. With perUser, each id
// is a user's (profiles), whose invalidation drops the item. The items'
// lookups, their keeping and the stale ones' lookups are each one
// cache.Cache.GetMany or PutMany: a few round trips to a shared store
// for the whole batch, not a few per item.
func each[V any](ctx context.Context, c *client, op string, ids []string, perUser bool,
	get func(context.Context, []string) (map[string]V, error),
) (map[string]V, error) {
	if c.cache == nil || !c.policy.On() || len(ids) == 0 {
		return get(ctx, ids)
	}
	subject := ""
	if c.caller != nil {
		subject = c.caller(ctx)
	}
	keys := make(map[string]cache.Key, len(ids))
	for _, id := range ids {
		users := []string{}
		if perUser {
			users = []string{id}
		}
		keys[id] = c.keep(op, "id "+id, subject, users).key
	}
	keysOf := func(ids []string) []cache.Key {
		out := make([]cache.Key, len(ids))
		for i, id := range ids {
			out[i] = keys[id]
		}
		return out
	}
	service := string(c.service)
	out := make(map[string]V, len(ids))
	rest := ids
	if c.policy.Fresh > 0 {
		rest = nil
		for i, f := range c.cache.GetMany(ctx, keysOf(ids)) {
			if v, _, ok := use[V](c.cache, service, f, c.policy.Fresh); ok {
				c.cache.Report(service, cache.OutcomeFresh)
				out[ids[i]] = *v
			} else {
				rest = append(rest, ids[i])
			}
		}
		if len(rest) == 0 {
			return out, nil
		}
	}
	found, err := get(ctx, rest)
	if err == nil {
		answers := make([]cache.Answer, 0, len(found))
		for id, v := range found {
			out[id] = v
			k, asked := keys[id]
			if !asked {
				continue
			}
			if b, err := gojson.Marshal(v); err == nil { // it cannot fail: v was decoded from JSON
				answers = append(answers, cache.Answer{Key: k, Value: b})
			}
		}
		c.cache.PutMany(ctx, answers, c.policy.Keep())
		return out, nil
	}
	e, ok := errors.AsType[*Error](err)
	if !ok || c.policy.StaleIfError <= 0 || !serviceFailure(e.Kind) {
		return nil, err
	}
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), staleLookup)
	defer cancel()
	oldest := time.Duration(0)
	for i, f := range c.cache.GetMany(lctx, keysOf(rest)) {
		v, age, ok := use[V](c.cache, service, f, c.policy.StaleIfError+1)
		if !ok {
			// Served only if every item was kept: those found are not
			// used, and those after it are not considered.
			reportAll(c, i, cache.OutcomeMiss)
			return nil, err
		}
		out[rest[i]], oldest = *v, max(oldest, age)
	}
	reportAll(c, len(rest), cache.OutcomeStale)
	cache.Note(ctx, service, oldest)
	return out, nil
}

// reportAll reports n answers of c's service found by lookups.
func reportAll(c *client, n int, outcome cache.Outcome) {
	for range n {
		c.cache.Report(string(c.service), outcome)
	}
}

// save keeps v, the service's good answer.
func (k kept) save(ctx context.Context, v any) {
	if k.c == nil {
		return
	}
	b, err := gojson.Marshal(v)
	if err != nil {
		return // cannot happen: v was decoded from JSON
	}
	k.c.Put(ctx, k.key, b, k.policy.Keep())
}

// serviceFailure reports whether a call failing with kind is the service's
// failure, which a stale answer may cover: not an answer (not found), not
// the gateway's refusal (invalid request), not the caller giving up.
func serviceFailure(kind Kind) bool {
	switch kind {
	case KindBadStatus, KindConnection, KindInvalidResponse, KindTooLarge,
		KindDeadline, KindTimeout, KindCircuitOpen, KindShed:
		return true
	}
	return false
}
