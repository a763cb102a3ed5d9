package ratelimit

import (
	"net/http"
	"testing"
	"time"
)

// fakeClock is a clock the test moves.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestLocal(t *testing.T) {
	type take struct {
		after     time.Duration // clock moves by this first
		key       string
		allowed   bool
		remaining int
		retry     time.Duration
		reset     time.Duration
	}
	for _, tt := range []struct {
		name  string
		limit int
		takes []take
	}{
		{"a burst of the limit, then one per interval", 3, []take{
			{0, "a", true, 2, 0, time.Second},
			{0, "a", true, 1, 0, 2 * time.Second},
			{0, "a", true, 0, 0, 3 * time.Second},
			{0, "a", false, 0, time.Second, 3 * time.Second},
			{400 * time.Millisecond, "a", false, 0, 600 * time.Millisecond, 2600 * time.Millisecond},
			{600 * time.Millisecond, "a", true, 0, 0, 3 * time.Second},
			{3 * time.Second, "a", true, 2, 0, time.Second}, // all back after the reset
		}},
		{"keys apart", 1, []take{
			{0, "a", true, 0, 0, 3 * time.Second},
			{0, "b", true, 0, 0, 3 * time.Second},
			{0, "a", false, 0, 3 * time.Second, 3 * time.Second},
		}},
	} {
		c := &fakeClock{t: time.Unix(1000, 0)}
		l := &Local{Now: c.now}
		for i, tk := range tt.takes {
			c.t = c.t.Add(tk.after)
			d := l.Take(tk.key, tt.limit, 3*time.Second)
			want := Decision{Allowed: tk.allowed, Limit: tt.limit, Remaining: tk.remaining, RetryAfter: tk.retry, Reset: tk.reset}
			if d != want {
				t.Errorf("%s: take %d: %+v; want %+v", tt.name, i+1, d, want)
			}
		}
	}
}

// Past MaxKeys a new key is decided as fresh and not remembered, once the
// keys that caught up are gone; those are swept at most once a second.
func TestLocalMaxKeys(t *testing.T) {
	c := &fakeClock{t: time.Unix(1000, 0)}
	l := &Local{Now: c.now, MaxKeys: 2}
	l.Take("a", 1, time.Minute)
	l.Take("b", 1, time.Minute)
	for i := range 3 {
		if d := l.Take("c", 1, time.Minute); !d.Allowed {
			t.Fatalf("take %d of a key past MaxKeys: %+v; want it decided as fresh", i+1, d)
		}
	}
	if d := l.Take("a", 1, time.Minute); d.Allowed {
		t.Errorf("a remembered key: %+v; want its limit kept", d)
	}
	c.t = c.t.Add(time.Minute) // a and b caught up: swept for c
	l.Take("c", 1, time.Minute)
	if d := l.Take("c", 1, time.Minute); d.Allowed {
		t.Errorf("c after the sweep: %+v; want it remembered and limited", d)
	}
	if n := len(l.tat); n > 2 {
		t.Errorf("%d keys remembered; want at most 2", n)
	}
}

func TestSetHeaders(t *testing.T) {
	for _, tt := range []struct {
		d    Decision
		want map[string]string
	}{
		{Decision{Allowed: true, Limit: 100, Remaining: 99, Reset: 10 * time.Millisecond},
			map[string]string{"X-Ratelimit-Limit": "100", "X-Ratelimit-Remaining": "99", "X-Ratelimit-Reset": "1", "Retry-After": "", "Retry-After-Ms": ""}},
		{Decision{Limit: 100, RetryAfter: 10 * time.Millisecond, Reset: 1500 * time.Millisecond},
			map[string]string{"X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset": "2", "Retry-After": "1", "Retry-After-Ms": "10"}},
		{Decision{Limit: 1, RetryAfter: 2500 * time.Millisecond, Reset: 2500 * time.Millisecond},
			map[string]string{"Retry-After": "3", "Retry-After-Ms": "2500"}},
	} {
		h := http.Header{}
		tt.d.SetHeaders(h)
		for k, v := range tt.want {
			if got := h.Get(k); got != v {
				t.Errorf("%+v: %s %q; want %q", tt.d, k, got, v)
			}
		}
	}
}
