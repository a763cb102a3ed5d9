package main

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/Khan/genqlient/graphql"

	"github.com/acme/dashboard-gateway/gatewaytest"
	"github.com/acme/dashboard-gateway/simulator"
)

// TestGenerated regenerates generated.go with the genqlient pinned in
// go.mod's tool directive and fails if it differs from the committed one.
func TestGenerated(t *testing.T) {
	before, err := os.ReadFile("generated.go")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), "go", "tool", "genqlient")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go tool genqlient: %v\n%s", err, out)
	}
	after, err := os.ReadFile("generated.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Fatal("generated.go is stale: run 'go tool genqlient' in examples/goclient and commit the result")
	}
}

// TestPartialAnswers fetches a dashboard through a real gateway with one
// simulated service failing: the typed data of the others arrives, the
// failed field is nil (not an empty struct), and its error is typed, with
// the field's path and extensions.code.
func TestPartialAnswers(t *testing.T) {
	tests := []struct {
		failing string
		path    *regexp.Regexp // every error's path
		check   func(*testing.T, *DashboardDashboard)
	}{
		{simulator.Orders, regexp.MustCompile(`^dashboard\.orders$`), func(t *testing.T, d *DashboardDashboard) {
			if d.Orders != nil {
				t.Errorf("orders %+v; want nil", d.Orders)
			}
		}},
		{simulator.Catalog, regexp.MustCompile(`^dashboard\.orders\[\d+\]\.items\[\d+\]\.product$`), func(t *testing.T, d *DashboardDashboard) {
			if len(d.Orders) != 3 || len(d.Orders[0].Items) == 0 {
				t.Fatalf("orders %+v; want 3 (the operation's default, not the field's), with items", d.Orders)
			}
			for _, it := range d.Orders[0].Items {
				if it.Product != nil {
					t.Errorf("product %+v; want nil", *it.Product)
				}
			}
			if d.Orders[0].PlacedAt.IsZero() || d.Orders[0].Status == "" {
				t.Errorf("order %+v; want its status and time", d.Orders[0])
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.failing+" failing", func(t *testing.T) {
			url := gatewaytest.Start(t, gatewaytest.Options{Failing: []string{tt.failing}})
			client := graphql.NewClient(url, http.DefaultClient)
			d, partial, err := fetchDashboard(t.Context(), client, "u1")
			if err != nil {
				t.Fatalf("fetchDashboard: %v", err)
			}
			if d.Profile == nil || d.Profile.Name == "" || d.Profile.MemberSince.Before(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)) || d.Wallet == nil {
				t.Errorf("dashboard %+v; want the profile and the wallet", d)
			}
			if d.Profile != nil && !slices.Contains(AllTier, d.Profile.Tier) {
				t.Errorf("tier %q; want one of %v", d.Profile.Tier, AllTier)
			}
			tt.check(t, d)
			if len(partial) == 0 {
				t.Fatal("no errors; want the failed fields' errors")
			}
			for _, e := range partial {
				if !tt.path.MatchString(e.Path.String()) {
					t.Errorf("error at %s; want a path matching %s", e.Path, tt.path)
				}
				if e.Extensions["code"] != "UPSTREAM_ERROR" || e.Extensions["service"] != tt.failing {
					t.Errorf("error at %s: extensions %v; want code UPSTREAM_ERROR, service %s", e.Path, e.Extensions, tt.failing)
				}
			}
		})
	}
}

// TestRun runs the command against a gateway whose orders service fails.
func TestRun(t *testing.T) {
	url := gatewaytest.Start(t, gatewaytest.Options{Failing: []string{simulator.Orders}})
	var out bytes.Buffer
	if err := run(t.Context(), []string{"-url", url, "-user", "u2"}, &out); err != nil {
		t.Fatalf("run: %v", err)
	}
	for _, want := range []string{"dashboard of u2\n", "  profile: ", "  loyalty points: ", "  missing dashboard.orders: UPSTREAM_ERROR (orders service unavailable)\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output:\n%s\nwant it to contain %q", out.String(), want)
		}
	}
}

// TestDeferredAsOneAnswer sends the web client's @defer operation, which
// genqlient generates too: its client does not accept multipart/mixed, so
// the gateway answers in one JSON object with every field, the deferred
// orders included.
func TestDeferredAsOneAnswer(t *testing.T) {
	url := gatewaytest.Start(t, gatewaytest.Options{})
	resp, err := DeferredDashboard(t.Context(), graphql.NewClient(url, http.DefaultClient), "u1", nil)
	if err != nil {
		t.Fatalf("DeferredDashboard: %v", err)
	}
	if d := resp.Dashboard; d.Profile == nil || len(d.Orders) != 3 {
		t.Errorf("dashboard %+v; want the profile and 3 orders (the operation's default) in one answer", d)
	}
}
