// Package simulator fakes the six downstream REST services the gateway fans
// out to (profile, orders, catalog, recommendations, notifications, wallet).
//
// It serves the endpoints of the downstream contract over real HTTP/1.1 and
// h2c, answers from deterministic generated data (see [ProfileOf],
// [OrdersOf] and friends, which tests use as the source of truth), and
// misbehaves on demand: per service it adds latency, including a long tail,
// and injects faults such as 5xx answers, hangs, connection resets, slow,
// truncated, oversized or garbage bodies (see [Behavior]), on a share of
// the calls or on exactly the first few ([Behavior.FaultCalls]). It counts
// and, when asked, records every call so tests can assert on what the
// gateway sent and wait for it without sleeping ([Simulator.WaitFor]).
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

// Names of the simulated services, as used for [Options.Behaviors],
// [Simulator.Handler], [Simulator.Start] and friends.
const (
	// Profile serves user profiles: GET /v1/users/{id} and GET /v1/users?ids=.
	Profile = "profile"
	// Orders serves a user's orders: GET /v1/users/{id}/orders.
	Orders = "orders"
	// Catalog serves products: GET /v1/products?ids=.
	Catalog = "catalog"
	// Recommendations serves GET /v1/users/{id}/recommendations.
	Recommendations = "recommendations"
	// Notifications serves GET /v1/users/{id}/notifications.
	Notifications = "notifications"
	// Wallet serves GET /v1/users/{id}/wallet.
	Wallet = "wallet"
)

// Services returns the names of all six services in their canonical order:
// profile, orders, catalog, recommendations, notifications, wallet. With a
// base port, service i of this list listens on base port + i. The slice is
// fresh on every call, so callers may keep or modify it.
func Services() []string {
	return []string{Profile, Orders, Catalog, Recommendations, Notifications, Wallet}
}

// serviceIndex returns the position of name in [Services], or -1.
func serviceIndex(name string) int {
	switch name {
	case Profile:
		return 0
	case Orders:
		return 1
	case Catalog:
		return 2
	case Recommendations:
		return 3
	case Notifications:
		return 4
	case Wallet:
		return 5
	}
	return -1
}
