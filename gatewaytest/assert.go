package gatewaytest

import (
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/acme/dashboard-gateway/contract"
	"github.com/acme/dashboard-gateway/simulator"
)

// leak matches what must never reach a client: Go error text, addresses, paths.
var leak = regexp.MustCompile(`(?i)https?://|127\.0\.0\.1|localhost|dial |unexpected EOF|end of JSON|json:|\.go:\d|goroutine|panic|status \d{3}|connection reset|context (deadline|canceled)`)

// AssertClean fails the test if any of errs leaks internals to the client
// (Go error text, addresses, paths) in its message or extensions.
func AssertClean(tb testing.TB, errs []Error) {
	tb.Helper()
	for _, e := range errs {
		if leak.MatchString(e.Message) {
			tb.Errorf("error message %q leaks internals", e.Message)
		}
		for k, v := range e.Extensions {
			if s, ok := v.(string); ok && leak.MatchString(s) {
				tb.Errorf("extensions.%s %q leaks internals", k, s)
			}
		}
	}
}

// AssertOthersIntact checks that every field of the full query
// (contract.DashboardQuery) not served by the service failed carries data.
func AssertOthersIntact(tb testing.TB, d Dashboard, failed string) {
	tb.Helper()
	AssertIntact(tb, d, failed, true)
}

// AssertIntact checks that every field not served by the service failed
// ("" for none) carries data and that failed's field is null; recProducts
// says whether the query asked for the recommendations' products.
func AssertIntact(tb testing.TB, d Dashboard, failed string, recProducts bool) {
	tb.Helper()
	for _, svc := range contract.Services() {
		for _, f := range svc.Fields {
			typ, name, _ := strings.Cut(f, ".")
			if typ != "Dashboard" {
				continue
			}
			if ok := present(tb, d, name); ok == (svc.Name == failed) {
				tb.Errorf("%s present = %v; want %v (failing: %s)", name, ok, svc.Name != failed, failed)
			}
		}
	}
	if failed == simulator.Catalog {
		return
	}
	for _, o := range d.Orders {
		for _, it := range o.Items {
			if it.Product == nil {
				tb.Errorf("order %s has a null product; want every product", o.ID)
			}
		}
	}
	for i, rec := range d.Recommendations {
		if recProducts && rec.Product == nil {
			tb.Errorf("recommendation %d has a null product; want every product", i)
		}
	}
}

// present reports whether d's field with the JSON name name carries data.
func present(tb testing.TB, d Dashboard, name string) bool {
	tb.Helper()
	v := reflect.ValueOf(d)
	for i := range v.NumField() {
		if tag, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ","); tag == name {
			return !v.Field(i).IsNil()
		}
	}
	tb.Fatalf("gatewaytest.Dashboard has no field %q, which contract.Services says a service backs", name)
	return false
}
