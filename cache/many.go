package cache

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Found is what GetMany found under one Key.
type Found struct {
	// Value is the answer kept, Age how long ago it was kept; nil and 0
	// when there is none.
	Value []byte
	Age   time.Duration
	// Outcome says why there is no answer: OutcomeMiss (none kept) or
	// OutcomeError (the Store failed, or the entry is unreadable: logged).
	// It is "" when there is one.
	Outcome Outcome
}

// OK reports whether an answer was found.
func (f Found) OK() bool { return f.Outcome == "" }

// Answer is an answer to keep under its Key, for PutMany.
type Answer struct {
	Key   Key
	Value []byte
}

// GetMany looks up the answers kept under keys and returns them in their
// order: with one call of the Store for the generations of every key's
// subject and users, and one for the answers (a call per MaxKeys keys).
// Unlike Get it reports nothing: the caller reports every lookup, the
// Outcome of a Found without an answer, and what it did with the others
// (Report). A caller that stops at the first answer it cannot use thus
// reports the lookups it considered, as it would have with Get.
func (c *Cache) GetMany(ctx context.Context, keys []Key) []Found {
	out := make([]Found, len(keys))
	if len(keys) == 0 {
		return out
	}
	skeys, err := c.storeKeys(ctx, keys)
	var raws [][]byte
	if err == nil {
		raws, err = c.getMany(ctx, skeys)
	}
	if err != nil {
		// One failure of the Store, logged once; every lookup is an error.
		c.logFailure(ctx, "cache get failed", keys[0].Service, err)
		for i := range out {
			out[i].Outcome = OutcomeError
		}
		return out
	}
	now := c.now()
	for i, raw := range raws {
		if raw == nil {
			out[i].Outcome = OutcomeMiss
			continue
		}
		value, stored, err := c.decode(raw)
		if err != nil {
			c.logFailure(ctx, "cache entry unreadable", keys[i].Service, err)
			out[i].Outcome = OutcomeError
			continue
		}
		out[i] = Found{Value: value, Age: max(now.Sub(stored), 0)}
	}
	return out
}

// PutMany keeps every answer for keep, as Put does, with one call of the
// Store for the generations and one for the answers (a call per MaxKeys
// answers), and returns how many it kept. It reports every answer it does
// not keep: OutcomeNotKept when larger than the entry cap, OutcomeError
// when the Store failed (logged once).
func (c *Cache) PutMany(ctx context.Context, answers []Answer, keep time.Duration) int {
	if keep <= 0 {
		return 0
	}
	keys := make([]Key, 0, len(answers))
	values := make([][]byte, 0, len(answers))
	for _, a := range answers {
		if len(a.Value) > c.maxEntry {
			c.observer.Lookup(a.Key.Service, OutcomeNotKept)
			continue
		}
		keys = append(keys, a.Key)
		values = append(values, a.Value)
	}
	if len(keys) == 0 {
		return 0
	}
	skeys, err := c.storeKeys(ctx, keys)
	if err == nil {
		entries := make([]Entry, len(keys))
		for i, v := range values {
			entries[i] = Entry{Key: skeys[i], Value: c.encode(v)}
		}
		err = c.setMany(ctx, entries, keep)
	}
	if err != nil {
		c.logFailure(ctx, "cache put failed", keys[0].Service, err)
		for _, k := range keys {
			c.observer.Lookup(k.Service, OutcomeError)
		}
		return 0
	}
	return len(keys)
}

// users returns the users whose generations are in k's Store key, in
// their order there: the subject, then the users but the subject.
func (k Key) users() []string {
	us := make([]string, 1, 1+len(k.Users))
	us[0] = k.Subject
	for _, u := range k.Users {
		if u != k.Subject {
			us = append(us, u)
		}
	}
	return us
}

// storeKeys returns the Store keys of keys at the current generations of
// their subjects and users, read in one call.
func (c *Cache) storeKeys(ctx context.Context, keys []Key) ([]string, error) {
	var gens []string
	at := map[string]int{} // user -> their generation's index in gens
	for _, k := range keys {
		for _, u := range k.users() {
			if _, ok := at[u]; !ok {
				at[u] = len(gens)
				gens = append(gens, generationKey(u))
			}
		}
	}
	values, err := c.getMany(ctx, gens)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(keys))
	var b strings.Builder
	for i, k := range keys {
		b.Reset()
		b.WriteString("v1" + sep + k.Service + sep + k.Op + sep + k.Target + sep + k.Subject)
		for _, u := range k.users() {
			n := int64(0)
			if v := values[at[u]]; v != nil {
				n, _ = strconv.ParseInt(string(v), 10, 64)
			}
			b.WriteString(sep + strconv.FormatInt(n, 10))
		}
		out[i] = b.String()
	}
	return out, nil
}

// getMany is the Store's GetMany, in calls of at most MaxKeys keys.
func (c *Cache) getMany(ctx context.Context, keys []string) ([][]byte, error) {
	out := make([][]byte, 0, len(keys))
	for chunk := range slices.Chunk(keys, MaxKeys) {
		values, err := c.store.GetMany(ctx, chunk)
		if err != nil {
			return nil, err
		}
		if len(values) != len(chunk) {
			return nil, fmt.Errorf("cache: the store returned %d values for %d keys", len(values), len(chunk))
		}
		out = append(out, values...)
	}
	return out, nil
}

// setMany is the Store's SetMany, in calls of at most MaxKeys entries.
func (c *Cache) setMany(ctx context.Context, entries []Entry, ttl time.Duration) error {
	for chunk := range slices.Chunk(entries, MaxKeys) {
		if err := c.store.SetMany(ctx, chunk, ttl); err != nil {
			return err
		}
	}
	return nil
}
