package simulator

import (
	"maps"
	"slices"
	"time"
)

// preset is a named behaviour of every service: each behaves as base,
// but for the services others names. A service no preset names (a new
// one, say) is simulated in every preset, with the preset's base.
type preset struct {
	base   Behavior
	others map[string]Behavior
}

// behaviors returns the behaviour of every one of [Services], fresh.
func (p preset) behaviors() map[string]Behavior {
	services := Services()
	m := make(map[string]Behavior, len(services))
	for _, svc := range services {
		b, ok := p.others[svc]
		if !ok {
			b = p.base
		}
		m[svc] = b
	}
	return m
}

// presets returns the named presets, by name.
func presets() map[string]preset {
	ms := time.Millisecond
	slow := Latency{Min: 100 * ms, Max: 1000 * ms}
	return map[string]preset{
		"seed": {
			base:   Behavior{Latency: slow},
			others: map[string]Behavior{Orders: {Latency: slow, Fault: FaultStatus500, FaultRate: 0.3}},
		},
		"healthy":   {},
		"longtail":  {base: Behavior{Latency: Latency{Min: 15 * ms, Max: 25 * ms, TailShare: 0.02, Tail: 800 * ms}}},
		"heavytail": {base: Behavior{Latency: Latency{Min: 20 * ms, Sigma: 0.5, TailShare: 0.02, Tail: 800 * ms}}},
		"chaotic": {
			base: Behavior{Latency: Latency{Min: 50 * ms, Max: 300 * ms}, Fault: FaultGarbage, FaultRate: 0.1},
			others: map[string]Behavior{
				Profile:         {Latency: Latency{Min: 50 * ms, Max: 300 * ms}, Fault: FaultStatus503, FaultRate: 0.1},
				Orders:          {Latency: Latency{Min: 100 * ms, Max: 1000 * ms}, Fault: FaultStatus500, FaultRate: 0.3},
				Catalog:         {Latency: Latency{Min: 20 * ms, Max: 200 * ms, TailShare: 0.05, Tail: 3 * time.Second}, Fault: FaultMalformed, FaultRate: 0.1},
				Recommendations: {Latency: Latency{Min: 100 * ms, Max: 600 * ms}, Fault: FaultHang, FaultRate: 0.2},
				Notifications:   {Latency: Latency{Min: 50 * ms, Max: 400 * ms}, Fault: FaultWrongShape, FaultRate: 0.15},
				Wallet:          {Latency: Latency{Min: 50 * ms, Max: 300 * ms}, Fault: FaultReset, FaultRate: 0.15},
			},
		},
	}
}

// PresetNames returns the names Preset knows, sorted: chaotic, healthy,
// heavytail, longtail, seed.
func PresetNames() []string {
	return slices.Sorted(maps.Keys(presets()))
}

// Preset returns a named behaviour of every one of [Services], fresh on
// every call, and whether the name is known:
//
//   - seed: the original aggregator's ([Seed]): 100ms..1s each, orders
//     fails 30% of its calls; most dashboards are partial.
//   - healthy: every service answers at once, without faults.
//   - longtail: 15..25ms, but 2% of the calls take 800ms.
//   - heavytail: log-normal around 20ms (σ 0.5), and 2% of the calls take
//     800ms: real latencies' shape, where a hedge delay below the tail's
//     share is passed by many calls of the body.
//   - chaotic: every kind of trouble at once, on a share of the calls of
//     each service: 503s, 500s, malformed and wrong-shape bodies, hangs,
//     reset connections and a tail past the gateway's default deadline;
//     a service it does not name answers an HTML page on 10% of its calls.
func Preset(name string) (map[string]Behavior, bool) {
	p, ok := presets()[name]
	if !ok {
		return nil, false
	}
	return p.behaviors(), true
}
