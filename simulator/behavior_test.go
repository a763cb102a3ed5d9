package simulator

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseBehavior(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		spec string
		want Behavior
		str  string // String of want; "" means spec itself
	}{
		{spec: "", want: Behavior{}},
		{spec: "latency=100ms..1s,fault=500@30%", want: Behavior{
			Latency: Latency{Min: 100 * ms, Max: time.Second}, Fault: FaultStatus500, FaultRate: 0.3,
		}},
		{spec: "latency=20ms,tail=2%:800ms", want: Behavior{
			Latency: Latency{Min: 20 * ms, TailShare: 0.02, Tail: 800 * ms},
		}},
		{spec: "latency=lognormal:20ms:0.5,tail=2%:800ms", want: Behavior{
			Latency: Latency{Min: 20 * ms, Sigma: 0.5, TailShare: 0.02, Tail: 800 * ms},
		}},
		{spec: "fault=hang", want: Behavior{Fault: FaultHang}},
		{spec: "fault=hang-ignore-cancel", want: Behavior{Fault: FaultHangIgnoreCancel}},
		{spec: "fault=reset@100%", want: Behavior{Fault: FaultReset, FaultRate: 1}},
		{spec: "fault=503@7%", want: Behavior{Fault: FaultStatus503, FaultRate: 0.07}},
		{spec: "fault=garbage@0.25", want: Behavior{Fault: FaultGarbage, FaultRate: 0.25}, str: "fault=garbage@25%"},
		{spec: " fault = slow-body , latency = 1s ", want: Behavior{
			Latency: Latency{Min: time.Second}, Fault: FaultSlowBody,
		}, str: "latency=1s,fault=slow-body"},
		{spec: "tail=0.5%:2s,latency=0s..5ms", want: Behavior{
			Latency: Latency{Max: 5 * ms, TailShare: 0.005, Tail: 2 * time.Second},
		}, str: "latency=0s..5ms,tail=0.5%:2s"},
		{spec: "latency=5ms..5ms", want: Behavior{Latency: Latency{Min: 5 * ms, Max: 5 * ms}}, str: "latency=5ms"},
		{spec: "fault=503x2", want: Behavior{Fault: FaultStatus503, FaultCalls: 2}},
		{spec: "latency=20ms,fault=wrong-shapex1", want: Behavior{
			Latency: Latency{Min: 20 * ms}, Fault: FaultWrongShape, FaultCalls: 1,
		}},
		{spec: "fault = hang-ignore-cancel x 12 ", want: Behavior{Fault: FaultHangIgnoreCancel, FaultCalls: 12}, str: "fault=hang-ignore-cancelx12"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := ParseBehavior(tt.spec)
			if err != nil {
				t.Fatalf("ParseBehavior(%q): %v", tt.spec, err)
			}
			if got != tt.want {
				t.Fatalf("ParseBehavior(%q) = %+v; want %+v", tt.spec, got, tt.want)
			}
			wantStr := tt.str
			if wantStr == "" {
				wantStr = tt.spec
			}
			if s := got.String(); s != wantStr {
				t.Errorf("ParseBehavior(%q).String() = %q; want %q", tt.spec, s, wantStr)
			}
			again, err := ParseBehavior(got.String())
			if err != nil || !sameBehavior(again, got) {
				t.Errorf("ParseBehavior(%q) = %+v, %v; want %+v back", got.String(), again, err, got)
			}
		})
	}
}

// sameBehavior compares behaviours by effect: a fixed latency may say its
// Max either way.
func sameBehavior(a, b Behavior) bool {
	norm := func(b Behavior) Behavior {
		if b.Latency.Max <= b.Latency.Min {
			b.Latency.Max = 0
		}
		return b
	}
	return norm(a) == norm(b)
}

func TestParseBehaviorErrors(t *testing.T) {
	tests := []struct {
		spec, wantInErr string
	}{
		{"latency", `"latency"`},
		{"latency=fast", `"latency=fast"`},
		{"latency=-1s", "negative"},
		{"latency=1s..100ms", "below minimum"},
		{"latency=1s..", `"latency=1s.."`},
		{"latency=lognormal:20ms", "lognormal:median:sigma"},
		{"latency=lognormal:20ms:0", "sigma"},
		{"latency=lognormal:20ms:x", "sigma"},
		{"latency=lognormal:-1s:0.5", "negative"},
		{"tail=2%", "share:duration"},
		{"tail=200%:1s", "not in"},
		{"tail=0%:1s", "not in"},
		{"tail=x:1s", "not a number"},
		{"fault=teapot", `unknown fault "teapot"`},
		{"fault=", "unknown fault"},
		{"fault=500@0%", "not in"},
		{"fault=500@-5%", "not in"},
		{"fault=500@NaN", "not in"},
		{"fault=500,fault=503", "given twice"},
		{"fault=500x2@30%", `"fault=500x2@30%": a fault takes a share (@) or a count (x), not both`},
		{"fault=500@30%x2", `"fault=500@30%x2": a fault takes a share (@) or a count (x), not both`},
		{"fault=503x0", `"fault=503x0": count "0" is not a whole number >= 1`},
		{"fault=503x-2", `count "-2"`},
		{"fault=503x", `count ""`},
		{"fault=503x1.5", `count "1.5"`},
		{"fault=503xtwo", `count "two"`},
		{"fault=x2", `unknown fault "x2"`},
		{"fault=teapotx2", `unknown fault "teapotx2"`},
		{"speed=11", "unknown key"},
		{"latency=1s,,fault=hang", "empty part"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			b, err := ParseBehavior(tt.spec)
			if err == nil || !strings.Contains(err.Error(), tt.wantInErr) {
				t.Errorf("ParseBehavior(%q) = %+v, %v; want an error containing %q", tt.spec, b, err, tt.wantInErr)
			}
		})
	}
}

func TestBehaviorStringRoundTrip(t *testing.T) {
	behaviors := []Behavior{
		{},
		{Latency: Latency{Min: 15 * time.Millisecond, Max: 25 * time.Millisecond, TailShare: 0.02, Tail: 800 * time.Millisecond}},
		{Fault: FaultOversized, FaultRate: 0.07},
		{Fault: FaultMalformed, FaultRate: 1.0 / 3},
		{Latency: Latency{Min: 1500 * time.Microsecond}, Fault: FaultWrongShape},
		{Latency: Latency{TailShare: 0.001, Tail: time.Minute}},
	}
	for _, b := range Seed() {
		behaviors = append(behaviors, b)
	}
	for _, f := range faults {
		behaviors = append(behaviors, Behavior{Fault: f, FaultRate: 0.1}, Behavior{Fault: f, FaultCalls: 3})
	}
	for _, b := range behaviors {
		got, err := ParseBehavior(b.String())
		if err != nil || got != b {
			t.Errorf("ParseBehavior(%q) = %+v, %v; want %+v", b.String(), got, err, b)
		}
	}
}

// TestBehaviorStringNoEffect checks that String leaves out what has no
// effect: a count or rate without a fault, a rate beside a count.
func TestBehaviorStringNoEffect(t *testing.T) {
	tests := []struct {
		b    Behavior
		want string
	}{
		{Behavior{FaultCalls: 2}, ""},
		{Behavior{FaultRate: 0.3, FaultCalls: 2}, ""},
		{Behavior{Fault: FaultStatus500, FaultRate: 0.3, FaultCalls: 2}, "fault=500x2"},
		{Behavior{Fault: FaultStatus500, FaultRate: 0.3, FaultCalls: -1}, "fault=500@30%"},
	}
	for _, tt := range tests {
		if got := tt.b.String(); got != tt.want {
			t.Errorf("%+v.String() = %q; want %q", tt.b, got, tt.want)
		}
	}
}

func TestSeed(t *testing.T) {
	seed := Seed()
	for _, svc := range Services() {
		b := seed[svc]
		if b.Latency != (Latency{Min: 100 * time.Millisecond, Max: time.Second}) {
			t.Errorf("Seed()[%s].Latency = %+v; want uniform 100ms..1s", svc, b.Latency)
		}
		wantFault := Behavior{}
		if svc == Orders {
			wantFault = Behavior{Fault: FaultStatus500, FaultRate: 0.3}
		}
		if b.Fault != wantFault.Fault || b.FaultRate != wantFault.FaultRate {
			t.Errorf("Seed()[%s] fault %q@%v; want %q@%v", svc, b.Fault, b.FaultRate, wantFault.Fault, wantFault.FaultRate)
		}
	}
}

// TestLatencyDraw checks the latency distribution as a pure function of
// the generator, without waiting.
func TestLatencyDraw(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name     string
		l        Latency
		min, max time.Duration
		tail     float64 // expected share of draws equal to Tail
	}{
		{"zero", Latency{}, 0, 0, 0},
		{"fixed", Latency{Min: 20 * ms}, 20 * ms, 20 * ms, 0},
		{"max below min", Latency{Min: 20 * ms, Max: 5 * ms}, 20 * ms, 20 * ms, 0},
		{"uniform", Latency{Min: 100 * ms, Max: time.Second}, 100 * ms, time.Second, 0},
		{"long tail", Latency{Min: 15 * ms, Max: 25 * ms, TailShare: 0.02, Tail: 800 * ms}, 15 * ms, 800 * ms, 0.02},
		{"all tail", Latency{Min: 15 * ms, TailShare: 1, Tail: 800 * ms}, 800 * ms, 800 * ms, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const n = 20000
			r := rand.New(rand.NewPCG(1, 2))
			tails, below, above := 0, 0, 0
			mid := tt.l.Min + (tt.l.Max-tt.l.Min)/2
			for range n {
				d := tt.l.draw(r)
				if d < tt.min || d > tt.max {
					t.Fatalf("%+v.draw() = %v; want in [%v, %v]", tt.l, d, tt.min, tt.max)
				}
				switch {
				case tt.l.TailShare > 0 && d == tt.l.Tail:
					tails++
				case d < mid:
					below++
				case d > mid:
					above++
				}
			}
			if got := float64(tails) / n; got < tt.tail*0.7 || got > tt.tail*1.3 {
				t.Errorf("share of tail draws = %.4f; want about %.4f", got, tt.tail)
			}
			if tt.l.Max > tt.l.Min && tt.tail < 1 && (below < n/3 || above < n/3) {
				t.Errorf("%d draws below and %d above the middle %v; want a uniform spread", below, above, mid)
			}
		})
	}
	// Log-normal: the median is Min, and σ 0.5 puts the p99 at about
	// e^(0.5·2.33) = 3.2 times it.
	r := rand.New(rand.NewPCG(5, 6))
	ln := Latency{Min: 20 * ms, Sigma: 0.5}
	draws := make([]time.Duration, 20000)
	for i := range draws {
		draws[i] = ln.draw(r)
	}
	slices.Sort(draws)
	if p50, p99 := draws[len(draws)/2], draws[len(draws)*99/100]; p50 < 19*ms || p50 > 21*ms || p99 < 58*ms || p99 > 70*ms {
		t.Errorf("log-normal 20ms σ 0.5: p50 %v, p99 %v; want about 20ms and 64ms", p50, p99)
	}
	a, b := rand.New(rand.NewPCG(7, 7)), rand.New(rand.NewPCG(7, 7))
	l := Latency{Min: time.Millisecond, Max: time.Second, TailShare: 0.1, Tail: time.Minute}
	for i := range 100 {
		if da, db := l.draw(a), l.draw(b); da != db {
			t.Fatalf("draw %d: %v and %v from equal generators; want equal", i, da, db)
		}
	}
}

func TestFaultApplies(t *testing.T) {
	tests := []struct {
		b        Behavior
		min, max float64
	}{
		{Behavior{}, 0, 0},
		{Behavior{FaultRate: 0.5}, 0, 0},
		{Behavior{Fault: FaultStatus500}, 1, 1},
		{Behavior{Fault: FaultStatus500, FaultRate: 1}, 1, 1},
		{Behavior{Fault: FaultStatus500, FaultRate: 0.3}, 0.25, 0.35},
		{Behavior{Fault: FaultHang, FaultRate: 0.02}, 0.01, 0.03},
	}
	for _, tt := range tests {
		t.Run(tt.b.String(), func(t *testing.T) {
			r := rand.New(rand.NewPCG(3, 4))
			hits := 0
			for i := range 10000 {
				if tt.b.faultApplies(r, i, 0) {
					hits++
				}
			}
			if got := float64(hits) / 10000; got < tt.min || got > tt.max {
				t.Errorf("%+v hit %.3f of calls; want %.2f..%.2f", tt.b, got, tt.min, tt.max)
			}
		})
	}
}

// TestFaultAppliesCount checks that a count hits exactly the first calls,
// whatever the rate says, and draws nothing.
func TestFaultAppliesCount(t *testing.T) {
	tests := []struct {
		b    Behavior
		want []bool // per call since the behaviour was set
	}{
		{Behavior{Fault: FaultStatus503, FaultCalls: 2}, []bool{true, true, false, false, false}},
		{Behavior{Fault: FaultStatus500, FaultCalls: 1, FaultRate: 0.5}, []bool{true, false, false, false}},
		{Behavior{Fault: FaultHang, FaultCalls: 3, FaultRate: 1}, []bool{true, true, true, false}},
		{Behavior{FaultCalls: 2}, []bool{false, false, false}},
		{Behavior{Fault: FaultReset, FaultCalls: -1}, []bool{true, true, true}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%+v", tt.b), func(t *testing.T) {
			r := rand.New(rand.NewPCG(3, 4))
			got := make([]bool, len(tt.want))
			for i := range got {
				got[i] = tt.b.faultApplies(r, i, 0)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("%+v hits %v; want %v", tt.b, got, tt.want)
			}
			if tt.b.FaultCalls > 0 && r.Uint64() != rand.New(rand.NewPCG(3, 4)).Uint64() {
				t.Errorf("%+v drew from the stream; want a count to draw nothing", tt.b)
			}
		})
	}
}
