package resolvers_test

import (
	"encoding/json"
	"testing"

	"github.com/99designs/gqlgen/client"

	"github.com/acme/dashboard-gateway/simulator"
)

// dashboardQuery asks for a field of every service.
const dashboardQuery = `query($id: ID!) { dashboard(userId: $id) {
	userId
	profile { name tier }
	orders(first: 3) { id items { product { id } } }
	recommendations(first: 2) { score product { id } }
	notifications(first: 2) { items { id } }
	wallet { loyaltyPoints }
} }`

type dashboardData struct {
	Dashboard *struct {
		UserID  string
		Profile *struct{ Name, Tier string }
		Orders  []struct {
			ID    string
			Items []struct{ Product struct{ ID string } }
		}
		Recommendations []struct {
			Score   float64
			Product struct{ ID string }
		}
		Notifications *struct{ Items []struct{ ID string } }
		Wallet        *struct{ LoyaltyPoints int }
	}
}

// gqlError is an error of the response, as the client reads it.
type gqlError struct {
	Message    string
	Path       []any
	Extensions struct{ Code, Service string }
}

// post runs dashboardQuery for id and returns its data and errors.
func post(tb testing.TB, c *client.Client, id string) (dashboardData, []gqlError) {
	tb.Helper()
	resp, err := c.RawPost(dashboardQuery, client.Var("id", id))
	if err != nil {
		tb.Fatal(err)
	}
	var data dashboardData
	var errs []gqlError
	raw, err := json.Marshal(resp.Data)
	if err != nil {
		tb.Fatal(err)
	}
	if err := json.Unmarshal(raw, &data); err != nil {
		tb.Fatalf("data %s: %v", raw, err)
	}
	if resp.Errors != nil {
		if err := json.Unmarshal(resp.Errors, &errs); err != nil {
			tb.Fatalf("errors %s: %v", resp.Errors, err)
		}
	}
	return data, errs
}

// Every field of a healthy dashboard holds what its service has.
func TestFullDashboard(t *testing.T) {
	c, _ := gqlClient(t, nil)
	data, errs := post(t, c, "u1")
	if len(errs) > 0 {
		t.Fatalf("errors %+v; want none", errs)
	}
	d := data.Dashboard
	if d == nil {
		t.Fatal("dashboard null; want it")
	}
	profile, _ := simulator.ProfileOf("u1")
	wallet, _ := simulator.WalletOf("u1")
	orders, recs, notes := simulator.OrdersOf("u1"), simulator.RecommendationsOf("u1"), simulator.NotificationsOf("u1")
	type check struct {
		name      string
		got, want any
	}
	checks := []check{
		{"userId", d.UserID, "u1"},
		{"profile", d.Profile != nil && d.Profile.Name == profile.Name && d.Profile.Tier == profile.Tier, true},
		{"orders", len(d.Orders), 3},
		{"notifications", d.Notifications != nil && len(d.Notifications.Items) == 2, true},
		{"recommendations", len(d.Recommendations), 2},
		{"wallet", d.Wallet != nil && d.Wallet.LoyaltyPoints == wallet.LoyaltyPoints, true},
	}
	for i, o := range d.Orders {
		checks = append(checks, check{"order id", o.ID, orders[i].ID},
			check{"first item's product", o.Items[0].Product.ID, orders[i].Items[0].ProductID})
	}
	for i, r := range d.Recommendations {
		checks = append(checks, check{"recommended product", r.Product.ID, recs[i].ProductID})
	}
	if d.Notifications != nil {
		for i, n := range d.Notifications.Items {
			checks = append(checks, check{"notification id", n.ID, notes[i].ID})
		}
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v; want %v", c.name, c.got, c.want)
		}
	}
}

// A failing service makes its field null with an error that names the
// service and its code; the other fields keep their data.
func TestPartialDashboard(t *testing.T) {
	tests := []struct {
		service string
		fault   simulator.Fault
		code    string
	}{
		{simulator.Orders, simulator.FaultStatus500, "UPSTREAM_ERROR"},
		{simulator.Wallet, simulator.FaultMalformed, "UPSTREAM_ERROR"},
		{simulator.Profile, simulator.FaultWrongShape, "UPSTREAM_ERROR"},
	}
	for _, tt := range tests {
		t.Run(tt.service, func(t *testing.T) {
			c, _ := gqlClient(t, map[string]simulator.Behavior{tt.service: {Fault: tt.fault}})
			data, errs := post(t, c, "u1")
			d := data.Dashboard
			if d == nil {
				t.Fatalf("dashboard null (errors %+v); want the fields that did not fail", errs)
			}
			if len(errs) != 1 {
				t.Fatalf("errors %+v; want one", errs)
			}
			e := errs[0]
			if e.Extensions.Code != tt.code || e.Extensions.Service != tt.service || len(e.Path) != 2 || e.Path[1] != tt.service {
				t.Errorf("error %+v; want %s of %s at dashboard.%s", e, tt.code, tt.service, tt.service)
			}
			fields := map[string]bool{
				simulator.Profile: d.Profile != nil, simulator.Orders: d.Orders != nil,
				simulator.Wallet: d.Wallet != nil, simulator.Notifications: d.Notifications != nil,
				simulator.Recommendations: d.Recommendations != nil,
			}
			for field, present := range fields {
				if want := field != tt.service; present != want {
					t.Errorf("%s present: got %v; want %v", field, present, want)
				}
			}
		})
	}
}

// An id the contract does not allow fails the dashboard with
// BAD_USER_INPUT; an unknown well-formed id is not an error.
func TestDashboardIDs(t *testing.T) {
	c, sim := gqlClient(t, nil)
	tests := []struct {
		id        string
		code      string // "" no error
		dashboard bool
	}{
		{"../admin", "BAD_USER_INPUT", false},
		{"", "BAD_USER_INPUT", false},
		{"u1", "", true},
	}
	for _, tt := range tests {
		sim.ResetStats()
		data, errs := post(t, c, tt.id)
		code := ""
		if len(errs) > 0 {
			code = errs[0].Extensions.Code
		}
		if code != tt.code || (data.Dashboard != nil) != tt.dashboard {
			t.Errorf("dashboard(userId: %q): got code %q, dashboard %v; want %q, %v", tt.id, code, data.Dashboard != nil, tt.code, tt.dashboard)
		}
		if tt.code != "" {
			for _, s := range simulator.Services() {
				if n := sim.Stats(s).Calls; n != 0 {
					t.Errorf("dashboard(userId: %q): %d calls to %s; want none", tt.id, n, s)
				}
			}
		}
	}
}
