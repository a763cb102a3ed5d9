package loaders

import "sync/atomic"

// Joins learns, for each batch endpoint, whether holding an operation's
// list for the one more list it expects pays: how often that list joined
// it within the wait. A held list that nothing joins costs the wait (the
// answer is later by up to that much) and a timer that wakes an idle
// process; one that another joins saves a call to the service. Where
// services answer at once, a dashboard's lists come within the wait
// together nearly always; where they take tens of milliseconds or more,
// they seldom do. So a list is held while at least a quarter of the
// recently held ones were joined, and otherwise sent at once, but for one
// in explore, which is still held so that the share keeps being measured.
// (A list with several more expected, as in an operation with many
// dashboards, is held all the same, since one of them likely comes in
// time; those holds are not counted.)
//
// One Joins is shared by the operations of a gateway (Extension). The zero
// value holds every list until it has learned otherwise; a nil *Joins holds
// every list, always.
type Joins struct {
	profiles, products, shipments joinRate
}

// joinRate is one endpoint's share of held lists that nothing joined.
type joinRate struct {
	missed atomic.Int64  // decaying share of held lists nothing joined, in 1/joinScale
	asked  atomic.Uint64 // lists not worth holding so far, to pick the ones explored
}

const (
	joinScale = 1 << 16
	joinDecay = 16 // each held list weighs 1/joinDecay of the share
	// A list is held while under this many (in 1/joinScale) of the held
	// lists were not joined: at least a quarter were.
	joinMissed = joinScale * 3 / 4
	explore    = 16
)

// record adds one held list: joined, or sent alone when the wait ended.
func (r *joinRate) record(joined bool) {
	if r == nil {
		return
	}
	for {
		old := r.missed.Load()
		next := old - old/joinDecay
		if !joined {
			next += joinScale / joinDecay
		}
		if r.missed.CompareAndSwap(old, next) {
			return
		}
	}
}

// worth reports whether to hold a list for the others expected.
func (r *joinRate) worth() bool {
	if r == nil || r.missed.Load() < joinMissed {
		return true
	}
	return r.asked.Add(1)%explore == 0
}
