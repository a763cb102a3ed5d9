package simulator

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"
)

// goGetBudget starts a GET of url under ctx with X-Timeout-Ms set to
// timeoutMs (left out when empty) and returns where its outcome goes.
func goGetBudget(tb testing.TB, c *http.Client, ctx context.Context, url, timeoutMs string) <-chan error {
	tb.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("X-Request-Id", "req-budget")
	if timeoutMs != "" {
		req.Header.Set("X-Timeout-Ms", timeoutMs)
	}
	errc := make(chan error, 1)
	go func() {
		resp, err := c.Do(req)
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		errc <- err
	}()
	return errc
}

// TestGiveUp checks that a service stops waiting on a call once its
// X-Timeout-Ms budget and the grace have passed, while its caller, who
// set no timeout of its own, is still there: the caller sees the response
// aborted and the give-up is counted, not as a cancellation.
func TestGiveUp(t *testing.T) {
	const budget = 30 * time.Millisecond
	tests := []struct {
		name string
		b    Behavior
	}{
		{"hang", Behavior{Fault: FaultHang}},
		{"latency", Behavior{Latency: Latency{Min: 10 * time.Second}}},
		{"latency before a slow body", Behavior{Latency: Latency{Min: 10 * time.Second}, Fault: FaultSlowBody}},
	}
	for _, p := range protocols {
		for _, tt := range tests {
			t.Run(p.name+"/"+tt.name, func(t *testing.T) {
				noLeaks(t)
				s, urls := startSim(t, Options{Behaviors: map[string]Behavior{Wallet: tt.b}}, Wallet)
				start := time.Now()
				err := recv(t, goGetBudget(t, p.client(t), context.Background(), urls[Wallet]+"/v1/users/u1/wallet", "30"))
				took := time.Since(start)
				if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("GET with X-Timeout-Ms 30 returned %v; want a transport error (the response aborted)", err)
				}
				// The give-up cannot come before budget+grace; how long after
				// depends on the machine, so the upper bound is loose.
				if took < budget+TimeoutGrace || took > 5*time.Second {
					t.Errorf("GET with X-Timeout-Ms 30 failed after %v; want about %v", took, budget+TimeoutGrace)
				}
				waitFor(t, s, Wallet, "the give-up", func(st Stats) bool { return st.GaveUp == 1 && st.InFlight == 0 })
				if st := s.Stats(Wallet); st.Canceled != 0 || st.Calls != 1 {
					t.Errorf("stats %+v; want 1 call given up on and no cancellation", st)
				}
			})
		}
	}
}

// TestNoGiveUp checks the calls a service never gives up on: those without
// a valid X-Timeout-Ms, and those whose fault ignores the caller. A call to
// another service with X-Timeout-Ms 1, sent after the call under test
// arrived, is the clock: once it was given up on, so would the call under
// test have been.
func TestNoGiveUp(t *testing.T) {
	tests := []struct {
		name      string
		b         Behavior
		timeoutMs string
		endAt     string // "cancel": the caller leaves; "close": only Close ends it
	}{
		{"hang without header", Behavior{Fault: FaultHang}, "", "cancel"},
		{"hang with zero header", Behavior{Fault: FaultHang}, "0", "cancel"},
		{"latency with word header", Behavior{Latency: Latency{Min: time.Hour}}, "soon", "cancel"},
		{"hang-ignore-cancel", Behavior{Fault: FaultHangIgnoreCancel}, "1", "close"},
		{"hang-ignore-cancel after latency", Behavior{Fault: FaultHangIgnoreCancel, Latency: Latency{Min: time.Hour}}, "1", "close"},
		{"slow-body", Behavior{Fault: FaultSlowBody}, "1", "close"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			noLeaks(t)
			s, urls := startSim(t, Options{Behaviors: map[string]Behavior{
				Wallet:  tt.b,
				Profile: {Fault: FaultHang}, // the clock
			}}, Wallet, Profile)
			c := http1Client(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			errc := goGetBudget(t, c, ctx, urls[Wallet]+"/v1/users/u1/wallet", tt.timeoutMs)
			waitFor(t, s, Wallet, "the call", func(st Stats) bool { return st.InFlight == 1 })

			clock := goGetBudget(t, c, context.Background(), urls[Profile]+"/v1/users/u1", "1")
			waitFor(t, s, Profile, "the clock's give-up", func(st Stats) bool { return st.GaveUp == 1 })
			if err := recv(t, clock); err == nil {
				t.Errorf("clock GET returned no error; want the response aborted")
			}
			if st := s.Stats(Wallet); st.InFlight != 1 || st.GaveUp != 0 {
				t.Fatalf("X-Timeout-Ms %q, %+v: stats %+v past the budget; want the call still in flight", tt.timeoutMs, tt.b, st)
			}

			want := Stats{Calls: 1, Faults: s.Stats(Wallet).Faults, PeakInFlight: 1}
			switch tt.endAt {
			case "cancel":
				cancel()
				if err := recv(t, errc); !errors.Is(err, context.Canceled) {
					t.Errorf("GET returned %v; want context.Canceled", err)
				}
				waitFor(t, s, Wallet, "the cancellation", func(st Stats) bool { return st.InFlight == 0 })
				want.Canceled = 1
			case "close":
				s.Close()
				if err := recv(t, errc); err == nil {
					t.Errorf("GET released by Close returned no error; want one")
				}
			}
			if st := s.Stats(Wallet); st != want {
				t.Errorf("stats at the end %+v; want %+v", st, want)
			}
		})
	}
}
