package simulator

import (
	"strings"
	"testing"

	"github.com/acme/dashboard-gateway/contract"
)

// A service that a preset does not name behaves as the preset's base, so a
// service added to contract.Services is simulated in every preset.
func TestPresetBaseCoversUnnamedServices(t *testing.T) {
	base := Behavior{Fault: FaultGarbage, FaultRate: 0.5}
	named := Behavior{Fault: FaultHang}
	got := preset{base: base, others: map[string]Behavior{Orders: named}}.behaviors()
	for _, svc := range Services() {
		want := base
		if svc == Orders {
			want = named
		}
		if got[svc] != want {
			t.Errorf("behaviors()[%s] = %q; want %q", svc, got[svc], want)
		}
	}
}

// Every endpoint contract.Services declares is served, with its declared
// path, ids parameter and query parameters, and answers 200 for an id that
// exists: a service or endpoint added to the declaration without its
// answer here fails.
func TestEveryDeclaredEndpointAnswers(t *testing.T) {
	noLeaks(t)
	for _, decl := range contract.Services() {
		_, c, url := serveOne(t, Options{}, decl.Name)
		for _, e := range decl.Endpoints {
			path := examplePath(t, e)
			t.Run(decl.Name+path, func(t *testing.T) {
				got := get(t, c, url+path)
				if got.status != 200 || isErrorBody(got.body) || strings.Contains(string(got.body), "[]") {
					t.Errorf("GET %s %s: %d %s; want 200 with data", decl.Name, path, got.status, got.body)
				}
			})
		}
	}
}

// examplePath returns a call of e, with every parameter it declares, for
// items that exist: user u1, and in a batch one item of each kind.
func examplePath(tb testing.TB, e contract.Endpoint) string {
	tb.Helper()
	path := strings.Replace(e.Path, "{id}", "u1", 1)
	if e.Kind == contract.Batch {
		return path + "?" + e.IDs + "=u1,p1,o-u1-1"
	}
	sep := "?"
	for _, p := range e.Params {
		path += sep + p + "=" + paramValue(tb, p)
		sep = "&"
	}
	return path
}

// paramValue returns a valid value of a declared query parameter.
func paramValue(tb testing.TB, name string) string {
	tb.Helper()
	switch name {
	case "limit":
		return "5"
	case "unreadOnly":
		return "false"
	}
	tb.Fatalf("no test value for the declared parameter %q", name)
	return ""
}
