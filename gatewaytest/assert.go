package gatewaytest

import (
	"regexp"
	"testing"

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
	present := map[string]bool{
		simulator.Profile:         d.Profile != nil,
		simulator.Orders:          d.Orders != nil,
		simulator.Recommendations: d.Recommendations != nil,
		simulator.Notifications:   d.Notifications != nil,
		simulator.Wallet:          d.Wallet != nil,
	}
	for svc, ok := range present {
		if ok == (svc == failed) {
			tb.Errorf("%s present = %v; want %v (failing: %s)", svc, ok, svc != failed, failed)
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
