package simulator

import (
	"encoding/json"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestCallKey checks what FaultPerCall decides by: equal calls, however
// their query is written, share a key; a different path, query, service or
// seed does not.
func TestCallKey(t *testing.T) {
	key := func(seed uint64, svc, rawURL string) uint64 {
		u, err := url.Parse(rawURL)
		if err != nil {
			t.Fatal(err)
		}
		return callKey(seed, svc, u)
	}
	base := key(1, Notifications, "/v1/users/u1/notifications?limit=3&unreadOnly=true")
	batch := key(1, Catalog, "/v1/products?ids=p1,p2,p3")
	tests := []struct {
		name     string
		seed     uint64
		svc, url string
		want     uint64 // the key it must share
		same     bool
	}{
		{"the same call", 1, Notifications, "/v1/users/u1/notifications?limit=3&unreadOnly=true", base, true},
		{"parameters in another order", 1, Notifications, "/v1/users/u1/notifications?unreadOnly=true&limit=3", base, true},
		{"ids in another order, repeated", 1, Catalog, "/v1/products?ids=p3,p1&ids=p2,p1", batch, true},
		{"another limit", 1, Notifications, "/v1/users/u1/notifications?limit=4&unreadOnly=true", base, false},
		{"no query", 1, Notifications, "/v1/users/u1/notifications", base, false},
		{"another user", 1, Notifications, "/v1/users/u2/notifications?limit=3&unreadOnly=true", base, false},
		{"another service", 1, Orders, "/v1/users/u1/notifications?limit=3&unreadOnly=true", base, false},
		{"another seed", 2, Notifications, "/v1/users/u1/notifications?limit=3&unreadOnly=true", base, false},
		{"another id in the batch", 1, Catalog, "/v1/products?ids=p1,p2,p4", batch, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := key(tt.seed, tt.svc, tt.url); (got == tt.want) != tt.same {
				t.Errorf("callKey(%d, %s, %s) = %#x; want equal to %#x: %v", tt.seed, tt.svc, tt.url, got, tt.want, tt.same)
			}
		})
	}
}

// TestFaultAppliesPerCall checks that FaultPerCall hits a FaultRate share
// of distinct calls, always the same ones, drawing nothing from the
// stream; and that a count or a rate of 0 or 1 still decide as they do
// without it.
func TestFaultAppliesPerCall(t *testing.T) {
	tests := []struct {
		name     string
		b        Behavior
		min, max float64
	}{
		{"30%", Behavior{Fault: FaultStatus500, FaultRate: 0.3, FaultPerCall: true}, 0.27, 0.33},
		{"2%", Behavior{Fault: FaultReset, FaultRate: 0.02, FaultPerCall: true}, 0.01, 0.03},
		{"every call", Behavior{Fault: FaultStatus503, FaultPerCall: true}, 1, 1},
		{"rate 1", Behavior{Fault: FaultStatus503, FaultRate: 1, FaultPerCall: true}, 1, 1},
		{"no fault", Behavior{FaultRate: 0.5, FaultPerCall: true}, 0, 0},
	}
	const n = 10000
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(3, 4))
			hits := 0
			for i := range n {
				k := hashKey(7, Orders, strconv.Itoa(i))
				first := tt.b.faultApplies(r, i, k)
				if again := tt.b.faultApplies(r, n-i, k); again != first {
					t.Fatalf("call %d: %v, then %v; want the same call decided the same way", i, first, again)
				}
				if first {
					hits++
				}
			}
			if got := float64(hits) / n; got < tt.min || got > tt.max {
				t.Errorf("hit %.3f of calls; want %.2f..%.2f", got, tt.min, tt.max)
			}
			if r.Uint64() != rand.New(rand.NewPCG(3, 4)).Uint64() {
				t.Errorf("drew from the stream; want per-call faults to draw nothing")
			}
		})
	}
	counted := Behavior{Fault: FaultStatus503, FaultCalls: 1, FaultRate: 0.5, FaultPerCall: true}
	if !counted.faultApplies(nil, 0, 0) || counted.faultApplies(nil, 1, 0) {
		t.Errorf("%+v: want the first call hit and no other: a count wins", counted)
	}
}

// TestPresent checks AbsentShare: a share of ids is absent whatever ids
// come with it, order kept, the ids given left alone.
func TestPresent(t *testing.T) {
	ids := make([]string, 2000)
	for i := range ids {
		ids[i] = productID(i + 1)
	}
	tests := []struct {
		name     string
		b        Behavior
		min, max float64 // share of ids present
	}{
		{"none absent", Behavior{}, 1, 1},
		{"a quarter absent", Behavior{AbsentShare: 0.25}, 0.70, 0.80},
		{"all absent", Behavior{AbsentShare: 1}, 0, 0},
		{"with a fault", Behavior{AbsentShare: 0.5, Fault: FaultMalformed}, 0.45, 0.55},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			given := slices.Clone(ids)
			all := tt.b.present(9, Catalog, given)
			if !slices.Equal(given, ids) {
				t.Fatalf("present changed the ids it was given")
			}
			if got := float64(len(all)) / float64(len(ids)); got < tt.min || got > tt.max {
				t.Errorf("%.3f of ids present; want %.2f..%.2f", got, tt.min, tt.max)
			}
			// In batches of 7, backwards: the same ids present, in order.
			var batched []string
			for end := len(ids); end > 0; end -= 7 {
				batch := slices.Clone(ids[max(0, end-7):end])
				slices.Reverse(batch)
				kept := tt.b.present(9, Catalog, batch)
				slices.Reverse(kept)
				batched = append(kept, batched...)
			}
			if !slices.Equal(batched, all) {
				t.Errorf("in other batches %d ids present; want the same %d", len(batched), len(all))
			}
		})
	}
	b := Behavior{AbsentShare: 0.5}
	if a, c := b.present(1, Catalog, ids), b.present(2, Catalog, ids); slices.Equal(a, c) {
		t.Errorf("seeds 1 and 2 leave the same ids present; want another subset per seed")
	}
	if a, c := b.present(1, Catalog, ids), b.present(1, Profile, ids); slices.Equal(a, c) {
		t.Errorf("catalog and profile leave the same ids present; want another subset per service")
	}
}

// TestPerCallOverHTTP serves per-call faults and absent ids through the
// handlers, in two orders and batchings, and checks that both see the same
// world: the same calls fail, the same ids are missing; and that the calls
// are recorded with the ids as sent.
func TestPerCallOverHTTP(t *testing.T) {
	noLeaks(t)
	var paths, ids []string
	for i := 1; i <= 40; i++ {
		paths = append(paths, "/v1/users/u"+strconv.Itoa(i)+"/wallet")
		ids = append(ids, productID(i))
	}
	type world struct {
		answers map[string]int // status per wallet path
		found   map[string]bool
	}
	run := func(paths []string, batches [][]string) world {
		s := New(Options{Seed: 5, Record: true, Behaviors: map[string]Behavior{
			Wallet:  {Fault: FaultStatus500, FaultRate: 0.5, FaultPerCall: true},
			Catalog: {AbsentShare: 0.5},
		}})
		defer s.Close()
		w := world{answers: map[string]int{}, found: map[string]bool{}}
		for _, p := range paths {
			rec := httptest.NewRecorder()
			s.Handler(Wallet).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p, nil))
			w.answers[p] = rec.Code
		}
		for _, b := range batches {
			rec := httptest.NewRecorder()
			s.Handler(Catalog).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/products?ids="+strings.Join(b, ","), nil))
			var body struct {
				Products []Product `json:"products"`
			}
			if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &body) != nil {
				t.Fatalf("products %v: %d %s; want 200 and products", b, rec.Code, rec.Body)
			}
			for _, p := range body.Products {
				w.found[p.ID] = true
			}
		}
		for i, c := range s.Calls(Catalog) {
			if !slices.Equal(c.IDs, batches[i]) {
				t.Errorf("catalog call %d recorded ids %v; want %v as sent", i, c.IDs, batches[i])
			}
		}
		return w
	}
	forward := run(paths, [][]string{ids[:4], ids[4:6], ids[6:]})
	backwardPaths, backwardIDs := slices.Clone(paths), slices.Clone(ids)
	slices.Reverse(backwardPaths)
	slices.Reverse(backwardIDs)
	backward := run(backwardPaths, [][]string{backwardIDs[:25], backwardIDs[25:]})

	failed := 0
	for _, p := range paths {
		if forward.answers[p] != backward.answers[p] {
			t.Errorf("%s: %d, then in the other order %d; want the same answer", p, forward.answers[p], backward.answers[p])
		}
		if forward.answers[p] == http.StatusInternalServerError {
			failed++
		}
	}
	if failed == 0 || failed == len(paths) {
		t.Errorf("%d of %d wallet calls failed; want about half", failed, len(paths))
	}
	if len(forward.found) == 0 || len(forward.found) == len(ids) || !maps.Equal(forward.found, backward.found) {
		t.Errorf("found %v, then in other batches %v; want the same ids, some absent", forward.found, backward.found)
	}
}
