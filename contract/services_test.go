package contract_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/acme/dashboard-gateway/contract"
)

// The declaration holds together: every name can be a flag, an
// environment variable and a metric label; every endpoint is of its kind's
// form; every field is backed by one service only.
func TestServicesAreWellFormed(t *testing.T) {
	names := map[string]bool{}
	fields := map[string]string{}
	for _, s := range contract.Services() {
		if s.Name == "" || strings.Trim(s.Name, "abcdefghijklmnopqrstuvwxyz") != "" || names[s.Name] {
			t.Errorf("service %q: want a new name of lower-case letters", s.Name)
		}
		names[s.Name] = true
		if s.Description == "" || strings.Contains(s.Description, "\n") {
			t.Errorf("%s: description %q; want one line", s.Name, s.Description)
		}
		if len(s.Endpoints) == 0 {
			t.Errorf("%s: no endpoint", s.Name)
		}
		kinds := map[contract.EndpointKind]bool{}
		for _, e := range s.Endpoints {
			if kinds[e.Kind] {
				t.Errorf("%s: two endpoints of kind %d; want one at most", s.Name, e.Kind)
			}
			kinds[e.Kind] = true
			if err := wellFormed(e); err != "" {
				t.Errorf("%s: endpoint %+v: %s", s.Name, e, err)
			}
		}
		if len(s.Fields) == 0 {
			t.Errorf("%s: backs no GraphQL field", s.Name)
		}
		for _, f := range s.Fields {
			typ, name, ok := strings.Cut(f, ".")
			if !ok || typ == "" || name == "" || strings.ContainsAny(name, ". ") {
				t.Errorf("%s: field %q; want Type.field", s.Name, f)
			}
			if other, ok := fields[f]; ok {
				t.Errorf("%s: field %s is backed by %s already", s.Name, f, other)
			}
			fields[f] = s.Name
		}
	}
}

// wellFormed returns what is wrong with e for its kind, or "".
func wellFormed(e contract.Endpoint) string {
	switch e.Kind {
	case contract.Batch:
		if !strings.HasPrefix(e.Path, "/v1/") || strings.Contains(e.Path, "{") || e.IDs == "" ||
			e.MaxIDs < 1 || e.MaxIDs > contract.MaxBatch || len(e.Params) != 0 {
			return "want a /v1/ path, an ids parameter, 1..MaxBatch ids and no other parameter"
		}
	case contract.PerUser:
		if !strings.HasPrefix(e.Path, "/v1/users/{id}") || strings.Count(e.Path, "{") != 1 || e.IDs != "" || e.MaxIDs != 0 {
			return "want a path under /v1/users/{id} and no ids"
		}
	default:
		return "unknown kind"
	}
	return ""
}

// The table is fresh on every call: what one caller does to it, the next
// does not see.
func TestServicesAreFresh(t *testing.T) {
	a := contract.Services()
	a[0].Name = "changed"
	a[0].Endpoints[0].Path = "/changed"
	a[0].Fields[0] = "Changed.field"
	b := contract.Services()
	if b[0].Name == "changed" || b[0].Endpoints[0].Path == "/changed" || b[0].Fields[0] == "Changed.field" {
		t.Errorf("Services()[0] = %+v after a caller changed its copy; want the declaration", b[0])
	}
}

func TestLookupAndEndpoint(t *testing.T) {
	tests := []struct {
		service string
		kind    contract.EndpointKind
		want    string // the endpoint's path; "" for none
	}{
		{"profile", contract.PerUser, "/v1/users/{id}"},
		{"profile", contract.Batch, "/v1/users"},
		{"catalog", contract.Batch, "/v1/products"},
		{"catalog", contract.PerUser, ""},
		{"orders", contract.PerUser, "/v1/users/{id}/orders"},
		{"nothing", contract.Batch, ""},
	}
	for _, tt := range tests {
		s, ok := contract.Lookup(tt.service)
		if ok != (tt.service != "nothing") {
			t.Errorf("Lookup(%q): found %v", tt.service, ok)
		}
		e, ok := s.Endpoint(tt.kind)
		if ok != (tt.want != "") || e.Path != tt.want {
			t.Errorf("Lookup(%q).Endpoint(%d) = %q, %v; want %q", tt.service, tt.kind, e.Path, ok, tt.want)
		}
	}
}

func TestFieldsOf(t *testing.T) {
	tests := []struct {
		typ       string
		has, hasn []string
	}{
		{"Dashboard", []string{"profile", "orders", "wallet"}, []string{"product", "userId"}},
		{"OrderItem", []string{"product"}, []string{"orders"}},
		{"Nothing", nil, []string{"profile"}},
	}
	for _, tt := range tests {
		got := contract.FieldsOf(tt.typ)
		for _, f := range tt.has {
			if !slices.Contains(got, f) {
				t.Errorf("FieldsOf(%q) = %q; want %s in it", tt.typ, got, f)
			}
		}
		for _, f := range tt.hasn {
			if slices.Contains(got, f) {
				t.Errorf("FieldsOf(%q) = %q; want no %s", tt.typ, got, f)
			}
		}
	}
}
