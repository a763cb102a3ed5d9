package cache

// Outcome is what came of one lookup of an answer, or of one answer to
// keep, as an Observer hears it.
type Outcome string

// The outcomes an Observer hears. Every Get is one lookup: Get itself
// reports OutcomeMiss (nothing kept) and OutcomeError; of an answer it
// returned, the caller reports what it did with it (Report):
// OutcomeFresh, OutcomeStale, or OutcomeMiss when it could not use it
// (too old, or unreadable to it).
const (
	// OutcomeFresh is an answer served fresh: the call did not go out.
	OutcomeFresh Outcome = "fresh"
	// OutcomeStale is an answer served stale, in place of the service's
	// failure.
	OutcomeStale Outcome = "stale"
	// OutcomeMiss is a lookup that found no answer it could use.
	OutcomeMiss Outcome = "miss"
	// OutcomeNotKept is an answer not kept: larger than
	// Options.MaxEntryBytes.
	OutcomeNotKept Outcome = "not_kept"
	// OutcomeError is a lookup, or a keeping, that the Store failed, or
	// an entry that could not be read: each costs a miss, and is logged.
	OutcomeError Outcome = "error"
)

// Outcomes returns every Outcome, for observers that prepare their series.
func Outcomes() []Outcome {
	return []Outcome{OutcomeFresh, OutcomeStale, OutcomeMiss, OutcomeNotKept, OutcomeError}
}

// Observer hears the outcomes of the cache's lookups by service
// (Key.Service). It is called on the request's path: it must be cheap
// and safe for concurrent use.
type Observer interface {
	// Lookup hears one outcome.
	Lookup(service string, outcome Outcome)
}

type discard struct{}

func (discard) Lookup(string, Outcome) {}

// Report tells the Observer what the caller did with an answer Get
// returned for service: served it (OutcomeFresh or OutcomeStale), or
// could not use it (OutcomeMiss).
func (c *Cache) Report(service string, outcome Outcome) {
	c.observer.Lookup(service, outcome)
}
