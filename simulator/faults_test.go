package simulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestAnsweringFaults covers the faults that send a complete answer.
func TestAnsweringFaults(t *testing.T) {
	noLeaks(t)
	real, _ := ProfileOf("u1")
	realBody := mustMarshal(t, real)
	tests := []struct {
		fault      Fault
		wantStatus int
		check      func(t *testing.T, r reply)
	}{
		{FaultStatus500, 500, func(t *testing.T, r reply) {
			if !isErrorBody(r.body) {
				t.Errorf("body %s; want {\"error\":\"...\"}", r.body)
			}
		}},
		{FaultStatus503, 503, func(t *testing.T, r reply) {
			if got := r.header.Get("Retry-After"); got != "1" {
				t.Errorf("Retry-After %q; want 1", got)
			}
		}},
		{FaultNotFound, 404, func(t *testing.T, r reply) {
			if string(r.body) != `{"error":"not found"}` {
				t.Errorf("body %s; want {\"error\":\"not found\"}", r.body)
			}
		}},
		{FaultMalformed, 200, func(t *testing.T, r reply) {
			if json.Valid(r.body) || len(r.body) == 0 || !bytes.HasPrefix([]byte(realBody), r.body) {
				t.Errorf("body %s; want a truncated prefix of %s", r.body, realBody)
			}
		}},
		{FaultGarbage, 200, func(t *testing.T, r reply) {
			if json.Valid(r.body) || len(r.body) == 0 {
				t.Errorf("body %s; want non-JSON bytes", r.body)
			}
		}},
		{FaultWrongShape, 200, func(t *testing.T, r reply) {
			if string(r.body) != `{"id":"u1"}` {
				t.Errorf("body %s; want {\"id\":\"u1\"}", r.body)
			}
		}},
		{FaultDuplicateKeys, 200, func(t *testing.T, r reply) {
			want := strings.Replace(realBody, `{"id":"u1",`, `{"id":"u1","id":"u2",`, 1)
			if string(r.body) != want {
				t.Errorf("body %s; want %s", r.body, want)
			}
			if got := readsAs(t, r.body); got.ID != "u2" {
				t.Errorf("encoding/json read id %q; want the decoy u2 (the last of equal keys)", got.ID)
			}
		}},
		{FaultCaseKeys, 200, func(t *testing.T, r reply) {
			want := strings.Replace(realBody, `{"id":"u1",`, `{"id":"u1","Id":"u2",`, 1)
			if string(r.body) != want {
				t.Errorf("body %s; want %s", r.body, want)
			}
			if got := readsAs(t, r.body); got.ID != "u2" {
				t.Errorf("encoding/json read id %q; want the decoy u2 (keys match in any case)", got.ID)
			}
		}},
		{FaultOversized, 200, func(t *testing.T, r reply) {
			var got struct {
				UserProfile
				Padding string `json:"padding"`
			}
			if len(r.body) < 4<<20 || json.Unmarshal(r.body, &got) != nil {
				t.Fatalf("body of %d bytes, valid JSON %v; want at least 4 MiB of JSON", len(r.body), json.Valid(r.body))
			}
			if mustMarshal(t, got.UserProfile) != realBody {
				t.Errorf("oversized profile %+v; want the real %+v padded", got.UserProfile, real)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(string(tt.fault), func(t *testing.T) {
			s, c, url := serveOne(t, Options{Record: true, Behaviors: map[string]Behavior{Profile: {Fault: tt.fault}}}, Profile)
			got := get(t, c, url+"/v1/users/u1")
			if got.status != tt.wantStatus {
				t.Fatalf("fault %s: status %d; want %d", tt.fault, got.status, tt.wantStatus)
			}
			if ct := got.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("fault %s: Content-Type %q; want application/json", tt.fault, ct)
			}
			tt.check(t, got)
			if st := s.Stats(Profile); st.Faults != 1 || st.Calls != 1 {
				t.Errorf("fault %s: stats %+v; want 1 call, 1 fault", tt.fault, st)
			}
			if calls := s.Calls(Profile); len(calls) != 1 || calls[0].Fault != tt.fault {
				t.Errorf("fault %s: recorded %+v; want one call with the fault", tt.fault, calls)
			}
		})
	}
}

// readsAs returns the profile encoding/json reads from body.
func readsAs(tb testing.TB, body []byte) UserProfile {
	tb.Helper()
	var p UserProfile
	if err := json.Unmarshal(body, &p); err != nil {
		tb.Fatalf("decoding %s: %v", body, err)
	}
	return p
}

// TestDecoyKeys checks that every endpoint's decoys come after the first
// member of each object, with another entity's id for an id.
func TestDecoyKeys(t *testing.T) {
	noLeaks(t)
	tests := []struct {
		svc, path, want string
	}{
		{Wallet, "/v1/users/u1/wallet", `{"balance":{"amountMinor":%[1]d,"amountMinor":%[1]d,"currency":"EUR"},"balance":{"amountMinor":%[1]d,"amountMinor":%[1]d,"currency":"EUR"},"loyaltyPoints":%[2]d}`},
		{Shipping, "/v1/shipments?orderIds=o-u1-29", `{"shipments":[{"orderId":"o-u1-29","orderId":"o-u1-30",`},
		{Catalog, "/v1/products?ids=p9", `{"products":[{"id":"p9","id":"p10",`},
	}
	w, _ := WalletOf("u1")
	for _, tt := range tests {
		want := tt.want
		if tt.svc == Wallet {
			want = fmt.Sprintf(want, w.Balance.AmountMinor, w.LoyaltyPoints)
		}
		t.Run(tt.svc+tt.path, func(t *testing.T) {
			_, c, url := serveOne(t, Options{Behaviors: map[string]Behavior{tt.svc: {Fault: FaultDuplicateKeys}}}, tt.svc)
			got := get(t, c, url+tt.path)
			if got.status != 200 || !strings.HasPrefix(string(got.body), want) {
				t.Errorf("GET %s: %d %s; want 200 %s...", tt.path, got.status, got.body, want)
			}
		})
	}
}

// TestWrongShape checks that every endpoint's wrong shape is valid JSON
// missing what the contract requires.
func TestWrongShape(t *testing.T) {
	noLeaks(t)
	tests := []struct {
		svc, path, want string
	}{
		{Profile, "/v1/users/u1", `{"id":"u1"}`},
		{Profile, "/v1/users/u0", `{"unexpected":true}`},
		{Profile, "/v1/users?ids=u1", `{"users":[{"id":"u1"}]}`},
		{Catalog, "/v1/products?ids=p1", `{"products":[{"id":"p1"}]}`},
		{Orders, "/v1/users/u1/orders?limit=1", `{"orders":[{"id":"` + OrdersOf("u1")[0].ID + `"}]}`},
		{Orders, "/v1/users/u3/orders", `{"unexpected":true}`},
		{Recommendations, "/v1/users/u1/recommendations?limit=1", `{"items":[{"productId":"` + RecommendationsOf("u1")[0].ProductID + `"}]}`},
		{Notifications, "/v1/users/u1/notifications?limit=1", `{"items":[{"id":"` + NotificationsOf("u1")[0].ID + `"}]}`},
		{Wallet, "/v1/users/u1/wallet", `{"unexpected":true}`},
		{Shipping, "/v1/shipments?orderIds=o-u1-29", `{"shipments":[{"orderId":"o-u1-29"}]}`},
		{Shipping, "/v1/shipments?orderIds=o-u3-1", `{"unexpected":true}`},
	}
	for _, tt := range tests {
		t.Run(tt.svc+tt.path, func(t *testing.T) {
			_, c, url := serveOne(t, Options{Behaviors: map[string]Behavior{tt.svc: {Fault: FaultWrongShape}}}, tt.svc)
			got := get(t, c, url+tt.path)
			if got.status != 200 || string(got.body) != tt.want {
				t.Errorf("GET %s: %d %s; want 200 %s", tt.path, got.status, got.body, tt.want)
			}
		})
	}
}

// protocols are the two ways the gateway may talk to a service.
var protocols = []struct {
	name   string
	client func(testing.TB) *http.Client
}{
	{"HTTP/1.1", http1Client},
	{"HTTP/2.0", h2cClient},
}

// goGet starts a GET of url under ctx and returns where its outcome goes.
func goGet(c *http.Client, ctx context.Context, url string) <-chan error {
	errc := make(chan error, 1)
	go func() {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err == nil {
			var resp *http.Response
			if resp, err = c.Do(req); err == nil {
				_, err = io.ReadAll(resp.Body)
				resp.Body.Close()
			}
		}
		errc <- err
	}()
	return errc
}

// recv returns the outcome of a goGet, failing if it never comes.
// leaveDuring GETs url with c, waits until the stats of svc show cond
// (what names the moment), then cancels the GET and checks that it returns
// context.Canceled.
func leaveDuring(tb testing.TB, s *Simulator, c *http.Client, url, svc, what string, cond func(Stats) bool) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := goGet(c, ctx, url)
	waitFor(tb, s, svc, what, cond)
	cancel()
	if err := recv(tb, errc); !errors.Is(err, context.Canceled) {
		tb.Errorf("GET left during %s returned %v; want context.Canceled", what, err)
	}
}

func recv(tb testing.TB, errc <-chan error) error {
	tb.Helper()
	select {
	case err := <-errc:
		return err
	case <-testCtx(tb).Done():
		tb.Fatal("the request never returned")
		return nil
	}
}

func TestHang(t *testing.T) {
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			noLeaks(t)
			s, urls := startSim(t, Options{Behaviors: map[string]Behavior{Profile: {Fault: FaultHang}}}, Profile)
			leaveDuring(t, s, p.client(t), urls[Profile]+"/v1/users/u1", Profile, "the hang", func(st Stats) bool { return st.Faults == 1 })
			waitFor(t, s, Profile, "the cancellation", func(st Stats) bool { return st.Canceled == 1 && st.InFlight == 0 })
		})
	}
}

func TestHangIgnoreCancel(t *testing.T) {
	tests := []struct {
		name string
		b    Behavior
	}{
		{"hang", Behavior{Fault: FaultHangIgnoreCancel}},
		{"hang after latency", Behavior{Fault: FaultHangIgnoreCancel, Latency: Latency{Min: time.Hour}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			noLeaks(t)
			s, c, url := serveOne(t, Options{Behaviors: map[string]Behavior{Wallet: tt.b}}, Wallet)
			leaveDuring(t, s, c, url+"/v1/users/u1/wallet", Wallet, "the call", func(st Stats) bool { return st.InFlight == 1 })
			if st := s.Stats(Wallet); st.InFlight != 1 {
				t.Errorf("stats after the caller left %+v; want the handler still in flight", st)
			}
			s.Close()
			if st := s.Stats(Wallet); st.InFlight != 0 || st.Canceled != 0 {
				t.Errorf("stats after Close %+v; want nothing in flight and no cancellation counted", st)
			}
		})
	}
}

// TestCloseReleasesHang checks that Close ends a hanging call with an
// error for its caller.
func TestCloseReleasesHang(t *testing.T) {
	for _, f := range []Fault{FaultHang, FaultHangIgnoreCancel, FaultSlowBody} {
		t.Run(string(f), func(t *testing.T) {
			noLeaks(t)
			s, c, url := serveOne(t, Options{Behaviors: map[string]Behavior{Profile: {Fault: f}}}, Profile)
			errc := goGet(c, context.Background(), url+"/v1/users/u1")
			waitFor(t, s, Profile, "the fault", func(st Stats) bool { return st.Faults == 1 })
			s.Close()
			if err := recv(t, errc); err == nil {
				t.Errorf("GET released by Close returned no error; want one")
			}
			if st := s.Stats(Profile); st.InFlight != 0 {
				t.Errorf("stats after Close %+v; want nothing in flight", st)
			}
		})
	}
}

func TestSlowBody(t *testing.T) {
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			noLeaks(t)
			s, urls := startSim(t, Options{Behaviors: map[string]Behavior{Profile: {Fault: FaultSlowBody}}}, Profile)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, urls[Profile]+"/v1/users/u1", nil)
			resp, err := p.client(t).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			first := make([]byte, 1)
			if _, err := io.ReadFull(resp.Body, first); err != nil || resp.StatusCode != 200 || first[0] != '{' {
				t.Fatalf("slow body: status %d, first byte %q, %v; want 200 and {", resp.StatusCode, first, err)
			}
			cancel()
			resp.Body.Close()
			waitFor(t, s, Profile, "the trickle to stop", func(st Stats) bool { return st.InFlight == 0 })
			if st := s.Stats(Profile); st.Faults != 1 || st.Canceled != 0 {
				t.Errorf("stats %+v; want 1 fault and no cancellation (slow-body ignores the caller)", st)
			}
		})
	}
}

func TestReset(t *testing.T) {
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			noLeaks(t)
			s, urls := startSim(t, Options{Record: true, Behaviors: map[string]Behavior{Orders: {Fault: FaultReset}}}, Orders)
			req, _ := http.NewRequest(http.MethodGet, urls[Orders]+"/v1/users/u1/orders", nil)
			resp, err := p.client(t).Do(req)
			if err == nil {
				resp.Body.Close()
				t.Fatalf("reset GET: status %d; want a transport error", resp.StatusCode)
			}
			waitFor(t, s, Orders, "the handler to end", func(st Stats) bool { return st.InFlight == 0 && st.Faults >= 1 })
			if calls := s.Calls(Orders); calls[0].Proto != p.name || calls[0].Fault != FaultReset {
				t.Errorf("recorded %+v; want proto %s, fault reset", calls[0], p.name)
			}
		})
	}
}
