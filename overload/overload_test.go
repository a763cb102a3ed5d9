package overload

import (
	"context"
	"fmt"
	"maps"
	"math"
	"runtime"
	"slices"
	"testing"
	"time"
)

func TestAdapt(t *testing.T) {
	l := New(Options{Initial: 100, Min: 8, Max: 200, Target: 10 * time.Millisecond})
	const quiet, slowish, slow = time.Millisecond, 50 * time.Millisecond, 200 * time.Millisecond
	const full, spare = 0.02, 0.5 // shares of the CPUs left idle
	steps := []struct {
		name           string
		arrive, refuse int // requests admitted, then requests refused by the limit
		finish         int // requests finished after those
		lag            time.Duration
		idle           float64
		wantLimit      int
		wantBusy       bool
	}{
		{"quiet, little in use: stays", 10, 0, 0, quiet, full, 100, false},
		{"quiet, mostly in use: grows by a tenth", 80, 0, 0, quiet, full, 110, false},
		{"slow, queue steady", 20, 0, 20, slow, full, 110, false},
		{"slow, queue steady", 20, 0, 20, slow, full, 110, false},
		{"slow three times, queue steady: a busy machine, not an overload", 20, 0, 20, slow, full, 110, false},
		{"quiet: grows", 0, 0, 0, quiet, full, 121, false},
		{"a little slow, queue growing", 2, 0, 0, slowish, full, 121, false},
		{"a little slow, queue growing", 2, 0, 0, slowish, full, 121, false},
		{"a little slow three times, queue growing: a burst, not an overload", 2, 0, 0, slowish, full, 121, false},
		{"quiet", 0, 0, 6, quiet, full, 121, false},
		{"slow, queue growing", 10, 0, 5, slow, full, 121, false},
		{"slow, queue growing", 10, 0, 5, slow, full, 121, false},
		{"slow three times, queue growing: overloaded, 80% of the most in flight", 10, 0, 5, slow, full, 88, true},
		{"still a little slow, requests refused: down by a fifth", 0, 1, 0, slowish, full, 70, true},
		{"still slow, none refused: holds", 0, 0, 0, slow, full, 70, true},
		{"quiet, no idle CPU: no longer, and growing while in use", 0, 0, 100, quiet, full, 77, false},
		{"slow, queue growing, soon after: overloaded at once", 20, 0, 0, slow, full, 20, true},
		{"still a little slow, refused", 0, 1, 0, slowish, full, 16, true},
		{"severely slow, refused: halved", 0, 1, 0, slow, full, 8, true},
		{"never under Min", 0, 1, 0, slow, full, 8, true},
		{"quiet, CPUs idle: back where it was before the overload, four times as much each interval", 0, 0, 25, quiet, spare, 32, false},
		{"back where it was", 0, 0, 0, quiet, spare, 121, false},
		{"and stays", 0, 0, 0, quiet, spare, 121, false},
		{"slow, queue growing, CPUs idle: not the CPU's doing", 10, 0, 0, slow, spare, 121, false},
		{"slow, queue growing, CPUs idle", 10, 0, 0, slow, spare, 121, false},
		{"slow three times, queue growing, CPUs idle: still not", 10, 0, 0, slow, spare, 121, false},
	}
	inFlight := 0
	for _, s := range steps {
		for range s.arrive {
			if !l.Acquire("c") {
				t.Fatalf("%s: refused at %d in flight under a limit of %d", s.name, inFlight, l.Stats().Limit)
			}
			inFlight++
		}
		for range s.refuse {
			if l.Acquire("c") {
				t.Fatalf("%s: admitted at %d in flight under a limit of %d", s.name, inFlight, l.Stats().Limit)
			}
		}
		for range s.finish {
			l.Release("c")
			inFlight--
		}
		l.Adapt(Sample{Lag: s.lag, Idle: s.idle})
		if got := l.Stats(); got.Limit != s.wantLimit || got.Busy != s.wantBusy {
			t.Errorf("%s: limit %d, busy %v; want %d, %v", s.name, got.Limit, got.Busy, s.wantLimit, s.wantBusy)
		}
	}
}

// A load far past capacity arriving at once makes the gateway overloaded
// after two intervals, not three: both slow, one severely so, the CPUs
// saturated on average, twice as many requests arriving as finishing. Any
// one of those missing, it takes the three intervals of a sustained
// overload, or is none.
func TestSurge(t *testing.T) {
	const target = 2 * time.Millisecond
	type step struct {
		lag            time.Duration
		idle           float64
		arrive, finish int
	}
	tests := []struct {
		name      string
		steps     []step
		wantAfter int // intervals until busy, 0 for never
	}{
		{"surge: at the second interval",
			[]step{{10 * time.Millisecond, 0.05, 140, 50}, {50 * time.Millisecond, 0.1, 150, 25}, {50 * time.Millisecond, 0, 100, 30}}, 2},
		{"CPUs idle on average: none",
			[]step{{10 * time.Millisecond, 0.15, 140, 50}, {50 * time.Millisecond, 0.1, 150, 25}, {50 * time.Millisecond, 0.2, 100, 30}}, 0},
		{"the queue grows, not twice as fast: sustained, the third",
			[]step{{30 * time.Millisecond, 0, 140, 80}, {50 * time.Millisecond, 0, 150, 90}, {50 * time.Millisecond, 0, 100, 60}}, 3},
		{"none severe: none",
			[]step{{10 * time.Millisecond, 0, 140, 50}, {15 * time.Millisecond, 0, 150, 25}, {15 * time.Millisecond, 0, 100, 30}}, 0},
		{"one interval under target between: a surge of the two after it",
			[]step{{50 * time.Millisecond, 0, 140, 50}, {time.Millisecond, 0, 150, 25}, {50 * time.Millisecond, 0, 100, 30}, {50 * time.Millisecond, 0, 100, 30}}, 4},
		{"a small queue: none",
			[]step{{50 * time.Millisecond, 0, 12, 0}, {50 * time.Millisecond, 0, 7, 0}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := New(Options{Target: target})
			got := 0
			for i, s := range tt.steps {
				for range s.arrive {
					l.Acquire("c")
				}
				for range s.finish {
					l.Release("c")
				}
				l.Adapt(Sample{Lag: s.lag, Idle: s.idle})
				if l.Busy() && got == 0 {
					got = i + 1
				}
			}
			if got != tt.wantAfter {
				t.Errorf("busy after %d intervals; want %d (0: never)", got, tt.wantAfter)
			}
		})
	}
}

// Soon after an overload, one interval of growing queue makes the gateway
// overloaded again only if its latency was severe: at the load a burst
// leaves behind, a garbage collection or many calls completing at once
// reach a few times the target (a benchmark saw 3-10 ms with a 2 ms
// target, in the 2 s after a one-client burst), and counted as an
// overload they cut the limit to 80% of what normal traffic holds, over
// and over.
func TestAfterAnOverload(t *testing.T) {
	const target = 2 * time.Millisecond
	tests := []struct {
		name     string
		lag      time.Duration
		wantBusy bool
	}{
		{"a few times the target: a blip", 6 * target, false},
		{"severe: overloaded again at once", 20 * target, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := New(Options{Target: target})
			step := func(arrive, finish int, lag time.Duration, idle float64) {
				for range arrive {
					l.Acquire("c")
				}
				for range finish {
					l.Release("c")
				}
				l.Adapt(Sample{Lag: lag, Idle: idle})
			}
			step(140, 50, 10*time.Millisecond, 0) // a surge
			step(150, 25, 50*time.Millisecond, 0)
			if !l.Busy() {
				t.Fatal("not overloaded by the surge")
			}
			step(0, 215, time.Millisecond, 0.5) // over, the limit back
			step(0, 0, time.Millisecond, 0.5)
			before := l.Stats().Limit
			step(30, 10, tt.lag, 0) // the queue grows for an interval, the CPU saturated
			if got := l.Busy(); got != tt.wantBusy {
				t.Errorf("busy %v; want %v", got, tt.wantBusy)
			}
			if got := l.Stats().Limit; !tt.wantBusy && got != before {
				t.Errorf("limit %d after the blip; want it to stay %d", got, before)
			}
		})
	}
}

// Slow services fill the gateway with requests waiting on them: 500/s of
// 1 s calls keep 500 in flight, which rise for the first second (more
// arrive than finish), while the CPU has room. The scheduling latency
// bursts when many calls complete at once and at a garbage collection
// (25-40 ms), and for a few intervals goes to 400-800 ms, with requests
// still piling up, as a benchmark on a shared virtual machine saw. With
// CPUs idle (the outside benchmark's 23%), none of that is the gateway's
// overload: nothing is shed and the limit stays.
//
// With many clients it is the same, with one exception: one client that
// sends most of the load holds far more than its share of the limit, and
// keeps it and grows through a blip; but in an interval after two in a
// row in which goroutines waited (the stall, and a garbage collection
// just after many calls completed), it is held to its share, and what it
// sends then is shed: the price of holding one client's burst to its
// share while goroutines wait.
func TestSlowServicesNeverShed(t *testing.T) {
	tests := []struct {
		name  string
		light int // clients sending a tenth of the requests between them; the rest from one client
	}{
		{"one client", 0},
		{"one heavy client among 100 light ones", 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := New(Options{})
			next := 0
			client := func(i int) string { // the i-th request's client
				if tt.light == 0 || i%10 != 0 {
					return "heavy"
				}
				next++
				return fmt.Sprint("light", next%tt.light)
			}
			const perInterval, intervals = 50, 10 // 500/s of 1 s calls, in 100 ms intervals
			var inFlight [][]string               // per interval, the clients of the requests still waiting
			shedAt := map[int]int{}               // the heavy client's requests shed, per interval
			lag := func(i int) (time.Duration, float64) {
				switch {
				case i >= 30 && i < 34: // a stall: everything waits
					return time.Duration(400+100*(i-30)) * time.Millisecond, 0.2
				case i%7 == 0: // a batch of calls completes at once
					return 40 * time.Millisecond, 0.15
				case i%11 == 0: // a garbage collection
					return 25 * time.Millisecond, 0.12
				}
				return 300 * time.Microsecond, 0.23
			}
			waitedTwice := func(i int) bool { // in the two intervals before i
				d1, _ := lag(i - 1)
				d2, _ := lag(i - 2)
				return i >= 2 && d1 > DefaultTarget && d2 > DefaultTarget
			}
			for i := range 200 {
				arrive := perInterval
				if i >= 30 && i < 34 {
					arrive = perInterval / 5 // the stall holds arrivals back too
				}
				if i >= 34 && i < 36 {
					arrive = perInterval * 3 // and lets them in at once after
				}
				var keys []string
				for j := range arrive {
					key := client(j)
					if !l.Acquire(key) {
						if key != "heavy" || tt.light == 0 || !waitedTwice(i) {
							t.Fatalf("interval %d: %s shed with %d in flight under a limit of %d", i, key, l.Stats().InFlight, l.Stats().Limit)
						}
						shedAt[i]++
						continue
					}
					keys = append(keys, key)
				}
				inFlight = append(inFlight, keys)
				if i >= intervals && (i < 30 || i >= 34) { // calls of 1 s return, not while stalled
					for _, keys := range inFlight[:len(inFlight)-intervals] {
						for _, key := range keys {
							l.Release(key)
						}
					}
					inFlight = inFlight[len(inFlight)-intervals:]
				}
				d, idle := lag(i)
				l.Adapt(Sample{Lag: d, Idle: idle})
				if s := l.Stats(); s.Busy || s.Limit < DefaultInitial {
					t.Fatalf("interval %d (latency %v, %.0f%% idle): %+v; want not busy, the limit at least %d", i, d, 100*idle, s, DefaultInitial)
				}
			}
			for _, i := range slices.Sorted(maps.Keys(shedAt)) {
				t.Logf("interval %d: %d of the heavy client's requests shed", i, shedAt[i])
			}
			if tt.light > 0 && (shedAt[32] == 0 || shedAt[34] == 0) {
				t.Errorf("the heavy client shed in %v; want it held to its share in the stall and the interval after", shedAt)
			}
		})
	}
}

// overloaded returns a limiter of limit requests (Min and Max too, so it
// stays) that Adapt found overloaded, with nothing in flight.
func overloaded(tb testing.TB, limit, minShare int) *Limiter {
	tb.Helper()
	l := New(Options{Initial: limit, Min: limit, Max: limit, MinShare: minShare})
	for range sustained {
		for range 3 {
			l.Acquire("setup")
		}
		l.Adapt(Sample{Lag: time.Second})
	}
	for range 3 * sustained {
		l.Release("setup")
	}
	if !l.Busy() {
		tb.Fatalf("not overloaded after %d slow intervals with a growing queue", sustained)
	}
	return l
}

// While overloaded, a client that floods holds at most its share of the
// limit; the other clients' requests are admitted as before, until the
// limit itself is full.
func TestFairShare(t *testing.T) {
	tests := []struct {
		name             string
		limit, minShare  int
		others, perOther int // other clients, each with this many in flight
		wantFlooder      int // what the flooder holds
	}{
		{"alone: the whole limit", 100, 2, 0, 0, 100},
		{"with one other: half", 100, 2, 1, 3, 50},
		{"with nine others: a tenth", 100, 2, 9, 2, 10},
		{"with many others: MinShare", 40, 2, 30, 1, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := overloaded(t, tt.limit, tt.minShare)
			for c := range tt.others { // the others come first, a request each
				if !l.Acquire(fmt.Sprint("other", c)) {
					t.Fatalf("other client %d refused", c)
				}
			}
			held := 0
			for range 2 * tt.limit { // the flooder sends as many as it can
				if l.Acquire("flooder") {
					held++
				}
			}
			if held != tt.wantFlooder {
				t.Errorf("the flooder holds %d; want %d", held, tt.wantFlooder)
			}
			for c := range tt.others { // the others' further requests still get in
				for range tt.perOther - 1 {
					if !l.Acquire(fmt.Sprint("other", c)) {
						t.Fatalf("other client %d refused with %+v", c, l.Stats())
					}
				}
			}
			if tt.others > 0 && l.Acquire("flooder") {
				t.Error("the flooder admitted past its share")
			}
		})
	}
}

// A client holds at most its share of the limit (a tenth here, with nine
// others), and no more while the CPU is contended. While goroutines do
// not wait past Target, it may also hold twice what it held at most in
// the last interval and 20 more, so that its load may grow; after one
// interval in which they wait with CPUs idle, a quarter more and 20;
// after two in a row, its share only. Its burst from nothing is held to
// its share at once.
func TestShareWhileContended(t *testing.T) {
	const contended, quiet, idle = 5 * time.Millisecond, 100 * time.Microsecond, 0.3
	tests := []struct {
		name     string
		lag      time.Duration
		idle     float64
		before   int // held by the flooder before (over two intervals past 30)
		waits    int // intervals of lag and idle
		wantHeld int // of 100 the flooder then sends
	}{
		{"contended, from nothing: its share", contended, 0, 0, 1, 40},
		{"contended, after holding 50: its share", contended, 0, 50, 1, 40},
		{"quiet, from nothing: its share", quiet, 0, 0, 1, 40},
		{"quiet, after holding 30: twice that and 20", quiet, 0, 30, 1, 80},
		{"quiet with CPUs idle, after holding 30: twice that and 20", quiet, idle, 30, 1, 80},
		{"waiting with CPUs idle, after holding 30: a quarter more and 20", contended, idle, 30, 1, 57},
		{"waiting with CPUs idle twice, after holding 50: its share", contended, idle, 50, 2, 40},
		{"waiting with CPUs idle twice, from nothing: its share", contended, idle, 0, 2, 40},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := New(Options{Initial: 400, MinShare: 2})
			for c := range 9 {
				l.Acquire(fmt.Sprint("other", c))
			}
			for i := range tt.before { // 30 in a quiet interval, then the rest
				if i == 30 {
					l.Adapt(Sample{Lag: quiet})
				}
				if !l.Acquire("flooder") {
					t.Fatalf("refused at %d", i)
				}
			}
			for range tt.waits {
				l.Adapt(Sample{Lag: tt.lag, Idle: tt.idle})
			}
			for range tt.before {
				l.Release("flooder")
			}
			held := 0
			for range 100 {
				if l.Acquire("flooder") {
					held++
				}
			}
			if held != tt.wantHeld {
				t.Errorf("the flooder holds %d; want %d", held, tt.wantHeld)
			}
			if s := l.Stats(); s.Busy || s.Limit != 400 {
				t.Errorf("%+v; want not overloaded, the limit unchanged", s)
			}
		})
	}
}

// After an overload, while the limit is below where it was, it is what
// clients contend for: each holds its share and no more, though
// goroutines no longer wait. (A client's burst that overloaded the
// gateway otherwise took again, as soon as they did not, all the room
// under the lowered limit, and the others were shed 30-50% for the rest
// of the burst.)
func TestShareWhileTheLimitRecovers(t *testing.T) {
	l := New(Options{Initial: 400, Min: 8, MinShare: 2})
	for range surge { // a surge: overloaded, the limit down to 80% of the 60 in flight
		for range 30 {
			l.Acquire("setup")
		}
		l.Adapt(Sample{Lag: time.Second})
	}
	for range 60 {
		l.Release("setup")
	}
	l.Adapt(Sample{Lag: 100 * time.Microsecond}) // no longer overloaded; the limit recovers
	s := l.Stats()
	if s.Busy || s.Limit >= 400 || s.Limit < 40 {
		t.Fatalf("%+v; want not overloaded, the limit recovering under 400", s)
	}
	for c := range 9 {
		l.Acquire(fmt.Sprint("other", c))
	}
	held := 0
	for range 100 {
		if l.Acquire("flooder") {
			held++
		}
	}
	if want := s.Limit / 10; held != want {
		t.Errorf("the flooder holds %d; want its share of %d, %d", held, s.Limit, want)
	}
}

// What clients were admitted before the gateway became overloaded, past
// the share they may now hold, does not keep the others out while it
// drains: the others are admitted under the limit as if they held their
// share, the flooders are refused, and the limit does not fall for them.
// It is cut to 80% of what was in flight, unless that backlog is one
// client's burst: then it stays where it was (see burstOf).
func TestBacklogDoesNotKeepOthersOut(t *testing.T) {
	tests := []struct {
		name      string
		flooders  int // that hold 90 requests between them
		wantLimit int
	}{
		{"one client's", 1, 100},
		{"three clients'", 3, 80},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := New(Options{Initial: 100, Min: 8, MinShare: 2})
			for i := range 90 {
				l.Acquire(fmt.Sprint("flooder", i%tt.flooders))
			}
			for c := range 10 {
				l.Acquire(fmt.Sprint("other", c))
			}
			for range sustained {
				l.Adapt(Sample{Lag: time.Second})
			}
			if s := l.Stats(); !s.Busy || s.Limit != tt.wantLimit || s.InFlight != 100 {
				t.Fatalf("%+v; want overloaded, a limit of %d with 100 in flight", s, tt.wantLimit)
			}
			for c := range 20 {
				if !l.Acquire(fmt.Sprint("newcomer", c)) {
					t.Fatalf("newcomer %d refused with %+v", c, l.Stats())
				}
			}
			for f := range tt.flooders {
				if l.Acquire(fmt.Sprint("flooder", f)) {
					t.Errorf("flooder %d admitted past its share", f)
				}
			}
			for i := range 80 { // the backlog drains
				l.Release(fmt.Sprint("flooder", i%tt.flooders))
			}
			l.Adapt(Sample{Lag: time.Second})
			if s := l.Stats(); s.Limit != tt.wantLimit {
				t.Errorf("limit %d after the flooders' refusals; want %d, unchanged", s.Limit, tt.wantLimit)
			}
		})
	}
}

// One client's burst keeps the gateway overloaded, yet does not drive the
// limit down: the requests refused past its share do not count. When the
// burst ends, the limit an overload lowered is back within 1 s (10
// intervals of 100 ms).
func TestBurstAndRecovery(t *testing.T) {
	l := New(Options{Min: 8, MinShare: 2})
	// 60 clients retrying at once fill the gateway: overloaded, the limit
	// falls to what they can be served by.
	for range sustained {
		for c := range 60 {
			l.Acquire(fmt.Sprint("retry", c))
		}
		l.Adapt(Sample{Lag: 500 * time.Millisecond})
	}
	for i := range 60 { // they are served
		for range sustained {
			l.Release(fmt.Sprint("retry", i))
		}
	}
	if !l.Busy() {
		t.Fatal("not overloaded")
	}
	low := l.Stats().Limit
	if low >= DefaultInitial/2 {
		t.Fatalf("limit %d after the retries; want it down", low)
	}
	// A second of one client's expensive requests keeps the scheduling
	// latency high; 24 others keep a request each in flight, and send the
	// next when it is answered, an interval later.
	othersShed, othersSent := 0, 0
	for i := range 10 {
		for c := range 24 {
			othersSent++
			if !l.Acquire(fmt.Sprint("other", c)) {
				othersShed++
			}
		}
		for range 100 {
			l.Acquire("burst")
		}
		l.Adapt(Sample{Lag: 200 * time.Millisecond})
		for c := range 24 {
			l.Release(fmt.Sprint("other", c))
		}
		if s := l.Stats(); s.Limit < low*8/10 {
			t.Fatalf("interval %d of the burst: limit %d; want it not driven down by one client (from %d)", i, s.Limit, low)
		}
	}
	if othersShed > 0 {
		t.Errorf("%d of %d other clients' requests shed during the burst; want none", othersShed, othersSent)
	}
	// The burst ends: its requests finish; the machine's CPUs stay busy
	// with other work, but the limit is not in use.
	for range l.Stats().InFlight {
		l.Release("burst")
	}
	for i := range 10 {
		l.Adapt(Sample{Lag: 200 * time.Microsecond})
		if s := l.Stats(); s.Limit >= DefaultInitial {
			if s.Busy {
				t.Errorf("limit back but still busy: %+v", s)
			}
			t.Logf("limit %d back to %d after %d intervals", low, s.Limit, i+1)
			return
		}
	}
	t.Errorf("limit %d after 10 intervals of 100 ms with nothing in flight; want back to %d", l.Stats().Limit, DefaultInitial)
}

// Past the limit a request is refused at once, and counted.
func TestAcquirePastTheLimit(t *testing.T) {
	l := New(Options{Initial: 2, Min: 1, Lag: func() time.Duration { return 0 }})
	if !l.Acquire("a") || !l.Acquire("b") {
		t.Fatal("refused under the limit")
	}
	if l.Acquire("a") {
		t.Fatal("admitted past the limit")
	}
	l.Release("a")
	if !l.Acquire("c") {
		t.Fatal("refused after a release")
	}
	if s := l.Stats(); s.InFlight != 2 || s.Shed != 1 || s.Clients != 2 {
		t.Errorf("stats %+v; want 2 in flight from 2 clients, 1 shed", s)
	}
	l.Release("a") // a does not hold any more: nothing to release
	l.Release("nobody")
	if s := l.Stats(); s.InFlight != 2 || s.Clients != 2 {
		t.Errorf("stats %+v after releases nothing acquired; want 2 in flight from 2 clients", s)
	}
}

// A run queue past Queue per GOMAXPROCS at every reading for QueueFor
// makes the gateway overloaded at once, without waiting for Adapt's
// intervals: a load far past capacity arriving at once is seen within
// tens of milliseconds, while it has a hundred or two requests in, not
// after two intervals with hundreds more. A shorter queue, one reading
// under it, or a shorter time does not; nor does a queue while
// overloaded or soon after (hold intervals), when Adapt's rules steer.
func TestOverloadedByTheRunQueue(t *testing.T) {
	procs := runtime.GOMAXPROCS(0)
	long, short := 4*procs+1, 4*procs                               // past Queue (4 per GOMAXPROCS), and not
	surge := slices.Repeat([]Sample{{Lag: time.Second}}, sustained) // admitted at once, none finishing, goroutines waiting a second
	quiet := Sample{Idle: 0.5}
	soonAfter := append(slices.Clone(surge), quiet, quiet)
	longAfter := append(slices.Clone(soonAfter), slices.Repeat([]Sample{quiet}, hold)...)
	tests := []struct {
		name      string
		before    []Sample // what Adapt saw after the first 100 requests
		readings  []int    // the run queue at the requests after those, 2 ms apart
		wantBusy  bool
		wantLimit int
	}{
		{"past Queue for QueueFor: overloaded, 80% of the most in flight", nil, []int{long, long, long, long, long, long}, true, 84},
		{"past it for less than QueueFor", nil, []int{long, long, long, long, long}, false, 1000},
		{"under it once in between", nil, []int{long, long, long, short, long, long, long, long}, false, 1000},
		{"under it since", nil, []int{short, short, short, short, short, short, short, short}, false, 1000},
		{"under it, then past it for QueueFor", nil, []int{short, short, long, long, long, long, long, long}, true, 85},
		{"overloaded: the queue changes nothing", surge, []int{long, long, long, long, long, long, long}, true, 80},
		{"soon after an overload: nor then", soonAfter, []int{long, long, long, long, long, long, long}, false, 1000},
		{"long after it: overloaded again", longAfter, []int{long, long, long, long, long, long}, true, 84},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := time.Unix(1000, 0)
			queue := 0
			l := New(Options{Initial: 1000, Min: 8, Queue: 4, QueueFor: 10 * time.Millisecond,
				Runnable: func() int { return queue }, Now: func() time.Time { return now }})
			for range 100 {
				if !l.Acquire("c") {
					t.Fatal("refused under the limit")
				}
			}
			for _, s := range tt.before {
				l.Adapt(s)
			}
			for i, q := range tt.readings {
				now, queue = now.Add(2*time.Millisecond), q
				if !l.Acquire("c") && !l.Busy() && i < len(tt.readings)-1 {
					t.Fatalf("refused at reading %d", i)
				}
			}
			if s := l.Stats(); s.Busy != tt.wantBusy || s.Limit != tt.wantLimit {
				t.Errorf("busy %v, limit %d; want %v, %d", s.Busy, s.Limit, tt.wantBusy, tt.wantLimit)
			}
		})
	}
}

// The run queue is read at most every millisecond, however many requests
// arrive: its reading takes the scheduler's lock.
func TestRunQueueReadEveryMillisecond(t *testing.T) {
	now := time.Unix(1000, 0)
	reads := 0
	l := New(Options{Runnable: func() int { reads++; return 0 }, Now: func() time.Time { return now }})
	for i := range 100 {
		now = now.Add(100 * time.Microsecond)
		l.Acquire(fmt.Sprint("c", i))
	}
	if reads != 10 {
		t.Errorf("read %d times in 10 ms; want 10", reads)
	}
}

// Overloaded by the run queue while one client holds more than the
// others, that client is held at once to its share of what was in
// flight, and the limit stays where it was, and
// the others keep their room, their shares of the limit (with the limit
// cut, or held at what was in flight, the others' own requests, slower
// while the burst's backlog drained, filled it, and they were shed; with
// their shares of what was in flight, 2 each, by those shares). While
// everyone's load overloads it, the limit drops to 80% of the most in
// flight.
func TestRunQueueHoldsABurstToItsShare(t *testing.T) {
	tests := []struct {
		name            string
		flooder, others int // requests they hold when the queue grows, the others one each; another comes and goes
		wantLimit       int
		wantRoom        int // further requests from the others admitted, one each
		wantSlowed      int // and then two more each (their own requests, slowed by the backlog)
		wantNewcomers   int // of 60 clients that come next, one request each, those admitted
	}{
		// The others' requests, slower while the burst's backlog drains,
		// may grow past what was in flight: the limit stays where it was,
		// and the flooder's share is of what was in flight.
		{"one client's burst: held to its share, the limit as it was", 32, 30, 1000, 30, 60, 60},
		{"everyone's load: the limit cut to 80%", 0, 60, 48, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, _ := overloadedFromCalm(t, tt.flooder, tt.others)
			if s := l.Stats(); !s.Busy || s.Limit != tt.wantLimit {
				t.Fatalf("%+v; want overloaded with a limit of %d", s, tt.wantLimit)
			}
			if tt.flooder > 0 {
				for range tt.flooder / 2 { // room under the limit again: still its share, no more
					l.Release("flooder")
				}
				if l.Acquire("flooder") {
					t.Error("the flooder admitted past its share while overloaded")
				}
			}
			room := 0
			for c := range tt.others {
				if l.Acquire(fmt.Sprint("other", c)) {
					room++
				}
			}
			if room != tt.wantRoom {
				t.Errorf("the others got %d more in; want %d (%+v)", room, tt.wantRoom, l.Stats())
			}
			slowed := 0
			for c := range tt.others {
				for range 2 {
					if l.Acquire(fmt.Sprint("other", c)) {
						slowed++
					}
				}
			}
			if slowed != tt.wantSlowed {
				t.Errorf("the others got %d more in, two each; want %d (%+v)", slowed, tt.wantSlowed, l.Stats())
			}
			if l.Acquire("flooder") {
				t.Error("the flooder admitted past its share while the others grew")
			}
			newcomers := 0
			for c := range 60 {
				if l.Acquire(fmt.Sprint("newcomer", c)) {
					newcomers++
				}
			}
			if newcomers != tt.wantNewcomers {
				t.Errorf("%d newcomers admitted; want %d (%+v)", newcomers, tt.wantNewcomers, l.Stats())
			}
		})
	}
}

// An overload, whether the run queue or Adapt finds it, is one client's
// burst when holding the clients past their share cuts as much as the
// limit's drop, and most of that is one client's; or when one client was
// refused past its share at least as many requests as all were admitted,
// and most refusals were its. Not when many clients hold a little past
// it, nor when several send past it alike. (Caught early, before the
// flooder held as much, keeping the limit where it was let the others'
// slowed requests overload the CPU: see BENCHMARKS.md.)
func TestOverloadTellsOneClientsBurst(t *testing.T) {
	tests := []struct {
		name  string
		holds []int // what each client holds when the overload begins
		sends []int // and how many more the first ones sent before, refused past their share
		keeps int   // of what it holds, what the first client keeps when the overload begins (0: all)
		burst bool
	}{
		{"one client far past its share", append([]int{32}, ones(30)...), nil, 0, true},
		{"one client a little past its share: not enough", append([]int{14}, ones(80)...), nil, 0, false},
		{"one client a little past its share, sending far past it", append([]int{20}, ones(80)...), []int{200}, 0, true},
		{"one client within its share, having sent far past it", append([]int{20}, ones(80)...), []int{200}, 2, true},
		{"one client sending past its share, less than all were admitted", append([]int{20}, ones(80)...), []int{50}, 0, false},
		{"three clients sending past their share alike", append([]int{20, 20, 20}, ones(80)...), []int{200, 200, 200}, 0, false},
		{"many clients a little past their share", threes(40), nil, 0, false},
		{"nobody past their share", ones(60), nil, 0, false},
	}
	triggers := map[string]func(l *Limiter, now *time.Time, queue *int){
		"run queue": queueGrows,
		"Adapt": func(l *Limiter, _ *time.Time, _ *int) { // a surge
			l.Adapt(Sample{Lag: time.Second})
			l.Adapt(Sample{Lag: time.Second})
		},
	}
	for trigger, overload := range triggers {
		for _, tt := range tests {
			t.Run(trigger+"/"+tt.name, func(t *testing.T) {
				now := time.Unix(1000, 0)
				queue := 0
				l := New(Options{Initial: 1000, Queue: 4, QueueFor: 10 * time.Millisecond,
					Runnable: func() int { return queue }, Now: func() time.Time { return now }})
				for c, n := range tt.holds {
					for range n {
						if !l.Acquire(fmt.Sprint("client", c)) {
							t.Fatalf("client %d refused", c)
						}
					}
				}
				for c, n := range tt.sends {
					for range n {
						if l.Acquire(fmt.Sprint("client", c)) {
							t.Fatalf("client %d admitted past its share", c)
						}
					}
				}
				if tt.keeps > 0 {
					for range tt.holds[0] - tt.keeps {
						l.Release("client0")
					}
				}
				overload(l, &now, &queue)
				s := l.Stats()
				if !s.Busy {
					t.Fatalf("%+v; want overloaded", s)
				}
				if burst := s.Limit == 1000; burst != tt.burst {
					t.Errorf("limit %d: taken for one client's burst %v; want %v", s.Limit, burst, tt.burst)
				}
				if tt.burst && l.Acquire("client0") {
					t.Error("the burst's client admitted past its share")
				}
			})
		}
	}
}

// A client's refusals tell its burst against what everyone was admitted
// in the same time, not against what is in flight: requests admitted
// earlier and slowed stay in flight, while Adapt's intervals, stretched
// or squeezed on a saturated CPU, may be short.
func TestBurstRefusalsAgainstAdmissions(t *testing.T) {
	now := time.Unix(1000, 0)
	queue := 0
	l := New(Options{Initial: 1000, Queue: 4, QueueFor: 10 * time.Millisecond,
		Runnable: func() int { return queue }, Now: func() time.Time { return now }})
	for c, n := range append([]int{20}, ones(80)...) {
		for range n {
			l.Acquire(fmt.Sprint("client", c))
		}
	}
	for range 2 { // slow, with CPUs idle: no overload, every client held to its share (12)
		l.Adapt(Sample{Lag: 5 * time.Millisecond, Idle: 0.5})
	}
	for range 60 { // fewer than in flight (101), more than admitted since (none)
		if l.Acquire("client0") {
			t.Fatal("client 0 admitted past its share")
		}
	}
	queueGrows(l, &now, &queue)
	if s := l.Stats(); !s.Busy || s.Limit != 1000 {
		t.Errorf("%+v; want overloaded, taken for one client's burst (a limit of 1000)", s)
	}
}

// queueGrows makes the run queue that l reads (queue) too long for 12 ms
// of its clock (now), while another client's request comes and goes.
func queueGrows(l *Limiter, now *time.Time, queue *int) {
	*queue = 4*runtime.GOMAXPROCS(0) + 1
	for range 6 {
		*now = now.Add(2 * time.Millisecond)
		if l.Acquire("another") {
			l.Release("another")
		}
	}
}

func ones(n int) []int   { return repeat(1, n) }
func threes(n int) []int { return repeat(3, n) }

func repeat(v, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// overloadedFromCalm returns a limiter made overloaded by its run queue
// while the flooder holds flooder requests and others clients one each
// (and another client's request comes and goes), and a clock it reads.
func overloadedFromCalm(t *testing.T, flooder, others int) (*Limiter, *time.Time) {
	t.Helper()
	now := time.Unix(1000, 0)
	queue := 0
	l := New(Options{Initial: 1000, Queue: 4, QueueFor: 10 * time.Millisecond,
		Runnable: func() int { return queue }, Now: func() time.Time { return now }})
	for c := range others {
		if !l.Acquire(fmt.Sprint("other", c)) {
			t.Fatalf("other %d refused", c)
		}
	}
	for range flooder { // from nothing, the flooder may hold its share
		if !l.Acquire("flooder") {
			t.Fatal("the flooder refused under its share")
		}
	}
	queueGrows(l, &now, &queue)
	return l, &now
}

// An overload that began as one client's burst ends as any other, and
// the others' shares are of the limit; the burst's client has a share of
// what was in flight until it has been calm for hold intervals, and an
// overload before then is the same burst again (its backlog, or a calm
// interval amid it: cut to 80% of the others' slowed requests, the limit
// shed them, see BENCHMARKS.md); and when more and more clients hold
// their shares, it is an overload as any other.
func TestBurstOverloadEnds(t *testing.T) {
	t.Run("calm again: shares of the limit", func(t *testing.T) {
		l, _ := overloadedFromCalm(t, 32, 30)
		l.Adapt(Sample{Lag: 0, Idle: 0.5})
		if s := l.Stats(); s.Busy || s.Limit != 1000 {
			t.Fatalf("%+v; want calm with a limit of 1000", s)
		}
		for i := range 25 { // a share of 1000 among 32 clients (31), not of 63 (2, or the 20 a new client may grow to)
			if !l.Acquire("newcomer") {
				t.Fatalf("newcomer's request %d refused (%+v)", i+1, l.Stats())
			}
		}
	})
	drain := func(l *Limiter) { // the flooder's backlog drains to 2 in flight
		for range 30 {
			l.Release("flooder")
		}
	}
	t.Run("overloaded again soon after: the same burst", func(t *testing.T) {
		l, _ := overloadedFromCalm(t, 32, 30)
		drain(l)
		l.Adapt(Sample{Lag: 0, Idle: 0.5})
		if s := l.Stats(); s.Busy {
			t.Fatalf("%+v; want calm", s)
		}
		for c := range 30 { // the others' next requests, slowed
			l.Acquire(fmt.Sprint("other", c))
		}
		l.Adapt(Sample{Lag: time.Second})
		if s := l.Stats(); !s.Busy || s.Limit != 1000 {
			t.Fatalf("%+v; want overloaded with a limit of 1000", s)
		}
		if l.Acquire("flooder") {
			t.Error("the burst's client admitted past its share of what was in flight")
		}
	})
	t.Run("calm for hold intervals: the burst forgotten", func(t *testing.T) {
		l, _ := overloadedFromCalm(t, 32, 30)
		drain(l)
		for range hold {
			l.Adapt(Sample{Lag: 0, Idle: 0.5})
		}
		for c := range 30 { // then everyone's load surges
			l.Acquire(fmt.Sprint("other", c))
		}
		l.Adapt(Sample{Lag: time.Second})
		l.Adapt(Sample{Lag: time.Second})
		if s := l.Stats(); !s.Busy || s.Limit >= 1000 {
			t.Errorf("%+v; want overloaded, the limit cut", s)
		}
	})
	t.Run("more and more clients: an overload as any other", func(t *testing.T) {
		l, _ := overloadedFromCalm(t, 32, 30) // 63 in flight at most
		for c := range burstGrowth * 63 {
			if !l.Acquire(fmt.Sprint("newcomer", c)) {
				t.Fatalf("newcomer %d refused under its share", c)
			}
		}
		l.Adapt(Sample{Lag: time.Second, Idle: 0})
		if s, want := l.Stats(), (62+burstGrowth*63)*4/5; !s.Busy || s.Limit != want {
			t.Fatalf("%+v; want overloaded with a limit of %d", s, want)
		}
	})
}

// The idle CPU is read, as a share of the process's CPUs.
func TestIdleCPU(t *testing.T) {
	idle := IdleCPU()
	deadline := time.Now().Add(50 * time.Millisecond)
	for time.Now().Before(deadline) { // spin: use a CPU
	}
	if got := idle(); got < 0 || got > 1 {
		t.Errorf("idle CPU %v; want a share in [0, 1]", got)
	}
}

func TestRunStopsWithItsContext(t *testing.T) {
	l := New(Options{Interval: time.Millisecond, Lag: func() time.Duration { return time.Second }})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { l.Run(ctx); close(done) }()
	cancel()
	<-done
}

func TestPercentile(t *testing.T) {
	buckets := []float64{0, 0.001, 0.01, 0.1, math.Inf(1)}
	tests := []struct {
		counts []uint64
		want   time.Duration
	}{
		{[]uint64{0, 0, 0, 0}, 0},
		{[]uint64{100, 0, 0, 0}, time.Millisecond},
		{[]uint64{98, 1, 1, 0}, 10 * time.Millisecond},
		{[]uint64{97, 1, 2, 0}, 100 * time.Millisecond},
		{[]uint64{990, 10, 0, 0}, time.Millisecond},
		{[]uint64{980, 0, 0, 20}, 100 * time.Millisecond}, // the last bucket is open: its lower bound
	}
	for _, tt := range tests {
		var total uint64
		for _, c := range tt.counts {
			total += c
		}
		if got := percentile(buckets, tt.counts, total, 0.99); got != tt.want {
			t.Errorf("p99 of %v = %v; want %v", tt.counts, got, tt.want)
		}
	}
}

// The runtime's scheduling latency is read, and reads as little while
// nothing waits to run.
func TestSchedLatency(t *testing.T) {
	lag := SchedLatency(0.99)
	lag()
	if d := lag(); d > time.Second {
		t.Errorf("scheduling latency %v on a test process; want a small one", d)
	}
}

// BenchmarkAcquireRelease is the limiter's cost per admitted request,
// reading the run queue included (at most every millisecond).
func BenchmarkAcquireRelease(b *testing.B) {
	l := New(Options{})
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if l.Acquire("c") {
				l.Release("c")
			}
		}
	})
}
