package acceptance_test

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/acme/dashboard-gateway/config"
	"github.com/acme/dashboard-gateway/gatewaytest"
	"github.com/acme/dashboard-gateway/limits"
	"github.com/acme/dashboard-gateway/simulator"
)

// Each deferred fragment leaves as soon as its fields resolve: the fast
// wallet before the slow orders, and both after the initial profile.
func TestDeferPartsInOrderOfResolution(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{Behaviors: map[string]simulator.Behavior{
		simulator.Wallet: {Latency: simulator.Latency{Min: 50 * time.Millisecond}},
		simulator.Orders: {Latency: simulator.Latency{Min: 400 * time.Millisecond}},
	}})
	const query = `query($id: ID!) { dashboard(userId: $id) {
		profile { name }
		... @defer(label: "slow") { orders(first: 2) { id } }
		...Wallet @defer(label: "fast")
	} }
	fragment Wallet on Dashboard { wallet { loyaltyPoints } }`
	parts := e.PostDeferred(t, query, map[string]any{"id": "u1"})
	if len(parts) != 3 {
		t.Fatalf("%d parts; want 3: initial, fast, slow", len(parts))
	}
	if got := string(parts[0].Data); !strings.Contains(got, `"profile":{"name":`) || strings.Contains(got, "wallet") || strings.Contains(got, "orders") {
		t.Errorf("initial data %s; want the profile only", got)
	}
	if got := append(parts[1].Labels(), parts[2].Labels()...); !slices.Equal(got, []string{"fast", "slow"}) {
		t.Fatalf("labels %v; want [fast slow]", got)
	}
	fast, slow := parts[1].Incremental[0], parts[2].Incremental[0]
	if !strings.Contains(string(fast.Data), `"wallet":{"loyaltyPoints":`) || !strings.Contains(string(slow.Data), `"orders":[{"id":`) {
		t.Errorf("parts %s, %s; want the wallet, then the orders", fast.Data, slow.Data)
	}
	if !slices.Equal(fast.Path, []any{"dashboard"}) || !slices.Equal(slow.Path, []any{"dashboard"}) {
		t.Errorf("paths %v, %v; want [dashboard]", fast.Path, slow.Path)
	}
	if parts[0].At >= 400*time.Millisecond {
		t.Errorf("initial part after %v; want it before the orders' 400 ms", parts[0].At)
	}
	if len(parts[0].Errors)+len(fast.Errors)+len(slow.Errors) > 0 {
		t.Errorf("errors in %+v; want none", parts)
	}
}

// What is left at the deadline goes in one last part, with
// DEADLINE_EXCEEDED on those paths, by the deadline and a margin.
func TestDeferDeadline(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) }) // runs after the env's cleanup
	e := gatewaytest.New(t, gatewaytest.Options{Behaviors: map[string]simulator.Behavior{
		simulator.Wallet: {Fault: simulator.FaultHang},
		simulator.Orders: {Fault: simulator.FaultHang},
	}})
	const deadline = 300 * time.Millisecond
	const query = `query($id: ID!) { dashboard(userId: $id) {
		profile { name }
		... @defer(label: "orders") { orders(first: 2) { id } }
		... @defer(label: "wallet") { wallet { loyaltyPoints } }
		... @defer(label: "notifications") { notifications(first: 1) { unreadCount } }
	} }`
	parts := e.PostDeferred(t, query, map[string]any{"id": "u1"}, "X-Timeout-Ms", "300")
	if len(parts) != 3 {
		t.Fatalf("%d parts %+v; want 3: initial, notifications, the rest", len(parts), parts)
	}
	if got := parts[1].Labels(); !slices.Equal(got, []string{"notifications"}) {
		t.Errorf("second part %v; want [notifications]", got)
	}
	last := parts[2]
	checkOnTime(t, last.At, deadline)
	if got := last.Labels(); len(got) != 2 || !slices.Contains(got, "orders") || !slices.Contains(got, "wallet") {
		t.Fatalf("last part %v; want orders and wallet", got)
	}
	for _, inc := range last.Incremental {
		if len(inc.Errors) != 1 || inc.Errors[0].Code() != "DEADLINE_EXCEEDED" || inc.Errors[0].PathString() != "dashboard."+inc.Label {
			t.Errorf("%s: errors %+v; want DEADLINE_EXCEEDED on dashboard.%s", inc.Label, inc.Errors, inc.Label)
		}
		gatewaytest.AssertClean(t, inc.Errors)
	}
}

// Errors are per part: a failed deferred field's error comes with its
// part, not in the initial one.
func TestDeferErrorsPerPart(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{Behaviors: map[string]simulator.Behavior{
		simulator.Orders: {Fault: simulator.FaultStatus500, FaultRate: 1},
	}})
	parts := e.PostDeferred(t, `{ dashboard(userId: "u1") { profile { name } ... @defer { orders { id } } } }`, nil)
	if len(parts) != 2 || len(parts[1].Incremental) != 1 {
		t.Fatalf("parts %+v; want the initial one and the orders", parts)
	}
	if len(parts[0].Errors) != 0 {
		t.Errorf("initial errors %+v; want none", parts[0].Errors)
	}
	inc := parts[1].Incremental[0]
	if string(inc.Data) != `{"orders":null}` || len(inc.Errors) != 1 || inc.Errors[0].Code() != "UPSTREAM_ERROR" || inc.Errors[0].PathString() != "dashboard.orders" {
		t.Errorf("orders part %s %+v; want null with UPSTREAM_ERROR on dashboard.orders", inc.Data, inc.Errors)
	}
	gatewaytest.AssertClean(t, inc.Errors)
}

// Only selected fields call their services, deferred or not; a dashboard
// list gets one part per dashboard, at its index (parts ready together
// share a payload).
func TestDeferCallsOnlySelected(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{})
	parts := e.PostDeferred(t, `{ dashboards(userIds: ["u1", "u2"]) { profile { name } ... @defer(label: "w") { wallet { loyaltyPoints } } } }`, nil)
	var paths []string
	for _, p := range parts[1:] {
		for _, inc := range p.Incremental {
			paths = append(paths, gatewaytest.Error{Path: inc.Path}.PathString())
		}
	}
	slices.Sort(paths)
	if !slices.Equal(paths, []string{"dashboards.0", "dashboards.1"}) {
		t.Errorf("paths %v; want dashboards.0 and dashboards.1", paths)
	}
	got := e.CallCounts()
	if len(got) != 2 || got[simulator.Profile] == 0 || got[simulator.Wallet] == 0 {
		t.Errorf("calls %v; want the profile and wallet services only", got)
	}
}

// @defer(if: false), and any @defer for a client that does not accept
// multipart/mixed, is delivered inline: one JSON answer with everything,
// whichever executor runs it (gqlgen's streams the parts anyway: they are
// merged). So is @defer for a client asking for incrementalSpec=v0.2 on
// gqlgen's executor, which does not announce the parts with the first
// response (the fast path does: TestDeferV02).
func TestDeferInline(t *testing.T) {
	const query = `query($d: Boolean!) { dashboard(userId: "u1") { profile { name } ... @defer(if: $d) { wallet { loyaltyPoints } } } }`
	tests := []struct {
		name   string
		accept string
		defers bool
	}{
		{"if false", gatewaytest.DeferAccept, false},
		{"no multipart", "application/json", true},
		{"no Accept", "", true},
		{"other deferSpec", "multipart/mixed;deferSpec=20230621, application/json", true},
		{"incrementalSpec=v0.2, parts not announced", "multipart/mixed;incrementalSpec=v0.2, application/json", true},
	}
	fast := gatewaytest.New(t, gatewaytest.Options{})
	gqlgen := gatewaytest.New(t, gatewaytest.Options{Edit: func(c *config.Config) { c.GqlgenOnly = true }})
	for _, tt := range tests {
		for name, e := range map[string]*gatewaytest.Gateway{"fast path": fast, "gqlgen": gqlgen} {
			if name == "fast path" && strings.Contains(tt.accept, "v0.2") {
				continue // it announces them
			}
			t.Run(tt.name+", "+name, func(t *testing.T) {
				checkInline(t, e, query, tt.defers, tt.accept)
			})
		}
	}
}

// checkInline posts query with $d set to defers and checks that the answer
// is one JSON object with the profile and the wallet, and no errors.
func checkInline(t *testing.T, e *gatewaytest.Gateway, query string, defers bool, accept string) {
	t.Helper()
	r := e.Post(t, query, map[string]any{"d": defers}, "Accept", accept)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q; want application/json", ct)
	}
	if got := string(r.GQL.Data); !strings.Contains(got, `"profile":{"name":`) || !strings.Contains(got, `"wallet":{"loyaltyPoints":`) || len(r.GQL.Errors) > 0 {
		t.Errorf("data %s, errors %+v; want the profile and the wallet, no errors", got, r.GQL.Errors)
	}
}

// The limits count deferred fragments as any others.
func TestDeferLimits(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{Edit: func(c *config.Config) { c.Limits = limits.Limits{MaxFields: 2} }})
	r := e.Post(t, `{ dashboard(userId: "u1") { userId ... @defer { wallet { loyaltyPoints } } } }`, nil, "Accept", gatewaytest.DeferAccept)
	if len(r.GQL.Errors) != 1 || r.GQL.Errors[0].Code() != "LIMIT_EXCEEDED" {
		t.Errorf("%s; want LIMIT_EXCEEDED", r.Body)
	}
}

// The fast path answers a client asking for incrementalSpec=v0.2 in that
// format: the first payload announces every part to come (an id each, its
// path and label), each later payload delivers parts by id and completes
// them; a part comes only for the object its fragment applies to.
func TestDeferV02(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{Failing: []string{simulator.Wallet}})
	payloads := e.PostDeferred(t, `{
		a: dashboard(userId: "u1") { userId ... @defer(label: "w") { wallet { loyaltyPoints } } ... @defer(label: "p") { profile { name } } }
		b: dashboard(userId: "u2") { userId }
	}`, nil, "Accept", gatewaytest.DeferAcceptV02)
	pending := map[string]string{}
	for _, p := range payloads[0].Pending {
		pending[p.ID] = p.Label + " at " + pathString(p.Path)
	}
	if want := map[string]string{"0": "w at a", "1": "p at a"}; !maps.Equal(pending, want) {
		t.Fatalf("pending %v; want %v", pending, want)
	}
	got := map[string]string{}
	completed := map[string]bool{}
	for _, p := range payloads[1:] {
		for _, inc := range p.Incremental {
			errs := ""
			for _, e := range inc.Errors {
				errs += " " + e.Code() + " at " + e.PathString()
			}
			got[pending[inc.ID]] = string(inc.Data) + errs
		}
		for _, c := range p.Completed {
			completed[c.ID] = true
		}
	}
	profile, _ := simulator.ProfileOf("u1")
	want := map[string]string{
		"p at a": `{"profile":{"name":"` + profile.Name + `"}}`,
		"w at a": `{"wallet":null} UPSTREAM_ERROR at a.wallet`,
	}
	if !maps.Equal(got, want) || len(completed) != 2 {
		t.Errorf("parts %v, completed %v; want %v, both completed", got, completed, want)
	}
}
