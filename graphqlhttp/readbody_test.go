package graphqlhttp_test

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/acme/dashboard-gateway/graphqlhttp"
)

// ReadBody reads every byte whatever the declared size says, and reads a
// body of its declared size into one buffer.
func TestReadBody(t *testing.T) {
	body := strings.Repeat(`{"query":"{ dashboard }"}`, 60) // 1,500 bytes, as a dashboard's query
	for _, tc := range []struct {
		name string
		size int64
	}{
		{"declared", int64(len(body))},
		{"unknown", -1},
		{"longer than declared", 100},
		{"shorter than declared", 4000},
		{"empty", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// One byte at a time: every short read must be read on.
			got, err := graphqlhttp.ReadBody(iotest.OneByteReader(strings.NewReader(body)), tc.size)
			if err != nil || string(got) != body {
				t.Errorf("ReadBody(size %d) = %d bytes, %v; want the %d bytes", tc.size, len(got), err, len(body))
			}
		})
	}
	raw := []byte(body)
	r := bytes.NewReader(raw)
	if n := testing.AllocsPerRun(100, func() {
		r.Reset(raw)
		_, _ = graphqlhttp.ReadBody(r, int64(len(body)))
	}); n != 1 {
		t.Errorf("reading a body of its declared size allocates %v times; want 1", n)
	}
	// A declared length alone buys no memory: a body that declares 200 KB
	// and sends one byte has no buffer of 200 KB.
	stalled := io.MultiReader(strings.NewReader("{"), iotest.ErrReader(io.ErrUnexpectedEOF))
	if got, _ := graphqlhttp.ReadBody(stalled, 200_000); cap(got) > 64<<10 {
		t.Errorf("a body that declared 200,000 bytes and sent 1 has a buffer of %d bytes; want at most 64 KiB", cap(got))
	}
	broken := errors.New("connection reset")
	if _, err := graphqlhttp.ReadBody(io.MultiReader(strings.NewReader("{"), iotest.ErrReader(broken)), 10); !errors.Is(err, broken) {
		t.Errorf("ReadBody of a failing body = %v; want %v", err, broken)
	}
}

// Past readAhead the buffer doubles as the bytes arrive: reading a body of
// 250 KB allocates about twice that in all, not the five times of
// io.ReadAll's smaller steps, declared or not; and a body a middleware
// read already (Buffered) is not copied again.
func TestReadBodyAllocates(t *testing.T) {
	raw := bytes.Repeat([]byte("x"), 250_000)
	for _, size := range []int64{int64(len(raw)), -1} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		got, err := graphqlhttp.ReadBody(bytes.NewReader(raw), size)
		runtime.ReadMemStats(&after)
		if err != nil || len(got) != len(raw) {
			t.Fatalf("ReadBody(size %d) = %d bytes, %v", size, len(got), err)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 3*uint64(len(raw)) {
			t.Errorf("ReadBody(size %d) of %d bytes allocated %d bytes; want at most 3x", size, len(raw), n)
		}
	}
	got, err := graphqlhttp.ReadBody(graphqlhttp.Buffered(raw), int64(len(raw)))
	if err != nil || len(got) != len(raw) || &got[0] != &raw[0] {
		t.Errorf("ReadBody(Buffered) = %d bytes, %v; want the buffer itself", len(got), err)
	}
}
