// Package simulator fakes the downstream REST services the gateway fans out
// to, every one contract.Services declares.
//
// It serves the endpoints of the downstream contract, as each service's
// declaration gives their paths and parameters, over real HTTP/1.1 and
// h2c, answers from deterministic generated data (see [ProfileOf],
// [OrdersOf], [ShipmentOf] and friends, which tests use as the source of
// truth), and misbehaves on demand: per service it adds latency, including
// a long tail, and injects faults such as 5xx answers, hangs, connection
// resets, slow, truncated, oversized or garbage bodies (see [Behavior]),
// on a share of the calls or on exactly the first few
// ([Behavior.FaultCalls]). It counts and, when asked, records every call so
// tests can assert on what the gateway sent and wait for it without
// sleeping ([Simulator.WaitFor]).
//
// Random choices (latency, fault rates, the order of batch answers) come
// from one stream per service seeded by [Options.Seed], so with a fixed
// seed what one service does depends only on the order of its own calls.
// Faults can also be chosen per call ([Behavior.FaultPerCall]), and a
// batch's ids answered absent per id ([Behavior.AbsentShare]): then they
// depend on what is asked, not on the order or timing of the calls, so
// two callers making the same calls in any order see the same world.
//
// Like a real service it stops working on a call whose budget has passed:
// when a request carries a valid X-Timeout-Ms (an integer >= 1), a handler
// still waiting (latency, hang) [TimeoutGrace] after that budget ran out
// aborts the response without answering and counts it in [Stats.GaveUp].
// The grace lets the caller's own timeout always fire first. The faults
// that ignore the caller going away (hang-ignore-cancel, slow-body's
// trickle) ignore the budget too, and a call without the header is never
// given up on.
//
// It does not persist anything, does not accept writes (every endpoint is a
// GET), does not speak TLS, and is not a load generator or a benchmark
// target: its job is to be a faithful and nasty fake, not a fast one.
// [Simulator.Close] releases every hanging handler and returns only when
// all of them have ended, so tests may check for leaked goroutines.
package simulator

import (
	"slices"

	"github.com/acme/dashboard-gateway/contract"
)

// Names of the simulated services, as used for [Options.Behaviors],
// [Simulator.Handler], [Simulator.Start] and friends: those the answers and
// the presets name. contract.Services declares each one's endpoints.
const (
	// Profile serves users' profiles, one by one and in batches.
	Profile = "profile"
	// Orders serves a user's orders.
	Orders = "orders"
	// Catalog serves products in batches.
	Catalog = "catalog"
	// Recommendations serves the products picked for a user.
	Recommendations = "recommendations"
	// Notifications serves a user's notifications.
	Notifications = "notifications"
	// Wallet serves a user's wallet.
	Wallet = "wallet"
	// Shipping serves orders' shipments in batches.
	Shipping = "shipping"
)

// Services returns the names of all the services in their canonical order,
// contract.Services's. With a base port, service i of this list listens on
// base port + i. The slice is fresh on every call, so callers may keep or
// modify it.
func Services() []string {
	decl := contract.Services()
	out := make([]string, len(decl))
	for i, s := range decl {
		out[i] = s.Name
	}
	return out
}

// serviceIndex returns the position of name in [Services], or -1.
func serviceIndex(name string) int {
	return slices.Index(Services(), name)
}

// MaxBasePort is the highest base port [Simulator.Start] takes: the last
// service's port, base port + len(Services())-1, must be a port.
func MaxBasePort() int { return 65535 - (len(Services()) - 1) }
