package fastpath_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/dashboard"
	"github.com/acme/dashboard-gateway/graph/model"
)

// broken builds dashboards whose models break the schema's promises, as a
// bug in building them would: an order without its non-null total, a
// notification without its non-null time.
type broken struct{ *dashboard.Service }

func (b broken) Orders(ctx context.Context, d *dashboard.Dashboard, first *int, parts dashboard.OrderParts) ([]*model.Order, error) {
	orders, err := b.Service.Orders(ctx, d, first, parts)
	if err == nil && len(orders) > 0 {
		orders[0].Total = nil
	}
	return orders, err
}

func (b broken) Notifications(ctx context.Context, d *dashboard.Dashboard, first *int, unreadOnly *bool) (*model.NotificationFeed, error) {
	feed, err := b.Service.Notifications(ctx, d, first, unreadOnly)
	if err == nil && len(feed.Items) > 0 {
		feed.Items[0].CreatedAt = time.Time{}
	}
	return feed, err
}

// A value that breaks the schema while it is written is that field's
// error, with the specification's null propagation (to the nearest
// nullable field: the list of orders, the feed), on both paths alike; the
// other fields keep their data.
func TestWritingFailureIsTheFieldsError(t *testing.T) {
	p := newPaths(t, nil, broken{dashboard.New(dashboard.Options{})})
	q := `{ dashboard(userId: "u1") { userId orders(first: 2) { id total { formatted } } notifications(first: 2) { items { createdAt } } wallet { loyaltyPoints } } }`
	want := run(t, p.gqlgen, q, nil)
	got := run(t, p.fast, q, nil)
	if got.Data != want.Data || !slices.Equal(got.Errors, want.Errors) {
		t.Errorf("fast path:\n%+v\ngqlgen:\n%+v", got, want)
	}
	for _, part := range []string{`"userId":"u1"`, `"orders":null`, `"notifications":null`, `"wallet":{"loyaltyPoints":`} {
		if !strings.Contains(got.Data, part) {
			t.Errorf("data %s; want %s in it", got.Data, part)
		}
	}
	wantErrs := []string{`"path":["dashboard","notifications","items",0,"createdAt"]`, `"path":["dashboard","orders",0,"total"]`}
	if len(got.Errors) != len(wantErrs) {
		t.Fatalf("errors %v; want 2", got.Errors)
	}
	for i, e := range got.Errors {
		if !strings.Contains(e, wantErrs[i]) || !strings.Contains(e, "INTERNAL_SERVER_ERROR") {
			t.Errorf("error %s; want an internal error with %s", e, wantErrs[i])
		}
	}
}
