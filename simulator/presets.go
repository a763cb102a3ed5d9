package simulator

import (
	"slices"
	"time"
)

// presets are the named behaviours of every service, by name.
var presets = map[string]func() map[string]Behavior{
	"seed":     Seed,
	"healthy":  func() map[string]Behavior { return make(map[string]Behavior, 6) },
	"longtail": longtail,
	"chaotic":  chaotic,
}

// PresetNames returns the names Preset knows, sorted: chaotic, healthy,
// longtail, seed.
func PresetNames() []string {
	names := make([]string, 0, len(presets))
	for name := range presets {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Preset returns a named behaviour of every service, fresh on every call,
// and whether the name is known:
//
//   - seed: the original aggregator's ([Seed]): 100ms..1s each, orders
//     fails 30% of its calls; most dashboards are partial.
//   - healthy: every service answers at once, without faults.
//   - longtail: 15..25ms, but 2% of the calls take 800ms.
//   - chaotic: every kind of trouble at once, on a share of the calls of
//     each service: 503s, 500s, malformed and wrong-shape bodies, hangs,
//     reset connections and a tail past the gateway's default deadline.
func Preset(name string) (map[string]Behavior, bool) {
	p, ok := presets[name]
	if !ok {
		return nil, false
	}
	return p(), true
}

func longtail() map[string]Behavior {
	m := make(map[string]Behavior, 6)
	for _, svc := range Services() {
		m[svc] = Behavior{Latency: Latency{
			Min: 15 * time.Millisecond, Max: 25 * time.Millisecond,
			TailShare: 0.02, Tail: 800 * time.Millisecond,
		}}
	}
	return m
}

func chaotic() map[string]Behavior {
	ms := time.Millisecond
	return map[string]Behavior{
		Profile:         {Latency: Latency{Min: 50 * ms, Max: 300 * ms}, Fault: FaultStatus503, FaultRate: 0.1},
		Orders:          {Latency: Latency{Min: 100 * ms, Max: 1000 * ms}, Fault: FaultStatus500, FaultRate: 0.3},
		Catalog:         {Latency: Latency{Min: 20 * ms, Max: 200 * ms, TailShare: 0.05, Tail: 3 * time.Second}, Fault: FaultMalformed, FaultRate: 0.1},
		Recommendations: {Latency: Latency{Min: 100 * ms, Max: 600 * ms}, Fault: FaultHang, FaultRate: 0.2},
		Notifications:   {Latency: Latency{Min: 50 * ms, Max: 400 * ms}, Fault: FaultWrongShape, FaultRate: 0.15},
		Wallet:          {Latency: Latency{Min: 50 * ms, Max: 300 * ms}, Fault: FaultReset, FaultRate: 0.15},
	}
}
