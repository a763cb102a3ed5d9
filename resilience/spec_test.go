package resilience

import (
	"strings"
	"testing"
	"time"
)

func TestParsePolicy(t *testing.T) {
	tests := []struct {
		spec    string
		check   func(Policy) bool
		wantErr string
	}{
		{"", func(p Policy) bool { return p == Policy{} }, ""},
		{"timeout=300ms, attempts=3", func(p Policy) bool { return p.Timeout == 300*time.Millisecond && p.Attempts == 3 }, ""},
		{"retry-ratio=10%,hedge-ratio=0.02", func(p Policy) bool { return p.RetryRatio == 0.1 && p.HedgeRatio == 0.02 }, ""},
		{"hedge=auto", func(p Policy) bool { return p.HedgeAdaptive }, ""},
		{"hedge=40ms", func(p Policy) bool { return p.Hedge == 40*time.Millisecond && !p.HedgeAdaptive }, ""},
		{"hedge=auto,hedge=off", func(p Policy) bool { return !p.HedgeAdaptive && p.Hedge == 0 }, ""},
		{"dedupe=off", func(p Policy) bool { return p.NoDedupe }, ""},
		{"layers=off", func(p Policy) bool { return p.Off }, ""},
		{"breaker-open=2s,breaker-probes=3,max-in-flight=64", func(p Policy) bool {
			return p.BreakerOpen == 2*time.Second && p.BreakerProbes == 3 && p.MaxInFlight == 64
		}, ""},
		{"timeout", nil, "key=value"},
		{"timeout=soon", nil, "timeout=soon"},
		{"attempts=-1", nil, "attempts"},
		{"attempts=50", nil, "attempts"},
		{"retry-ratio=150%", nil, "retry-ratio"},
		{"dedupe=maybe", nil, "dedupe"},
		{"colour=red", nil, "unknown key"},
	}
	for _, tt := range tests {
		p, err := ParsePolicy(tt.spec, Policy{})
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParsePolicy(%q) error %v; want one mentioning %q", tt.spec, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !tt.check(p) {
			t.Errorf("ParsePolicy(%q) = %+v, %v", tt.spec, p, err)
		}
	}
}

func TestPolicyStringRoundTrips(t *testing.T) {
	for _, spec := range []string{"", "timeout=250ms,attempts=3,hedge=auto,dedupe=off", "hedge=30ms,retry-ratio=5%", "layers=off"} {
		p, err := ParsePolicy(spec, Policy{})
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParsePolicy(p.String(), Policy{})
		if err != nil || again.withDefaults() != p.withDefaults() {
			t.Errorf("%q -> %q -> %+v, %v; want the same policy", spec, p.String(), again, err)
		}
	}
}
