package loaders_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/contract"
	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/loaders"
	"github.com/acme/dashboard-gateway/simulator"
)

// orderIDs returns the ids of the orders of the first users, n in all:
// some shipped or delivered, some without a shipment.
func orderIDs(n int) []string {
	var ids []string
	for i := 1; len(ids) < n; i++ {
		for _, o := range simulator.OrdersOf("u" + strconv.Itoa(i)) {
			if len(ids) < n {
				ids = append(ids, o.ID)
			}
		}
	}
	return ids
}

// Shipments are the simulator's, keyed by order; the orders without one are
// absent. Ids go out at most contract.MaxBatch a call, and each once per
// operation, however often and however concurrently they are asked for.
func TestShipments(t *testing.T) {
	sim, c := world(t, nil)
	ctx := operation(t)
	l := loaders.New(ctx, c, 0, nil)
	ids := orderIDs(250)

	var wg sync.WaitGroup
	got := make([]map[string]*downstream.Shipment, 3)
	errs := make([]error, 3)
	for i, part := range [][]string{ids, ids[:120], ids[100:]} { // overlapping, at once
		wg.Go(func() { got[i], errs[i] = l.Shipments(ctx, part) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Shipments #%d: %v", i, err)
		}
	}
	shipped := 0
	for _, id := range ids {
		want, ok := simulator.ShipmentOf(id)
		s := got[0][id]
		if (s != nil) != ok || (ok && (s.OrderID != id || s.Status != want.Status || s.Carrier != want.Carrier)) {
			t.Errorf("Shipments()[%s] = %+v; want %+v (found %v)", id, s, want, ok)
		}
		if ok {
			shipped++
		}
	}
	if shipped == 0 || shipped == len(ids) || len(got[0]) != shipped {
		t.Errorf("%d of %d orders shipped, %d answered; want some of them, all answered", shipped, len(ids), len(got[0]))
	}

	if _, err := l.Shipments(ctx, ids[200:]); err != nil { // asked before: no call
		t.Fatal(err)
	}
	var sent []string
	for _, call := range sim.Calls(simulator.Shipping) {
		if len(call.IDs) > contract.MaxBatch {
			t.Errorf("a call with %d ids; want at most %d", len(call.IDs), contract.MaxBatch)
		}
		sent = append(sent, call.IDs...)
	}
	slices.Sort(sent)
	want := slices.Sorted(slices.Values(ids))
	if !slices.Equal(sent, want) {
		t.Errorf("%d ids sent; want each of the %d once", len(sent), len(ids))
	}
}

// A wait for shipments ends at the caller's deadline with the shipping
// service's deadline error, while the call goes on under the operation.
func TestShipmentsWaitEndsAtCallersDeadline(t *testing.T) {
	sim, c := world(t, map[string]simulator.Behavior{simulator.Shipping: {Fault: simulator.FaultHang}})
	opCtx, endOp := context.WithCancel(operation(t))
	defer endOp()
	l := loaders.New(opCtx, c, 0, nil)

	fieldCtx, cancel := context.WithTimeout(opCtx, 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := l.Shipments(fieldCtx, []string{"o-u1-1", "o-u1-2"})
	e, ok := errors.AsType[*downstream.Error](err)
	if !ok || e.Kind != downstream.KindDeadline || e.Service != downstream.Shipping || time.Since(start) > 2*time.Second {
		t.Errorf("after %v: %v; want the shipping service's KindDeadline at the field's deadline", time.Since(start), err)
	}
	if s := sim.Stats(simulator.Shipping); s.Canceled != 0 {
		t.Errorf("shipping call cancelled with the field; want it to live as long as the operation")
	}
	endOp() // the operation's end releases the call
	waitCtx, stop := context.WithTimeout(context.Background(), 10*time.Second)
	defer stop()
	if err := sim.WaitFor(waitCtx, simulator.Shipping, func(s simulator.Stats) bool { return s.InFlight == 0 }); err != nil {
		t.Errorf("the shipping call after the operation ended: %v; want it released", err)
	}
}
