package acceptance_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/config"
	"github.com/acme/dashboard-gateway/gatewaytest"
	"github.com/acme/dashboard-gateway/playground"
	"github.com/acme/dashboard-gateway/simulator"
)

// browserTest is the npm project that drives Chromium (check.mjs).
var browserTest = filepath.Join("..", "playground", "browsertest")

// GraphiQL works in a real browser: with its assets served from npm copies
// of the pinned packages (so their integrity hashes are checked), it
// renders with the example query, runs it to data and a partial error, and
// its docs list Dashboard; with its asset origin refusing connections or
// never answering, it says so in words, with the fix. Chromium, Node.js
// and the npm packages are installed when missing (install.sh).
func TestPlaygroundInBrowser(t *testing.T) {
	install := exec.Command("sh", filepath.Join(browserTest, "install.sh"))
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("install.sh: %v\n%s", err, out)
	}
	assets := httptest.NewServer(npmCDN(filepath.Join(browserTest, "node_modules"), true))
	t.Cleanup(assets.Close)
	noCORS := httptest.NewServer(npmCDN(filepath.Join(browserTest, "node_modules"), false))
	t.Cleanup(noCORS.Close)
	failing := map[string]simulator.Behavior{simulator.Orders: {Fault: simulator.FaultStatus500}}
	ok := gatewaytest.New(t, gatewaytest.Options{Behaviors: failing, Edit: assetsAt(assets.URL)})
	// The same packages as a local directory (npm install there), served
	// by the gateway on its own origin: no CORS needed.
	local := gatewaytest.New(t, gatewaytest.Options{Behaviors: failing, Edit: assetsAt(browserTest)})
	nocors := gatewaytest.New(t, gatewaytest.Options{Edit: assetsAt(noCORS.URL)})
	closed := gatewaytest.New(t, gatewaytest.Options{Edit: assetsAt("http://" + gatewaytest.RefusedAddr(t))})
	blackhole := gatewaytest.New(t, gatewaytest.Options{Edit: assetsAt("http://" + gatewaytest.BlackholeAddr(t))})

	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "check.mjs")
	cmd.Dir = browserTest
	cmd.Env = append(os.Environ(), "PLAYGROUND_OK="+ok.URL+"/", "PLAYGROUND_CLOSED="+closed.URL+"/", "PLAYGROUND_BLACKHOLE="+blackhole.URL+"/",
		"PLAYGROUND_LOCAL="+local.URL+"/", "PLAYGROUND_NOCORS="+nocors.URL+"/")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node check.mjs: %v\n%s", err, stderr.Bytes())
	}
	var got struct {
		OK                        browserVisit `json:"ok"`
		Closed, Blackhole, NoCORS browserVisit
		Local                     browserVisit
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("node check.mjs printed %q: %v", out, err)
	}
	t.Logf("offline message after %d ms (connection refused), %d ms (blackholed)", got.Closed.ElapsedMs, got.Blackhole.ElapsedMs)
	checkWorkingPlayground(t, got.OK)
	t.Run("local directory", func(t *testing.T) { checkWorkingPlayground(t, got.Local) })
	for _, v := range []struct {
		name   string
		visit  browserVisit
		within time.Duration
	}{
		{"connection refused", got.Closed, 4 * time.Second}, // the failures are immediate
		{"blackholed", got.Blackhole, 12 * time.Second},     // the page gives up after 5 s
		{"no CORS headers", got.NoCORS, 4 * time.Second},    // the browser refuses each file at once
	} {
		t.Run(v.name, func(t *testing.T) { checkOfflineMessage(t, v.visit, v.within) })
	}
}

// browserVisit is what check.mjs saw on one page.
type browserVisit struct {
	Failure   string
	Title     string
	Editor    string // the query editor's text
	Response  string // the response pane's text
	Docs      string // the docs explorer's text
	Message   string // the offline message's text
	ElapsedMs int    // from navigation to the offline message
	Seen      struct {
		ConsoleErrors  []string
		CSPViolations  []string
		FailedRequests []string // status or error, and URL
	}
}

func checkWorkingPlayground(t *testing.T, v browserVisit) {
	t.Helper()
	if v.Failure != "" {
		t.Fatalf("working playground: %s (saw %+v)", v.Failure, v)
	}
	if v.Editor != playground.ExampleQuery {
		t.Errorf("query editor holds %q; want the example query", v.Editor)
	}
	var resp struct {
		Data struct {
			Dashboard struct {
				Profile *struct{ Name string }
				Orders  []any
			}
		}
		Errors []struct {
			Path       []any
			Extensions struct{ Code string }
		}
	}
	if err := json.Unmarshal([]byte(v.Response), &resp); err != nil {
		t.Fatalf("response pane %q: %v", v.Response, err)
	}
	if resp.Data.Dashboard.Profile == nil || resp.Data.Dashboard.Profile.Name == "" || resp.Data.Dashboard.Orders != nil {
		t.Errorf("response pane %s; want the profile's data and no orders", v.Response)
	}
	if len(resp.Errors) != 1 || len(resp.Errors[0].Path) != 2 || resp.Errors[0].Path[1] != "orders" || resp.Errors[0].Extensions.Code != "UPSTREAM_ERROR" {
		t.Errorf("response pane %s; want one UPSTREAM_ERROR at dashboard.orders", v.Response)
	}
	if !strings.Contains("\n"+v.Docs+"\n", "\nDashboard\n") {
		t.Errorf("docs explorer shows %q; want Dashboard listed", v.Docs)
	}
	var failed []string
	for _, f := range v.Seen.FailedRequests {
		if !strings.HasSuffix(f, "/favicon.ico") { // the browser asks; there is none
			failed = append(failed, f)
		}
	}
	if len(v.Seen.CSPViolations)+len(v.Seen.ConsoleErrors)+len(failed) > 0 {
		t.Errorf("console errors %q, CSP violations %q, failed requests %q; want none", v.Seen.ConsoleErrors, v.Seen.CSPViolations, failed)
	}
}

func checkOfflineMessage(t *testing.T, v browserVisit, within time.Duration) {
	t.Helper()
	if v.Failure != "" {
		t.Fatalf("%s (saw %+v)", v.Failure, v)
	}
	for _, want := range []string{"GraphiQL could not load", "-playground-assets", "PLAYGROUND_ASSETS", "curl -s http://127.0.0.1:", "dashboard/u1",
		"CORS", "Access-Control-Allow-Origin", "local directory", "npm install graphiql@4.1.2 react@18.2.0 react-dom@18.2.0"} {
		if !strings.Contains(v.Message, want) {
			t.Errorf("offline message %q lacks %q", v.Message, want)
		}
	}
	if got := time.Duration(v.ElapsedMs) * time.Millisecond; got > within {
		t.Errorf("offline message after %v; want within %v", got, within)
	}
}

func assetsAt(url string) func(*config.Config) {
	return func(c *config.Config) { c.PlaygroundAssets = url }
}

// npmCDN serves the files of the packages in dir as jsDelivr's npm mirror
// does, at /<package>@<version>/<file>, for the installed version only,
// with CORS when cors is set (the page loads them with integrity, so
// crossorigin: without it the browser refuses them).
func npmCDN(dir string, cors bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		spec, file, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		at := strings.LastIndex(spec, "@")
		if at <= 0 || strings.Contains(spec, "/") || strings.Contains(file, "..") {
			http.NotFound(w, r)
			return
		}
		name, version := spec[:at], spec[at+1:]
		var pkg struct{ Version string }
		b, err := os.ReadFile(filepath.Join(dir, name, "package.json"))
		if err != nil || json.Unmarshal(b, &pkg) != nil || pkg.Version != version {
			http.NotFound(w, r)
			return
		}
		if cors {
			w.Header().Set("Access-Control-Allow-Origin", "*")
		}
		http.ServeFileFS(w, r, os.DirFS(filepath.Join(dir, name)), file)
	})
}
