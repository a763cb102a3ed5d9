package web_test

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/examples/gatewaytest"
	"github.com/acme/dashboard-gateway/simulator"
)

// manifest is the persisted-documents manifest the client preset writes.
const manifest = "src/gql/persisted-documents.json"

// TestWebClient runs what CI runs for the TypeScript example: install the
// locked packages when they are missing, regenerate the typed documents
// and the manifest (they must match what is committed), type-check, build,
// and run it with node against a gateway in trusted-documents mode over
// that manifest, with the orders service failing.
func TestWebClient(t *testing.T) {
	installPackages(t)
	generated := snapshot(t, "src/gql")
	npm(t, "run", "codegen")
	if now := snapshot(t, "src/gql"); !maps.Equal(now, generated) {
		t.Fatalf("src/gql is stale: run 'npm run codegen' in examples/web and commit the result")
	}
	npm(t, "run", "typecheck")
	npm(t, "run", "build")

	url := gatewaytest.Start(t, gatewaytest.Options{Failing: []string{simulator.Orders}, TrustedDocuments: manifest})
	cmd := exec.CommandContext(t.Context(), "node", "dist/main.js", "u1")
	cmd.Env = append(os.Environ(), "GATEWAY_URL="+url)
	cmd.WaitDelay = 5 * time.Second
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node dist/main.js: %v\n%s", err, stderr.Bytes())
	}
	var report struct {
		Profile *struct {
			Name string `json:"name"`
			Tier string `json:"tier"`
		} `json:"profile"`
		Orders        []any `json:"orders"`
		LoyaltyPoints *int  `json:"loyaltyPoints"`
		Errors        []struct {
			Path    string `json:"path"`
			Code    string `json:"code"`
			Service string `json:"service"`
		} `json:"errors"`
		OrdersError string `json:"ordersError"`
		Refused     string `json:"refused"`
	}
	if err := json.Unmarshal(out, &report); err != nil {
		t.Fatalf("report %q: %v", out, err)
	}
	t.Logf("node dist/main.js: %s", out)
	if report.Profile == nil || report.Profile.Name == "" || report.Profile.Tier == "" || report.LoyaltyPoints == nil {
		t.Errorf("report %s: want the profile and the wallet's data", out)
	}
	if report.Orders != nil || report.OrdersError != "UPSTREAM_ERROR" {
		t.Errorf("report %s: want orders null with UPSTREAM_ERROR", out)
	}
	if len(report.Errors) != 1 || report.Errors[0].Path != "dashboard.orders" || report.Errors[0].Code != "UPSTREAM_ERROR" || report.Errors[0].Service != "orders" {
		t.Errorf("errors %+v; want one, at dashboard.orders, UPSTREAM_ERROR from orders", report.Errors)
	}
	if report.Refused != "DOCUMENT_NOT_TRUSTED" {
		t.Errorf("a document outside the manifest got %q; want DOCUMENT_NOT_TRUSTED", report.Refused)
	}
}

// installPackages runs npm ci when node_modules is missing or not newer
// than package-lock.json, as .ci/run does.
func installPackages(tb testing.TB) {
	tb.Helper()
	lock, err := os.Stat("package-lock.json")
	if err != nil {
		tb.Fatal(err)
	}
	installed, err := os.Stat("node_modules/.package-lock.json")
	if err == nil && installed.ModTime().After(lock.ModTime()) {
		return
	}
	npm(tb, "ci", "--no-audit", "--no-fund")
}

// npm runs npm with args in this directory and fails the test if it fails.
func npm(tb testing.TB, args ...string) {
	tb.Helper()
	if _, err := exec.LookPath("npm"); err != nil {
		tb.Fatalf("npm is needed (.ci/run installs Node.js): %v", err)
	}
	cmd := exec.Command("npm", append([]string{"--silent"}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("npm %v: %v\n%s", args, err, out)
	}
}

// snapshot returns the contents of every file under dir, by path.
func snapshot(tb testing.TB, dir string) map[string]string {
	tb.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		files[path] = string(b)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return files
}
