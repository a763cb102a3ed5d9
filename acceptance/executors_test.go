package acceptance_test

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/config"
	"github.com/acme/dashboard-gateway/gatewaytest"
	"github.com/acme/dashboard-gateway/simulator"
)

// executors are the two ways the gateway runs an operation: the fast path
// (the default), and gqlgen's executor alone (-gqlgen-only).
var executors = []struct {
	name   string
	gqlgen bool
}{{"fast path", false}, {"gqlgen", true}}

// The specification's answer to each of the documents where the two
// executors once differed, or both differed from graphql-js, on each
// executor: the same data, the same errors (code at path), no call to a
// service for what the specification refuses.
func TestExecutorsFollowTheSpecification(t *testing.T) {
	tests := []struct {
		name    string
		query   string
		vars    map[string]any
		subject string // with authentication on: the token's subject; "" off
		data    string // the exact data, "" when there is none
		errors  []string
		calls   bool // whether any service may be called
	}{
		{
			// A failed root keeps its siblings' errors: every root field
			// resolves, whichever fails first.
			name:    "a failed root keeps its siblings' errors",
			query:   `{ a: dashboard(userId: "u999999") { wallet { loyaltyPoints } profile { name } } b: dashboard(userId: "u2") { userId } }`,
			subject: "u999999",
			data:    "null",
			errors:  []string{"FORBIDDEN at b", "NOT_FOUND at a.profile", "NOT_FOUND at a.wallet"},
			calls:   true,
		},
		{
			name:   "a null if is a request error",
			query:  `query($v: Boolean = false) { dashboard(userId: "u1") { userId @skip(if: $v) } }`,
			vars:   map[string]any{"v": nil},
			errors: []string{"BAD_USER_INPUT at "},
		},
		{
			name:   "a null to a non-null argument is the field's error",
			query:  `query($id: ID = "u19") { dashboard(userId: $id) { userId } }`,
			vars:   map[string]any{"id": nil},
			data:   "null",
			errors: []string{"BAD_USER_INPUT at dashboard"},
		},
		{
			name:   "a null element of a list of non-null ids is the field's error",
			query:  `query($id: ID = "u19") { dashboards(userIds: [$id, "u2"]) { userId } }`,
			vars:   map[string]any{"id": nil},
			data:   "null",
			errors: []string{"BAD_USER_INPUT at dashboards"},
		},
		{
			name:   "a null list to a non-null list argument is the field's error",
			query:  `query($ids: [ID!] = ["u5"]) { dashboards(userIds: $ids) { userId } }`,
			vars:   map[string]any{"ids": nil},
			data:   "null",
			errors: []string{"BAD_USER_INPUT at dashboards"},
		},
		{
			name:  "a variable's default is its value when the variable is absent",
			query: `query($ids: [ID!] = ["u5"]) { dashboards(userIds: $ids) { userId } }`,
			data:  `{"dashboards":[{"userId":"u5"}]}`,
			calls: true,
		},
		{
			name:   "a @defer label from a variable is refused",
			query:  `query($l: String) { dashboard(userId: "u1") { userId ... @defer(label: $l) { wallet { loyaltyPoints } } } }`,
			vars:   map[string]any{"l": "one"},
			errors: []string{"GRAPHQL_VALIDATION_FAILED at "},
		},
		{
			name:   "a @defer label used twice is refused",
			query:  `{ dashboard(userId: "u1") { ... @defer(label: "x") { wallet { loyaltyPoints } } ... @defer(label: "x") { profile { name } } } }`,
			errors: []string{"GRAPHQL_VALIDATION_FAILED at "},
		},
	}
	for _, ex := range executors {
		for _, auth := range []bool{false, true} {
			gw := gatewaytest.New(t, gatewaytest.Options{Edit: func(c *config.Config) {
				c.GqlgenOnly = ex.gqlgen
				if auth {
					c.Auth.Secret = gatewaytest.Secret
				}
			}})
			for _, tt := range tests {
				if (tt.subject != "") != auth {
					continue
				}
				t.Run(ex.name+"/"+tt.name, func(t *testing.T) {
					var header []string
					if auth {
						header = []string{"Authorization", "Bearer " + gatewaytest.Token(t, tt.subject, time.Hour, "", []byte(gatewaytest.Secret))}
					}
					gw.Sim.ResetStats()
					r := gw.Post(t, tt.query, tt.vars, header...)
					if got := string(r.GQL.Data); got != tt.data && !(tt.data == "" && got == "") {
						t.Errorf("data %s; want %s", got, tt.data)
					}
					var errs []string
					for _, e := range r.GQL.Errors {
						errs = append(errs, e.Code()+" at "+e.PathString())
					}
					slices.Sort(errs)
					if !slices.Equal(errs, tt.errors) {
						t.Errorf("errors %q; want %q", errs, tt.errors)
					}
					if !tt.calls {
						for s, n := range gw.CallCounts() {
							if n > 0 {
								t.Errorf("%d calls to %s; want none", n, s)
							}
						}
					}
				})
			}
		}
	}
}

// A document that defers fragments gets one part per deferred fragment and
// object where the fragment applies, and no other: a root that defers
// nothing sends no part.
func TestDeferPartsOnlyWhereTheFragmentApplies(t *testing.T) {
	gw := gatewaytest.New(t, gatewaytest.Options{})
	payloads := gw.PostDeferred(t, `{
		a: dashboard(userId: "u1") { userId ... @defer(label: "x") { wallet { loyaltyPoints } } }
		b: dashboard(userId: "u2") { userId }
	}`, nil)
	var parts []string
	for _, p := range payloads[1:] {
		for _, inc := range p.Incremental {
			parts = append(parts, inc.Label+" at "+pathString(inc.Path)+": "+string(inc.Data))
		}
	}
	wallet, _ := simulator.WalletOf("u1")
	want := []string{`x at a: {"wallet":{"loyaltyPoints":` + strconv.Itoa(wallet.LoyaltyPoints) + `}}`}
	if !slices.Equal(parts, want) {
		t.Errorf("parts %q; want %q", parts, want)
	}
}

// pathString is a part's path joined with dots.
func pathString(path []any) string {
	return gatewaytest.Error{Path: path}.PathString()
}
