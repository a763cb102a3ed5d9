package dashboard_test

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"github.com/acme/dashboard-gateway/contract"
	"github.com/acme/dashboard-gateway/dashboard"
	"github.com/acme/dashboard-gateway/graph/model"
	"github.com/acme/dashboard-gateway/simulator"
)

func ptr[T any](v T) *T { return &v }

// A profile is the service's, optional fields null where the service has
// none, every tier its enum value.
func TestProfile(t *testing.T) {
	s := newServices(t, nil)
	svc := dashboard.New(dashboard.Options{})
	type profileCase struct {
		name string
		has  func(simulator.UserProfile) bool
	}
	tests := []profileCase{
		{"no email", func(p simulator.UserProfile) bool { return p.Email == nil && p.AvatarURL != nil }},
		{"no avatar", func(p simulator.UserProfile) bool { return p.AvatarURL == nil && p.Email != nil }},
		{"email and avatar", func(p simulator.UserProfile) bool { return p.Email != nil && p.AvatarURL != nil }},
	}
	for _, tier := range model.AllTier {
		tests = append(tests, profileCase{"tier " + string(tier), func(p simulator.UserProfile) bool { return p.Tier == string(tier) }})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := userWhere(t, tt.name, func(id string) bool { p, _ := simulator.ProfileOf(id); return tt.has(p) })
			ctx := s.operation(t)
			got, err := svc.Profile(ctx, open(t, ctx, svc, id))
			if err != nil {
				t.Fatalf("Profile(%s): %v", id, err)
			}
			want, _ := simulator.ProfileOf(id)
			assertModel(t, "Profile("+id+")", got, wantProfile(t, want))
			if !got.Tier.IsValid() {
				t.Errorf("Profile(%s).Tier = %q; want one of the schema's", id, got.Tier)
			}
		})
	}
}

// Orders, recommendations, notifications and wallets are the services',
// converted field by field, for users with much and with nothing.
func TestFieldModels(t *testing.T) {
	s := newServices(t, nil)
	svc := dashboard.New(dashboard.Options{})
	all := ptr(contract.MaxFirst)
	statuses := map[model.OrderStatus]bool{}
	kinds := map[model.NotificationKind]bool{}
	reasons := map[bool]int{}   // recommendations with a reason, and without
	ids := []string{"u1", "u3"} // u3 has no orders
	for _, st := range model.AllOrderStatus {
		ids = append(ids, userWhere(t, "with an order "+string(st), func(id string) bool {
			return slices.ContainsFunc(simulator.OrdersOf(id), func(o simulator.Order) bool { return o.Status == string(st) })
		}))
	}
	for _, id := range ids {
		t.Run(id, func(t *testing.T) {
			ctx := s.operation(t)
			d := open(t, ctx, svc, id)
			orders, err := svc.Orders(ctx, d, all, dashboard.OrderParts{})
			if err != nil {
				t.Fatalf("Orders: %v", err)
			}
			assertModel(t, "Orders", orders, wantOrders(simulator.OrdersOf(id)))
			for _, o := range orders {
				statuses[o.Status] = o.Status.IsValid()
			}
			recs, err := svc.Recommendations(ctx, d, all, false)
			if err != nil {
				t.Fatalf("Recommendations: %v", err)
			}
			assertModel(t, "Recommendations", recs, wantRecommendations(simulator.RecommendationsOf(id)))
			for _, r := range recs {
				reasons[r.Reason != nil]++
			}
			feed, err := svc.Notifications(ctx, d, all, nil)
			if err != nil {
				t.Fatalf("Notifications: %v", err)
			}
			assertModel(t, "Notifications", feed, wantFeed(simulator.NotificationsOf(id), contract.MaxFirst, false))
			for _, n := range feed.Items {
				kinds[n.Kind] = n.Kind.IsValid()
			}
			wallet, err := svc.Wallet(ctx, d)
			if err != nil {
				t.Fatalf("Wallet: %v", err)
			}
			w, _ := simulator.WalletOf(id)
			assertModel(t, "Wallet", wallet, wantWallet(w))
		})
	}
	// The users above exercise every enum value and both kinds of reason.
	for _, st := range model.AllOrderStatus {
		if !statuses[st] {
			t.Errorf("no order %s among the users'; want every status converted", st)
		}
	}
	for _, k := range model.AllNotificationKind {
		if !kinds[k] {
			t.Errorf("no notification %s among the users'; want every kind converted", k)
		}
	}
	if reasons[true] == 0 || reasons[false] == 0 {
		t.Errorf("recommendations with and without a reason: %v; want both", reasons)
	}
}

// `first` is how many items a list asks its service for and returns: the
// contract's default for null, none for 0 (an empty list, not null),
// what is asked otherwise. Its range is not the Service's to check (package
// limits refuses it before execution): an out-of-range value goes as it is.
func TestFirst(t *testing.T) {
	s := newServices(t, nil)
	svc := dashboard.New(dashboard.Options{})
	const user = "u1" // 12 or more orders, 25 recommendations, 20 notifications
	lists := []struct {
		service string
		all     int // how many the service has for user
		get     func(context.Context, *dashboard.Dashboard, *int) (n int, null bool, err error)
	}{
		{simulator.Orders, len(simulator.OrdersOf(user)), func(ctx context.Context, d *dashboard.Dashboard, first *int) (int, bool, error) {
			l, err := svc.Orders(ctx, d, first, dashboard.OrderParts{})
			return len(l), l == nil, err
		}},
		{simulator.Recommendations, len(simulator.RecommendationsOf(user)), func(ctx context.Context, d *dashboard.Dashboard, first *int) (int, bool, error) {
			l, err := svc.Recommendations(ctx, d, first, false)
			return len(l), l == nil, err
		}},
		{simulator.Notifications, len(simulator.NotificationsOf(user)), func(ctx context.Context, d *dashboard.Dashboard, first *int) (int, bool, error) {
			f, err := svc.Notifications(ctx, d, first, nil)
			if f == nil {
				return 0, true, err
			}
			return len(f.Items), f.Items == nil, err
		}},
	}
	tests := []struct {
		name  string
		first *int
		limit int // asked of the service
	}{
		{"null", nil, contract.DefaultFirst},
		{"0", ptr(0), 0},
		{"3", ptr(3), 3},
		{"the most", ptr(contract.MaxFirst), contract.MaxFirst},
		{"over the most", ptr(contract.MaxFirst + 1), contract.MaxFirst + 1},
	}
	for _, l := range lists {
		for _, tt := range tests {
			t.Run(l.service+"/"+tt.name, func(t *testing.T) {
				s.sim.ResetStats()
				ctx := s.operation(t)
				n, null, err := l.get(ctx, open(t, ctx, svc, user), tt.first)
				if err != nil {
					t.Fatal(err)
				}
				if want := min(l.all, tt.limit); n != want || null {
					t.Errorf("first %s: %d items (null %v); want %d, not null", tt.name, n, null, want)
				}
				calls := s.sim.Calls(l.service)
				if len(calls) != 1 || calls[0].Query.Get("limit") != strconv.Itoa(tt.limit) {
					t.Errorf("first %s: calls %+v; want one with limit=%d", tt.name, calls, tt.limit)
				}
			})
		}
	}
}

// unreadOnly filters the items, never the unread count, which counts all;
// null is false.
func TestNotificationsUnreadOnly(t *testing.T) {
	s := newServices(t, nil)
	svc := dashboard.New(dashboard.Options{})
	const user = "u2"
	tests := []struct {
		first      *int
		unreadOnly *bool
	}{
		{nil, nil},
		{nil, ptr(false)},
		{nil, ptr(true)},
		{ptr(2), ptr(true)},
		{ptr(contract.MaxFirst), ptr(true)},
	}
	for _, tt := range tests {
		first, only := contract.DefaultFirst, tt.unreadOnly != nil && *tt.unreadOnly
		if tt.first != nil {
			first = *tt.first
		}
		name := "first " + strconv.Itoa(first) + " unreadOnly " + strconv.FormatBool(only)
		if tt.unreadOnly == nil {
			name += " (null)"
		}
		t.Run(name, func(t *testing.T) {
			s.sim.ResetStats()
			ctx := s.operation(t)
			got, err := svc.Notifications(ctx, open(t, ctx, svc, user), tt.first, tt.unreadOnly)
			if err != nil {
				t.Fatal(err)
			}
			want := wantFeed(simulator.NotificationsOf(user), first, only)
			assertModel(t, name, got, want)
			calls := s.sim.Calls(simulator.Notifications)
			if len(calls) != 1 || calls[0].Query.Get("unreadOnly") != strconv.FormatBool(only) {
				t.Errorf("%s: calls %+v; want one with unreadOnly=%t", name, calls, only)
			}
		})
	}
}
