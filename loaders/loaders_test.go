package loaders_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/acme/dashboard-gateway/contract"
	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/loaders"
	"github.com/acme/dashboard-gateway/requestid"
	"github.com/acme/dashboard-gateway/resilience"
	"github.com/acme/dashboard-gateway/simulator"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// world starts the simulated services and clients for them.
func world(tb testing.TB, behaviors map[string]simulator.Behavior) (*simulator.Simulator, *downstream.Clients) {
	tb.Helper()
	sim := simulator.New(simulator.Options{Behaviors: behaviors, Record: true, RequireHeaders: true})
	urls, err := sim.Start("127.0.0.1", 0)
	if err != nil {
		tb.Fatal(err)
	}
	services := map[downstream.Service]downstream.ServiceConfig{}
	for k, v := range urls {
		services[downstream.Service(k)] = downstream.ServiceConfig{URL: v, Policy: resilience.Policy{Attempts: 1}}
	}
	c, err := downstream.New(downstream.Config{Services: services})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		c.Close()
		sim.Close()
	})
	return sim, c
}

// operation returns the context of an operation: a request id and a deadline.
func operation(tb testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(requestid.NewContext(context.Background(), "req-test"), time.Minute)
	tb.Cleanup(cancel)
	return ctx
}

func kindOf(err error) downstream.Kind {
	var e *downstream.Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

// A wait ends at the caller's deadline even though the batch it waits for
// goes on (under the operation's context) until the operation ends.
func TestWaitEndsAtCallersDeadline(t *testing.T) {
	sim, c := world(t, map[string]simulator.Behavior{simulator.Catalog: {Fault: simulator.FaultHang}})
	opCtx, endOp := context.WithCancel(operation(t))
	l := loaders.New(opCtx, c, 0, nil)

	fieldCtx, cancel := context.WithTimeout(opCtx, 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := l.Product(fieldCtx, "p1")
	if kindOf(err) != downstream.KindDeadline || time.Since(start) > 2*time.Second {
		t.Errorf("after %v: %v; want KindDeadline at the field's deadline", time.Since(start), err)
	}
	var e *downstream.Error
	if errors.As(err, &e) && e.Service != downstream.Catalog {
		t.Errorf("service %s; want catalog", e.Service)
	}
	if s := sim.Stats(simulator.Catalog); s.Canceled != 0 {
		t.Errorf("catalog call cancelled with the field; want it to live as long as the operation")
	}
	endOp()
	if err := sim.WaitFor(operation(t), simulator.Catalog, func(s simulator.Stats) bool { return s.Canceled == 1 }); err != nil {
		t.Error(err)
	}
}

// One field giving up does not fail the batch for the others.
func TestCancelledFieldDoesNotFailTheBatch(t *testing.T) {
	sim, c := world(t, map[string]simulator.Behavior{simulator.Catalog: {Latency: simulator.Latency{Min: 30 * time.Millisecond}}})
	ctx := operation(t)
	l := loaders.New(ctx, c, 0, nil)
	gone, cancel := context.WithCancel(ctx)
	l.PrefetchProducts(gone, []string{"p1", "p2"}) // the batch's first caller is the one that goes away
	cancel()
	if _, err := l.Product(gone, "p1"); kindOf(err) != downstream.KindCanceled {
		t.Errorf("cancelled field: %v; want KindCanceled", err)
	}
	p, err := l.Product(ctx, "p2")
	if err != nil || p.ID != "p2" {
		t.Errorf("other field: %v, %v; want p2", p, err)
	}
	if calls := sim.Calls(simulator.Catalog); len(calls) != 1 || len(calls[0].IDs) != 2 {
		t.Errorf("catalog calls %+v; want one with both ids", calls)
	}
}

func TestBatchesAndNotFound(t *testing.T) {
	sim, c := world(t, nil)
	ctx := operation(t)
	l := loaders.New(ctx, c, 0, nil)
	ids := make([]string, 250)
	for i := range ids {
		ids[i] = fmt.Sprintf("p%d", i+1)
	}
	ids = append(ids, "p999999")
	l.PrefetchProducts(ctx, ids)
	for _, id := range ids[:250] {
		if p, err := l.Product(ctx, id); err != nil || p.ID != id {
			t.Fatalf("Product(%s) = %v, %v", id, p, err)
		}
	}
	if _, err := l.Product(ctx, "p999999"); kindOf(err) != downstream.KindNotFound {
		t.Errorf("unknown product: %v; want KindNotFound", err)
	}
	calls := sim.Calls(simulator.Catalog)
	if len(calls) != 3 {
		t.Errorf("%d catalog calls for 251 ids; want 3", len(calls))
	}
	for _, call := range calls {
		if len(call.IDs) > contract.MaxBatch {
			t.Errorf("a call with %d ids; want at most %d", len(call.IDs), contract.MaxBatch)
		}
	}
}

func TestIdenticalCallsOnce(t *testing.T) {
	sim, c := world(t, nil)
	ctx := operation(t)
	l := loaders.New(ctx, c, 0, nil)
	for range 3 {
		if _, err := l.Orders(ctx, "u1", 5); err != nil {
			t.Fatal(err)
		}
		if _, err := l.Notifications(ctx, "u1", 5, true); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := l.Orders(ctx, "u1", 6); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Notifications(ctx, "u1", 5, false); err != nil {
		t.Fatal(err)
	}
	if n := sim.Stats(simulator.Orders).Calls; n != 2 {
		t.Errorf("%d orders calls; want 2 (limit 5 once, limit 6 once)", n)
	}
	if n := sim.Stats(simulator.Notifications).Calls; n != 2 {
		t.Errorf("%d notifications calls; want 2", n)
	}
	// A new operation has fresh loaders: nothing is cached across operations.
	if _, err := loaders.New(ctx, c, 0, nil).Orders(ctx, "u1", 5); err != nil {
		t.Fatal(err)
	}
	if n := sim.Stats(simulator.Orders).Calls; n != 3 {
		t.Errorf("%d orders calls after a new operation; want 3", n)
	}
}

func TestFromContext(t *testing.T) {
	if _, ok := loaders.FromContext(context.Background()); ok {
		t.Error("FromContext of a context without loaders: ok; want false")
	}
	_, c := world(t, nil)
	l := loaders.New(context.Background(), c, 0, nil)
	if got, ok := loaders.FromContext(loaders.NewContext(context.Background(), l)); !ok || got != l {
		t.Errorf("FromContext = %v, %v; want the loaders put there", got, ok)
	}
}

// Ids known together go out in one call, even with a batch window of a
// nanosecond: a list is one key of the loader, so no batch can close halfway
// through it (a busy machine did that to lists added id by id).
func TestListIsNeverSplit(t *testing.T) {
	sim, c := world(t, nil)
	ctx := operation(t)
	for range 20 {
		sim.ResetStats()
		l := loaders.New(ctx, c, time.Nanosecond, nil)
		ids := make([]string, 60)
		for i := range ids {
			ids[i] = fmt.Sprintf("p%d", i+1)
		}
		l.PrefetchProducts(ctx, ids)
		for _, id := range ids {
			if _, err := l.Product(ctx, id); err != nil {
				t.Fatal(err)
			}
		}
		if calls := sim.Calls(simulator.Catalog); len(calls) != 1 || len(calls[0].IDs) != 60 {
			t.Fatalf("%d catalog calls for one list of 60; want one with all of them", len(calls))
		}
	}
}
