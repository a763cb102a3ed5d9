package fastpath_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"go.uber.org/goleak"

	"github.com/acme/dashboard-gateway/apierror"
	"github.com/acme/dashboard-gateway/cache"
	"github.com/acme/dashboard-gateway/coercion"
	"github.com/acme/dashboard-gateway/contract"
	"github.com/acme/dashboard-gateway/dashboard"
	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/downstream/downstreamtest"
	"github.com/acme/dashboard-gateway/fastpath"
	"github.com/acme/dashboard-gateway/graph"
	"github.com/acme/dashboard-gateway/graph/model"
	"github.com/acme/dashboard-gateway/loaders"
	"github.com/acme/dashboard-gateway/observability"
	"github.com/acme/dashboard-gateway/resilience"
	"github.com/acme/dashboard-gateway/resolvers"
	"github.com/acme/dashboard-gateway/simulator"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// spy is gqlgen's executable schema, counting the operations it runs.
type spy struct {
	graphql.ExecutableSchema
	runs atomic.Int64
}

func (s *spy) Exec(ctx context.Context) graphql.ResponseHandler {
	s.runs.Add(1)
	return s.ExecutableSchema.Exec(ctx)
}

// paths runs operations two ways against the same simulated services: on
// gqlgen's executor with the resolvers, and on the fast path.
type paths struct {
	sim          *simulator.Simulator
	gqlgen, fast *executor.Executor
	fallback     *spy // under the fast path: what it left to gqlgen
}

func newPaths(tb testing.TB, behaviors map[string]simulator.Behavior, b dashboard.Builder) *paths {
	tb.Helper()
	return newCachedPaths(tb, behaviors, b, cache.Policy{}, fastpath.Options{})
}

// newCachedPaths is newPaths with the services' answers kept as kept says
// (one cache for both paths), and the fast path's options o.
func newCachedPaths(tb testing.TB, behaviors map[string]simulator.Behavior, b dashboard.Builder, kept cache.Policy, o fastpath.Options) *paths {
	tb.Helper()
	sim := simulator.New(simulator.Options{Behaviors: behaviors})
	// No breaker: both paths call the same failing services in turn.
	clients := downstreamtest.Start(tb, sim, downstream.ServiceConfig{Policy: resilience.Policy{
		Attempts: 1, NoDedupe: true, BreakerConsecutive: 1 << 30, BreakerMinCalls: 1 << 30}, Cache: kept})
	if b == nil {
		b = dashboard.New(dashboard.Options{})
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	mk := func(es graphql.ExecutableSchema) *executor.Executor {
		e := executor.New(es)
		e.SetErrorPresenter(apierror.Presenter(logger))
		e.SetRecoverFunc(apierror.Recover(logger))
		e.Use(extension.Introspection{})
		e.Use(coercion.Extension{})
		e.Use(loaders.Extension{Clients: clients})
		e.Use(observability.Extension{})
		return e
	}
	root := resolvers.New(b)
	p := &paths{sim: sim, fallback: &spy{ExecutableSchema: graph.NewExecutableSchema(graph.Config{Resolvers: root})}}
	p.gqlgen = mk(graph.NewExecutableSchema(graph.Config{Resolvers: root}))
	p.fast = mk(fastpath.New(p.fallback, root, o))
	return p
}

// answer is a response with its errors in a fixed order (their order is
// the order they happened in, which differs between the paths).
type answer struct {
	Data   string
	Errors []string
	Stale  []observability.StaleField // ages zeroed: they differ from run to run
}

func run(tb testing.TB, e *executor.Executor, query string, vars map[string]any) answer {
	tb.Helper()
	ctx, cancel := context.WithTimeout(graphql.StartOperationTrace(context.Background()), 10*time.Second)
	defer cancel()
	ctx, _ = observability.NewContext(ctx)
	opCtx, errs := e.CreateOperationContext(ctx, &graphql.RawParams{Query: query, Variables: vars})
	if errs != nil {
		tb.Fatalf("%s: %v", query, errs)
	}
	handler, ctx := e.DispatchOperation(ctx, opCtx)
	resp := handler(ctx)
	a := answer{Data: string(resp.Data)}
	for _, err := range resp.Errors {
		b, _ := json.Marshal(err)
		a.Errors = append(a.Errors, string(b))
	}
	slices.Sort(a.Errors)
	if stale, ok := resp.Extensions["stale"].([]observability.StaleField); ok {
		for _, f := range stale {
			if f.AgeMs < 0 {
				tb.Errorf("%s: stale %v has a negative age", query, f)
			}
			f.AgeMs = 0
			a.Stale = append(a.Stale, f)
		}
	}
	return a
}

const full = contract.DashboardQuery

// operation is one request of the corpus.
type operation struct {
	name  string
	query string
	vars  map[string]any
}

func corpus() []operation {
	return []operation{
		{"full", full, map[string]any{"id": "u1"}},
		{"full, another user", full, map[string]any{"id": "u7"}},
		{"unknown user", full, map[string]any{"id": "u999999"}},
		{"bad id", full, map[string]any{"id": "not valid"}},
		{"typename only", `{ __typename }`, nil},
		{"typename everywhere", `{ __typename dashboard(userId: "u2") { __typename userId profile { __typename tier }
			orders(first: 2) { __typename items { __typename unitPrice { __typename formatted } product { __typename id price { __typename currency } } } }
			recommendations(first: 2) { __typename product { __typename name } }
			notifications { __typename items { __typename kind } } wallet { __typename balance { __typename amountMinor } } } }`, nil},
		{"aliases", `{ a: dashboard(userId: "u1") { id: userId w: wallet { points: loyaltyPoints } }
			b: dashboard(userId: "u2") { me: profile { n: name } first: orders(first: 1) { id } second: orders(first: 2) { status } } }`, nil},
		{"merged fields", `{ dashboard(userId: "u3") { orders(first: 3) { id } orders(first: 3) { status items { quantity } }
			orders(first: 3) { items { product { name } } } } }`, nil},
		{"fragments", `query Q($id: ID!) { dashboard(userId: $id) { ...D } }
			fragment D on Dashboard { userId ... on Dashboard { profile { ...P } } orders { ...O } recommendations { ...R } }
			fragment P on Profile { name tier }
			fragment O on Order { id total { ...M } items { product { ...Prod } } }
			fragment R on Recommendation { score product { ...Prod } }
			fragment Prod on Product { id price { ...M } }
			fragment M on Money { formatted currency }`, map[string]any{"id": "u4"}},
		{"skip and include by literal", `{ dashboard(userId: "u5") { profile @skip(if: true) { name } wallet @include(if: true) { loyaltyPoints }
			orders @include(if: false) { id } notifications { unreadCount items @skip(if: false) { id } } } }`, nil},
		{"skip and include by variable", `query($a: Boolean!, $b: Boolean = false) { dashboard(userId: "u5") {
			profile @skip(if: $a) { name } wallet @include(if: $b) { loyaltyPoints } ... on Dashboard @include(if: $a) { userId } } }`,
			map[string]any{"a": true, "b": true}},
		{"skip and include by variable, other way", `query($a: Boolean!, $b: Boolean = false) { dashboard(userId: "u5") {
			profile @skip(if: $a) { name } wallet @include(if: $b) { loyaltyPoints } ... on Dashboard @include(if: $a) { userId } } }`,
			map[string]any{"a": false}},
		{"dashboards with repeated ids", `{ dashboards(userIds: ["u1", "u2", "u1"]) { userId profile { name } wallet { loyaltyPoints } } }`, nil},
		{"dashboards of one coerced id", `{ dashboards(userIds: "u8") { userId orders(first: 1) { id } } }`, nil},
		{"arguments by variable", `query($n: Int, $u: Boolean) { dashboard(userId: "u6") { orders(first: $n) { id } notifications(first: $n, unreadOnly: $u) { unreadCount items { read } } recommendations(first: 0) { score } } }`,
			map[string]any{"n": 3, "u": true}},
		{"null first", `query($n: Int) { dashboard(userId: "u6") { orders(first: $n) { id } } }`, map[string]any{"n": nil}},
		{"one bad root among good ones", `{ a: dashboard(userId: "u1") { userId } b: dashboard(userId: "..") { userId } }`, nil},
		{"shipments of several lists", `{ dashboards(userIds: ["u1", "u2", "u3"]) { orders(first: 4) { id shipment { carrier status estimatedDelivery trackingUrl } }
			o2: orders(first: 2) { s: shipment { __typename status } s2: shipment { carrier } } } }`, nil},
		{"shipments in a fragment", `{ dashboard(userId: "u4") { orders { ...O } } } fragment O on Order { id shipment { ...S } } fragment S on Shipment { status trackingUrl }`, nil},
	}
}

// The fast path answers every operation it runs with the bytes gqlgen's
// executor answers it with, data and errors alike, also when services fail.
func TestSameAnswersAsGqlgen(t *testing.T) {
	for _, world := range []struct {
		name      string
		behaviors map[string]simulator.Behavior
	}{
		{"healthy", nil},
		{"catalog down", map[string]simulator.Behavior{simulator.Catalog: {Fault: simulator.FaultStatus500}}},
		{"orders and wallet down", map[string]simulator.Behavior{
			simulator.Orders: {Fault: simulator.FaultStatus500}, simulator.Wallet: {Fault: simulator.FaultMalformed}}},
		{"profile and notifications down", map[string]simulator.Behavior{
			simulator.Profile: {Fault: simulator.FaultReset}, simulator.Notifications: {Fault: simulator.FaultStatus503}}},
		{"shipping down", map[string]simulator.Behavior{simulator.Shipping: {Fault: simulator.FaultGarbage}}},
	} {
		t.Run(world.name, func(t *testing.T) {
			p := newPaths(t, world.behaviors, nil)
			for _, op := range corpus() {
				t.Run(op.name, func(t *testing.T) {
					want := run(t, p.gqlgen, op.query, op.vars)
					before := p.fallback.runs.Load()
					got := run(t, p.fast, op.query, op.vars)
					if p.fallback.runs.Load() != before {
						t.Errorf("the fast path left it to gqlgen")
					}
					if got.Data != want.Data {
						t.Errorf("data:\n got %s\nwant %s", got.Data, want.Data)
					}
					if !slices.Equal(got.Errors, want.Errors) {
						t.Errorf("errors:\n got %v\nwant %v", got.Errors, want.Errors)
					}
				})
			}
		})
	}
}

// With stale-if-error, both paths serve the same kept answers when every
// service fails, and mark the same fields stale.
func TestSameStaleAnswersAsGqlgen(t *testing.T) {
	p := newCachedPaths(t, nil, nil, cache.Policy{StaleIfError: time.Hour}, fastpath.Options{})
	ops := corpus()
	for _, op := range ops { // healthy: the answers are kept
		run(t, p.gqlgen, op.query, op.vars)
	}
	for _, s := range simulator.Services() {
		if s == simulator.Shipping {
			// An order without a shipment leaves nothing to keep: with
			// shipping down, it would be the one error of the full dashboard.
			continue
		}
		p.sim.SetBehavior(s, simulator.Behavior{Fault: simulator.FaultStatus500})
	}
	marked := 0
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			want := run(t, p.gqlgen, op.query, op.vars)
			got := run(t, p.fast, op.query, op.vars)
			if got.Data != want.Data {
				t.Errorf("data:\n got %s\nwant %s", got.Data, want.Data)
			}
			if !slices.Equal(got.Errors, want.Errors) {
				t.Errorf("errors:\n got %v\nwant %v", got.Errors, want.Errors)
			}
			if !slices.EqualFunc(got.Stale, want.Stale, func(a, b observability.StaleField) bool {
				return a.Path.String() == b.Path.String() && a.Service == b.Service
			}) {
				t.Errorf("stale:\n got %v\nwant %v", got.Stale, want.Stale)
			}
			marked += len(got.Stale)
		})
	}
	if full := run(t, p.fast, full, map[string]any{"id": "u1"}); len(full.Errors) != 0 || len(full.Stale) < 5 {
		t.Errorf("the full dashboard of u1 with every service down: %+v; want its answers kept, every field marked stale", full)
	}
}

// What the fast path cannot plan goes to gqlgen, which answers it.
func TestLeavesTheRestToGqlgen(t *testing.T) {
	p := newPaths(t, nil, nil)
	for _, q := range []string{
		`{ __schema { queryType { name } } }`,
		`{ __type(name: "Dashboard") { name } }`,
	} {
		before := p.fallback.runs.Load()
		a := run(t, p.fast, q, nil)
		if p.fallback.runs.Load() != before+1 {
			t.Errorf("%s: not left to gqlgen", q)
		}
		if len(a.Errors) > 0 {
			t.Errorf("%s: %v", q, a.Errors)
		}
	}
}

// panicky builds dashboards as the real Service does, but its wallet panics.
type panicky struct{ *dashboard.Service }

func (panicky) Wallet(context.Context, *dashboard.Dashboard) (*model.Wallet, error) {
	var m map[string]int
	//lint:ignore SA5000 the panic is the point
	m["boom"]++
	return nil, nil
}

// A panic in a field is that field's internal error on both paths; the
// other fields keep their data.
func TestPanicIsTheFieldsError(t *testing.T) {
	p := newPaths(t, nil, panicky{dashboard.New(dashboard.Options{})})
	want := run(t, p.gqlgen, full, map[string]any{"id": "u1"})
	got := run(t, p.fast, full, map[string]any{"id": "u1"})
	if got.Data != want.Data || !slices.Equal(got.Errors, want.Errors) {
		t.Errorf("fast path:\n%+v\ngqlgen:\n%+v", got, want)
	}
	if len(got.Errors) != 1 || !strings.Contains(got.Errors[0], "INTERNAL_SERVER_ERROR") || !strings.Contains(got.Data, `"wallet":null`) {
		t.Errorf("%+v; want wallet null with one internal error", got)
	}
}
