package dashboard_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/dashboard"
	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/simulator"
)

// resolved is what one field's method returned.
type resolved struct {
	value bool // a value, not nil
	err   error
}

// resolveAll resolves every field of d, one after the other, as a query
// with each once (its default arguments, no products) does.
func resolveAll(ctx context.Context, svc *dashboard.Service, d *dashboard.Dashboard) map[string]resolved {
	out := map[string]resolved{}
	p, err := svc.Profile(ctx, d)
	out["profile"] = resolved{p != nil, err}
	o, err := svc.Orders(ctx, d, nil, dashboard.OrderParts{})
	out["orders"] = resolved{o != nil, err}
	r, err := svc.Recommendations(ctx, d, nil, false)
	out["recommendations"] = resolved{r != nil, err}
	n, err := svc.Notifications(ctx, d, nil, nil)
	out["notifications"] = resolved{n != nil, err}
	w, err := svc.Wallet(ctx, d)
	out["wallet"] = resolved{w != nil, err}
	return out
}

// A failing service fails its own field, with its error, and no other.
func TestServiceFailing(t *testing.T) {
	tests := []struct {
		service string
		fault   simulator.Fault
		kind    downstream.Kind
	}{
		{simulator.Profile, simulator.FaultStatus500, downstream.KindBadStatus},
		{simulator.Orders, simulator.FaultStatus500, downstream.KindBadStatus},
		{simulator.Recommendations, simulator.FaultStatus500, downstream.KindBadStatus},
		{simulator.Notifications, simulator.FaultStatus500, downstream.KindBadStatus},
		{simulator.Wallet, simulator.FaultStatus500, downstream.KindBadStatus},
		{simulator.Profile, simulator.FaultWrongShape, downstream.KindInvalidResponse},
		{simulator.Orders, simulator.FaultNotFound, downstream.KindBadStatus}, // no 404 in the orders' contract
		{simulator.Recommendations, simulator.FaultOversized, downstream.KindTooLarge},
		{simulator.Notifications, simulator.FaultMalformed, downstream.KindInvalidResponse},
		{simulator.Wallet, simulator.FaultNotFound, downstream.KindNotFound}, // the wallet's 404: an unknown user
		{simulator.Wallet, simulator.FaultReset, downstream.KindConnection},
	}
	for _, tt := range tests {
		t.Run(tt.service+"/"+string(tt.fault), func(t *testing.T) {
			s := newServices(t, map[string]simulator.Behavior{tt.service: {Fault: tt.fault}})
			svc := dashboard.New(dashboard.Options{})
			ctx := s.operation(t)
			for field, r := range resolveAll(ctx, svc, open(t, ctx, svc, "u1")) {
				if field != tt.service {
					if r.err != nil || !r.value {
						t.Errorf("%s: value %v, error %v; want its value", field, r.value, r.err)
					}
					continue
				}
				e, ok := errors.AsType[*downstream.Error](r.err)
				if r.value || !ok || e.Service != downstream.Service(tt.service) || e.Kind != tt.kind {
					t.Errorf("%s: value %v, error %v; want no value, %s's %s", field, r.value, r.err, tt.service, tt.kind)
				}
			}
		})
	}
}

// An unknown user (well formed, so asked about) has no profile and no
// wallet (NOT_FOUND from each), and empty lists and feed: what the
// services answer for them (docs/contract.md, The downstream services).
func TestUnknownUser(t *testing.T) {
	s := newServices(t, nil)
	svc := dashboard.New(dashboard.Options{})
	ctx := s.operation(t)
	d := open(t, ctx, svc, "u999999")
	for _, f := range []struct {
		name    string
		service downstream.Service
		err     error
	}{
		{"profile", downstream.Profile, second(svc.Profile(ctx, d))},
		{"wallet", downstream.Wallet, second(svc.Wallet(ctx, d))},
	} {
		if e, ok := errors.AsType[*downstream.Error](f.err); !ok || e.Kind != downstream.KindNotFound || e.Service != f.service {
			t.Errorf("%s: error %v; want %s's %s", f.name, f.err, f.service, downstream.KindNotFound)
		}
	}
	orders, err := svc.Orders(ctx, d, nil, dashboard.OrderParts{Products: true})
	if err != nil || orders == nil || len(orders) != 0 {
		t.Errorf("orders %+v, %v; want an empty list", orders, err)
	}
	recs, err := svc.Recommendations(ctx, d, nil, true)
	if err != nil || recs == nil || len(recs) != 0 {
		t.Errorf("recommendations %+v, %v; want an empty list", recs, err)
	}
	feed, err := svc.Notifications(ctx, d, nil, nil)
	if err != nil || feed == nil || feed.UnreadCount != 0 || feed.Items == nil || len(feed.Items) != 0 {
		t.Errorf("notifications %+v, %v; want an empty feed", feed, err)
	}
	if n := s.sim.Stats(simulator.Catalog).Calls; n != 0 {
		t.Errorf("%d catalog calls for empty lists; want none", n)
	}
}

func second[T any](_ T, err error) error { return err }

// An optional field (Options.Budgets) whose service does not answer gives
// up at its budget once the critical fields are in, with KindBudget; the
// critical fields keep their data.
func TestOptionalFieldBudget(t *testing.T) {
	s := newServices(t, map[string]simulator.Behavior{simulator.Wallet: {Fault: simulator.FaultHang}})
	svc := dashboard.New(dashboard.Options{Budgets: map[string]time.Duration{"wallet": 50 * time.Millisecond}})
	ctx := s.operation(t)
	ds, err := svc.Open(ctx, []string{"u1"}, dashboard.Selection{Fields: []string{"profile", "wallet"}})
	if err != nil {
		t.Fatal(err)
	}
	if p, err := svc.Profile(ctx, ds[0]); p == nil || err != nil {
		t.Fatalf("profile %+v, %v; want it", p, err)
	}
	w, err := svc.Wallet(ctx, ds[0])
	if e, ok := errors.AsType[*downstream.Error](err); w != nil || !ok || e.Kind != downstream.KindBudget || e.Service != downstream.Wallet {
		t.Errorf("wallet %+v, error %v; want none, the wallet's %s", w, err, downstream.KindBudget)
	}
	if ctx.Err() != nil {
		t.Errorf("the operation's deadline passed first; want the wallet to give up at its budget")
	}
}
