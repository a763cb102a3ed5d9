package simulator

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// noLeaks checks, once the test and all its other cleanups are done, that
// no goroutine leaked. Call it first, so that its cleanup runs last.
func noLeaks(tb testing.TB) {
	tb.Cleanup(func() { goleak.VerifyNone(tb) })
}

// serveOne mounts one service of a new Simulator on an httptest server
// and closes both at cleanup.
func serveOne(tb testing.TB, opts Options, svc string) (*Simulator, *http.Client, string) {
	tb.Helper()
	s := New(opts)
	ts := httptest.NewServer(s.Handler(svc))
	tb.Cleanup(func() {
		s.Close()
		ts.Close()
	})
	return s, ts.Client(), ts.URL
}

// reply is a response read whole.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// get does a GET with the contract's headers and reads the whole answer.
func get(tb testing.TB, c *http.Client, url string) reply {
	tb.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("X-Request-Id", "req-1")
	req.Header.Set("X-Timeout-Ms", "1000")
	return do(tb, c, req)
}

// do sends req and reads the whole answer, failing on a transport error.
func do(tb testing.TB, c *http.Client, req *http.Request) reply {
	tb.Helper()
	resp, err := c.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("%s %s: read body: %v", req.Method, req.URL, err)
	}
	return reply{resp.StatusCode, resp.Header, body}
}

// testCtx returns a context that ends with the test or after 10s, so a
// broken wait fails the test instead of hanging it.
func testCtx(tb testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	tb.Cleanup(cancel)
	return ctx
}

// waitFor is WaitFor failing the test when the condition never holds.
func waitFor(tb testing.TB, s *Simulator, svc, what string, cond func(Stats) bool) {
	tb.Helper()
	if err := s.WaitFor(testCtx(tb), svc, cond); err != nil {
		tb.Fatalf("waiting for %s on %s: %v; stats %+v", what, svc, err, s.Stats(svc))
	}
}

// startSim starts the services of a new Simulator on loopback, closing it
// at cleanup.
func startSim(tb testing.TB, opts Options, services ...string) (*Simulator, map[string]string) {
	tb.Helper()
	s := New(opts)
	tb.Cleanup(s.Close)
	urls, err := s.Start("127.0.0.1", 0, services...)
	if err != nil {
		tb.Fatal(err)
	}
	return s, urls
}

// http1Client speaks HTTP/1.1 only; its connections close at cleanup.
func http1Client(tb testing.TB) *http.Client {
	tr := &http.Transport{}
	tb.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// h2cClient speaks HTTP/2 without TLS, with prior knowledge, only.
func h2cClient(tb testing.TB) *http.Client {
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	tr := &http.Transport{Protocols: &p}
	tb.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}
