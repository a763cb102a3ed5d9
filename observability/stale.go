package observability

import (
	"cmp"
	"maps"
	"slices"
	"strconv"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/acme/dashboard-gateway/cache"
)

// StaleField is a field of the response whose data is a service's earlier
// answer, served because the service failed (package cache): an entry of
// the response's extensions.stale.
type StaleField struct {
	// Path is the field's path in the response, as errors give theirs.
	Path ast.Path `json:"path"`
	// Service is the service whose answer it is.
	Service string `json:"service"`
	// AgeMs is how old that answer was, in whole milliseconds.
	AgeMs int64 `json:"ageMs"`
}

// addStale records the stale answers the field at path was served.
func (r *Record) addStale(path ast.Path, stale []cache.Stale) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range stale {
		r.stale = append(r.stale, StaleField{Path: path, Service: s.Service, AgeMs: s.Age.Milliseconds()})
	}
}

// Stale returns the response's stale fields, in the order of their paths
// (fields resolve concurrently: their order of completion means nothing);
// nil when none was stale or r is nil.
func (r *Record) Stale() []StaleField {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	out := slices.Clone(r.stale)
	r.mu.Unlock()
	slices.SortFunc(out, func(a, b StaleField) int {
		return cmp.Or(cmp.Compare(a.Path.String(), b.Path.String()), cmp.Compare(a.Service, b.Service))
	})
	return out
}

// appendStaleTiming appends a Server-Timing entry per service that
// served a stale answer, with the oldest such answer's age, e.g.
// `stale-orders;dur=0;desc="age 1234ms", `.
func appendStaleTiming(b []byte, stale []StaleField) []byte {
	if len(stale) == 0 {
		return b
	}
	ages := map[string]int64{}
	for _, s := range stale {
		ages[s.Service] = max(ages[s.Service], s.AgeMs)
	}
	for _, service := range slices.Sorted(maps.Keys(ages)) {
		b = append(b, "stale-"...)
		b = append(b, service...)
		b = append(b, `;dur=0;desc="age `...)
		b = strconv.AppendInt(b, ages[service], 10)
		b = append(b, `ms", `...)
	}
	return b
}
