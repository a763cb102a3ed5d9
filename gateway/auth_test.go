package gateway_test

import (
	"strings"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/config"
	"github.com/acme/dashboard-gateway/gatewaytest"
	"github.com/acme/dashboard-gateway/simulator"
)

// authEnv is a gateway with HS256 authentication on.
func authEnv(tb testing.TB, extra func(*config.Config)) *gatewaytest.Gateway {
	tb.Helper()
	return gatewaytest.New(tb, gatewaytest.Options{Edit: func(o *config.Config) {
		o.Auth.Secret = gatewaytest.Secret
		if extra != nil {
			extra(o)
		}
	}})
}

func TestAuthentication(t *testing.T) {
	e := authEnv(t, nil)
	unsigned := "eyJhbGciOiJub25lIn0." + strings.TrimRight(strings.Split(gatewaytest.Token(t, "u1", time.Hour, "", []byte(gatewaytest.Secret)), ".")[1], "=") + "."
	tests := []struct {
		name   string
		header string
		status int
	}{
		{"no token", "", 401},
		{"not a bearer", "Basic dTE6cHc=", 401},
		{"malformed", "Bearer not.a.token", 401},
		{"expired", "Bearer " + gatewaytest.Token(t, "u1", -time.Hour, "", []byte(gatewaytest.Secret)), 401},
		{"unsigned (alg none)", "Bearer " + unsigned, 401},
		{"wrong key", "Bearer " + gatewaytest.Token(t, "u1", time.Hour, "", []byte("another-secret-another-secret-32b")), 401},
		{"valid", "Bearer " + gatewaytest.Token(t, "u1", time.Hour, "", []byte(gatewaytest.Secret)), 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.Sim.ResetStats()
			var h []string
			if tt.header != "" {
				h = []string{"Authorization", tt.header}
			}
			r := e.Post(t, `{ dashboard(userId: "u1") { profile { name } } }`, nil, h...)
			if r.Status != tt.status {
				t.Fatalf("status %d %s; want %d", r.Status, r.Body, tt.status)
			}
			if tt.status == 401 {
				if len(r.GQL.Errors) != 1 || r.GQL.Errors[0].Code() != "UNAUTHENTICATED" || r.Header.Get("WWW-Authenticate") == "" {
					t.Errorf("%s, WWW-Authenticate %q; want one UNAUTHENTICATED and a challenge", r.Body, r.Header.Get("WWW-Authenticate"))
				}
				gatewaytest.AssertClean(t, r.GQL.Errors)
				if calls := e.CallCounts(); len(calls) != 0 {
					t.Errorf("downstream calls %v; want none", calls)
				}
			}
		})
	}
}

// A user reads only their own dashboard; the admin scope reads any; the
// caller's identity goes downstream.
func TestAuthorization(t *testing.T) {
	e := authEnv(t, nil)
	u1 := "Bearer " + gatewaytest.Token(t, "u1", time.Hour, "", []byte(gatewaytest.Secret))
	admin := "Bearer " + gatewaytest.Token(t, "ops", time.Hour, "dashboard:admin", []byte(gatewaytest.Secret))
	tests := []struct {
		name   string
		bearer string
		query  string
		code   string // "" means data
	}{
		{"own dashboard", u1, `{ dashboard(userId: "u1") { profile { name } } }`, ""},
		{"another user's", u1, `{ dashboard(userId: "u2") { profile { name } } }`, "FORBIDDEN"},
		{"another user's among own", u1, `{ dashboards(userIds: ["u1", "u2"]) { profile { name } } }`, "FORBIDDEN"},
		{"admin reads any", admin, `{ dashboards(userIds: ["u1", "u2"]) { profile { name } } }`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.Sim.ResetStats()
			r := e.Post(t, tt.query, nil, "Authorization", tt.bearer)
			if tt.code == "" {
				if len(r.GQL.Errors) > 0 {
					t.Fatalf("errors %+v", r.GQL.Errors)
				}
				want := "u1"
				if tt.bearer == admin {
					want = "ops"
				}
				for _, c := range e.Sim.Calls(simulator.Profile) {
					if c.Subject != want {
						t.Errorf("profile call with X-Auth-Subject %q; want %q", c.Subject, want)
					}
				}
				return
			}
			if len(r.GQL.Errors) != 1 || r.GQL.Errors[0].Code() != tt.code || string(r.GQL.Data) != "null" {
				t.Errorf("%s; want data null and one %s", r.Body, tt.code)
			}
			if calls := e.CallCounts(); len(calls) != 0 {
				t.Errorf("downstream calls %v; want none for a forbidden dashboard", calls)
			}
		})
	}
}

// Identical calls are shared only between requests of the same caller: the
// services may answer each caller differently.
func TestSharingIsPerCaller(t *testing.T) {
	e := authEnv(t, func(o *config.Config) {})
	e.Sim.SetBehavior(simulator.Profile, simulator.Behavior{Latency: simulator.Latency{Min: 300 * time.Millisecond}})
	q := `{ dashboard(userId: "u1") { profile { name } } }`
	first := make(chan gatewaytest.Result, 1)
	go func() {
		first <- e.Post(t, q, nil, "Authorization", "Bearer "+gatewaytest.Token(t, "u1", time.Hour, "", []byte(gatewaytest.Secret)))
	}()
	e.WaitFor(t, simulator.Profile, "the first call", func(s simulator.Stats) bool { return s.InFlight == 1 })
	r := e.Post(t, q, nil, "Authorization", "Bearer "+gatewaytest.Token(t, "ops", time.Hour, "dashboard:admin", []byte(gatewaytest.Secret)))
	if len(r.GQL.Errors) > 0 || len((<-first).GQL.Errors) > 0 {
		t.Fatalf("errors: %s", r.Body)
	}
	calls := e.Sim.Calls(simulator.Profile)
	if len(calls) != 2 || calls[0].Subject == calls[1].Subject {
		t.Errorf("profile calls %+v; want one per caller", calls)
	}
}
