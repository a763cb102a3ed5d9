package gateway_test

import (
	"os"
	"strings"
	"testing"

	"github.com/acme/dashboard-gateway/config"
	"github.com/acme/dashboard-gateway/contract"
	"github.com/acme/dashboard-gateway/documents"
	"github.com/acme/dashboard-gateway/gatewaytest"
)

func TestAutomaticPersistedQueries(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{})
	const q = `query Apq { dashboard(userId: "u1") { userId } }`
	pq := func(hash string) map[string]any {
		return map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}
	}
	steps := []struct {
		name string
		body map[string]any
		code string // "" means data
	}{
		{"unknown hash", map[string]any{"extensions": pq(documents.Hash(q))}, "PERSISTED_QUERY_NOT_FOUND"},
		{"hash with the wrong query", map[string]any{"query": `{ __typename }`, "extensions": pq(documents.Hash(q))}, "BAD_REQUEST"},
		{"register", map[string]any{"query": q, "extensions": pq(documents.Hash(q))}, ""},
		{"by hash", map[string]any{"extensions": pq(documents.Hash(q))}, ""},
		{"documentId needs trusted documents", map[string]any{"documentId": "sha256:" + documents.Hash(q)}, "BAD_REQUEST"},
	}
	for _, s := range steps {
		r := e.PostJSON(t, s.body)
		checkOutcome(t, s.name, r, s.code)
	}
}

func TestTrustedDocuments(t *testing.T) {
	const allowed = `query Mine { dashboard(userId: "u1") { profile { name } } }`
	manifest := documents.Manifest{documents.Hash(allowed): allowed}
	e := gatewaytest.New(t, gatewaytest.Options{Edit: func(o *config.Config) { o.TrustedDocuments = gatewaytest.ManifestFile(t, manifest) }})
	steps := []struct {
		name string
		body map[string]any
		code string
	}{
		{"allowed id", map[string]any{"documentId": "sha256:" + documents.Hash(allowed)}, ""},
		{"allowed id as an APQ hash", map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": documents.Hash(allowed)}}}, ""},
		{"allowed text", map[string]any{"query": allowed}, ""},
		{"unknown id", map[string]any{"documentId": "sha256:" + documents.Hash("nope")}, "PERSISTED_QUERY_NOT_FOUND"},
		{"hash mismatch", map[string]any{"documentId": "sha256:" + documents.Hash(allowed), "query": `{ __typename }`}, "PERSISTED_QUERY_MISMATCH"},
		{"any other query", map[string]any{"query": `{ dashboard(userId: "u2") { profile { name } } }`}, "DOCUMENT_NOT_TRUSTED"},
		{"registering a new query", map[string]any{"query": `{ __typename }`, "extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": documents.Hash(`{ __typename }`)}}}, "PERSISTED_QUERY_NOT_FOUND"},
	}
	for _, s := range steps {
		e.Sim.ResetStats()
		r := e.PostJSON(t, s.body)
		checkOutcome(t, s.name, r, s.code)
		if calls := e.CallCounts(); s.code != "" && len(calls) != 0 {
			t.Errorf("%s: downstream calls %v; want none", s.name, calls)
		}
	}
	if r := e.Get(t, "/query?documentId=sha256:"+documents.Hash(allowed)); len(r.GQL.Errors) > 0 {
		t.Errorf("GET by documentId: %s", r.Body)
	}
}

// The REST view's document is the gateway's own: it runs in the
// trusted-documents mode though the manifest does not hold it, while a
// client that sends the same text to /query is refused.
func TestTrustedDocumentsKeepTheRESTView(t *testing.T) {
	const allowed = `query Mine { dashboard(userId: "u1") { profile { name } } }`
	manifest := documents.Manifest{documents.Hash(allowed): allowed}
	e := gatewaytest.New(t, gatewaytest.Options{Edit: func(o *config.Config) { o.TrustedDocuments = gatewaytest.ManifestFile(t, manifest) }})

	r := e.Get(t, "/dashboard/u1")
	var rest struct {
		Status string `json:"status"`
		Data   struct {
			UserID string `json:"userId"`
		} `json:"data"`
	}
	gatewaytest.Decode(t, r.Body, &rest)
	if r.Status != 200 || rest.Status != "success" || rest.Data.UserID != "u1" {
		t.Errorf("GET /dashboard/u1: %d %s; want 200 with the dashboard of u1", r.Status, r.Body)
	}
	e.Sim.ResetStats()
	r = e.Post(t, contract.DashboardQuery, map[string]any{"id": "u1"})
	checkOutcome(t, "the REST view's document sent to /query", r, "DOCUMENT_NOT_TRUSTED")
	if calls := e.CallCounts(); len(calls) != 0 {
		t.Errorf("the REST view's document sent to /query: downstream calls %v; want none", calls)
	}
}

func checkOutcome(tb testing.TB, name string, r gatewaytest.Result, code string) {
	tb.Helper()
	switch {
	case code == "" && (len(r.GQL.Errors) > 0 || r.GQL.Data == nil):
		tb.Errorf("%s: %s; want data", name, r.Body)
	case code != "" && (len(r.GQL.Errors) != 1 || r.GQL.Errors[0].Code() != code):
		tb.Errorf("%s: %s; want one %s", name, r.Body, code)
	}
	gatewaytest.AssertClean(tb, r.GQL.Errors)
}

// Introspection and the SDL download follow the setting.
func TestIntrospectionSetting(t *testing.T) {
	sdl, err := os.ReadFile("../schema.graphqls")
	if err != nil {
		t.Fatal(err)
	}
	for _, on := range []bool{true, false} {
		e := gatewaytest.New(t, gatewaytest.Options{SDL: sdl, Edit: func(o *config.Config) { o.Introspection = onOff(on) }})
		r := e.Post(t, `{ __schema { queryType { name } } }`, nil)
		if got := len(r.GQL.Errors) == 0; got != on {
			t.Errorf("introspection %v: %s", on, r.Body)
		}
		d := e.Get(t, "/schema.graphqls")
		if on && (d.Status != 200 || string(d.Body) != string(sdl)) || !on && d.Status != 404 {
			t.Errorf("introspection %v: GET /schema.graphqls = %d", on, d.Status)
		}
	}
}

// The persisted queries a replica keeps are bounded in bytes, not only in
// count: with room for two queries of about 2 KB, registering a third
// forgets the first, however many entries -apq-cache-size allows.
func TestPersistedQueriesBoundedInBytes(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{Edit: func(c *config.Config) { c.APQCacheBytes = 5000 }})
	query := func(name string) string {
		return "query " + name + ` { dashboard(userId: "u1") { userId } }` + strings.Repeat("\n# padding to 2 KB", 110)
	}
	for _, name := range []string{"First", "Second", "Third"} {
		if r := e.RegisterPersisted(t, query(name)); r.Status != 200 || len(r.GQL.Errors) > 0 {
			t.Fatalf("register %s: %d %s", name, r.Status, r.Body)
		}
	}
	for _, tt := range []struct {
		name  string
		found bool
	}{{"First", false}, {"Second", true}, {"Third", true}} {
		if got := e.PostHash(t, query(tt.name)).Found(); got != tt.found {
			t.Errorf("%s by hash: found %v; want %v", tt.name, got, tt.found)
		}
	}
}
