package simulator_test

import (
	"slices"
	"testing"

	"github.com/acme/dashboard-gateway/simulator"
)

// Every preset resolves to valid behaviours: seed is Seed, healthy has no
// faults or latency, chaotic has a fault on every service.
func TestPresets(t *testing.T) {
	if got := simulator.PresetNames(); !slices.Equal(got, []string{"chaotic", "healthy", "longtail", "seed"}) {
		t.Errorf("PresetNames() = %v; want chaotic, healthy, longtail, seed", got)
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
	}
	seed, _ := simulator.Preset("seed")
	for svc, b := range simulator.Seed() {
		if seed[svc] != b {
			t.Errorf("Preset(seed)[%s] = %q; want Seed()'s %q", svc, seed[svc], b)
		}
	}
	if healthy, _ := simulator.Preset("healthy"); len(healthy) != 0 {
		t.Errorf("Preset(healthy) = %v; want every service healthy and immediate", healthy)
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
