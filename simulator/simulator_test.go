package simulator

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"
)

func TestRequireHeaders(t *testing.T) {
	noLeaks(t)
	tests := []struct {
		name, requestID, timeoutMs string
		wantStatus                 int
	}{
		{"both", "r1", "250", 200},
		{"minimal timeout", "r1", "1", 200},
		{"no request id", "", "250", 400},
		{"no timeout", "r1", "", 400},
		{"zero timeout", "r1", "0", 400},
		{"negative timeout", "r1", "-5", 400},
		{"fractional timeout", "r1", "1.5", 400},
		{"word timeout", "r1", "soon", 400},
		{"neither", "", "", 400},
	}
	s, c, url := serveOne(t, Options{RequireHeaders: true}, Wallet)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, url+"/v1/users/u1/wallet", nil)
			if tt.requestID != "" {
				req.Header.Set("X-Request-Id", tt.requestID)
			}
			if tt.timeoutMs != "" {
				req.Header.Set("X-Timeout-Ms", tt.timeoutMs)
			}
			got := do(t, c, req)
			if got.status != tt.wantStatus {
				t.Errorf("X-Request-Id %q, X-Timeout-Ms %q: status %d; want %d", tt.requestID, tt.timeoutMs, got.status, tt.wantStatus)
			}
			if tt.wantStatus == 400 && !isErrorBody(got.body) {
				t.Errorf("body %s; want {\"error\":\"...\"}", got.body)
			}
		})
	}
	if st := s.Stats(Wallet); st.Calls != len(tests) {
		t.Errorf("stats %+v; want %d calls, rejected ones included", st, len(tests))
	}
	// Header checks come before faults.
	s.SetBehavior(Wallet, Behavior{Fault: FaultStatus500})
	req, _ := http.NewRequest(http.MethodGet, url+"/v1/users/u1/wallet", nil)
	if got := do(t, c, req); got.status != 400 || s.Stats(Wallet).Faults != 0 {
		t.Errorf("faulty service without headers: status %d, stats %+v; want 400 before any fault", got.status, s.Stats(Wallet))
	}
	_, c2, url2 := serveOne(t, Options{}, Wallet)
	req, _ = http.NewRequest(http.MethodGet, url2+"/v1/users/u1/wallet", nil)
	if got := do(t, c2, req); got.status != 200 {
		t.Errorf("without RequireHeaders, no headers: status %d; want 200", got.status)
	}
}

func TestRecordAndReset(t *testing.T) {
	noLeaks(t)
	s, c, url := serveOne(t, Options{Record: true}, Orders)
	req, _ := http.NewRequest(http.MethodGet, url+"/v1/users/u1/orders?limit=5", nil)
	req.Header.Set("X-Request-Id", "abc")
	req.Header.Set("X-Timeout-Ms", "120")
	req.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	do(t, c, req)
	s.SetBehavior(Orders, Behavior{Fault: FaultStatus503})
	get(t, c, url+"/v1/users/u2/orders")
	s.SetBehavior(Orders, Behavior{})
	if got := get(t, c, url+"/v1/users/u2/orders"); got.status != 200 {
		t.Errorf("after healing: status %d; want 200", got.status)
	}

	calls := s.Calls(Orders)
	if len(calls) != 3 {
		t.Fatalf("recorded %d calls; want 3", len(calls))
	}
	want := Call{
		Service: Orders, Method: "GET", Path: "/v1/users/u1/orders", Query: map[string][]string{"limit": {"5"}},
		RequestID: "abc", TimeoutMs: "120", Traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
		Proto: "HTTP/1.1",
	}
	if got := calls[0]; got.Service != want.Service || got.Method != want.Method || got.Path != want.Path ||
		got.Query.Get("limit") != "5" || got.RequestID != want.RequestID || got.TimeoutMs != want.TimeoutMs ||
		got.Traceparent != want.Traceparent || got.Proto != want.Proto || got.IDs != nil || got.Fault != FaultNone {
		t.Errorf("first call %+v; want %+v", got, want)
	}
	if faults := []Fault{calls[0].Fault, calls[1].Fault, calls[2].Fault}; !slices.Equal(faults, []Fault{"", "503", ""}) {
		t.Errorf("recorded faults %q; want none, 503, none", faults)
	}
	calls[0].Query.Set("limit", "changed")
	if s.Calls(Orders)[0].Query.Get("limit") != "5" {
		t.Error("changing a returned Call changed the log; want a copy")
	}
	if st := s.Stats(Orders); st != (Stats{Calls: 3, Faults: 1, PeakInFlight: 1}) {
		t.Errorf("stats %+v; want 3 calls, 1 fault", st)
	}
	s.ResetStats()
	if st, calls := s.Stats(Orders), s.Calls(Orders); st != (Stats{}) || len(calls) != 0 {
		t.Errorf("after ResetStats: stats %+v, %d calls; want zero", st, len(calls))
	}

	quiet, c2, url2 := serveOne(t, Options{}, Orders)
	get(t, c2, url2+"/v1/users/u1/orders")
	if calls, st := quiet.Calls(Orders), quiet.Stats(Orders); len(calls) != 0 || st.Calls != 1 {
		t.Errorf("without Record: %d calls logged, stats %+v; want none logged, 1 counted", len(calls), st)
	}
}

// TestFaultRate drives the handler directly: over 1000 calls with a fixed
// seed the share of faults is near the rate and the sequence repeats.
func TestFaultRate(t *testing.T) {
	codes := func(seed uint64) []int {
		s := New(Options{Seed: seed, Behaviors: map[string]Behavior{Wallet: {Fault: FaultStatus500, FaultRate: 0.3}}})
		defer s.Close()
		h := s.Handler(Wallet)
		out := make([]int, 1000)
		for i := range out {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/users/u1/wallet", nil))
			out[i] = rec.Code
		}
		if st := s.Stats(Wallet); st.Calls != 1000 || st.Faults != count(out, 500) {
			t.Errorf("stats %+v after 1000 calls; want 1000 calls and the faults counted", st)
		}
		return out
	}
	first := codes(11)
	if n := count(first, 500); n < 240 || n > 360 {
		t.Errorf("%d of 1000 calls failed at rate 30%%; want 240..360", n)
	}
	if n := count(first, 200) + count(first, 500); n != 1000 {
		t.Errorf("%d of 1000 calls were 200 or 500; want all", n)
	}
	if !slices.Equal(first, codes(11)) {
		t.Error("two runs with seed 11 failed different calls; want the same sequence")
	}
}

func TestLatency(t *testing.T) {
	noLeaks(t)
	const delay = 30 * time.Millisecond
	_, c, url := serveOne(t, Options{Behaviors: map[string]Behavior{Wallet: {Latency: Latency{Min: delay}}}}, Wallet)
	start := time.Now()
	if got := get(t, c, url+"/v1/users/u1/wallet"); got.status != 200 {
		t.Errorf("status %d; want 200", got.status)
	}
	if took := time.Since(start); took < delay {
		t.Errorf("GET took %v; want at least the latency %v", took, delay)
	}
}

func TestLatencyCanceled(t *testing.T) {
	noLeaks(t)
	s, c, url := serveOne(t, Options{Behaviors: map[string]Behavior{Wallet: {Latency: Latency{Min: time.Hour}}}}, Wallet)
	leaveDuring(t, s, c, url+"/v1/users/u1/wallet", Wallet, "the call", func(st Stats) bool { return st.InFlight == 1 })
	waitFor(t, s, Wallet, "the cancellation", func(st Stats) bool { return st.Canceled == 1 && st.InFlight == 0 })

	// A caller still waiting when the simulator closes gets an error.
	errc := goGet(c, context.Background(), url+"/v1/users/u1/wallet")
	waitFor(t, s, Wallet, "the second call", func(st Stats) bool { return st.InFlight == 1 })
	s.Close()
	if err := recv(t, errc); err == nil {
		t.Error("GET during Close returned no error; want one")
	}
}

func TestWaitFor(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.WaitFor(ctx, Profile, func(st Stats) bool { return st.Calls > 0 }); !errors.Is(err, context.Canceled) {
		t.Errorf("WaitFor on a canceled context = %v; want context.Canceled", err)
	}
	if err := s.WaitFor(ctx, Profile, func(st Stats) bool { return st.Calls == 0 }); err != nil {
		t.Errorf("WaitFor on a condition already true = %v; want nil", err)
	}
	done := make(chan error, 1)
	go func() {
		done <- s.WaitFor(testCtx(t), Catalog, func(st Stats) bool { return st.Calls == 2 })
	}()
	h := s.Handler(Catalog)
	for range 2 {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/v1/products?ids=p1", nil))
	}
	if err := <-done; err != nil {
		t.Errorf("WaitFor two calls = %v; want nil", err)
	}
}

func TestClosed(t *testing.T) {
	noLeaks(t)
	s, c, url := serveOne(t, Options{}, Profile)
	s.Close()
	s.Close()
	if got := get(t, c, url+"/v1/users/u1"); got.status != http.StatusServiceUnavailable {
		t.Errorf("GET after Close: status %d; want 503", got.status)
	}
}

func TestUnknownServicePanics(t *testing.T) {
	tests := map[string]func(){
		"Handler":     func() { New(Options{}).Handler("billing") },
		"SetBehavior": func() { New(Options{}).SetBehavior("billing", Behavior{}) },
		"New":         func() { New(Options{Behaviors: map[string]Behavior{"billing": {}}}) },
	}
	for name, f := range tests {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("%s with an unknown service did not panic; want a panic", name)
				}
			}()
			f()
		})
	}
}
