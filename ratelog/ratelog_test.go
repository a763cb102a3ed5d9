package ratelog_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/ratelog"
)

// clock is a fake clock tests move by hand.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// written decodes the JSON lines in buf.
func written(tb testing.TB, buf *bytes.Buffer) []map[string]any {
	tb.Helper()
	var out []map[string]any
	for line := range strings.Lines(buf.String()) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			tb.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, m)
	}
	buf.Reset()
	return out
}

func TestHandler(t *testing.T) {
	var buf bytes.Buffer
	c := &clock{t: time.Unix(1_000_000, 0)}
	logger := slog.New(ratelog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}),
		ratelog.Options{Interval: 10 * time.Second, Now: c.now}))
	derived := logger.With("component", "x") // shares the counts

	// 1,000 failures of one kind within the interval, of two kinds'
	// worth of ops, and info lines, which always pass.
	for i := range 1000 {
		logger.Warn("redis call failed", "op", "get", "i", i)
		derived.Warn("redis call failed", "op", "set")
		logger.Info("request", "i", i)
	}
	lines := written(t, &buf)
	if got, want := len(lines), 2+1000; got != want {
		t.Fatalf("1,000 x (2 warnings, 1 info) in one interval: got %d lines; want %d (the first of each warning, every info)", got, want)
	}
	c.t = c.t.Add(9 * time.Second)
	logger.Warn("redis call failed", "op", "get")
	if got := written(t, &buf); len(got) != 0 {
		t.Fatalf("9s later: got %v; want nothing (still within 10s)", got)
	}
	c.t = c.t.Add(time.Second)
	logger.Warn("redis call failed", "op", "get")
	derived.Warn("redis call failed", "op", "set")
	logger.Warn("redis call failed", "op", "get") // the new interval's first was just written
	lines = written(t, &buf)
	tests := []struct {
		name       string
		line       int
		suppressed float64
		msg        string
	}{
		{"op get", 0, 1000, "redis call failed (1000 similar suppressed in the last 10s)"},
		{"op set", 1, 999, "redis call failed (999 similar suppressed in the last 10s)"},
	}
	if len(lines) != len(tests) {
		t.Fatalf("after the interval: got %d lines %v; want %d", len(lines), lines, len(tests))
	}
	for _, tt := range tests {
		l := lines[tt.line]
		if l[ratelog.SuppressedKey] != tt.suppressed || l["msg"] != tt.msg {
			t.Errorf("%s: got %s=%v msg %q; want %v, %q", tt.name, ratelog.SuppressedKey, l[ratelog.SuppressedKey], l["msg"], tt.suppressed, tt.msg)
		}
	}
	if lines[1]["component"] != "x" {
		t.Errorf("a derived logger's line: got %v; want its attribute component=x", lines[1])
	}
}

func TestHandlerOff(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(ratelog.New(slog.NewJSONHandler(&buf, nil), ratelog.Options{Interval: -1}))
	for range 5 {
		logger.Warn("same")
	}
	if got := len(written(t, &buf)); got != 5 {
		t.Errorf("negative interval, 5 warnings: got %d lines; want 5", got)
	}
}

// TestHandlerKinds checks that a flood of distinct messages costs bounded
// memory and is still written.
func TestHandlerKinds(t *testing.T) {
	var buf bytes.Buffer
	c := &clock{t: time.Unix(0, 0)}
	logger := slog.New(ratelog.New(slog.NewJSONHandler(&buf, nil), ratelog.Options{Now: c.now}))
	const n = 5000
	for i := range n {
		logger.Warn("failed: " + strings.Repeat("x", i%97) + string(rune('a'+i%26)) + time.Duration(i).String())
	}
	if got := len(written(t, &buf)); got != n {
		t.Errorf("%d distinct warnings: got %d lines; want every one", n, got)
	}
}
