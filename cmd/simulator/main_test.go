package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/acme/dashboard-gateway/contract"
	"github.com/acme/dashboard-gateway/simulator"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestRun starts the command on free ports, reads the URLs it prints,
// calls every service and stops it by ending the context.
func TestRun(t *testing.T) {
	defer goleak.VerifyNone(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	stdoutR, stdoutW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		env := map[string]string{"SIM_PRESET": "longtail", "SIM_BASE_PORT": "9101"}
		err := run(ctx, []string{"-base-port", "0", "-preset", "healthy", "-require-headers"},
			func(k string) string { return env[k] }, stdoutW, io.Discard)
		stdoutW.CloseWithError(err)
		done <- err
	}()

	urls := map[string]string{}
	lines := bufio.NewScanner(stdoutR)
	all := simulator.Services()
	for len(urls) < len(all) && lines.Scan() {
		name, url, ok := strings.Cut(lines.Text(), "_URL=")
		if !ok {
			t.Fatalf("stdout line %q; want NAME_URL=url", lines.Text())
		}
		urls[strings.ToLower(name)] = url
	}
	if err := lines.Err(); err != nil || len(urls) != len(all) {
		t.Fatalf("read URLs %v, %v; want one for each of %q", urls, err, all)
	}

	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
	for _, decl := range contract.Services() {
		svc, e := decl.Name, decl.Endpoints[0]
		path := strings.Replace(e.Path, "{id}", "u1", 1)
		if e.Kind == contract.Batch {
			path += "?" + e.IDs + "=u1"
		}
		for _, withHeaders := range []bool{true, false} {
			req, _ := http.NewRequest(http.MethodGet, urls[svc]+path, nil)
			want := http.StatusBadRequest // -require-headers
			if withHeaders {
				req.Header.Set("X-Request-Id", "r1")
				req.Header.Set("X-Timeout-Ms", "500")
				want = http.StatusOK // healthy, no latency
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatalf("GET %s%s: %v", urls[svc], path, err)
			}
			resp.Body.Close()
			if resp.StatusCode != want {
				t.Errorf("GET %s%s with headers %v: status %d; want %d", urls[svc], path, withHeaders, resp.StatusCode, want)
			}
		}
	}

	cancel()
	if err := <-done; err != nil {
		t.Errorf("run returned %v after the signal; want nil", err)
	}
}

func TestRunPortTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	err = run(context.Background(), []string{"-base-port", port}, func(string) string { return "" }, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "profile") {
		t.Errorf("run on a taken port = %v; want an error naming the profile service", err)
	}
}
