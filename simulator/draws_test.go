package simulator

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
)

// serveDirect calls the handler of svc without a network.
func serveDirect(s *Simulator, svc, path string) int {
	rec := httptest.NewRecorder()
	s.Handler(svc).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Code
}

// faultsOf returns the faults recorded for the calls of svc, in order.
func faultsOf(s *Simulator, svc string) []Fault {
	var out []Fault
	for _, c := range s.Calls(svc) {
		out = append(out, c.Fault)
	}
	return out
}

// TestStreamsPerService checks that, for a fixed seed, which orders calls
// fail depends only on the order of the orders calls: calls to other
// services, which draw too (faults, batch shuffles, latency), do not
// change it wherever they come.
func TestStreamsPerService(t *testing.T) {
	const n = 64
	others := func(s *Simulator) {
		serveDirect(s, Catalog, "/v1/products?ids=p1,p2,p3,p4,p5")
		serveDirect(s, Profile, "/v1/users?ids=u1,u2,u3")
		serveDirect(s, Wallet, "/v1/users/u1/wallet")
	}
	tests := []struct {
		name          string
		before, after func(s *Simulator) // around each orders call
	}{
		{"alone", func(*Simulator) {}, func(*Simulator) {}},
		{"others before each", others, func(*Simulator) {}},
		{"others after each", func(*Simulator) {}, others},
		{"others twice between", others, others},
	}
	run := func(before, after func(s *Simulator)) []Fault {
		s := New(Options{Seed: 42, Record: true, Behaviors: map[string]Behavior{
			Orders:  {Fault: FaultStatus500, FaultRate: 0.5},
			Catalog: {Fault: FaultStatus503, FaultRate: 0.5},
			Wallet:  {Fault: FaultStatus500, FaultRate: 0.5},
			Profile: {Latency: Latency{Max: 1}}, // draws, waits at most 1ns
		}})
		defer s.Close()
		for range n {
			before(s)
			serveDirect(s, Orders, "/v1/users/u1/orders")
			after(s)
		}
		return faultsOf(s, Orders)
	}
	alone := run(tests[0].before, tests[0].after)
	if hits := len(alone) - count(alone, FaultNone); len(alone) != n || hits == 0 || hits == n {
		t.Fatalf("alone: %d calls, %d faults; want %d calls, some but not all failing at rate 50%%", len(alone), hits, n)
	}
	for _, tt := range tests[1:] {
		t.Run(tt.name, func(t *testing.T) {
			if got := run(tt.before, tt.after); !slices.Equal(got, alone) {
				t.Errorf("orders faults with %s:\n%q\nwant as alone:\n%q", tt.name, got, alone)
			}
		})
	}

	// Each service has a stream of its own, not a copy of the same one.
	s := New(Options{Seed: 42, Record: true, Behaviors: map[string]Behavior{Wallet: {Fault: FaultStatus500, FaultRate: 0.5}}})
	defer s.Close()
	for range n {
		serveDirect(s, Wallet, "/v1/users/u1/wallet")
	}
	if wallet := faultsOf(s, Wallet); slices.Equal(wallet, alone) {
		t.Errorf("wallet and orders with seed 42 failed the same calls %q; want streams of their own", wallet)
	}
}

func count[T comparable](xs []T, x T) int {
	n := 0
	for _, v := range xs {
		if v == x {
			n++
		}
	}
	return n
}

// TestFaultCalls checks fault=NAMExCOUNT over HTTP: the fault hits the
// first COUNT calls after the behaviour was set, rejected calls aside.
func TestFaultCalls(t *testing.T) {
	noLeaks(t)
	tests := []struct {
		spec           string
		requireHeaders bool
		want           []int // statuses of successive calls; 400: sent without headers
	}{
		{"fault=500x2", false, []int{500, 500, 200, 200}},
		{"fault=404x1,latency=1ms", false, []int{404, 200, 200}},
		{"fault=503x3", false, []int{503, 503, 503, 200}},
		{"fault=500x2", true, []int{400, 500, 400, 500, 200}},
		{"fault=500@100%", false, []int{500, 500, 500, 500}},
	}
	for _, tt := range tests {
		name := tt.spec
		if tt.requireHeaders {
			name += " requiring headers"
		}
		t.Run(name, func(t *testing.T) {
			b, err := ParseBehavior(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			s, c, url := serveOne(t, Options{RequireHeaders: tt.requireHeaders, Behaviors: map[string]Behavior{Orders: b}}, Orders)
			statuses := func() []int {
				got := make([]int, len(tt.want))
				for i, want := range tt.want {
					req, _ := http.NewRequest(http.MethodGet, url+"/v1/users/u1/orders", nil)
					if want != 400 {
						req.Header.Set("X-Request-Id", "r1")
						req.Header.Set("X-Timeout-Ms", "1000")
					}
					got[i] = do(t, c, req).status
				}
				return got
			}
			if got := statuses(); !slices.Equal(got, tt.want) {
				t.Errorf("%s: statuses %v; want %v", tt.spec, got, tt.want)
			}
			s.ResetStats() // does not restart the count
			healed := slices.Clone(tt.want)
			for i, want := range healed {
				if want != 400 {
					healed[i] = tt.want[len(tt.want)-1]
				}
			}
			if got := statuses(); !slices.Equal(got, healed) {
				t.Errorf("%s after ResetStats: statuses %v; want %v", tt.spec, got, healed)
			}
			s.SetBehavior(Orders, b) // restarts it
			if got := statuses(); !slices.Equal(got, tt.want) {
				t.Errorf("%s after SetBehavior: statuses %v; want %v again", tt.spec, got, tt.want)
			}
		})
	}
}

// TestFaultCallsConcurrent checks that concurrent calls share the count:
// exactly FaultCalls of them fail.
func TestFaultCallsConcurrent(t *testing.T) {
	const calls, faulty = 40, 3
	s := New(Options{Behaviors: map[string]Behavior{Wallet: {Fault: FaultStatus503, FaultCalls: faulty}}})
	defer s.Close()
	codes := make([]int, calls)
	var wg sync.WaitGroup
	for i := range codes {
		wg.Go(func() { codes[i] = serveDirect(s, Wallet, "/v1/users/u1/wallet") })
	}
	wg.Wait()
	if n := count(codes, 503); n != faulty || count(codes, 200) != calls-faulty {
		t.Errorf("%d concurrent calls with fault=503x%d: %d got 503, %d got 200; want %d and %d",
			calls, faulty, n, count(codes, 200), faulty, calls-faulty)
	}
	if st := s.Stats(Wallet); st.Faults != faulty {
		t.Errorf("stats %+v; want %d faults", st, faulty)
	}
}
