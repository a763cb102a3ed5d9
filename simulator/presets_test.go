package simulator_test

import (
	"slices"
	"testing"

	"github.com/acme/dashboard-gateway/simulator"
)

// Every preset resolves to a valid behaviour of every service: seed is
// Seed, healthy has no faults or latency, chaotic has a fault on every
// service.
func TestPresets(t *testing.T) {
	if got := simulator.PresetNames(); !slices.Equal(got, []string{"chaotic", "healthy", "heavytail", "longtail", "seed"}) {
		t.Errorf("PresetNames() = %v; want chaotic, healthy, heavytail, longtail, seed", got)
	}
	for _, name := range simulator.PresetNames() {
		b, ok := simulator.Preset(name)
		if !ok {
			t.Fatalf("Preset(%q): unknown", name)
		}
		for svc, behavior := range b {
			if _, err := simulator.ParseBehavior(behavior.String()); err != nil || !slices.Contains(simulator.Services(), svc) {
				t.Errorf("Preset(%q)[%s] = %q: %v; want a valid behaviour of a service", name, svc, behavior, err)
			}
		}
		if len(b) != len(simulator.Services()) {
			t.Errorf("Preset(%q) has %d services; want every one of %q", name, len(b), simulator.Services())
		}
	}
	seed, _ := simulator.Preset("seed")
	for svc, b := range simulator.Seed() {
		if seed[svc] != b {
			t.Errorf("Preset(seed)[%s] = %q; want Seed()'s %q", svc, seed[svc], b)
		}
	}
	healthy, _ := simulator.Preset("healthy")
	for svc, b := range healthy {
		if b != (simulator.Behavior{}) {
			t.Errorf("Preset(healthy)[%s] = %q; want healthy and immediate", svc, b)
		}
	}
	chaotic, _ := simulator.Preset("chaotic")
	for _, svc := range simulator.Services() {
		if b := chaotic[svc]; b.Fault == simulator.FaultNone || b.FaultRate <= 0 || b.FaultRate >= 1 {
			t.Errorf("Preset(chaotic)[%s] = %q; want a fault on a share of the calls", svc, b)
		}
	}
	if _, ok := simulator.Preset("chaos"); ok {
		t.Error(`Preset("chaos"): known; want unknown`)
	}
}
