package dashboard_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/acme/dashboard-gateway/apierror"
	"github.com/acme/dashboard-gateway/auth"
	"github.com/acme/dashboard-gateway/dashboard"
	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/downstream/downstreamtest"
	"github.com/acme/dashboard-gateway/loaders"
	"github.com/acme/dashboard-gateway/simulator"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// operationTimeout stands for the request's deadline: far beyond what a
// healthy call on loopback takes, so it ends only a broken test.
const operationTimeout = 10 * time.Second

// services are the simulated services, over loopback HTTP, and the clients
// the operations' loaders call them with (default resilience policy).
type services struct {
	sim     *simulator.Simulator
	clients *downstream.Clients
}

func newServices(tb testing.TB, behaviors map[string]simulator.Behavior) *services {
	tb.Helper()
	sim := simulator.New(simulator.Options{Record: true, Behaviors: behaviors})
	return &services{sim: sim, clients: downstreamtest.Start(tb, sim, downstream.ServiceConfig{})}
}

// operation returns the context the gateway runs one operation under: a
// deadline, and the operation's own loaders (what loaders.Extension adds).
func (s *services) operation(tb testing.TB) context.Context {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), operationTimeout)
	tb.Cleanup(cancel)
	return loaders.NewContext(ctx, loaders.New(ctx, s.clients, 0, nil))
}

// calls returns how many calls the services received in all.
func (s *services) calls() int {
	n := 0
	for _, name := range simulator.Services() {
		n += s.sim.Stats(name).Calls
	}
	return n
}

// open opens the dashboard of userID, with every field selected.
func open(tb testing.TB, ctx context.Context, svc *dashboard.Service, userID string) *dashboard.Dashboard {
	tb.Helper()
	ds, err := svc.Open(ctx, []string{userID}, dashboard.Selection{Fields: dashboard.Fields})
	if err != nil || len(ds) != 1 {
		tb.Fatalf("Open(%s) = %d dashboards, %v; want 1, no error", userID, len(ds), err)
	}
	return ds[0]
}

// code returns the client-facing code of an error the Service made itself,
// "" for nil, "not an apierror" for anything else.
func code(err error) apierror.Code {
	if err == nil {
		return ""
	}
	if e, ok := errors.AsType[*apierror.Error](err); ok {
		return e.Code
	}
	return "not an apierror"
}

func users(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = "u" + strings.Repeat("1", i%3+1) // u1, u11, u111, ...: valid, some repeated
	}
	return ids
}

// Open checks the ids and the caller's right to read them before anything
// is called, and returns one dashboard per id, in order, repeats included.
func TestOpen(t *testing.T) {
	s := newServices(t, nil)
	admin := &auth.Identity{Subject: "ops", Admin: true}
	tests := []struct {
		name     string
		ids      []string
		identity *auth.Identity // nil: none in the context
		require  bool           // Options.RequireIdentity
		want     apierror.Code  // "": the dashboards
	}{
		{"one id", []string{"u1"}, nil, false, ""},
		{"unknown well-formed id", []string{"u999999"}, nil, false, ""},
		{"repeated ids", []string{"u2", "u1", "u2"}, nil, false, ""},
		{"50 ids", users(50), nil, false, ""},
		{"no ids", []string{}, nil, false, ""},
		{"51 ids", users(51), nil, false, apierror.BadUserInput},
		{"empty id", []string{""}, nil, false, apierror.BadUserInput},
		{"path in an id", []string{"../admin"}, nil, false, apierror.BadUserInput},
		{"joined ids", []string{"u1,u2"}, nil, false, apierror.BadUserInput},
		{"65 characters", []string{strings.Repeat("a", 65)}, nil, false, apierror.BadUserInput},
		{"one bad id of many", []string{"u1", "ü"}, nil, false, apierror.BadUserInput},
		{"bad id before authorization", []string{".."}, &auth.Identity{Subject: "u1"}, true, apierror.BadUserInput},
		{"own dashboard", []string{"u1"}, &auth.Identity{Subject: "u1"}, false, ""},
		{"another's dashboard", []string{"u2"}, &auth.Identity{Subject: "u1"}, false, apierror.Forbidden},
		{"own and another's", []string{"u1", "u2"}, &auth.Identity{Subject: "u1"}, false, apierror.Forbidden},
		{"admin reads anyone's", []string{"u1", "u2"}, admin, true, ""},
		{"zero identity", []string{"u1"}, &auth.Identity{}, false, apierror.Forbidden},
		{"no identity, authentication off", []string{"u1"}, nil, false, ""},
		{"no identity, identity required", []string{"u1"}, nil, true, apierror.Unauthenticated},
		{"identity required and given", []string{"u1"}, &auth.Identity{Subject: "u1"}, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.sim.ResetStats()
			svc := dashboard.New(dashboard.Options{RequireIdentity: tt.require})
			ctx := s.operation(t)
			if tt.identity != nil {
				ctx = auth.NewContext(ctx, *tt.identity)
			}
			// Only unselected fields: a refused Open must fail on its own.
			ds, err := svc.Open(ctx, tt.ids, dashboard.Selection{})
			if got := code(err); got != tt.want {
				t.Fatalf("Open(%q) error %v (code %q); want code %q", tt.ids, err, got, tt.want)
			}
			if tt.want != "" {
				if ds != nil {
					t.Errorf("Open(%q) = %d dashboards with its error; want none", tt.ids, len(ds))
				}
				return
			}
			got := make([]string, len(ds))
			for i, d := range ds {
				got[i] = d.UserID
			}
			if !slices.Equal(got, tt.ids) {
				t.Errorf("Open(%q) dashboards of %q; want one per id, in order", tt.ids, got)
			}
			if n := s.calls(); n != 0 {
				t.Errorf("Open(%q) with nothing selected made %d calls; want none", tt.ids, n)
			}
		})
	}
}

// A refused Open calls no service, even with every field selected.
func TestOpenRefusedCallsNothing(t *testing.T) {
	s := newServices(t, nil)
	svc := dashboard.New(dashboard.Options{})
	ctx := auth.NewContext(s.operation(t), auth.Identity{Subject: "u1"})
	for _, ids := range [][]string{{"u2"}, {"u1", "../admin"}, users(51)} {
		if _, err := svc.Open(ctx, ids, dashboard.Selection{Fields: dashboard.Fields}); err == nil {
			t.Fatalf("Open(%q) succeeded; want it refused", ids)
		}
	}
	// A profile still asked for afterwards is the first and only call.
	d := open(t, ctx, svc, "u1")
	if _, err := svc.Profile(ctx, d); err != nil {
		t.Fatal(err)
	}
	if n, profile := s.calls(), s.sim.Stats(simulator.Profile).Calls; n != 1 || profile != 1 {
		t.Errorf("%d calls, %d of them to profile; want the one profile call of the allowed Open", n, profile)
	}
}

// With profile selected, Open fetches every dashboard's profile in one
// call, before any Profile is asked for; without it, it fetches none.
func TestOpenPrefetchesProfiles(t *testing.T) {
	ids := []string{"u1", "u2", "u3"}
	tests := []struct {
		name      string
		selection []string
		prefetch  bool
	}{
		{"profile selected", []string{"wallet", "profile"}, true},
		{"profile not selected", []string{"wallet", "orders"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServices(t, nil)
			svc := dashboard.New(dashboard.Options{})
			ctx := s.operation(t)
			ds, err := svc.Open(ctx, ids, dashboard.Selection{Fields: tt.selection})
			if err != nil {
				t.Fatal(err)
			}
			if tt.prefetch {
				// The prefetch is under way without waiting: wait for its call.
				if err := s.sim.WaitFor(ctx, simulator.Profile, func(st simulator.Stats) bool { return st.Calls > 0 }); err != nil {
					t.Fatalf("no profile call after Open: %v", err)
				}
			}
			// One by one, each Profile would make a call of its own.
			for _, d := range ds {
				p, err := svc.Profile(ctx, d)
				if err != nil || p.ID != d.UserID {
					t.Fatalf("Profile(%s) = %+v, %v; want the profile", d.UserID, p, err)
				}
			}
			calls := s.sim.Calls(simulator.Profile)
			if tt.prefetch && (len(calls) != 1 || !sameIDs(calls[0].IDs, ids)) {
				t.Errorf("profile calls %+v; want one with %q", calls, ids)
			}
			if !tt.prefetch && len(calls) != len(ids) {
				t.Errorf("%d profile calls; want %d, one per Profile asked for in turn", len(calls), len(ids))
			}
		})
	}
}

func sameIDs(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// Without the operation's loaders (a wiring bug) every method fails
// instead of calling anything or panicking.
func TestWithoutLoaders(t *testing.T) {
	s := newServices(t, nil)
	svc := dashboard.New(dashboard.Options{})
	ctx := context.Background()
	if _, err := svc.Open(ctx, []string{"u1"}, dashboard.Selection{Fields: []string{"profile"}}); err == nil {
		t.Error("Open with profile selected and no loaders succeeded; want an error")
	}
	ds, err := svc.Open(ctx, []string{"u1"}, dashboard.Selection{})
	if err != nil {
		t.Fatalf("Open with nothing selected and no loaders: %v; want the dashboard", err)
	}
	for field, r := range resolveAll(ctx, svc, ds[0]) {
		if r.err == nil {
			t.Errorf("%s without loaders succeeded; want an error", field)
		}
	}
	if n := s.calls(); n != 0 {
		t.Errorf("%d calls; want none", n)
	}
}
