package gateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/acme/dashboard-gateway/dashboard"
	"github.com/acme/dashboard-gateway/graph/model"
	"github.com/acme/dashboard-gateway/simulator"
)

func decode(tb testing.TB, raw []byte, v any) {
	tb.Helper()
	if err := json.Unmarshal(raw, v); err != nil {
		tb.Fatalf("decode %s: %v", raw, err)
	}
}

func TestGETQuery(t *testing.T) {
	e := newEnv(t, envOptions{})
	r := e.get(t, graphqlGET(`{ dashboard(userId: "u1") { profile { name } } }`))
	want, _ := simulator.ProfileOf("u1")
	if r.status != 200 || len(r.gql.Errors) > 0 || !strings.Contains(string(r.gql.Data), want.Name) {
		t.Errorf("status %d, body %s; want 200 with %s", r.status, r.body, want.Name)
	}
}

type restJSON struct {
	Status string          `json:"status"`
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
}

func TestRESTView(t *testing.T) {
	tests := []struct {
		name       string
		behaviors  map[string]simulator.Behavior
		user       string
		httpStatus int
		status     string
		errCodes   []string
	}{
		{"success", nil, "u1", 200, "success", nil},
		{"partial", map[string]simulator.Behavior{simulator.Orders: {Fault: simulator.FaultStatus500}}, "u1", 200, "partial_success", []string{"UPSTREAM_ERROR"}},
		{"unknown user", nil, "u999999", 200, "partial_success", []string{"NOT_FOUND", "NOT_FOUND"}},
		{"invalid id", nil, "not%20valid", 400, "error", []string{"BAD_USER_INPUT"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envOptions{behaviors: tt.behaviors})
			r := e.get(t, "/dashboard/"+tt.user)
			var body restJSON
			decode(t, r.body, &body)
			if r.status != tt.httpStatus || body.Status != tt.status || len(body.Errors) != len(tt.errCodes) {
				t.Fatalf("%d %s; want %d with status %s and %d errors", r.status, r.body, tt.httpStatus, tt.status, len(tt.errCodes))
			}
			for i, code := range tt.errCodes {
				if body.Errors[i].code() != code {
					t.Errorf("error %d code %s; want %s", i, body.Errors[i].code(), code)
				}
			}
			assertClean(t, body.Errors)
			if bytes.Contains(r.body, []byte(`"locations"`)) {
				t.Errorf("%s: errors carry locations in a query the caller never wrote", r.body)
			}
			if tt.status == "error" {
				if string(body.Data) != "null" {
					t.Errorf("data %s; want null", body.Data)
				}
				return
			}
			var d dashboardJSON
			decode(t, body.Data, &d)
			if d.UserID != tt.user || d.Notifications == nil {
				t.Errorf("data %s; want the dashboard of %s", body.Data, tt.user)
			}
		})
	}
}

func TestPlaygroundAndHealth(t *testing.T) {
	e := newEnv(t, envOptions{})
	r := e.get(t, "/")
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !strings.Contains(string(r.body), "graphiql") {
		t.Errorf("GET / = %d %q; want the GraphiQL page", r.status, r.header.Get("Content-Type"))
	}
	r = e.get(t, "/healthz")
	if r.status != 200 || string(r.body) != `{"status":"ok"}` {
		t.Errorf("GET /healthz = %d %s; want 200 ok", r.status, r.body)
	}
}

// panicky builds dashboards as the real Service does, but its wallet panics.
type panicky struct{ *dashboard.Service }

func (panicky) Wallet(context.Context, *dashboard.Dashboard) (*model.Wallet, error) {
	var m map[string]int
	//lint:ignore SA5000 the panic is the point: a real bug, not a thrown value
	m["boom"]++
	return nil, nil
}

func TestResolverPanicIsAFieldError(t *testing.T) {
	e := newEnv(t, envOptions{dashboards: panicky{dashboard.New(dashboard.Options{})}})
	for range 2 { // and the server keeps serving
		r := e.post(t, fullQuery, map[string]any{"id": "u1"}, "X-Request-Id", "req-panic")
		err, ok := r.errorsByPath()["dashboard.wallet"]
		if r.status != 200 || !ok || err.code() != "INTERNAL_SERVER_ERROR" || len(r.gql.Errors) != 1 {
			t.Fatalf("%d %+v; want 200 with one INTERNAL_SERVER_ERROR on wallet", r.status, r.gql.Errors)
		}
		assertClean(t, r.gql.Errors)
		assertOthersIntact(t, r.dashboard(t), simulator.Wallet)
	}
	var logged bool
	for _, l := range e.logs.lines() {
		if l["msg"] == "panic while resolving" && l["request_id"] == "req-panic" && strings.Contains(l["stack"].(string), "panicky") {
			logged = true
		}
	}
	if !logged {
		t.Error("no log line with the panic, its stack and the request id")
	}
}

func TestRequestIDIsEchoed(t *testing.T) {
	e := newEnv(t, envOptions{})
	r := e.post(t, `{ dashboard(userId: "u1") { userId } }`, nil)
	id := r.header.Get("X-Request-Id")
	if len(id) != 32 {
		t.Errorf("X-Request-Id %q; want a generated id", id)
	}
}
